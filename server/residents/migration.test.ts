// Migration 0017 on a database that already has special-care residents (resident_care, 0002):
// every row becomes a person with the same id, grid, building, name and phone, and its care group
// becomes a tag of that person; new people continue the id sequence. Both engines: a database
// migrated up to 0016 first (a fresh PGlite, or a fresh database on the PostgreSQL server).
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/db.js';
import { listMigrations, migrate, MIGRATIONS_DIR } from '../db/migrate.js';
import { testDbKind } from '../testing/db.js';

let db: Db;
let drop: () => Promise<void> = async () => undefined;
const before17 = mkdtempSync(join(tmpdir(), 'gc-mig-'));

beforeAll(async () => {
  for (const m of listMigrations()) if (m.id < '0017') copyFileSync(join(MIGRATIONS_DIR, `${m.id}.sql`), join(before17, `${m.id}.sql`));
  if (testDbKind() === 'embedded') {
    const { openEmbedded } = await import('../db/pglite.js');
    const e = await openEmbedded();
    db = e;
    drop = () => e.close();
  } else {
    const base = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL!;
    const name = `gc_test_m17_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(base);
    url.pathname = `/${name}`;
    const { openPostgres } = await import('../db/pg.js');
    db = await openPostgres(url.toString(), 2);
    drop = async () => {
      await db.close();
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  await migrate(db, before17);
}, 240_000);

afterAll(async () => {
  await drop();
  rmSync(before17, { recursive: true, force: true });
});

describe(`migration 0017 (resident_care → person + tags) on ${testDbKind()}`, () => {
  it('keeps every special-care resident as a person with its group as a tag', async () => {
    const box = 'SRID=4326;MULTIPOLYGON(((121.49 31.23,121.5 31.23,121.5 31.24,121.49 31.24,121.49 31.23)))';
    await db.query(`INSERT INTO dataset (id, name, source, attribution, synthetic) VALUES ('m', 'm', 'generator', '© OpenStreetMap contributors', true)`);
    await db.query(`INSERT INTO division (code, parent_code, level, name, geom, dataset_id) VALUES ('M00', NULL, 'district', '区', $1::geometry, 'm'), ('M0001', 'M00', 'community', '社区', $1::geometry, 'm')`, [box]);
    const grid = (await db.query<{ id: number }>(`INSERT INTO grid (code, name, community_code, geom, dataset_id) VALUES ('M0001-01', '网格', 'M0001', $1::geometry, 'm') RETURNING id`, [box])).rows[0]!.id;
    const ids = (await db.query<{ id: number }>(`INSERT INTO resident_care (grid_id, name, phone, care_group, synthetic, dataset_id)
      VALUES ($1, '王秀英', '13800000001', 'dibao', true, 'm'), ($1, '李建国', '13800000002', 'veteran', false, NULL), ($1, '张淑珍', '13800000003', 'left_behind_child', true, 'm')
      RETURNING id`, [grid])).rows.map((r) => r.id);

    expect(await migrate(db)).toContain('0017_resident_pool');
    const people = (await db.query<{ id: number; grid_id: number; name: string; phone: string; synthetic: boolean; tags: string[] }>(
      `SELECT p.id, p.grid_id, p.name, p.phone, p.synthetic, array_agg(t.tag_code) AS tags
         FROM person p JOIN person_tag t ON t.person_id = p.id GROUP BY p.id ORDER BY p.id`)).rows;
    expect(people).toEqual([
      { id: ids[0], grid_id: grid, name: '王秀英', phone: '13800000001', synthetic: true, tags: ['dibao'] },
      { id: ids[1], grid_id: grid, name: '李建国', phone: '13800000002', synthetic: false, tags: ['veteran'] },
      { id: ids[2], grid_id: grid, name: '张淑珍', phone: '13800000003', synthetic: true, tags: ['left_behind_child'] },
    ]);
    const gone = await db.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'resident_care'`);
    expect(gone.rows).toEqual([]);
    // the sequence carries on; the grid reference is still found by grid_reassign's catalog walk
    const next = (await db.query<{ id: number }>(`INSERT INTO person (grid_id, name, phone) VALUES ($1, '新人', '') RETURNING id`, [grid])).rows[0]!.id;
    expect(next).toBeGreaterThan(Math.max(...ids));
    const fks = (await db.query<{ t: string }>(`SELECT conrelid::regclass::text AS t FROM pg_constraint WHERE contype = 'f' AND confrelid = 'grid'::regclass ORDER BY 1`)).rows.map((r) => r.t);
    for (const t of ['person', 'house', 'firm']) expect(fks).toContain(t);
  });
});
