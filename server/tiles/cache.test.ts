// The tile cache (issue 13) and the incidents layer's time window, through the API and directly.
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import request from 'supertest';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lonLatToTile } from '../../core/tile-math.js';
import { loadConfig } from '../config.js';
import type { Queryable } from '../db/db.js';
import { EventBus } from '../events/bus.js';
import { createApp } from '../http/app.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { FIXTURE, loadFixture } from '../testing/fixture.js';
import { loadPrincipals, type Principals } from '../testing/principals.js';
import { TileCache } from './cache.js';
import { detectEncoder, renderTile, type TileEncoder } from './encode.js';
import { TILE_LAYERS } from './layers.js';

let t: TestDb;
let app: Express;
let encoder: TileEncoder;
let grids: Awaited<ReturnType<typeof loadFixture>>;
let who: Principals;

beforeAll(async () => {
  t = await createTestDb();
  grids = await loadFixture(t.db);
  who = await loadPrincipals(t.db, grids);
  encoder = await detectEncoder(t.db);
  // Version read on every tile, so a change in the database shows in the next request.
  app = createApp({ config: loadConfig({ TILE_VERSION_TTL_MS: '0' }), db: t.db, bus: new EventBus(), tileEncoder: encoder, log: () => undefined });
}, 180_000);
afterAll(async () => { await t?.drop(); });

const ALL = { communities: null, gridId: null, departmentId: null };
const Z = 14;
const { x: X, y: Y } = lonLatToTile(FIXTURE.pointA1[0], FIXTURE.pointA1[1], Z);
const B15 = lonLatToTile(FIXTURE.pointB1[0], FIXTURE.pointB1[1], 15);

const raw = (url: string, token: string, headers: Record<string, string> = {}) => {
  let r = request(app).get(url).set('Authorization', `Bearer ${token}`);
  for (const [k, v] of Object.entries(headers)) r = r.set(k, v);
  return r.buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });
};
const decode = (body: Buffer) => new VectorTile(new PbfReader(body));
const features = (tile: VectorTile, layer: string) => {
  const l = tile.layers[layer];
  return l ? Array.from({ length: l.length }, (_, i) => l.feature(i)) : [];
};
async function ids(url: string, token: string, layer: string): Promise<number[]> {
  const r = await raw(url, token);
  if (r.status === 204) return [];
  expect(r.status, String(r.body)).toBe(200);
  return features(decode(r.body as Buffer), layer).map((f) => Number(f.properties.id ?? f.id)).sort((a, b) => a - b);
}

/** The test database, counting the statements that reach it. */
function counting(db: Queryable) {
  const seen: string[] = [];
  const q: Queryable = {
    query: (sql, params) => { seen.push(sql); return db.query(sql, params); },
    exec: (sql) => db.exec(sql),
  };
  return { q, seen };
}

