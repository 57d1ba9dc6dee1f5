// The Party branch ledger over HTTP on the fixture district: jurisdiction (a grid worker of another
// grid neither reads nor writes), the rules of an activity (a refused record writes nothing),
// monthly and 30-day counts, masked rosters and the audited full number, performance scoring.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, beijingDate, type BranchDetail, type BranchSummary, type GridActivityView, type GridRoster } from '../../core/party-ledger.js';
import { loadConfig } from '../config.js';
import { EventBus } from '../events/bus.js';
import { createApp } from '../http/app.js';
import { ranking } from '../performance/scores.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { loadFixture } from '../testing/fixture.js';
import { loadPartyFixture, type PartyFixture } from '../testing/party-fixture.js';
import { testImage } from '../testing/photos.js';
import { loadPrincipals, type Principals } from '../testing/principals.js';
import { detectEncoder } from '../tiles/encode.js';

let t: TestDb;
let app: Express;
let who: Principals;
let g: { gridA1: number; gridA2: number; gridB1: number };
let p: PartyFixture;
let mA: number[];
let mB: number;
const dataDir = mkdtempSync(join(tmpdir(), 'gc-party-'));
const today = beijingDate(Date.now());

beforeAll(async () => {
  t = await createTestDb();
  g = await loadFixture(t.db);
  who = await loadPrincipals(t.db, g);
  p = await loadPartyFixture(t.db, g);
  const member = async (branch: number, name: string, phone: string, joined: string | null) =>
    (await t.db.query<{ id: number }>(`INSERT INTO party_member (branch_id, name, phone, joined_on, synthetic) VALUES ($1, $2, $3, $4, true) RETURNING id`,
      [branch, name, phone, joined])).rows[0]!.id;
  mA = [await member(p.branchA1, '周党员', '13900001111', '2015-07-01'), await member(p.branchA1, '吴党员', '13900002222', null),
    await member(p.branchA1, '郑党员', '13900003333', today)];
  mB = await member(p.branchB1, '冯党员', '13900004444', null);
  await t.db.query(`UPDATE grid_staff SET phone = '13811112222' WHERE name = '张网格'`);
  await t.db.query(`INSERT INTO grid_staff (grid_id, role, name, phone, dataset_id) VALUES ($1, 'police', '陈警官', '13822223333', 'fixture')`, [g.gridA1]);
  app = createApp({ config: loadConfig({ DATA_DIR: dataDir }), db: t.db, bus: new EventBus(), tileEncoder: await detectEncoder(t.db), log: () => undefined });
}, 180_000);
afterAll(async () => { await t?.drop(); rmSync(dataDir, { recursive: true, force: true }); });

type Who = keyof Principals['tokens'];
const get = (w: Who, path: string) => request(app).get(path).set('Authorization', `Bearer ${who.tokens[w]}`);
const post = (w: Who, path: string, body: unknown) => request(app).post(path).set('Authorization', `Bearer ${who.tokens[w]}`).send(body as object);
const ledgerRows = async () => (await t.db.query<{ a: number; t: number; p: number }>(
  `SELECT (SELECT count(*)::int FROM party_activity) AS a, (SELECT count(*)::int FROM party_activity_attendee) AS t, (SELECT count(*)::int FROM party_activity_photo) AS p`)).rows[0]!;

