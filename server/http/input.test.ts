// Strings that are not text — a NUL byte, a lone surrogate — in any field of any channel (JSON
// bodies, query strings, Open311 forms) are a 400 naming the field, never a 500, and nothing is
// written. A path with broken percent-encoding is a 400 too.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { fixtureApi } from '../testing/api.js';
import { adminSession, insertCase } from '../testing/cases.js';
import { testDbKind } from '../testing/db.js';
import { FIXTURE } from '../testing/fixture.js';
import { insertToken } from '../testing/principals.js';
import { findNotText } from './input.js';

const f = fixtureApi({ INTAKE_RATE_LIMIT: '10000', LOGIN_RATE_LIMIT: '1000' });
let seq = 0;
const key = () => `input-${process.pid}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;
const report = (over: Record<string, unknown> = {}) => ({
  lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1], category: 'noise', description: '夜间施工扰民',
  source: 'hotline_12345', clientKey: key(), caller: { name: '王秀英', phone: '13812345678' }, ...over,
});
const NUL = 'a\u0000b';
const LONE = 'a\ud800b';
const BAD: [string, string, string][] = [['a NUL byte', NUL, 'contains a NUL byte'], ['a lone surrogate', LONE, 'contains a lone surrogate']];

/** Everything a refused request must leave as it was. */
const state = async () => (await f.t.db.query(`SELECT
    (SELECT count(*)::int FROM incident) AS incident, (SELECT count(*)::int FROM incident_contact) AS contact,
    (SELECT count(*)::int FROM incident_event) AS event, (SELECT count(*)::int FROM account) AS account,
    (SELECT count(*)::int FROM audit_log WHERE action <> 'login') AS audit,
    (SELECT max(updated_at) FROM incident) AS updated`)).rows[0];

const expect400 = (r: request.Response, message: string) => {
  expect([r.status, r.body.error?.code, r.body.error?.message], JSON.stringify(r.body)).toEqual([400, 'invalid_request', message]);
};

describe('findNotText (pure)', () => {
  it('names the dotted path of the first bad string or key; pairs of surrogates are fine', () => {
    expect(findNotText({ a: ['ok', { b: NUL }] })).toBe('a.1.b contains a NUL byte');
    expect(findNotText({ [NUL]: 1 })).toBe('a field name in the body contains a NUL byte');
    expect(findNotText({ emoji: '😀 \ud83d\ude00', n: 1, z: null })).toBeNull();
    expect(findNotText({ x: '\udc00' })).toBe('x contains a lone surrogate (not valid Unicode)');
    // Deep nesting is walked without recursion.
    let deep: unknown = NUL;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findNotText(deep)).toMatch(/contains a NUL byte$/);
  });
});

describe(`strings that are not text are refused on ${testDbKind()}`, () => {
  it.each(BAD)('POST /api/incidents with %s in description, address, caller name: 400 naming the field, nothing stored', async (_n, bad, why) => {
    const before = await state();
    expect400(await f.as('communityA').post('/api/incidents', report({ description: bad })), `description ${why}${bad === LONE ? ' (not valid Unicode)' : ''}`);
    const addr = await f.as('communityA').post('/api/incidents', report({ lon: undefined, lat: undefined, address: bad }));
    expect([addr.status, addr.body.error?.message]).toEqual([400, expect.stringMatching(new RegExp(`^address ${why}`))]);
    const caller = await f.as('communityA').post('/api/incidents', report({ caller: { name: bad } }));
    expect([caller.status, caller.body.error?.message]).toEqual([400, expect.stringMatching(new RegExp(`^caller.name ${why}`))]);
    const batch = await f.as('communityA').post('/api/incidents/batch', { incidents: [report(), report({ description: bad })] });
    expect([batch.status, batch.body.error?.message]).toEqual([400, expect.stringMatching(new RegExp(`^incidents.1.description ${why}`))]);
    expect(await state()).toEqual(before);
  });

  it('an action note and a merge note with a NUL byte change nothing', async () => {
    const id = await insertCase(f.t.db, { state: 'reported', level: 'grid', lonLat: FIXTURE.pointA1 });
    const before = await state();
    expect400(await f.as('gridA1').post(`/api/incidents/${id}/actions`, { action: 'accept', note: NUL }), 'note contains a NUL byte');
    const other = await insertCase(f.t.db, { state: 'reported', level: 'grid', lonLat: FIXTURE.pointA1 });
    const after = await state();
    expect400(await f.as('communityA').post(`/api/incidents/${id}/merge`, { into: other, note: LONE }), 'note contains a lone surrogate (not valid Unicode)');
    expect(await state()).toEqual(after);
    expect((after as { incident: number }).incident).toBe((before as { incident: number }).incident + 1);
  });

  it('query strings: geocode q, division, state', async () => {
    for (const url of ['/api/geocode?q=%00', '/api/geocode?q=%E4%B8%AD%00', '/api/grids?division=T01%00', '/api/incidents?division=%00',
      '/api/incidents?state=reported%00', '/api/divisions.geojson?level=%00']) {
      const name = /\?(\w+)=/.exec(url)![1];
      expect400(await f.as('subdistrict').get(url), `${name} contains a NUL byte`);
    }
    // A repeated parameter is an array; its elements are checked too.
    expect400(await f.as('subdistrict').get('/api/geocode?q=a&q=%00'), 'q.1 contains a NUL byte');
  });

  it('login and account creation: username with a NUL byte, nothing stored', async () => {
    const before = await state();
    expect400(await request(f.app).post('/api/auth/login').send({ username: `admin${'\u0000'}`, password: 'x' }), 'username contains a NUL byte');
    const { agent, csrf } = await adminSession(f.app);
    const r = await agent.post('/api/accounts').set('X-CSRF-Token', csrf)
      .send({ username: 'worker\u0000', displayName: LONE, role: 'grid_worker', gridId: f.grids.gridA1 });
    expect([r.status, r.body.error?.code]).toEqual([400, 'invalid_request']);
    expect(r.body.error.message).toMatch(/^(username contains a NUL byte|displayName contains a lone surrogate)/);
    const after = await state();
    expect(after).toEqual(before);
  });

  it('Open311: form and JSON fields and query parameters, answered in the spec format, nothing stored', async () => {
    await insertToken(f.t.db, 'nul-test-key', 'open311-nul', 'subdistrict_staff', { divisionCode: 'T01' });
    const before = await state();
    const base = `api_key=nul-test-key&service_code=noise&lat=${FIXTURE.pointA1[1]}&long=${FIXTURE.pointA1[0]}`;
    for (const field of ['description', 'first_name', 'last_name', 'address_string', 'device_id', 'account_id', 'attribute[client_key]']) {
      const r = await request(f.app).post('/open311/v2/requests.json').type('form').send(`${base}&${field}=x%00y`);
      expect([r.status, r.body], field).toEqual([400, [{ code: 400, description: `${field} contains a NUL byte` }]]);
    }
    const json = await request(f.app).post('/open311/v2/requests.json?api_key=nul-test-key')
      .send({ service_code: 'noise', lat: FIXTURE.pointA1[1], long: FIXTURE.pointA1[0], description: LONE });
    expect([json.status, json.body]).toEqual([400, [{ code: 400, description: 'description contains a lone surrogate (not valid Unicode)' }]]);
    const q = await request(f.app).get('/open311/v2/requests.json?api_key=nul-test-key&service_code=noise%00');
    expect([q.status, q.body]).toEqual([400, [{ code: 400, description: 'service_code contains a NUL byte' }]]);
    expect(await state()).toEqual(before);
  });

  it('malformed percent-encoding in a path is a 400, in each API\'s own error format', async () => {
    for (const url of ['/api/incidents/%zz', '/api/incidents/%', '/api/grids/%E4', '/api/incidents/1%zz/actions']) {
      const r = await f.as('subdistrict').get(url);
      expect400(r, 'the path has malformed percent-encoding');
    }
    const o = await request(f.app).get('/open311/v2/%');
    expect([o.status, o.body]).toEqual([400, [{ code: 400, description: 'the path has malformed percent-encoding' }]]);
    const o2 = await request(f.app).get('/open311/v2/requests/%zz.json?api_key=nul-test-key');
    expect([o2.status, o2.body]).toEqual([400, [{ code: 400, description: 'the path has malformed percent-encoding' }]]);
  });
});
