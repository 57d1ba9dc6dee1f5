import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { migrate } from './migrate.js';

let t: TestDb;
beforeAll(async () => { t = await createTestDb(); }, 120_000);
afterAll(async () => { await t?.drop(); });

const square = (x0: number, y0: number, s: number) =>
  `SRID=4326;MULTIPOLYGON(((${x0} ${y0},${x0 + s} ${y0},${x0 + s} ${y0 + s},${x0} ${y0 + s},${x0} ${y0})))`;

describe(`migrations on ${testDbKind()}`, () => {
  it('creates the schema with PostGIS and is idempotent', async () => {
    const v = await t.db.query<{ v: string }>('SELECT postgis_lib_version() AS v');
    expect(v.rows[0]!.v).toMatch(/^3\./);
    expect(await migrate(t.db)).toEqual([]);
    const tables = await t.db.query<{ n: string }>(
      `SELECT table_name AS n FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
    const names = tables.rows.map((r) => r.n);
    for (const n of ['division', 'grid', 'building', 'road', 'facility', 'party_org', 'grid_staff', 'incident']) {
      expect(names).toContain(n);
    }
  });

  it('refuses overlapping grids in one community and invalid geometry, changing nothing', async () => {
    await t.db.query(`INSERT INTO division (code, level, name) VALUES ('D', 'district', 'd'), ('C', 'community', 'c')`);
    await t.db.query(`INSERT INTO grid (code, name, community_code, geom) VALUES ('G1', 'g1', 'C', $1::geometry)`, [square(0, 0, 1)]);
    // Touching along an edge is allowed.
    await t.db.query(`INSERT INTO grid (code, name, community_code, geom) VALUES ('G2', 'g2', 'C', $1::geometry)`, [square(1, 0, 1)]);
    await expect(t.db.query(`INSERT INTO grid (code, name, community_code, geom) VALUES ('G3', 'g3', 'C', $1::geometry)`,
      [square(0.5, 0.5, 1)])).rejects.toThrow(/overlaps/);
    const bowtie = 'SRID=4326;MULTIPOLYGON(((0 0,1 1,1 0,0 1,0 0)))';
    await expect(t.db.query(`INSERT INTO grid (code, name, community_code, geom) VALUES ('G4', 'g4', 'C', $1::geometry)`,
      [bowtie])).rejects.toThrow();
    const n = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM grid');
    expect(n.rows[0]!.n).toBe(2);
  });

  it('rolls back a failed transaction', async () => {
    await expect(t.db.transaction(async (tx) => {
      await tx.query(`INSERT INTO division (code, level, name) VALUES ('X', 'district', 'x')`);
      throw new Error('boom');
    })).rejects.toThrow('boom');
    const n = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM division WHERE code = 'X'`);
    expect(n.rows[0]!.n).toBe(0);
  });

  // Real PostgreSQL only (PGlite has no server to close connections): an idle pooled connection
  // the server terminates must not end the process (an unhandled 'error' would fail this run).
  const onPostgres = testDbKind() === 'postgres' ? it : () => undefined;
  onPostgres('survives the server closing an idle connection, and the next query works', async () => {
    const pid = (await t.db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    // That connection is idle in the pool now; close it from another one, as a restart would.
    const other = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL });
    await other.connect();
    expect((await other.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [pid])).rows[0]!.ok).toBe(true);
    await other.end();
    await new Promise((r) => setTimeout(r, 500));
    expect((await t.db.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
  });
});
