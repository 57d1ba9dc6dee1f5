// Open311 GeoReport v2 with the spec's own example request (only the coordinates moved into the
// fixture district and service_code set to one of ours), form-encoded and JSON bodies, both ways
// of idempotency, queries by id, service, date and status, and errors in the spec's format.
import request from 'supertest';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { EventBus } from '../events/bus.js';
import { createApp } from '../http/app.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { FIXTURE, loadFixture } from '../testing/fixture.js';
import { insertToken, loadPrincipals, type Principals } from '../testing/principals.js';
import { detectEncoder } from '../tiles/encode.js';

let t: TestDb;
let app: Express;
let who: Principals;
const bus = new EventBus();
let published = 0;
bus.subscribe('incident.created', () => { published++; });

// The GeoReport v2 wiki's POST Service Request example, verbatim but for lat, long and service_code.
const [LON, LAT] = FIXTURE.pointA1;
const SPEC_EXAMPLE = `api_key=xyz&jurisdiction_id=city.gov&service_code=sanitation&lat=${LAT}&long=${LON}`
  + '&address_string=1234+5th+street&email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456'
  + '&first_name=john&last_name=smith&phone=111111111&description=A+large+sinkhole+is+destroying+the+street'
  + '&media_url=http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477a060.jpg'
  + '&attribute[WHISPAWN]=123456&attribute[WHISDORN]=COISL001';

beforeAll(async () => {
  t = await createTestDb();
  who = await loadPrincipals(t.db, await loadFixture(t.db));
  // The spec's api_key "xyz": an API token of a subdistrict desk.
  await insertToken(t.db, 'xyz', 'open311-xyz', 'subdistrict_staff', { divisionCode: 'T01' });
  app = createApp({ config: loadConfig({ INTAKE_RATE_LIMIT: '10000' }), db: t.db, bus, tileEncoder: await detectEncoder(t.db), log: () => undefined });
}, 180_000);
afterAll(async () => { await t?.drop(); });

const form = (body: string, url = '/open311/v2/requests.json') => request(app).post(url).type('form').send(body);
const count = async (table = 'incident') => (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
const specError = (r: request.Response, status: number) => {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body).toEqual([{ code: status, description: expect.any(String) }]);
  return r.body[0].description as string;
};

