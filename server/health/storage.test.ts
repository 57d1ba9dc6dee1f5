// A full disk: a write that fails for lack of space answers 503 storage_unavailable with
// Retry-After on every route (single reports, batches, Open311, actions), stores nothing, and
// GET /api/health says so. The failure is injected by a Db whose INSERTs/UPDATEs throw what
// PostgreSQL (SQLSTATE 53100 / 53000) or Node (ENOSPC) throw on a full disk.
import request from 'supertest';
import type { Express } from 'express';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import type { Db, Queryable } from '../db/db.js';
import { isOutOfSpace } from '../db/errors.js';
import { createApp } from '../http/app.js';
import { fixtureApi } from '../testing/api.js';
import { insertCase } from '../testing/cases.js';
import { testDbKind } from '../testing/db.js';
import { FIXTURE } from '../testing/fixture.js';
import { insertToken } from '../testing/principals.js';
import { detectEncoder } from '../tiles/encode.js';

const f = fixtureApi();
const diskFull = () => Object.assign(new Error('could not extend file "base/16384/16390": No space left on device'), { code: '53100' });
let inject: (() => Error) | null = null;
// Named queries keep their leading comment lines: skip those before looking for the verb.
const writes = /^(\s*--[^\n]*\n)*\s*(WITH\b[\s\S]*\b)?(INSERT|UPDATE)\b/i;

/** The fixture's database, but every INSERT/UPDATE throws while `inject` is set. */
function fullDisk(db: Db): Db {
  const wrap = (q: Queryable): Queryable => ({
    query: async (sql, params) => {
      if (inject && writes.test(sql)) throw inject();
      return q.query(sql, params);
    },
    exec: (sql) => q.exec(sql),
  });
  const w = wrap(db);
  return { kind: db.kind, query: w.query, exec: w.exec, transaction: (fn) => db.transaction((tx) => fn(wrap(tx))), close: () => db.close() };
}

let app: Express;
const token = (w: 'gridA1' | 'subdistrict') => `Bearer ${f.who.tokens[w]}`;
let seq = 0;
const report = () => ({ lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1], category: 'noise', description: '噪声', source: 'patrol', clientKey: `full-${process.pid}-${++seq}` });
const count = async () => (await f.t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM incident')).rows[0]!.n;
const expect503 = (r: request.Response) => {
  expect([r.status, r.body.error?.code, r.headers['retry-after']], JSON.stringify(r.body)).toEqual([503, 'storage_unavailable', '60']);
};

beforeAll(async () => {
  app = createApp({ config: loadConfig({}), db: fullDisk(f.t.db), bus: f.bus, tileEncoder: await detectEncoder(f.t.db), log: () => undefined });
  await insertToken(f.t.db, 'full-disk-key', 'open311-full', 'subdistrict_staff', { divisionCode: 'T01' });
});

describe('isOutOfSpace', () => {
  it('knows PostgreSQL\'s disk_full and insufficient_resources, Node\'s ENOSPC/EDQUOT, and a wrapped cause', () => {
    expect(isOutOfSpace(diskFull())).toBe(true);
    expect(isOutOfSpace(Object.assign(new Error('x'), { code: '53000' }))).toBe(true);
    expect(isOutOfSpace(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }))).toBe(true);
    expect(isOutOfSpace(new Error('batch failed', { cause: Object.assign(new Error('quota'), { code: 'EDQUOT' }) }))).toBe(true);
    expect(isOutOfSpace(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isOutOfSpace(new TypeError('x is undefined'))).toBe(false);
  });
});

describe(`a full disk on ${testDbKind()}`, () => {
  it.each([
    ['disk_full (53100)', diskFull],
    ['insufficient_resources (53000)', () => Object.assign(new Error('insufficient resources'), { code: '53000' })],
    ['ENOSPC', () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 })],
  ])('%s: single reports, batches, Open311 and actions answer 503 storage_unavailable with Retry-After; nothing stored', async (_n, err) => {
    const id = await insertCase(f.t.db, { state: 'reported', level: 'grid', lonLat: FIXTURE.pointA1 });
    const before = await count();
    inject = err;
    try {
      expect503(await request(app).post('/api/incidents').set('Authorization', token('gridA1')).send(report()));
      expect503(await request(app).post('/api/incidents/batch').set('Authorization', token('gridA1'))
        .send({ incidents: Array.from({ length: 20 }, report) }));
      expect503(await request(app).post(`/api/incidents/${id}/actions`).set('Authorization', token('gridA1')).send({ action: 'accept' }));
      const o = await request(app).post('/open311/v2/requests.json').type('form')
        .send(`api_key=full-disk-key&service_code=noise&lat=${FIXTURE.pointA1[1]}&long=${FIXTURE.pointA1[0]}&description=x`);
      expect([o.status, o.headers['retry-after'], o.body]).toEqual([503, '60', [{ code: 503, description: expect.stringMatching(/no storage space/) }]]);
    } finally {
      inject = null;
    }
    expect(await count()).toBe(before);
    expect((await f.t.db.query('SELECT status FROM incident WHERE id = $1', [id])).rows[0]).toEqual({ status: 'reported' });
  });

  it('a token still reads on a full disk: its "last used" stamp is skipped, not a 503', async () => {
    inject = diskFull;
    try {
      const r = await request(app).get('/api/incidents').set('Authorization', token('gridA1'));
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    } finally {
      inject = null;
    }
  });

  it('health reports it, an app that saw no failure does not, and writes work again once there is space', async () => {
    const h = await request(app).get('/api/health');
    expect([h.status, h.body.error?.code, h.headers['retry-after']]).toEqual([503, 'storage_unavailable', '60']);
    expect(h.body.error.message).toMatch(/a write failed for lack of space at .*: free disk space/);
    expect(h.body.error.details).toMatchObject({ database: testDbKind() });
    await request(f.app).get('/api/health').expect(200);
    await request(app).post('/api/incidents').set('Authorization', token('gridA1')).send(report()).expect(201);
  });
});