describe(`party ledger on ${testDbKind()}`, () => {
  it('lists the branches of the jurisdiction only', async () => {
    const names = async (w: Who) => ((await get(w, '/api/party/branches').expect(200)).body.branches as BranchSummary[]).map((b) => b.id);
    expect(await names('leader')).toEqual([p.branchA1, p.branchB1]);
    expect(await names('communityA')).toEqual([p.branchA1]);
    expect(await names('gridA1')).toEqual([p.branchA1]);
    expect(await names('gridB1')).toEqual([p.branchB1]);
    await get('planner', '/api/party/branches').expect(403);
    await get('communityA', '/api/party/branches?division=T0102').expect(403);
    const a1 = ((await get('gridA1', '/api/party/branches').expect(200)).body.branches as BranchSummary[])[0]!;
    expect(a1).toMatchObject({ members: 3, membersDeclared: 24, recent: 0, lastActivity: null, noActivity: true });
  });

  it('a grid worker of another grid can neither read nor write the branch; nothing is written', async () => {
    const before = await ledgerRows();
    expect((await get('gridB1', `/api/party/branches/${p.branchA1}`).expect(404)).body.error.code).toBe('not_found');
    expect((await post('gridB1', `/api/party/branches/${p.branchA1}/activities`,
      { kind: 'visit', heldOn: today, place: '1号楼', attendeeIds: [mA[0]] }).expect(404)).body.error.code).toBe('not_found');
    await post('gridB1', `/api/party/branches/${p.branchA1}/members`, { name: '外人' }).expect(404);
    await post('communityB', `/api/party/households/${p.householdsA1[0]}/buildings`, { buildingId: 1 }).expect(404);
    await post('leader', `/api/party/branches/${p.branchA1}/activities`, { kind: 'visit', heldOn: today, place: 'x', attendeeIds: [mA[0]] }).expect(403);
    await get('gridB1', `/api/party/grids/${g.gridA1}/roster`).expect(404);
    await get('gridB1', `/api/party/contacts/member/${mA[0]}`).expect(404);
    expect(await ledgerRows()).toEqual(before);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM party_member WHERE name = '外人'`)).rows[0]).toEqual({ n: 0 });
  });

  it('a broken activity is refused with a stable code and changes nothing', async () => {
    const before = await ledgerRows();
    const url = `/api/party/branches/${p.branchA1}/activities`;
    const refuse = async (body: unknown, status: number, code: string) => {
      const res = await post('gridA1', url, body).expect(status);
      expect(res.body.error.code).toBe(code);
      return res.body.error;
    };
    await refuse({ kind: 'party', heldOn: today, place: 'x', attendeeIds: [mA[0]] }, 400, 'invalid_request');
    await refuse({ kind: 'visit', heldOn: today, place: 'x', attendeeIds: [] }, 400, 'invalid_request');
    await refuse({ kind: 'visit', heldOn: '2026-02-30', place: 'x', attendeeIds: [mA[0]] }, 400, 'invalid_request');
    const future = await refuse({ kind: 'visit', heldOn: addDays(today, 1), place: 'x', attendeeIds: [mA[0]] }, 422, 'invalid_activity');
    expect(future.details.problems.map((x: { rule: string }) => x.rule)).toEqual(['future']);
    // One good attendee and one of another branch, and a photo the recorder did not upload: all refused together.
    const photo = (await t.db.query<{ id: number }>(`INSERT INTO photo (sha256, mime, bytes, width, height, created_by_kind, created_by_id, created_by_label)
      VALUES (repeat('a', 64), 'image/jpeg', 10, 1, 1, 'account', 999, 'someone') RETURNING id`)).rows[0]!.id;
    const mixed = await refuse({ kind: 'theme_day', heldOn: today, place: '党群服务中心', attendeeIds: [mA[0], mB], photoIds: [photo] }, 422, 'invalid_activity');
    expect(mixed.details.problems.map((x: { rule: string; ids?: number[] }) => [x.rule, x.ids])).toEqual([['not_branch_member', [mB]], ['photo_not_accessible', [photo]]]);
    // A member who joined today cannot have attended yesterday.
    await refuse({ kind: 'visit', heldOn: addDays(today, -1), place: 'x', attendeeIds: [mA[2]] }, 422, 'invalid_activity');
    expect(await ledgerRows()).toEqual(before);
  });

  it('records an activity in the grid worker’s own branch; counts per month and per grid follow', async () => {
    const res = await post('gridA1', `/api/party/branches/${p.branchA1}/activities`,
      { kind: 'theme_day', heldOn: today, place: '社区党群服务中心', note: '学习会', attendeeIds: [mA[0], mA[1]] }).expect(201);
    const id = res.body.id as number;
    await post('communityA', `/api/party/branches/${p.branchA1}/activities`,
      { kind: 'visit', heldOn: addDays(today, -40), place: '1号楼', attendeeIds: [mA[1]] }).expect(201);
    const d = (await get('gridA1', `/api/party/branches/${p.branchA1}`).expect(200)).body as BranchDetail;
    expect(d.activities.map((a) => [a.id, a.kind, a.kindName, a.heldOn, a.attendees.map((x) => x.name)])[0])
      .toEqual([id, 'theme_day', '主题党日', today, ['周党员', '吴党员']]);
    expect(d.activities).toHaveLength(2);
    expect(d.branch).toMatchObject({ recent: 1, lastActivity: today, noActivity: false });
    expect(d.months).toHaveLength(12);
    expect(d.months.at(-1)!.month).toBe(today.slice(0, 7));
    expect(d.months.reduce((s, m) => s + m.total, 0)).toBe(2);
    expect(d.months.at(-1)!.byKind.theme_day).toBeGreaterThanOrEqual(1);
    expect(d.canWrite).toBe(true);
    expect(d.members.map((m) => m.phone)).toEqual(['139****1111', '139****2222', '139****3333']);
    expect(d.households.map((h) => h.name)).toEqual(['1号楼301室党员中心户', '1号楼502室党员中心户']);
    const byGrid = (await get('leader', '/api/party/grid-activity').expect(200)).body.grids as GridActivityView[];
    expect(byGrid.map((x) => [x.gridId, x.hasBranch, x.recent, x.noActivity])).toEqual([
      [g.gridA1, true, 1, false], [g.gridA2, false, 0, true], [g.gridB1, true, 0, true]]);
    const monthly = (await get('communityA', '/api/party/monthly?months=3').expect(200)).body;
    expect(monthly.months).toHaveLength(3);
    expect(monthly.branches.map((b: { id: number }) => b.id)).toEqual([p.branchA1]);
    // The leader reads the ledger but may not write it.
    expect(((await get('leader', `/api/party/branches/${p.branchA1}`).expect(200)).body as BranchDetail).canWrite).toBe(false);
  });

  it('scores branch activity in the performance ranking from the ledger', async () => {
    const r = await ranking(t.db, { month: today.slice(0, 7), level: 'grid', communities: null });
    const metric = (key: number) => r.units.find((u) => u.key === String(key))!.breakdown.find((b) => b.metric === 'branchActivity')!;
    expect([metric(g.gridA1).numerator, metric(g.gridA1).denominator]).toEqual([1, 2]);
    expect([metric(g.gridB1).numerator, metric(g.gridB1).value]).toEqual([0, 0]);
    expect(metric(g.gridA2).value).toBeNull();
  });

  it('members and 党员中心户 links: bad input refused, good input stored', async () => {
    await post('gridA1', `/api/party/branches/${p.branchA1}/members`, { name: '' }).expect(400);
    await post('gridA1', `/api/party/branches/${p.branchA1}/members`, { name: '王新', phone: 'abc' }).expect(400);
    await post('gridA1', `/api/party/branches/${p.branchA1}/members`, { name: '王新', joinedOn: addDays(today, 3) }).expect(400);
    const m = await post('gridA1', `/api/party/branches/${p.branchA1}/members`, { name: '王新', phone: '13700000000', joinedOn: today }).expect(201);
    expect(m.body.id).toBeGreaterThan(0);
    const w1 = (await t.db.query<{ id: number }>(`SELECT id FROM building WHERE osm_id = 'w1'`)).rows[0]!.id;
    // The fixture's w2 stands in community B (T0102): a 党员中心户 of community A may not serve it.
    const other = (await t.db.query<{ id: number; community_code: string }>(`SELECT id, community_code FROM building WHERE osm_id = 'w2'`)).rows[0]!;
    expect(other.community_code).toBe('T0102');
    const links = async () => (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM party_household_link`)).rows[0]!.n;
    const linksBefore = await links();
    for (const w of ['gridA1', 'communityA'] as const) {
      expect((await post(w, `/api/party/households/${p.householdsA1[0]}/buildings`, { buildingId: other.id }).expect(400)).body.error.code).toBe('invalid_request');
    }
    expect(await links()).toBe(linksBefore);
    await post('gridA1', `/api/party/households/${p.householdsA1[0]}/buildings`, { buildingId: w1, households: 0 }).expect(400);
    await post('gridA1', `/api/party/households/${p.householdsA1[0]}/buildings`, { buildingId: w1, households: 6 }).expect(201);
    const d = (await get('communityA', `/api/party/branches/${p.branchA1}`).expect(200)).body as BranchDetail;
    expect(d.households[0]!.serves).toEqual([{ buildingId: w1, buildingName: '1号楼', households: 6 }]);
    expect(d.members.at(-1)).toMatchObject({ name: '王新', phone: '137****0000', joinedOn: today, synthetic: false });
  });

  it('党员中心户 links from the page: the grid\'s buildings, refusals in zh-CN that write nothing, relink and unlink', async () => {
    const hid = p.householdsA1[1]!;
    const url = `/api/party/households/${hid}/buildings`;
    const w1 = (await t.db.query<{ id: number }>(`SELECT id FROM building WHERE osm_id = 'w1'`)).rows[0]!.id;
    const w2 = (await t.db.query<{ id: number }>(`SELECT id FROM building WHERE osm_id = 'w2'`)).rows[0]!.id;
    // A building of grid A2 (community A, not grid A1), and two more houses of the resident pool in 1号楼.
    const a2 = (await t.db.query<{ id: number }>(`INSERT INTO building (dataset_id, osm_id, name, geom, residential, households, grid_id, community_code)
      VALUES ('fixture', 'w-a2', NULL, ST_Multi(ST_MakeEnvelope(121.496, 31.236, 121.4965, 31.2365, 4326)), true, 40, $1, 'T0101') RETURNING id`, [g.gridA2])).rows[0]!.id;
    await t.db.query(`UPDATE building SET props = props || '{"address": "甲路2号"}'::jsonb WHERE id = $1`, [a2]);
    await t.db.query(`INSERT INTO house (grid_id, building_id, unit, synthetic, dataset_id) VALUES ($1, $2, '9单元101', true, 'fixture'), ($1, $2, '9单元102', true, 'fixture')`, [g.gridA1, w1]);
    const houses = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM house WHERE building_id = $1`, [w1])).rows[0]!.n;
    expect(houses).toBeGreaterThanOrEqual(2);

    // The grid's buildings with households and houses, outlines included; nobody outside the grid sees them.
    const list = (await get('gridA1', `/api/party/grids/${g.gridA1}/buildings`).expect(200)).body as {
      gridId: number; features: { id: number; geometry: { type: string }; properties: { id: number; label: string; address: string | null; households: number; houses: number } }[] };
    expect(list.gridId).toBe(g.gridA1);
    expect(list.features.map((f) => [f.properties.id, f.properties.label, f.properties.households, f.properties.houses])).toEqual([[w1, '1号楼', 120, houses]]);
    expect(list.features[0]!.geometry.type).toBe('MultiPolygon');
    const a2List = (await get('communityA', `/api/party/grids/${g.gridA2}/buildings`).expect(200)).body;
    expect(a2List.features.map((f: { properties: { label: string; address: string } }) => [f.properties.label, f.properties.address])).toEqual([['甲路2号', '甲路2号']]);
    await get('gridB1', `/api/party/grids/${g.gridA1}/buildings`).expect(404);
    await get('planner', `/api/party/grids/${g.gridA1}/buildings`).expect(403);

    const links = async () => (await t.db.query<{ building_id: number; households: number }>(
      `SELECT building_id, households FROM party_household_link WHERE household_id = $1 ORDER BY building_id`, [hid])).rows;
    const audits = async () => (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE resource = 'party_household'`)).rows[0]!.n;
    const before = await links();
    const auditsBefore = await audits();
    const refused = async (w: Who, body: object, status: number, reason: string | null, text: RegExp) => {
      const e = (await post(w, url, body).expect(status)).body.error as { code: string; message: string; details?: { reason?: string } };
      expect([e.details?.reason ?? null, e.message]).toEqual([reason, expect.stringMatching(text)]);
    };
    await refused('gridA1', { buildingId: w1, households: 121 }, 400, 'too_many_households', /服务户数 121 超过了 1号楼 的住户数（120 户）/);
    await refused('gridA1', { buildingId: w2, households: 1 }, 400, 'building_outside_community', /不在该党员中心户所在社区/);
    await refused('gridA1', { buildingId: a2, households: 1 }, 400, 'building_outside_grid', /甲路2号 不在本网格/);
    await refused('gridA1', { buildingId: 2_000_000_000, households: 1 }, 400, 'unknown_building', /楼栋 2000000000 不存在/);
    await refused('gridA1', { buildingId: w1, households: 501 }, 400, null, /服务户数须为 1 至 500 的整数/);
    await refused('gridA1', { households: 3 }, 400, null, /请选择要关联的楼栋/);
    expect((await post('gridA1', '/api/party/households/2000000000/buildings', { buildingId: w1, households: 1 }).expect(404)).body.error.message)
      .toBe('党员中心户 2000000000 不存在或不在辖区内');
    await post('gridB1', url, { buildingId: w1, households: 1 }).expect(404);
    await post('leader', url, { buildingId: w1, households: 1 }).expect(403);
    expect(await links()).toEqual(before);
    expect(await audits()).toBe(auditsBefore);

    // Linked, the count changed by linking again, seen in the ledger; community staff may link a building of another grid of the community.
    expect((await post('gridA1', url, { buildingId: w1, households: 120 }).expect(201)).body).toEqual({ householdId: hid, buildingId: w1, households: 120 });
    await post('gridA1', url, { buildingId: w1, households: 8 }).expect(201);
    await post('communityA', url, { buildingId: a2, households: 40 }).expect(201);
    expect(await links()).toEqual([{ building_id: w1, households: 8 }, { building_id: a2, households: 40 }]);
    const d = (await get('gridA1', `/api/party/branches/${p.branchA1}`).expect(200)).body as BranchDetail;
    expect(d.households.find((x) => x.id === hid)!.serves).toEqual([{ buildingId: w1, buildingName: '1号楼', households: 8 }, { buildingId: a2, buildingName: '甲路2号', households: 40 }]);

    // Unlinked: out of scope or read-only callers cannot; a link that is not there is not_found.
    const unlink = (w: Who, h: number, b: number) => request(app).delete(`/api/party/households/${h}/buildings/${b}`).set('Authorization', `Bearer ${who.tokens[w]}`);
    await unlink('gridB1', hid, w1).expect(404);
    await unlink('leader', hid, w1).expect(403);
    expect((await unlink('gridA1', hid, 0).expect(400)).body.error.code).toBe('invalid_request');
    expect((await unlink('gridA1', hid, w1).expect(200)).body).toEqual({ householdId: hid, buildingId: w1, households: 8 });
    expect((await unlink('gridA1', hid, w1).expect(404)).body.error.message).toBe(`党员中心户 ${hid} 未关联楼栋 ${w1}`);
    await unlink('communityA', hid, a2).expect(200);
    expect(await links()).toEqual(before);
    const trail = (await t.db.query<{ actor: string; detail: Record<string, unknown> }>(
      `SELECT actor, detail FROM audit_log WHERE resource = 'party_household' AND resource_id = $1 ORDER BY id`, [String(hid)])).rows;
    expect(trail.map((a) => [a.actor, a.detail.buildingId, a.detail.households, a.detail.unlinked ?? false])).toEqual([
      ['gridA1', w1, 120, false], ['gridA1', w1, 8, false], ['communityA', a2, 40, false], ['gridA1', w1, 8, true], ['communityA', a2, 40, true]]);
  });

  it('rosters by duty with masked numbers; a full number is audited, a refusal too', async () => {
    const r = (await get('gridA1', `/api/party/grids/${g.gridA1}/roster`).expect(200)).body as GridRoster;
    expect(r.staff.map((s) => [s.dutyName, s.name, s.phone])).toEqual([
      ['网格员', '张网格', '138****2222'], ['社区工作者', '李社工', null], ['物业管理员', '王物业', null], ['社区民警', '陈警官', '138****3333']]);
    expect(r.missing).toEqual(['legal_advisor', 'law_enforcement', 'volunteer']);
    expect(r.canSeeFull).toBe(true);
    const police = r.staff.find((s) => s.duty === 'police')!;
    const audits = async () => (await t.db.query<{ actor: string; resource: string; resource_id: string; outcome: string }>(
      `SELECT actor, resource, resource_id, outcome FROM audit_log WHERE action = 'read_full' AND resource IN ('grid_staff_contact', 'party_member_contact') ORDER BY id`)).rows;
    expect(await audits()).toEqual([]);
    const full = (await get('gridA1', `/api/party/contacts/staff/${police.id}`).expect(200)).body;
    expect(full).toEqual({ kind: 'staff', id: police.id, name: '陈警官', phone: '13822223333' });
    const member = (await get('communityA', `/api/party/contacts/member/${mA[0]}`).expect(200)).body;
    expect(member.phone).toBe('13900001111');
    expect((await get('leader', `/api/party/contacts/staff/${police.id}`).expect(403)).body.error.code).toBe('forbidden');
    expect(((await get('leader', `/api/party/grids/${g.gridA1}/roster`).expect(200)).body as GridRoster).canSeeFull).toBe(false);
    await get('kiosk', `/api/party/grids/${g.gridA1}/roster`).expect(403);
    await get('gridA1', `/api/party/contacts/staff/0${police.id}`).expect(400);
    expect(await audits()).toEqual([
      { actor: 'gridA1', resource: 'grid_staff_contact', resource_id: String(police.id), outcome: 'ok' },
      { actor: 'communityA', resource: 'party_member_contact', resource_id: String(mA[0]), outcome: 'ok' },
      { actor: 'leader', resource: 'grid_staff_contact', resource_id: String(police.id), outcome: 'denied' },
    ]);
  });

  it('an activity photo is seen by whoever sees the branch, and by nobody outside it', async () => {
    const up = await request(app).post('/api/photos').set('Authorization', `Bearer ${who.tokens.gridA1}`)
      .attach('photo', await testImage('png', 3, 64), { filename: 'a.png', contentType: 'image/png' }).expect(201);
    const photo = up.body.id as number;
    // Before it is on an activity: only its uploader.
    await get('communityA', `/api/photos/${photo}/thumb`).expect(404);
    await post('gridA1', `/api/party/branches/${p.branchA1}/activities`, { kind: 'visit', heldOn: today, place: '2号楼', attendeeIds: [mA[0]], photoIds: [photo] }).expect(201);
    const d = (await get('communityA', `/api/party/branches/${p.branchA1}`).expect(200)).body as BranchDetail;
    expect(d.activities[0]!.photos.map((x) => x.id)).toEqual([photo]);
    for (const w of ['gridA1', 'communityA', 'subdistrict', 'center'] as const) await get(w, `/api/photos/${photo}/thumb`).expect(200);
    for (const w of ['gridB1', 'communityB', 'department'] as const) await get(w, `/api/photos/${photo}/thumb`).expect(404);
    // Someone else's photo cannot be attached, even one they can see.
    await post('communityA', `/api/party/branches/${p.branchA1}/activities`, { kind: 'visit', heldOn: today, place: 'x', attendeeIds: [mA[0]], photoIds: [photo] }).expect(422);
  });
});