describe(`Open311 GeoReport v2 on ${testDbKind()}`, () => {
  it('GET services.json lists the incident categories as realtime services', async () => {
    const r = await request(app).get('/open311/v2/services.json').expect(200).expect('Content-Type', /json/);
    expect(r.body).toHaveLength(10);
    expect(r.body[0]).toEqual({
      service_code: 'sanitation', service_name: '环境卫生', description: expect.stringContaining('环境卫生'),
      metadata: false, type: 'realtime', keywords: 'sanitation, 环境卫生', group: expect.any(String),
    });
    expect((await request(app).get('/open311/v2/services/noise.json').expect(200)).body).toEqual({ service_code: 'noise', attributes: [] });
    specError(await request(app).get('/open311/v2/services/ufo.json'), 404);
  });

  it('POST requests.json takes the spec example form-encoded; a retry within the window is the same request', async () => {
    const n = await count();
    const p0 = published;
    const r = await form(SPEC_EXAMPLE).expect(201);
    expect(r.body).toEqual([{ service_request_id: expect.stringMatching(/^\d+$/), service_notice: expect.stringContaining('网格'), account_id: '123456' }]);
    const id = Number(r.body[0].service_request_id);
    const again = await form(SPEC_EXAMPLE).expect(200);
    expect(again.body[0].service_request_id).toBe(String(id));
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await count()).toBe(n + 1);
    expect(published).toBe(p0 + 1);

    const stored = (await t.db.query(`SELECT i.source, i.category, i.address, i.media_url, i.description, c.name, c.phone, c.email, c.device_id, c.account_id
      FROM incident i JOIN incident_contact c ON c.incident_id = i.id WHERE i.id = $1`, [id])).rows[0];
    expect(stored).toEqual({ source: 'open311', category: 'sanitation', address: '1234 5th street',
      media_url: 'http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg', description: 'A large sinkhole is destroying the street',
      name: 'john smith', phone: '111111111', email: 'smit333@sfgov.edu', device_id: 'tt222111', account_id: '123456' });

    // Another device with the same text is another request.
    const other = await form(SPEC_EXAMPLE.replace('device_id=tt222111', 'device_id=tt999999')).expect(201);
    expect(other.body[0].service_request_id).not.toBe(String(id));
  });

  it('takes JSON too, Bearer instead of api_key, and attribute[client_key] for idempotency', async () => {
    const body = { service_code: 'noise', lat: LAT, long: LON, description: '广场舞噪声', account_id: 42, attribute: { client_key: 'app-7f3a9c21' } };
    const r = await request(app).post('/open311/v2/requests.json').set('Authorization', 'Bearer xyz').send(body).expect(201);
    const id = r.body[0].service_request_id;
    expect(r.body[0].account_id).toBe('42');
    const n = await count();
    // The same key as a form field, same parameters: the same request, whatever the format.
    const again = await form(`api_key=xyz&service_code=noise&lat=${LAT}&long=${LON}&description=${encodeURIComponent('广场舞噪声')}&account_id=42&attribute[client_key]=app-7f3a9c21`).expect(200);
    expect(again.body[0].service_request_id).toBe(id);
    const conflict = await request(app).post('/open311/v2/requests.json?api_key=xyz').send({ ...body, description: '别的' });
    expect(specError(conflict, 409)).toMatch(/clientKey/);
    expect(await count()).toBe(n);
  });

  it('POST requests.json with address_string only is located by the district gazetteer', async () => {
    await t.db.query(`INSERT INTO building (dataset_id, osm_id, name, geom, residential, props) VALUES ('fixture', 'o311-geo', '测试大厦',
      'SRID=4326;MULTIPOLYGON(((121.4910 31.2352,121.4915 31.2352,121.4915 31.2356,121.4910 31.2356,121.4910 31.2352)))'::geometry, false,
      '{"addr:street": "测试路", "addr:housenumber": "8"}'::jsonb)`);
    const body = SPEC_EXAMPLE.replace(/&lat=[^&]+&long=[^&]+/, '').replace(/address_string=[^&]+/, `address_string=${encodeURIComponent('测试路8号')}`)
      .replace('device_id=tt222111', 'device_id=geo-device');
    const r = await form(body).expect(201);
    const id = Number(r.body[0].service_request_id);
    const got = (await request(app).get(`/open311/v2/requests/${id}.json?api_key=xyz`).expect(200)).body[0];
    expect(got).toMatchObject({ address: '测试路8号' });
    expect(got.long).toBeGreaterThan(121.4910);
    expect(got.long).toBeLessThan(121.4915);
    expect(got.lat).toBeGreaterThan(31.2352);
  });

  it.each([
    ['no api_key', SPEC_EXAMPLE.replace('api_key=xyz&', ''), 403],
    ['an unknown api_key', SPEC_EXAMPLE.replace('api_key=xyz', 'api_key=nope-nope-nope'), 403],
    ['a read-only token', SPEC_EXAMPLE.replace('api_key=xyz', 'api_key=LEADER'), 403],
    ['no service_code', SPEC_EXAMPLE.replace('service_code=sanitation&', ''), 400],
    ['an unknown service_code', SPEC_EXAMPLE.replace('service_code=sanitation', 'service_code=001'), 400],
    ['no location', SPEC_EXAMPLE.replace(/&lat=[^&]+&long=[^&]+/, '').replace(/&address_string=[^&]+/, ''), 400],
    ['an address the district gazetteer cannot place', SPEC_EXAMPLE.replace(/&lat=[^&]+&long=[^&]+/, ''), 422],
    ['an address_id (not supported)', SPEC_EXAMPLE.replace(/&lat=[^&]+&long=[^&]+/, '').replace(/&address_string=[^&]+/, '&address_id=42'), 400],
    ['lat without long', SPEC_EXAMPLE.replace(/&long=[^&]+/, ''), 400],
    ['a bad coordinate', SPEC_EXAMPLE.replace(/lat=[^&]+/, 'lat=north'), 400],
    ['projected metres', SPEC_EXAMPLE.replace(/lat=[^&]+/, 'lat=3658750').replace(/long=[^&]+/, 'long=13525318'), 400],
    ['a point outside the district', SPEC_EXAMPLE.replace(/lat=[^&]+/, 'lat=31.3').replace(/long=[^&]+/, 'long=121.6'), 422],
    ['a point outside the token\'s jurisdiction', SPEC_EXAMPLE.replace(/lat=[^&]+/, 'lat=37.76524078').replace(/long=[^&]+/, 'long=-122.4212043'), 422],
    ['a bad email', SPEC_EXAMPLE.replace('smit333%40sfgov.edu', 'not-an-email'), 400],
    ['a javascript: media_url', SPEC_EXAMPLE.replace(/media_url=[^&]+/, 'media_url=javascript%3Aalert(1)'), 400],
    ['a bad client key', `${SPEC_EXAMPLE}&attribute[client_key]=x`, 400],
    ['a repeated field', `${SPEC_EXAMPLE}&lat=31.2`, 400],
  ])('refuses %s in the spec\'s error format and stores nothing', async (_n, body, status) => {
    const n = await count();
    const contacts = await count('incident_contact');
    specError(await form(body.replace('api_key=LEADER', `api_key=${who.tokens.leader}`)), status);
    expect(await count()).toBe(n);
    expect(await count('incident_contact')).toBe(contacts);
  });

  it('refuses other body types, malformed JSON and oversized bodies in the spec\'s format', async () => {
    const n = await count();
    specError(await request(app).post('/open311/v2/requests.json?api_key=xyz').set('Content-Type', 'text/plain').send('hello'), 415);
    specError(await request(app).post('/open311/v2/requests.json?api_key=xyz').set('Content-Type', 'application/json').send('{"service_code":'), 400);
    specError(await form(`${SPEC_EXAMPLE}&description=${'x'.repeat(300_000)}`), 413);
    expect(await count()).toBe(n);
  });

  it('GET requests.json and requests/{id}.json show cases as service requests, scoped and filtered', async () => {
    const id = (await form(SPEC_EXAMPLE.replace('device_id=tt222111', 'device_id=list-test')).expect(201)).body[0].service_request_id;
    const one = await request(app).get(`/open311/v2/requests/${id}.json?api_key=xyz`).expect(200);
    expect(one.body).toEqual([{
      service_request_id: id, status: 'open', status_notes: '已上报', service_name: '环境卫生', service_code: 'sanitation',
      description: 'A large sinkhole is destroying the street', agency_responsible: '甲社区第01网格', service_notice: null,
      requested_datetime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), updated_datetime: expect.any(String), expected_datetime: expect.any(String),
      address: '1234 5th street', address_id: null, zipcode: null, lat: LAT, long: LON,
      media_url: 'http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg',
    }]);
    expect(JSON.stringify(one.body)).not.toMatch(/smit333|111111111|john/);

    // Closed once the workflow closes it: fixed and closed states are "closed" for Open311.
    await request(app).post(`/api/incidents/${id}/actions`).set('Authorization', `Bearer ${who.tokens.gridA1}`)
      .send({ action: 'accept' }).expect(200);
    await request(app).post(`/api/incidents/${id}/actions`).set('Authorization', `Bearer ${who.tokens.gridA1}`)
      .send({ action: 'start' }).expect(200);
    await request(app).post(`/api/incidents/${id}/actions`).set('Authorization', `Bearer ${who.tokens.gridA1}`)
      .send({ action: 'resolve', note: '已修复路面' }).expect(200);
    const closed = (await request(app).get(`/open311/v2/requests/${id}.json?api_key=xyz`).expect(200)).body[0];
    expect(closed).toMatchObject({ status: 'closed', status_notes: '已办结：已修复路面' });

    const get = (q: string) => request(app).get(`/open311/v2/requests.json?api_key=xyz&${q}`).expect(200).then((r) => r.body as { service_request_id: string; status: string; service_code: string }[]);
    expect((await get(`service_request_id=${id},999999`)).map((x) => x.service_request_id)).toEqual([id]);
    expect((await get(`service_request_ids=${id}`)).map((x) => x.service_request_id)).toEqual([id]);
    expect((await get('status=closed')).map((x) => x.service_request_id)).toEqual([id]);
    expect((await get('status=open')).every((x) => x.status === 'open')).toBe(true);
    expect((await get('service_code=noise')).every((x) => x.service_code === 'noise')).toBe(true);
    expect(await get('start_date=2099-01-01T00:00:00Z')).toEqual([]);
    expect((await get('end_date=2000-01-01T00:00:00Z'))).toEqual([]);
    expect((await get('')).length).toBeGreaterThan(2);
    // A grid worker elsewhere sees none of them, and the same id is a 404 for them.
    const b1 = await request(app).get('/open311/v2/requests.json').set('Authorization', `Bearer ${who.tokens.gridB1}`).expect(200);
    expect(b1.body).toEqual([]);
    specError(await request(app).get(`/open311/v2/requests/${id}.json`).set('Authorization', `Bearer ${who.tokens.gridB1}`), 404);
    specError(await request(app).get('/open311/v2/requests.json?api_key=xyz&status=pending'), 400);
    specError(await request(app).get('/open311/v2/requests.json?api_key=xyz&start_date=yesterday'), 400);
    specError(await request(app).get('/open311/v2/requests.json?api_key=xyz&service_request_id=abc'), 400);
    specError(await request(app).get('/open311/v2/requests.json'), 403);
    specError(await request(app).get('/open311/v2/requests.json').set('Authorization', `Bearer ${who.tokens.planner}`), 403);
    specError(await request(app).get('/open311/v2/requests/abc.json?api_key=xyz'), 404);
  });

  it('serves JSON only: .xml and unknown paths are errors in the spec\'s format', async () => {
    const before = await count();
    expect(specError(await request(app).get('/open311/v2/services.xml'), 400)).toMatch(/JSON/);
    specError(await form(SPEC_EXAMPLE, '/open311/v2/requests.xml'), 400);
    specError(await request(app).get('/open311/v2/requests/1.xml?api_key=xyz'), 400);
    specError(await request(app).get('/open311/v2/discovery.json'), 404);
    specError(await request(app).delete('/open311/v2/requests.json?api_key=xyz'), 404);
    expect(await count()).toBe(before);
  });
});
