// The `npm run import` command as a user runs it. Kept few: a successful run starts PGlite cold (~15 s).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockDataDir } from '../db/lock.js';

const ROOT = resolve(import.meta.dirname, '../..');
// The project's own tsx (what `npx tsx` runs), without npm's own notices on stderr.
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'gc-import-cli-')); });
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

function run(args: string[], dataDir: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
  delete env['DATABASE_URL'];
  const r = spawnSync(TSX, [join(ROOT, 'scripts/import.ts'), ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run import', () => {
  it('rejects a truncated .osm with exit 1 and one line on stderr, before touching the database', () => {
    const file = join(dir, 'map.osm');
    writeFileSync(file, readFileSync(join(ROOT, 'geojson/fixtures/wudaokou.osm'), 'utf8').slice(0, 50_000));
    const dataDir = join(dir, 'data-bad');
    const r = run([file], dataDir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^import: .*map\.osm: broken XML at line \d+, column \d+: .+\n$/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('rejects an unknown --crs with exit 2', () => {
    const file = join(dir, 'p.geojson');
    writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features: [] }));
    const r = run([file, '--crs', 'EPSG:3857'], join(dir, 'data-crs'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^import: .*p\.geojson: unsupported CRS "EPSG:3857" .*\n$/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses an embedded database that another process holds open', () => {
    const file = join(dir, 'ok.geojson');
    writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features: [
      { type: 'Feature', properties: { amenity: 'school' }, geometry: { type: 'Point', coordinates: [116.32, 40.0] } }] }));
    const dataDir = join(dir, 'data-busy');
    // This test process holds the folder's lock, as a running server would.
    const held = lockDataDir(join(dataDir, 'pglite'), 'server');
    const r = run([file], dataDir);
    held.release();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^import: .*ok\\.geojson: the embedded database in .* is in use by process ${process.pid} \\(server: `));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('imports a GeoJSON file into the embedded database in DATA_DIR and prints a summary', () => {
    const file = join(dir, 'pois.geojson');
    writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features: [
      { type: 'Feature', properties: { amenity: 'school', name: '小学' }, geometry: { type: 'Point', coordinates: [116.32, 40.0] } },
      { type: 'Feature', properties: { amenity: 'cafe' }, geometry: { type: 'Point', coordinates: [116.321, 40.0] } },
    ] }));
    const dataDir = join(dir, 'data-ok');
    const r = run([file, '--dataset', 'test:pois'], dataDir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^imported dataset test:pois from pois\.geojson \(geojson, wgs84\)$/m);
    expect(r.stdout).toMatch(/facilities 1,/);
    expect(r.stdout).toMatch(/skipped 1: POI without a service class 1/);
    expect(r.stdout).toMatch(/bbox: 116\.320000, 40\.000000, 116\.320000, 40\.000000/);
    expect(existsSync(join(dataDir, 'pglite', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dataDir, 'pglite', 'postmaster.pid'))).toBe(false); // closed cleanly
  }, 120_000);
});
