// The resident data pool (人房企数据池, issue 14) on the fixture district, on both engines:
// resident_care became people with tags (migration 0017); counts per grid and tag agree with the
// masked lists; each role sees its jurisdiction only; full views are audited; the admin edits the
// tag list (an unknown tag is refused); imports from CSV and .xlsx are all or nothing, and a
// spreadsheet that cannot be read as one (a ZIP of something else, no sheet, an empty sheet,
// broken sheet XML) is malformed_file with nothing written; the grid worker's visit list.
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { can } from '../../core/permissions.js';
import { idCheckChar, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from '../../core/resident-import.js';
import { fixtureApi, type Who } from '../testing/api.js';
import { testDbKind } from '../testing/db.js';

const f = fixtureApi();

interface ByGrid { grids: { gridId: number; gridName: string; communityCode: string; tags: Record<string, number>; total: number }[]; tags: { code: string; appliesTo: string }[]; synthetic: boolean }
interface Person { id: number; gridId: number; name: string; phone: string; idNumber: string | null; tags: string[]; masked: boolean; synthetic: boolean; lastVisit: string | null }
interface ApiError { error: { code: string; message: string; details?: { errors: { row: number; column: string | null; code: string }[]; total: number } } }

const auth = (w: Who) => `Bearer ${f.who.tokens[w]}`;
const upload = (w: Who, path: string, body: Buffer | string, type = 'text/csv') =>
  request(f.app).post(path).set('Authorization', auth(w)).set('Content-Type', type).send(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'));
const put = (w: Who, path: string, body: object) => request(f.app).put(path).set('Authorization', auth(w)).send(body);
const del = (w: Who, path: string) => request(f.app).delete(path).set('Authorization', auth(w));
const id18 = (first17: string) => first17 + idCheckChar(first17);

async function counts() {
  const q = async (sql: string) => Number((await f.t.db.query<{ n: string | number }>(sql)).rows[0]!.n);
  return {
    people: await q('SELECT count(*) AS n FROM person'), personTags: await q('SELECT count(*) AS n FROM person_tag'),
    houses: await q('SELECT count(*) AS n FROM house'), firms: await q('SELECT count(*) AS n FROM firm'),
  };
}

describe(`resident data pool on ${testDbKind()}`, () => {
  it('the seeded tag list; counts per grid and tag match the masked list', async () => {
    const by = (await f.as('center').get('/api/residents/by-grid').expect(200)).body as ByGrid;
    expect(by.synthetic).toBe(true);
    const names = by.tags.map((t) => t.code);
    for (const c of ['dibao', 'empty_nest_elderly', 'living_alone', 'disabled', 'key_person', 'rental', 'veteran', 'left_behind_child', 'small_firm']) expect(names).toContain(c);
    expect(by.grids.map((g) => g.gridId).sort()).toEqual([f.grids.gridA1, f.grids.gridA2, f.grids.gridB1].sort());
    const list = ((await f.as('center').get('/api/residents?limit=5000').expect(200)).body as { residents: Person[] }).residents;
    expect(list.length).toBeGreaterThan(0);
    const personTags = new Set(by.tags.filter((t) => t.appliesTo === 'person').map((t) => t.code));
    for (const g of by.grids) {
      const mine = list.filter((r) => r.gridId === g.gridId);
      expect(g.total).toBe(mine.length);
      for (const [tag, n] of Object.entries(g.tags)) if (personTags.has(tag)) expect(n, tag).toBe(mine.filter((r) => r.tags.includes(tag)).length);
    }
    for (const r of list) {
      expect(r.masked).toBe(true);
      expect(r.synthetic).toBe(true);
      expect(r.tags.length).toBeGreaterThan(0);
      expect(r.phone).toMatch(/^\d{3}\*{4}\d{4}$/);
      expect(r.name).toMatch(/^.\*+$/);
    }
    // houses and firms were seeded too (synthetic, masked), and their tags counted on the map
    const houses = (await f.as('center').get('/api/residents/houses?limit=5000').expect(200)).body.houses as { gridId: number; tags: string[]; owner: string }[];
    const firms = (await f.as('center').get('/api/residents/firms?limit=5000').expect(200)).body.firms as { gridId: number; tags: string[] }[];
    expect(houses.length).toBeGreaterThan(0);
    expect(firms.length).toBeGreaterThan(0);
    for (const h of houses) expect(h.owner).toMatch(/^.\*+$/);
    const rentals = by.grids.reduce((n, g) => n + (g.tags.rental ?? 0), 0);
    expect(rentals).toBe(houses.filter((h) => h.tags.includes('rental')).length);
    const small = by.grids.reduce((n, g) => n + (g.tags.small_firm ?? 0), 0);
    expect(small).toBe(firms.filter((x) => x.tags.includes('small_firm')).length);
  });

  it('each role in its jurisdiction; unmasked views audited; the map query can be bounded by a bbox', async () => {
    for (const w of Object.keys(f.who.tokens) as Who[]) {
      const allowed = can(f.who.roles[w]!, 'read', 'resident_pii');
      const r = await f.as(w).get('/api/residents/by-grid');
      expect([w, r.status]).toEqual([w, allowed ? 200 : 403]);
    }
    const grid = (await f.as('gridA1').get('/api/residents/by-grid').expect(200)).body as ByGrid;
    expect(grid.grids.map((g) => g.gridId)).toEqual([f.grids.gridA1]);
    const gridList = (await f.as('gridA1').get('/api/residents').expect(200)).body.residents as Person[];
    expect(gridList.every((p) => p.gridId === f.grids.gridA1)).toBe(true);
    const comB = (await f.as('communityB').get('/api/residents/by-grid').expect(200)).body as ByGrid;
    expect(comB.grids.every((g) => g.communityCode === 'T0102')).toBe(true);
    expect((await f.as('communityB').get('/api/residents/by-grid?division=T0101').expect(403)).body.error.code).toBe('forbidden');
    // a bbox over grid B1 only (the page asks for what it shows, never a whole city)
    const west = (await f.as('center').get('/api/residents/by-grid?bbox=121.502,31.232,121.508,31.238').expect(200)).body as ByGrid;
    expect(west.grids.map((g) => g.gridId)).toEqual([f.grids.gridB1]);
    expect((await f.as('center').get('/api/residents/by-grid?bbox=1,2,3').expect(400)).body.error.code).toBe('invalid_bbox');

    const one = gridList[0]!;
    expect((await f.as('gridB1').get(`/api/residents/${one.id}?full=1`).expect(404)).body.error.code).toBe('not_found');
    const full = (await f.as('gridA1').get(`/api/residents/${one.id}?full=1`).expect(200)).body as Person;
    expect(full.masked).toBe(false);
    expect(full.phone).toMatch(/^1\d{10}$/);
    const log = (await f.t.db.query<{ action: string; resource_id: string; outcome: string }>(`SELECT action, resource_id, outcome FROM audit_log WHERE resource = 'resident' ORDER BY id DESC LIMIT 1`)).rows[0];
    expect(log).toEqual({ action: 'read_full', resource_id: String(one.id), outcome: 'ok' });
    await f.as('leader').get(`/api/residents/${one.id}?full=1`).expect(403);
    const denied = (await f.t.db.query<{ outcome: string }>(`SELECT outcome FROM audit_log WHERE resource = 'resident' ORDER BY id DESC LIMIT 1`)).rows[0];
    expect(denied).toEqual({ outcome: 'denied' });
  });

  it('the admin edits the tag list; unknown tags are refused and change nothing', async () => {
    const body = { code: 'pregnant', name: '孕产妇', appliesTo: 'person', sensitive: true, visitDays: 14, sort: 80 };
    expect((await f.as('center').post('/api/residents/tags', body).expect(403)).body.error.code).toBe('forbidden');
    // the fixture has no admin token: one with the admin role
    const { insertToken } = await import('../testing/principals.js');
    await insertToken(f.t.db, 'gct_admin_tags_secret_000000000000', 'admin-tags', 'admin', { divisionCode: 'T00' });
    const admin = 'Bearer gct_admin_tags_secret_000000000000';
    const created = await request(f.app).post('/api/residents/tags').set('Authorization', admin).send(body).expect(201);
    expect(created.body).toMatchObject({ code: 'pregnant', name: '孕产妇', appliesTo: 'person', visitDays: 14 });
    await request(f.app).post('/api/residents/tags').set('Authorization', admin).send(body).expect(409);
    expect((await request(f.app).post('/api/residents/tags').set('Authorization', admin).send({ ...body, code: 'x', name: '短' }).expect(400)).body.error.code).toBe('invalid_request');
    await request(f.app).put('/api/residents/tags/pregnant').set('Authorization', admin).send({ name: '孕产妇', sensitive: true, visitDays: 7, sort: 80 }).expect(200);
    expect((await request(f.app).put('/api/residents/tags/nope').set('Authorization', admin).send({ name: '无', visitDays: null }).expect(400)).body.error.code).toBe('unknown_tag');
    expect((await put('communityA', '/api/residents/tags/pregnant', { name: '改名' }).expect(403)).body.error.code).toBe('forbidden');

    // a person's tags: an unknown tag or a house tag is refused, nothing changes
    const person = ((await f.as('communityA').get('/api/residents').expect(200)).body.residents as Person[])[0]!;
    const before = await counts();
    expect((await put('communityA', `/api/residents/${person.id}/tags`, { tags: ['低保', '外星人'] }).expect(400)).body.error).toMatchObject({ code: 'unknown_tag', details: { tag: '外星人' } });
    expect((await put('communityA', `/api/residents/${person.id}/tags`, { tags: ['出租屋'] }).expect(400)).body.error.code).toBe('unknown_tag');
    expect(await counts()).toEqual(before);
    expect((await put('communityB', `/api/residents/${person.id}/tags`, { tags: ['低保'] }).expect(404)).body.error.code).toBe('not_found');
    const tagged = (await put('communityA', `/api/residents/${person.id}/tags`, { tags: ['孕产妇', 'dibao'] }).expect(200)).body as Person;
    expect(tagged.tags.sort()).toEqual(['dibao', 'pregnant']);
    // a tag in use cannot be deleted; once unused it can
    expect((await request(f.app).delete('/api/residents/tags/pregnant').set('Authorization', admin).expect(409)).body.error.code).toBe('tag_in_use');
    await put('communityA', `/api/residents/${person.id}/tags`, { tags: person.tags }).expect(200);
    await request(f.app).delete('/api/residents/tags/pregnant').set('Authorization', admin).expect(200);
    expect((await del('center', '/api/residents/tags/dibao').expect(403)).body.error.code).toBe('forbidden');
  });

  it('CSV import: preview lists every row error; a broken file imports nothing; fixed, it imports all', async () => {
    const ID1 = id18('31010119450301002');
    const ID2 = id18('31010119520712004');
    const bad = [
      '姓名,身份证号,电话,网格,楼栋编号,标签',
      `张桂芳,${ID1},13912345678,T0101-01,,空巢老人、独居`,
      `李建华,${ID1},1391234,T0101-02,,低保`, // duplicate id, bad phone
      '王秀兰,,,T0101-09,,外星人', // unknown grid, unknown tag
      '赵明,,,T0102-01,,', // outside community A
    ].join('\n');
    const before = await counts();
    const pre = (await upload('communityA', '/api/residents/import/preview?kind=person', bad).expect(200)).body as { ok: boolean; rows: number; errors: { row: number; column: string; code: string }[]; sample: { name: string }[] };
    expect(pre.ok).toBe(false);
    expect(pre.rows).toBe(4);
    expect(pre.errors.map((e) => `${e.row}:${e.column}:${e.code}`)).toEqual([
      '3:idNumber:duplicate_id_number', '3:phone:bad_phone', '4:grid:unknown_grid', '4:tags:unknown_tag', '5:grid:outside_jurisdiction',
    ]);
    expect(pre.sample[0]!.name).toBe('张**');
    const refused = (await upload('communityA', '/api/residents/import?kind=person', bad).expect(422)).body as ApiError;
    expect(refused.error.code).toBe('validation_failed');
    expect(refused.error.details!.total).toBe(5);
    expect(await counts()).toEqual(before);
    const failedLog = (await f.t.db.query<{ outcome: string }>(`SELECT outcome FROM audit_log WHERE action = 'import' AND resource = 'resident' ORDER BY id DESC LIMIT 1`)).rows[0];
    expect(failedLog).toEqual({ outcome: 'failed' });

    // malformed files and limits: clear 4xx, nothing changed
    expect((await upload('communityA', '/api/residents/import?kind=person', '姓名,网格\n"张三,T0101-01\n').expect(400)).body.error.code).toBe('malformed_file');
    expect((await upload('communityA', '/api/residents/import?kind=person', '').expect(400)).body.error.code).toBe('malformed_file');
    expect((await upload('communityA', '/api/residents/import?kind=person', '姓名,网格\n').expect(400)).body.error.code).toBe('malformed_file');
    expect((await upload('communityA', '/api/residents/import?kind=person', Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6]), 'application/octet-stream').expect(400)).body.error.code).toBe('malformed_file');
    expect((await upload('communityA', '/api/residents/import?kind=animal', bad).expect(400)).body.error.code).toBe('invalid_request');
    const many = ['姓名,网格', ...Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => `人${i},T0101-01`)].join('\n');
    expect((await upload('communityA', '/api/residents/import?kind=person', many).expect(413)).body.error.code).toBe('payload_too_large');
    expect((await upload('communityA', '/api/residents/import?kind=person', Buffer.alloc(MAX_IMPORT_BYTES + 10, 0x41)).expect(413)).body.error.code).toBe('payload_too_large');
    expect((await upload('gridA1', '/api/residents/import?kind=person', bad).expect(403)).body.error.code).toBe('forbidden');
    expect(await counts()).toEqual(before);

    // fixed (and saved by Excel on a Chinese Windows: GB18030): imported in full, with its tags
    const good = [
      '姓名,身份证号,电话,网格,楼栋编号,标签',
      `张桂芳,${ID1},13912345678,T0101-01,,空巢老人、独居`,
      `李建华,${ID2},139-1234-5679,甲社区第02网格,,低保`,
    ].join('\r\n');
    const gb = Buffer.from(new TextEncoder().encode(good)); // UTF-8 first
    const done = (await upload('communityA', '/api/residents/import?kind=person', gb).expect(201)).body as { imported: number; ids: number[] };
    expect(done.imported).toBe(2);
    const after = await counts();
    expect(after.people).toBe(before.people + 2);
    expect(after.personTags).toBe(before.personTags + 3);
    const mine = (await f.t.db.query<{ name: string; phone: string; grid_id: number; synthetic: boolean; tags: string[] }>(
      `SELECT p.name, p.phone, p.grid_id, p.synthetic, array_agg(t.tag_code ORDER BY t.tag_code) AS tags FROM person p JOIN person_tag t ON t.person_id = p.id
        WHERE p.id = ANY($1::int[]) GROUP BY p.id ORDER BY p.id`, [done.ids])).rows;
    expect(mine).toEqual([
      { name: '张桂芳', phone: '13912345678', grid_id: f.grids.gridA1, synthetic: false, tags: ['empty_nest_elderly', 'living_alone'] },
      { name: '李建华', phone: '13912345679', grid_id: f.grids.gridA2, synthetic: false, tags: ['dibao'] },
    ]);
    // the same file again: both identity numbers are stored now
    const again = (await upload('communityA', '/api/residents/import?kind=person', good).expect(422)).body as ApiError;
    expect(again.error.details!.errors.map((e) => `${e.row}:${e.code}`)).toEqual(['2:duplicate_id_number', '3:duplicate_id_number']);
    expect(await counts()).toEqual(after);
  });

  it('.xlsx import of firms and houses, and a GB18030 CSV', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('企业');
    ws.addRow(['名称', '统一社会信用代码', '网格', '联系人', '电话', '标签']);
    ws.addRow(['好邻居便利店', '92310101MA1K000001', 'T0101-01', '陈经理', '13600001111', '小微企业']);
    ws.addRow(['老王理发', '', 'T0101-02', '', '', '九小场所']);
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    const type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    const before = await counts();
    const pre = (await upload('communityA', '/api/residents/import/preview?kind=firm', xlsx, type).expect(200)).body as { ok: boolean; format: string; rows: number };
    expect(pre).toMatchObject({ ok: true, format: 'xlsx', rows: 2 });
    const out = (await upload('communityA', '/api/residents/import?kind=firm', xlsx, type).expect(201)).body as { imported: number };
    expect(out.imported).toBe(2);
    expect((await counts()).firms).toBe(before.firms + 2);
    // a person tag on a firm is refused
    ws.addRow(['第三家', '', 'T0101-01', '', '', '低保']);
    const bad = Buffer.from(await wb.xlsx.writeBuffer());
    const refused = (await upload('communityA', '/api/residents/import?kind=firm', bad, type).expect(422)).body as ApiError;
    expect(refused.error.details!.errors.map((e) => `${e.row}:${e.column}:${e.code}`)).toEqual(['2:creditCode:duplicate_credit_code', '4:tags:tag_not_applicable']);

    const building = (await f.t.db.query<{ id: number }>('SELECT id FROM building WHERE grid_id = $1 ORDER BY id LIMIT 1', [f.grids.gridA1])).rows[0]!.id;
    const houses = `网格,楼栋编号,房号,户主,电话,标签\nT0101-01,${building},9单元901,周强,021-62345678,出租屋\nT0101-01,${building},9单元902,,,`;
    const gbk = Buffer.from(new Uint8Array(await gb18030(houses)));
    const h = (await upload('communityA', '/api/residents/import?kind=house', gbk).expect(201)).body as { imported: number; ids: number[] };
    expect(h.imported).toBe(2);
    const stored = (await f.t.db.query<{ unit: string; owner_name: string | null }>('SELECT unit, owner_name FROM house WHERE id = ANY($1::int[]) ORDER BY id', [h.ids])).rows;
    expect(stored).toEqual([{ unit: '9单元901', owner_name: '周强' }, { unit: '9单元902', owner_name: null }]);
    // a house in a building of another grid
    const wrong = `网格,楼栋编号,房号\nT0101-02,${building},1单元101`;
    expect((await upload('communityA', '/api/residents/import?kind=house', wrong).expect(422)).body.error.details.errors[0].code).toBe('building_outside_grid');
  });

  it('malformed spreadsheets: a ZIP that is no workbook, no sheet, an empty sheet, broken sheet XML — malformed_file, nothing written', async () => {
    const type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    const zip = async (files: Record<string, string>) => {
      const z = new JSZip();
      for (const [name, text] of Object.entries(files)) z.file(name, text);
      return Buffer.from(await z.generateAsync({ type: 'nodebuffer' }));
    };
    const book = async (fill: (wb: ExcelJS.Workbook) => void) => {
      const wb = new ExcelJS.Workbook();
      fill(wb);
      return Buffer.from(await wb.xlsx.writeBuffer());
    };
    const good = await book((wb) => {
      const ws = wb.addWorksheet('人员');
      ws.addRow(['姓名', '网格', '标签']);
      ws.addRow(['测试甲', 'T0101-01', '独居']);
    });
    /** `good` with its sheet's XML replaced by what `edit` makes of it. */
    const broken = async (edit: (xml: string) => string) => {
      const z = await JSZip.loadAsync(good);
      const path = 'xl/worksheets/sheet1.xml';
      const xml = await z.file(path)!.async('string');
      expect(xml).toContain('<sheetData>');
      z.file(path, edit(xml));
      return Buffer.from(await z.generateAsync({ type: 'nodebuffer' }));
    };
    const files: [string, Buffer, RegExp][] = [
      ['a ZIP of a text file', await zip({ 'readme.txt': '这不是工作簿' }), /no worksheet/],
      ['a ZIP with a content-types part only', await zip({ '[Content_Types].xml': '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>' }), /no worksheet/],
      ['a workbook with no sheet', await book(() => undefined), /no worksheet/],
      ['a workbook whose sheet is empty', await book((wb) => { wb.addWorksheet('空表'); }), /first worksheet is empty/],
      ['a workbook whose first sheet is empty and the second not', await book((wb) => {
        wb.addWorksheet('说明');
        wb.addWorksheet('人员').addRow(['姓名', '网格']).commit();
      }), /first worksheet is empty/],
      ['sheet XML with an unclosed cell', await broken((x) => x.replace('<sheetData>', '<sheetData><row r="99"><c r="A99"><v>1</v></row>')), /not a readable \.xlsx/],
      ['sheet XML that is no XML', await broken(() => '<<<这不是XML>>>'), /not a readable \.xlsx/],
      ['sheet XML cut in half', await broken((x) => x.slice(0, Math.floor(x.length / 2))), /not a readable \.xlsx/],
    ];
    // The good workbook itself previews clean: the failures below are the damage, not the test's workbook.
    expect((await upload('communityA', '/api/residents/import/preview?kind=person', good, type).expect(200)).body).toMatchObject({ ok: true, format: 'xlsx', rows: 1 });
    const before = await counts();
    const audits = async () => Number((await f.t.db.query<{ n: string | number }>(`SELECT count(*) AS n FROM audit_log WHERE action = 'import' AND resource = 'resident'`)).rows[0]!.n);
    const auditsBefore = await audits();
    for (const [what, bytes, message] of files) {
      for (const path of ['/api/residents/import/preview?kind=person', '/api/residents/import?kind=person']) {
        const e = (await upload('communityA', path, bytes, type).expect(400)).body as ApiError;
        expect([what, path, e.error.code], e.error.message).toEqual([what, path, 'malformed_file']);
        expect(e.error.message, what).toMatch(message);
      }
    }
    expect(await counts()).toEqual(before);
    expect(await audits()).toBe(auditsBefore);
  });

  it('visit list: the grid worker sees who is due in their grid and records a visit', async () => {
    const due = (await f.as('gridA1').get('/api/residents/visits/due?limit=2000').expect(200)).body as { total: number; due: { personId: number; gridId: number; name: string; daysSince: number | null; tags: string[] }[] };
    expect(due.total).toBeGreaterThan(0);
    expect(due.due.every((d) => d.gridId === f.grids.gridA1)).toBe(true);
    expect(due.due[0]!.name).toMatch(/^.\*+$/);
    const who = due.due[0]!;
    expect((await f.as('gridB1').post(`/api/residents/${who.personId}/visits`, { note: '入户走访' }).expect(404)).body.error.code).toBe('not_found');
    expect((await f.as('gridA1').post(`/api/residents/${who.personId}/visits`, { date: '2999-01-01' }).expect(400)).body.error.code).toBe('invalid_request');
    expect((await f.as('leader').post(`/api/residents/${who.personId}/visits`, {}).expect(403)).body.error.code).toBe('forbidden');
    const v = (await f.as('gridA1').post(`/api/residents/${who.personId}/visits`, { note: '身体健康，已送米面' }).expect(201)).body as { visitedOn: string };
    expect(v.visitedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const after = (await f.as('gridA1').get('/api/residents/visits/due?limit=2000').expect(200)).body as typeof due;
    expect(after.total).toBe(due.total - 1);
    expect(after.due.some((d) => d.personId === who.personId)).toBe(false);
    const row = (await f.t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM person_visit WHERE person_id = $1', [who.personId])).rows[0]!.n;
    expect(row).toBe(1);
  });
});

/** GB18030 bytes of a text (what Excel on a Chinese Windows saves as CSV): iconv through the page-less Node encoder. */
async function gb18030(text: string): Promise<Uint8Array> {
  // Node's TextEncoder only writes UTF-8; build the bytes by decoding every GB18030 two-byte code once.
  const table = gbTable();
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else {
      const b = table.get(ch);
      if (!b) throw new Error(`no GB18030 code for ${ch}`);
      out.push(b[0], b[1]);
    }
  }
  return new Uint8Array(out);
}
let GB: Map<string, [number, number]> | null = null;
function gbTable(): Map<string, [number, number]> {
  if (GB) return GB;
  GB = new Map();
  const dec = new TextDecoder('gb18030');
  for (let a = 0x81; a <= 0xfe; a++) {
    for (let b = 0x40; b <= 0xfe; b++) {
      if (b === 0x7f) continue;
      const s = dec.decode(new Uint8Array([a, b]));
      if (s.length === 1 && !GB.has(s)) GB.set(s, [a, b]);
    }
  }
  return GB;
}
