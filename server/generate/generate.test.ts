// The synthetic city generator against the database, on both engines: a small city (40 grids, a
// few thousand incidents) written with COPY (real PostGIS, big tables' indexes set aside and
// rebuilt) or COPY FROM '/dev/blob' (PGlite), then checked with PostGIS itself.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layoutCity } from '../../core/generator/layout.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { GenerateConflictError, writeCity } from './write.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const OPTS = { grids: 40, seed: 3, incidents: 3000, days: 30, end: '2026-06-01', dataset: 'city-test' };

let t: TestDb;
let url: string | undefined;
beforeAll(async () => {
  t = await createTestDb();
  if (t.db.kind === 'postgres') {
    const name = (await t.db.query<{ n: string }>('SELECT current_database() AS n')).rows[0]!.n;
    const u = new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL!);
    u.pathname = `/${name}`;
    url = u.toString();
  }
}, 180_000);
afterAll(async () => { await t?.drop(); });

const one = async <T = number>(sql: string, params: unknown[] = []) => Object.values((await t.db.query<Record<string, T>>(sql, params)).rows[0]!)[0] as T;

/** A fingerprint of every generated row (ids relative to the dataset's first id; incidents without their serial id). */
async function fingerprint(): Promise<Record<string, string>> {
  const q = async (sql: string) => one<string>(sql, [OPTS.dataset]);
  return {
    division: await q(`SELECT md5(string_agg(concat_ws('|', code, parent_code, level, name, ST_AsEWKT(geom), props::text), ',' ORDER BY code)) FROM division WHERE dataset_id = $1`),
    grid: await q(`WITH m AS (SELECT min(id) AS m FROM grid WHERE dataset_id = $1)
      SELECT md5(string_agg(concat_ws('|', id - m, code, name, community_code, ST_AsEWKT(geom), households, residents, props::text), ',' ORDER BY id)) FROM grid, m WHERE dataset_id = $1`),
    building: await q(`WITH m AS (SELECT min(id) AS m FROM building WHERE dataset_id = $1), gm AS (SELECT min(id) AS m FROM grid WHERE dataset_id = $1)
      SELECT md5(string_agg(concat_ws('|', b.id - m.m, kind, ST_AsEWKT(b.geom), levels, residential, b.households, b.residents, grid_id - gm.m, community_code), ',' ORDER BY b.id))
        FROM building b, m, gm WHERE b.dataset_id = $1`),
    road: await q(`SELECT md5(string_agg(concat_ws('|', name, kind, ST_AsEWKT(geom), length_m), ',' ORDER BY id)) FROM road WHERE dataset_id = $1`),
    facility: await q(`SELECT md5(string_agg(concat_ws('|', name, service_class, ST_AsEWKT(geom), community_code), ',' ORDER BY id)) FROM facility WHERE dataset_id = $1`),
    party: await q(`WITH m AS (SELECT min(id) AS m FROM party_org WHERE dataset_id = $1)
      SELECT md5(string_agg(concat_ws('|', id - m, parent_id - m, level, name, community_code, members), ',' ORDER BY id)) FROM party_org, m WHERE dataset_id = $1`),
    incident: await q(`SELECT md5(string_agg(concat_ws('|', client_key, body_hash, category, description, source, status, ST_AsEWKT(geom), community_code,
      created_at, updated_at, resolved_at, closed_at, rating), ',' ORDER BY client_key)) FROM incident WHERE client_key LIKE 'gen:' || $1 || ':%'`),
  };
}