describe(`tile cache on ${testDbKind()}`, () => {
  it('a warm tile is the same bytes as the first answer, with the same ETag, and costs no tile query', async () => {
    const url = `/tiles/base/15/${B15.x}/${B15.y}.pbf`;
    const first = await raw(url, who.tokens.leader).expect(200);
    const second = await raw(url, who.tokens.leader).expect(200);
    expect(Buffer.compare(first.body as Buffer, second.body as Buffer)).toBe(0);
    expect(features(decode(second.body as Buffer), 'buildings').map((f) => f.properties.height)).toEqual([18]);
    expect(first.headers.etag).toMatch(/^"[\w-]+"$/);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(second.headers['cache-control']).toBe('private, max-age=300');
    // A browser revalidating with the ETag gets 304 and no body.
    const again = await raw(url, who.tokens.leader, { 'If-None-Match': first.headers.etag! });
    expect(again.status).toBe(304);
    expect((again.body as Buffer).length).toBe(0);

    // Directly: the second render answers from memory (no statement at all within the version's TTL)
    // with the bytes the uncached path renders.
    const { q, seen } = counting(t.db);
    const cache = new TileCache(q, { maxBytes: 16 * 2 ** 20, versionTtlMs: 60_000 });
    const sources = TILE_LAYERS.base!.sources;
    const a = await cache.tile(encoder, sources, 15, B15.x, B15.y, ALL);
    expect(seen.length).toBe(1 + sources.length); // the data version, then one query per source layer
    const b = await cache.tile(encoder, sources, 15, B15.x, B15.y, ALL);
    expect(seen.length).toBe(1 + sources.length);
    expect(b.hits).toBe(sources.length);
    expect(Buffer.compare(Buffer.from(b.bytes), Buffer.from(a.bytes))).toBe(0);
    expect(Buffer.compare(Buffer.from(a.bytes), Buffer.from(await renderTile(t.db, encoder, sources, 15, B15.x, B15.y, ALL)))).toBe(0);
    expect(b.etag).toBe(a.etag);
  });

  it('a change to the data makes cached tiles stale: the next tile (after the version TTL) shows it', async () => {
    const url = `/tiles/grids/${Z}/${X}/${Y}.pbf`;
    const name = async () => features(decode((await raw(url, who.tokens.leader).expect(200)).body as Buffer), 'grids')
      .find((f) => f.properties.id === grids.gridA1)!.properties.name;
    expect(await name()).toBe('甲社区第01网格');
    expect(await name()).toBe('甲社区第01网格'); // now cached
    const base = `/tiles/base/${Z}/${X}/${Y}.pbf`;
    const roadNames = async () => features(decode((await raw(base, who.tokens.leader).expect(200)).body as Buffer), 'roads')
      .map((f) => f.properties.name).filter(Boolean);
    expect(await roadNames()).toEqual(['测试路']);
    const etag = (await raw(base, who.tokens.leader)).headers.etag!;
    try {
      await t.db.query(`UPDATE grid SET name = '改名网格' WHERE id = $1`, [grids.gridA1]);
      await t.db.query(`UPDATE road SET name = '新路名' WHERE osm_id = 'w10'`);
      expect(await name()).toBe('改名网格');
      expect(await roadNames()).toEqual(['新路名']);
      // The old ETag no longer matches: the browser gets the new tile.
      expect((await raw(base, who.tokens.leader, { 'If-None-Match': etag })).status).toBe(200);

      // With a version TTL, a server trusts the version it read for that long, then sees the change.
      let now = 1_000_000;
      const cache = new TileCache(t.db, { maxBytes: 16 * 2 ** 20, versionTtlMs: 5_000, now: () => now });
      const gridName = async () => features(decode(Buffer.from((await cache.tile(encoder, ['grids'], Z, X, Y, ALL)).bytes)), 'grids')
        .find((f) => f.properties.id === grids.gridA1)!.properties.name;
      expect(await gridName()).toBe('改名网格');
      await t.db.query(`UPDATE grid SET name = '又改名' WHERE id = $1`, [grids.gridA1]);
      now += 4_000;
      expect(await gridName()).toBe('改名网格');
      now += 2_000;
      expect(await gridName()).toBe('又改名');
      expect(cache.stats().entries).toBe(1); // the stale entry went with the old version
    } finally {
      await t.db.query(`UPDATE grid SET name = '甲社区第01网格' WHERE id = $1`, [grids.gridA1]);
      await t.db.query(`UPDATE road SET name = '测试路' WHERE osm_id = 'w10'`);
    }
    expect(await name()).toBe('甲社区第01网格');
  });

  it('a scoped user never gets a tile cached for another scope, whoever asked first', async () => {
    const url = `/tiles/grids/${Z}/${X}/${Y}.pbf`;
    const all = [grids.gridA1, grids.gridA2, grids.gridB1].sort((a, b) => a - b);
    const expected: [keyof Principals['tokens'], number[]][] = [
      ['leader', all],
      ['communityA', [grids.gridA1, grids.gridA2].sort((a, b) => a - b)],
      ['communityB', [grids.gridB1]],
      ['gridA1', [grids.gridA1]],
      ['gridB1', [grids.gridB1]],
    ];
    // Widest scope first, then the narrow ones; then narrowest first and the widest last; twice each (cold, warm).
    for (const order of [expected, [...expected].reverse()]) {
      for (const [role, want] of order) {
        expect(await ids(url, who.tokens[role], 'grids'), role).toEqual(want);
        expect(await ids(url, who.tokens[role], 'grids'), `${role} (warm)`).toEqual(want);
      }
    }
    // The base map: its OSM layers are one entry for everyone, its buildings are per scope.
    const base = `/tiles/base/15/${B15.x}/${B15.y}.pbf`;
    const heights = async (token: string) => features(decode((await raw(base, token).expect(200)).body as Buffer), 'buildings').map((f) => f.properties.height);
    expect(await heights(who.tokens.leader)).toEqual([18]);
    expect(await heights(who.tokens.communityA)).toEqual([]);
    expect(await heights(who.tokens.communityB)).toEqual([18]);
    expect(await heights(who.tokens.communityA)).toEqual([]);
    // The keys say why: the scope is part of every scoped layer's key, of no shared layer's, and live layers have none.
    const scopeA = { communities: ['T0101'], gridId: null, departmentId: null };
    const scopeB = { communities: ['T0102'], gridId: null, departmentId: null };
    expect(TileCache.key(encoder, 'roads', Z, X, Y, '1', scopeA)).toBe(TileCache.key(encoder, 'roads', Z, X, Y, '1', scopeB));
    expect(TileCache.key(encoder, 'grids', Z, X, Y, '1', scopeA)).not.toBe(TileCache.key(encoder, 'grids', Z, X, Y, '1', scopeB));
    expect(TileCache.key(encoder, 'buildings', Z, X, Y, '1', scopeA)).not.toBe(TileCache.key(encoder, 'buildings', Z, X, Y, '1', ALL));
    expect(TileCache.key(encoder, 'grids', Z, X, Y, '1', { ...scopeA, gridId: grids.gridA1 })).not.toBe(TileCache.key(encoder, 'grids', Z, X, Y, '1', scopeA));
    expect(TileCache.key(encoder, 'incidents', Z, X, Y, '1', ALL)).toBeNull();
  });

  it('the case layer is never cached and shows open cases plus the last 30 days unless a window is given', async () => {
    const report = async (key: string) => (await request(app).post('/api/incidents').set('Authorization', `Bearer ${who.tokens.center}`)
      .send({ lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1], category: 'parking', source: 'hotline_12345', clientKey: `${key}-${Date.now()}` })
      .expect(201)).body.id as number;
    const url = `/tiles/incidents/${Z}/${X}/${Y}.pbf`;
    const before = await ids(url, who.tokens.leader, 'incidents');
    const recent = await report('win-recent');
    // Live: the very next tile has it, with no version change (cases do not move the data version).
    expect(await ids(url, who.tokens.leader, 'incidents')).toEqual([...before, recent].sort((a, b) => a - b));
    const oldOpen = await report('win-old-open');
    const oldClosed = await report('win-old-closed');
    const DAY = 86_400_000;
    await t.db.query(`UPDATE incident SET created_at = now() - interval '60 days' WHERE id = ANY($1)`, [[oldOpen, oldClosed]]);
    await t.db.query(`UPDATE incident SET status = 'closed' WHERE id = $1`, [oldClosed]);
    const iso = (msAgo: number) => encodeURIComponent(new Date(Date.now() - msAgo).toISOString());
    const mine = async (query: string) => (await ids(`${url}${query}`, who.tokens.leader, 'incidents')).filter((id) => [recent, oldOpen, oldClosed].includes(id));
    const sorted = (...xs: number[]) => xs.sort((a, b) => a - b);
    expect(await mine('')).toEqual(sorted(recent, oldOpen)); // 60 days old but still open: shown
    expect(await mine('?open=false')).toEqual([recent]); // the last 30 days only
    expect(await mine(`?from=${iso(90 * DAY)}`)).toEqual(sorted(recent, oldOpen, oldClosed));
    expect(await mine(`?from=${iso(90 * DAY)}&to=${iso(45 * DAY)}`)).toEqual(sorted(oldOpen, oldClosed));
    expect(await mine(`?from=${iso(90 * DAY)}&to=${iso(45 * DAY)}&open=true`)).toEqual(sorted(recent, oldOpen, oldClosed));
    expect(await mine(`?from=${iso(10 * DAY)}&to=${iso(5 * DAY)}`)).toEqual([]);
    // The cases layer carries no ETag of its own making and may not be reused without asking.
    const r = await raw(url, who.tokens.leader).expect(200);
    expect(r.headers['cache-control']).toBe('private, no-cache');
  });

  it('a bad time window is a 400 invalid_request naming the parameter', async () => {
    const url = `/tiles/incidents/${Z}/${X}/${Y}.pbf`;
    const DAY = 86_400_000;
    const iso = (msAgo: number) => encodeURIComponent(new Date(Date.now() - msAgo).toISOString());
    const bad: [string, string][] = [
      [`?to=${iso(0)}`, 'from'], // unbounded
      [`?from=${iso(DAY)}&to=${iso(2 * DAY)}`, 'to'], // ends before it starts
      [`?from=${iso(DAY)}&to=${iso(DAY)}`, 'to'], // empty
      [`?from=${iso(400 * DAY)}`, 'from'], // longer than 366 days (to = now)
      [`?from=${iso(500 * DAY)}&to=${iso(100 * DAY)}`, 'from'],
      ['?from=2026-01-01', 'from'], // a date without a time and offset
      ['?from=yesterday', 'from'],
      [`?from=${iso(DAY)}&from=${iso(2 * DAY)}`, 'from'], // given twice
      ['?open=yes', 'open'],
    ];
    for (const [q, param] of bad) {
      const r = await request(app).get(`${url}${q}`).set('Authorization', `Bearer ${who.tokens.leader}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error.code, q).toBe('invalid_request');
      expect(r.body.error.details.map((d: { path: string }) => d.path), q).toContain(param);
    }
    // The largest window allowed is fine.
    await raw(`${url}?from=${iso(366 * DAY - 60_000)}`, who.tokens.leader).expect((res) => expect([200, 204]).toContain(res.status));
  });
});
