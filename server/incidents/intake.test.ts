// Intake: hotline reports with caller details (masked everywhere but one audited full view),
// hotline reports that cannot be located kept at the district desk, batches with per-report
// outcomes, and hostile input refused with a stable code and nothing stored.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { fixtureApi } from '../testing/api.js';
import { testDbKind } from '../testing/db.js';
import { FIXTURE } from '../testing/fixture.js';
import { selectIncidents } from './commands.js';
import type { IncidentView } from './presenter.js';

const f = fixtureApi({ INTAKE_RATE_LIMIT: '10000' });
const { as } = f;
const created = f.created as IncidentView[];
let seq = 0;
const key = () => `intake-${process.pid}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;
const hotline = (over: Record<string, unknown> = {}) => ({
  lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1], category: 'noise', description: '夜间施工扰民（12345 转办）',
  source: 'hotline_12345', clientKey: key(), caller: { name: '王秀英', phone: '13812345678' }, ...over,
});
const counts = async () => (await f.t.db.query<Record<'incident' | 'contact' | 'event' | 'reporter' | 'photo', number>>(`SELECT
    (SELECT count(*)::int FROM incident) AS incident, (SELECT count(*)::int FROM incident_contact) AS contact,
    (SELECT count(*)::int FROM incident_event) AS event, (SELECT count(*)::int FROM incident_reporter) AS reporter,
    (SELECT count(*)::int FROM incident_photo) AS photo`)).rows[0]!;
const auditCount = async (outcome: string) => (await f.t.db.query<{ n: number }>(
  `SELECT count(*)::int AS n FROM audit_log WHERE action = 'read_full' AND resource = 'incident_contact' AND outcome = $1`, [outcome])).rows[0]!.n;

describe(`incident intake on ${testDbKind()}`, () => {
  it('a hotline report keeps the caller apart, in the same transaction, masked in lists and case views', async () => {
    const r = await as('communityA').post('/api/incidents', hotline()).expect(201);
    expect(r.body).toMatchObject({ source: 'hotline_12345', gridId: f.grids.gridA1, unlocated: false, address: null });
    expect(JSON.stringify(r.body)).not.toContain('13812345678');
    const row = (await f.t.db.query('SELECT name, phone FROM incident_contact WHERE incident_id = $1', [r.body.id])).rows[0];
    expect(row).toEqual({ name: '王秀英', phone: '13812345678' });

    const list = (await as('subdistrict').get('/api/incidents').expect(200)).body.incidents;
    expect(list.find((i: { id: number }) => i.id === r.body.id).caller).toEqual(
      { name: '王**', phone: '138****5678', email: null, deviceId: null, accountId: null, masked: true });
    expect(list.find((i: { id: number; caller?: unknown }) => i.id !== r.body.id && i.caller !== undefined)?.caller ?? null).toBeNull();
    const detail = (await as('gridA1').get(`/api/incidents/${r.body.id}`).expect(200)).body;
    expect(detail.incident.caller.phone).toBe('138****5678');
    expect(detail.photos).toEqual([]);
    // Roles without personal-data rights do not get the field at all; the socket event has no caller.
    const analyst = (await as('analyst').get(`/api/incidents/${r.body.id}`).expect(200)).body;
    expect(analyst.incident).not.toHaveProperty('caller');
    expect(created.at(-1)!.id).toBe(r.body.id);
    expect(created.at(-1)).not.toHaveProperty('caller');
  });

  it('GET /api/incidents/:id/contact?full=1 shows the number in full to read_full roles only, audited', async () => {
    const id = (await as('communityA').post('/api/incidents', hotline()).expect(201)).body.id;
    const [ok0, denied0] = [await auditCount('ok'), await auditCount('denied')];
    const masked = (await as('gridA1').get(`/api/incidents/${id}/contact`).expect(200)).body;
    expect(masked).toMatchObject({ phone: '138****5678', masked: true });
    const full = (await as('subdistrict').get(`/api/incidents/${id}/contact?full=1`).expect(200)).body;
    expect(full).toMatchObject({ name: '王秀英', phone: '13812345678', masked: false });
    expect((await as('leader').get(`/api/incidents/${id}/contact?full=1`).expect(403)).body.error.code).toBe('forbidden');
    expect(await auditCount('ok')).toBe(ok0 + 1);
    expect(await auditCount('denied')).toBe(denied0 + 1);
    await as('analyst').get(`/api/incidents/${id}/contact`).expect(403);
    await as('communityB').get(`/api/incidents/${id}/contact?full=1`).expect(404);
    await as('subdistrict').get(`/api/incidents/${id}/contact?full=yes`).expect(400);
    const noCaller = (await as('gridA1').post('/api/incidents', hotline({ caller: undefined, source: 'patrol' })).expect(201)).body.id;
    await as('subdistrict').get(`/api/incidents/${noCaller}/contact`).expect(404);
  });

  it('a hotline point outside the district goes to the district desk flagged unlocated, never dropped', async () => {
    const body = hotline({ lon: FIXTURE.outside[0], lat: FIXTURE.outside[1] });
    const r = await as('communityA').post('/api/incidents', body).expect(201);
    expect(r.body).toMatchObject({ unlocated: true, districtCode: 'T00', subdistrictCode: null, communityCode: null, gridId: null,
      level: 'subdistrict', handler: 'subdistrict', lon: FIXTURE.outside[0], lat: FIXTURE.outside[1] });
    expect(r.body.deadlineAt).not.toBeNull();
    // District-wide roles see it; the operator's own jurisdiction does not hold it …
    const leader = (await as('leader').get('/api/incidents').expect(200)).body.incidents;
    expect(leader.some((i: { id: number }) => i.id === r.body.id)).toBe(true);
    const sub = (await as('subdistrict').get('/api/incidents').expect(200)).body.incidents;
    expect(sub.some((i: { id: number }) => i.id === r.body.id)).toBe(false);
    const trail = (await as('leader').get(`/api/incidents/${r.body.id}`).expect(200)).body.events;
    expect(trail[0]).toMatchObject({ action: 'report', toLevel: 'subdistrict', detail: { unlocated: true } });
    // … but the operator's retry is still the same case, and the caller was kept.
    const again = await as('communityA').post('/api/incidents', body).expect(200);
    expect(again.body.id).toBe(r.body.id);
    await as('communityB').post('/api/incidents', body).expect(409);
    expect((await f.t.db.query('SELECT phone FROM incident_contact WHERE incident_id = $1', [r.body.id])).rows).toHaveLength(1);
    // Anything but the hotline is still refused outside the district.
    const patrol = await as('communityA').post('/api/incidents', { ...body, clientKey: key(), source: 'patrol' }).expect(422);
    expect(patrol.body.error.code).toBe('outside_district');
  });

  it('a hotline report with an address only is kept unlocated with the address as given', async () => {
    const body = hotline({ lon: undefined, lat: undefined, address: '浦东新区陆家嘴环路1000号附近' });
    const r = await as('subdistrict').post('/api/incidents', body).expect(201);
    expect(r.body).toMatchObject({ unlocated: true, lon: null, lat: null, address: '浦东新区陆家嘴环路1000号附近', districtCode: 'T00', level: 'subdistrict' });
    const leader = (await as('leader').get(`/api/incidents/${r.body.id}`).expect(200)).body;
    expect(leader.incident).toMatchObject({ unlocated: true, address: '浦东新区陆家嘴环路1000号附近' });
    // The map's tiles and the duplicate search simply do not see a case without a point.
    await as('leader').get(`/api/incidents/${r.body.id}/duplicates`).expect(200);
  });

  it('an address without a point is located by the district gazetteer when one place is certain, and says so in the trail', async () => {
    await f.t.db.query(`INSERT INTO building (dataset_id, osm_id, geom, residential, props) VALUES ('fixture', 'geo8',
      'SRID=4326;MULTIPOLYGON(((121.4910 31.2352,121.4915 31.2352,121.4915 31.2356,121.4910 31.2356,121.4910 31.2352)))'::geometry, true,
      '{"address": "测试路8号"}'::jsonb) ON CONFLICT DO NOTHING`);
    const patrol = { category: 'sanitation', source: 'patrol', clientKey: key(), address: '上海市测试区测试路８号门口' };
    const r = await as('communityA').post('/api/incidents', patrol).expect(201);
    expect(r.body).toMatchObject({ unlocated: false, gridId: f.grids.gridA1, communityCode: 'T0101', level: 'grid', inputCrs: 'wgs84',
      address: '上海市测试区测试路８号门口' });
    expect(r.body.lon).toBeGreaterThan(121.4910);
    expect(r.body.lon).toBeLessThan(121.4915);
    const trail = (await as('leader').get(`/api/incidents/${r.body.id}`).expect(200)).body.events;
    expect(trail[0].detail.geocoded).toEqual({ precision: 'address', matched: '测试路8号', kind: 'building', score: 100 });
    // A hotline call naming a facility lands at it; one the gazetteer cannot place waits at the desk.
    const school = await as('subdistrict').post('/api/incidents', hotline({ lon: undefined, lat: undefined, address: '测试小学' })).expect(201);
    expect(school.body).toMatchObject({ unlocated: false, gridId: f.grids.gridA1, lon: 121.493, lat: 31.236 });
    const vague = await as('subdistrict').post('/api/incidents', hotline({ lon: undefined, lat: undefined, address: '测试路10号' })).expect(201);
    expect(vague.body).toMatchObject({ unlocated: true, lon: null, gridId: null });
    // A certain place outside the reporter's jurisdiction is refused like a point there.
    const other = await as('communityB').post('/api/incidents', { ...patrol, clientKey: key() }).expect(403);
    expect(other.body.error.code).toBe('forbidden');
  });

  it.each([
    ['patrol by an address the district does not have', { source: 'patrol', lon: undefined, lat: undefined, address: '某路某号' }, 422, 'address_not_found'],
    ['patrol by a house number that is not there', { source: 'patrol', lon: undefined, lat: undefined, address: '测试路10号' }, 422, 'address_not_found'],
    ['hotline with neither point nor address', { lon: undefined, lat: undefined }, 400, 'invalid_request'],
    ['lon without lat', { lat: undefined }, 400, 'invalid_request'],
    ['bad phone', { caller: { name: '张三', phone: '138-1234-5678; DROP TABLE' } }, 400, 'invalid_request'],
    ['empty caller', { caller: {} }, 400, 'invalid_request'],
    ['huge address', { address: 'x'.repeat(501) }, 400, 'invalid_request'],
    ['projected metres', { lon: 13525318, lat: 3658750 }, 400, 'invalid_crs'],
    ['unknown category', { category: 'ufo' }, 400, 'unknown_category'],
    ['outside the jurisdiction', { lon: FIXTURE.pointB1[0], lat: FIXTURE.pointB1[1] }, 403, 'forbidden'],
    ['a photo that does not exist', { photos: [987654] }, 400, 'invalid_request'],
    ['a photo that is not a number', { photos: ['x.jpg'] }, 400, 'invalid_request'],
  ])('refuses %s with a stable code and stores nothing (no case, no caller)', async (_n, over, status, code) => {
    const before = await counts();
    const r = await as('communityA').post('/api/incidents', hotline(over)).expect(status);
    expect(r.body.error.code).toBe(code);
    expect(await counts()).toEqual(before);
  });

  it('a replayed key with a different body is a 409 and changes nothing', async () => {
    const body = hotline();
    await as('communityA').post('/api/incidents', body).expect(201);
    const before = await counts();
    for (const over of [{ description: 'changed' }, { caller: { name: '王秀英', phone: '13900000000' } }, { address: '另一个地址' }]) {
      expect((await as('communityA').post('/api/incidents', { ...body, ...over }).expect(409)).body.error.code).toBe('client_key_conflict');
    }
    expect(await counts()).toEqual(before);
  });

  describe('POST /api/incidents/batch', () => {
    const patrol = (over: Record<string, unknown> = {}) => ({
      lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1], category: 'sanitation', source: 'patrol', clientKey: key(), ...over,
    });

    it('stores each report with its own outcome in one go, publishes the new ones, and replays as a whole', async () => {
      const dup = patrol();
      const items = [
        patrol(), patrol({ lon: 121.4975, lat: 31.235, crs: 'cgcs2000' }), dup, { ...dup },
        patrol({ lon: FIXTURE.outside[0], lat: FIXTURE.outside[1] }), patrol({ category: 'ufo' }),
        patrol({ lon: FIXTURE.pointB1[0], lat: FIXTURE.pointB1[1] }), hotline({ lon: undefined, lat: undefined, address: '外区某地' }),
        { ...dup, description: 'other body, same key' },
      ];
      const before = await counts();
      const published = created.length;
      const r = await as('communityA').post('/api/incidents/batch', { incidents: items }).expect(200);
      expect(r.body.results.map((x: { status: number }) => x.status)).toEqual([201, 201, 201, 200, 422, 400, 403, 201, 409]);
      expect(r.body).toMatchObject({ created: 4, replayed: 1, failed: 4 });
      expect(r.body.results[5].error.code).toBe('unknown_category');
      expect(r.body.results[3].incident.id).toBe(r.body.results[2].incident.id);
      expect(r.body.results[0].incident).toMatchObject({ gridId: f.grids.gridA1, level: 'grid', reporters: 1 });
      expect(r.body.results[1].incident).toMatchObject({ gridId: f.grids.gridA2, communityCode: 'T0101', level: 'grid', inputCrs: 'cgcs2000' });
      expect(r.body.results[7].incident).toMatchObject({ unlocated: true, address: '外区某地' });
      const after = await counts();
      expect(after).toEqual({ ...before, incident: before.incident + 4, event: before.event + 4, reporter: before.reporter + 4, contact: before.contact + 1 });
      expect(created.length).toBe(published + 4);

      // The same batch again: every stored report replays, every refusal is refused again, nothing doubles.
      const again = await as('communityA').post('/api/incidents/batch', { incidents: items }).expect(200);
      expect(again.body.results.map((x: { status: number }) => x.status)).toEqual([200, 200, 200, 200, 422, 400, 403, 200, 409]);
      expect(await counts()).toEqual(after);
    });

    it('answers each new case exactly as it is stored (the view is built from what was written, not read back)', async () => {
      const items = [
        patrol({ description: '垃圾满溢' }), patrol({ lon: 121.4975, lat: 31.235, crs: 'gcj02', category: 'parking' }),
        patrol({ lon: FIXTURE.pointNoGrid[0], lat: FIXTURE.pointNoGrid[1] }),
        hotline({ lon: FIXTURE.outside[0], lat: FIXTURE.outside[1] }), hotline({ lon: undefined, lat: undefined, address: '某路 1 号' }),
      ];
      const published = created.length;
      const r = await as('subdistrict').post('/api/incidents/batch', { incidents: items }).expect(200);
      expect(r.body.created).toBe(items.length);
      const results = r.body.results as { incident: IncidentView & { caller?: unknown } }[];
      const stored = await selectIncidents(f.t.db, results.map((x) => x.incident.id));
      expect(stored.map((v) => v.unlocated)).toEqual([false, false, false, true, true]);
      expect(stored[2]).toMatchObject({ gridId: null, communityCode: null, subdistrictCode: 'T01', level: 'subdistrict' });
      for (const [k, res] of results.entries()) {
        const { caller: _c, ...answered } = res.incident; // the answer adds the caller (masked) for roles that may see it
        expect(answered, `item ${k}`).toEqual(stored[k]);
        expect(created[published + k]!, `event ${k}`).toEqual(stored[k]);
      }
    });

    it('concurrent copies of one batch, in either order, store each report once and never deadlock', async () => {
      const items = Array.from({ length: 20 }, () => patrol());
      const before = await counts();
      const orders = [items, [...items].reverse(), items, [...items].reverse()];
      const rs = await Promise.all(orders.map((incidents) => as('gridA1').post('/api/incidents/batch', { incidents })));
      for (const r of rs) expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
      expect(rs.reduce((n, r) => n + r.body.created, 0)).toBe(20);
      const ids = rs.map((r, k) => {
        const list = r.body.results.map((x: { incident: { id: number } }) => x.incident.id);
        return (k % 2 ? list.reverse() : list).join();
      });
      expect(new Set(ids).size).toBe(1);
      expect((await counts()).incident).toBe(before.incident + 20);
    });

    it('refuses a malformed batch whole, and roles that may not report', async () => {
      const before = await counts();
      for (const body of [{ incidents: [] }, { incidents: [patrol(), { ...patrol(), lat: 'x' }] }, { incidents: 'all of them' },
        { incidents: Array.from({ length: 1001 }, () => ({})) }]) {
        expect((await as('communityA').post('/api/incidents/batch', body).expect(400)).body.error.code).toBe('invalid_request');
      }
      await as('leader').post('/api/incidents/batch', { incidents: [patrol()] }).expect(403);
      await request(f.app).post('/api/incidents/batch').send({ incidents: [patrol()] }).expect(401);
      expect(await counts()).toEqual(before);
    });
  });
});