describe(`npm run generate on ${testDbKind()}`, () => {
  let first: Record<string, string>;

  it('writes a small synthetic city: counts and the division tree as laid out', async () => {
    const indexesBefore = await one(`SELECT count(*)::int FROM pg_indexes WHERE tablename IN ('incident', 'building')`);
    const s = await writeCity(t.db, OPTS, url);
    const plan = layoutCity(40, 3);
    expect(s.counts.grid).toBe(40);
    expect(await one(`SELECT count(*)::int FROM grid WHERE dataset_id = 'city-test'`)).toBe(40);
    expect(await one(`SELECT count(*)::int FROM division WHERE dataset_id = 'city-test'`))
      .toBe(plan.districts.length + plan.subdistricts.length + plan.communities.length);
    expect(await one(`SELECT count(*)::int FROM incident WHERE client_key LIKE 'gen:city-test:%'`)).toBe(3000);
    const buildings = await one(`SELECT count(*)::int FROM building WHERE dataset_id = 'city-test'`);
    expect(buildings).toBe(s.counts.building);
    expect(buildings / 40).toBeGreaterThan(25);
    expect(await one(`SELECT count(DISTINCT service_class)::int FROM facility WHERE dataset_id = 'city-test'`)).toBeGreaterThanOrEqual(10);
    expect(await one(`SELECT count(*)::int FROM grid_staff WHERE dataset_id = 'city-test'`)).toBe(120);
    expect(await one(`SELECT count(*)::int FROM party_org WHERE dataset_id = 'city-test' AND level = 'grid_branch'`)).toBe(40);
    // indexes and keys set aside during the load are all back
    expect(await one(`SELECT count(*)::int FROM pg_indexes WHERE tablename IN ('incident', 'building')`)).toBe(indexesBefore);
    // the tree: each level's parent is the level above, and covers it
    expect(await one(`SELECT count(*)::int FROM division c LEFT JOIN division p ON p.code = c.parent_code
      WHERE c.dataset_id = 'city-test' AND (CASE c.level WHEN 'district' THEN c.parent_code IS NOT NULL
        WHEN 'subdistrict' THEN p.level IS DISTINCT FROM 'district' OR NOT ST_CoveredBy(c.geom, p.geom)
        ELSE p.level IS DISTINCT FROM 'subdistrict' OR NOT ST_CoveredBy(c.geom, p.geom) END)`)).toBe(0);
    // grids tile their community exactly and never overlap one another
    expect(await one(`SELECT count(*)::int FROM division c JOIN LATERAL (SELECT ST_Union(g.geom) AS u, count(*) AS n FROM grid g WHERE g.community_code = c.code) x ON true
      WHERE c.dataset_id = 'city-test' AND c.level = 'community' AND (x.n = 0 OR abs(ST_Area(x.u) - ST_Area(c.geom)) > 1e-12 OR NOT ST_CoveredBy(x.u, c.geom))`)).toBe(0);
    expect(await one(`SELECT count(*)::int FROM grid a JOIN grid b ON a.id < b.id AND a.geom && b.geom AND ST_Relate(a.geom, b.geom, '2********')
      WHERE a.dataset_id = 'city-test' AND b.dataset_id = 'city-test'`)).toBe(0);
  });

  it('puts every building inside its grid and locates every incident to the grid that contains it', async () => {
    expect(await one(`SELECT count(*)::int FROM building b LEFT JOIN grid g ON g.id = b.grid_id
      WHERE b.dataset_id = 'city-test' AND (g.id IS NULL OR NOT ST_Within(b.geom, g.geom) OR g.community_code <> b.community_code)`)).toBe(0);
    // grid households are the sum of their buildings'
    expect(await one(`SELECT count(*)::int FROM grid g WHERE g.dataset_id = 'city-test'
      AND g.households <> (SELECT sum(households) FROM building b WHERE b.grid_id = g.id)`)).toBe(0);
    expect(await one(`SELECT count(*)::int FROM facility f JOIN grid g ON g.id = f.grid_id WHERE f.dataset_id = 'city-test' AND NOT ST_Contains(g.geom, f.geom)`)).toBe(0);
    // the grid PostGIS finds for each point is the one written, and the divisions follow it
    expect(await one(`SELECT count(*)::int FROM incident i
      LEFT JOIN LATERAL (SELECT array_agg(g.id) AS ids FROM grid g WHERE ST_Intersects(g.geom, i.geom)) x ON true
      JOIN grid g ON g.id = i.grid_id JOIN division c ON c.code = g.community_code JOIN division s ON s.code = c.parent_code
      WHERE i.client_key LIKE 'gen:city-test:%'
        AND (x.ids IS DISTINCT FROM ARRAY[i.grid_id] OR i.community_code <> c.code OR i.subdistrict_code <> s.code OR i.district_code <> s.parent_code)`)).toBe(0);
    // 30 days of local (UTC+8) days ending 2026-06-01
    expect(await one(`SELECT count(*)::int FROM incident WHERE client_key LIKE 'gen:city-test:%' AND (created_at >= '2026-06-01' OR created_at < '2026-05-01 16:00+00' OR updated_at < created_at)`)).toBe(0);
  });

  it('flags every row synthetic', async () => {
    expect(await one(`SELECT synthetic AND source = 'generator' FROM dataset WHERE id = 'city-test'`, [])).toBe(true);
    expect(await one(`SELECT count(*)::int FROM division WHERE dataset_id = 'city-test' AND NOT (synthetic_geometry AND code_source = 'synthetic')`)).toBe(0);
    for (const table of ['grid', 'facility', 'party_org', 'grid_staff']) {
      expect(await one(`SELECT count(*)::int FROM ${table} WHERE dataset_id = 'city-test' AND NOT synthetic`)).toBe(0);
    }
    expect(await one(`SELECT count(*)::int FROM building WHERE dataset_id = 'city-test' AND NOT households_synthetic`)).toBe(0);
    expect(await one(`SELECT count(*)::int FROM incident WHERE client_key LIKE 'gen:city-test:%' AND NOT synthetic`)).toBe(0);
    expect(await one(`SELECT count(*)::int FROM facility WHERE dataset_id = 'city-test' AND name NOT LIKE '%（合成）'`)).toBe(0);
  });

  it('gives the same rows when run again with the same seed (replacing the dataset)', async () => {
    first = await fingerprint();
    const gridsBefore = await one(`SELECT count(*)::int FROM grid`);
    await writeCity(t.db, OPTS, url);
    expect(await fingerprint()).toEqual(first);
    expect(await one(`SELECT count(*)::int FROM grid`)).toBe(gridsBefore);
    expect(await one(`SELECT count(*)::int FROM incident WHERE client_key LIKE 'gen:city-test:%'`)).toBe(3000);
  });

  it('writes nothing when it fails half-way (one transaction)', async () => {
    // the seed's codes belong to city-test: another dataset id is refused after its deletes ran
    await expect(writeCity(t.db, { ...OPTS, dataset: 'other' }, url)).rejects.toBeInstanceOf(GenerateConflictError);
    expect(await fingerprint()).toEqual(first);
    expect(await one(`SELECT count(*)::int FROM dataset WHERE id = 'other'`)).toBe(0);
  });

  it('refuses a bad argument with exit 2 and a clear line, before opening any database', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gc-generate-'));
    try {
      for (const [args, message] of [[['--grids', '0'], /^generate: --grids must be between 1 and 200,000, got 0\n/], [['--grids', 'abc'], /^generate: --grids must be a whole number, got "abc"\n/]] as const) {
        const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: join(dir, 'data') };
        if (url) env.DATABASE_URL = url; else delete env.DATABASE_URL;
        const r = spawnSync(TSX, [join(ROOT, 'scripts/generate.ts'), ...args, '--seed', '5'], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
        expect(r.status).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(message);
        expect(existsSync(join(dir, 'data'))).toBe(false);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
