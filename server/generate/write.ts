// Writes the synthetic city (core/generator) into the database in ONE transaction: a failure leaves
// nothing behind. Real PostgreSQL: every table is streamed with COPY FROM STDIN (pg-copy-streams),
// and the two big tables (building, incident) have their secondary indexes and foreign keys set
// aside during the load and rebuilt once afterwards — one sorted build instead of a million index
// insertions and per-row key checks; the keys are re-added validated. Embedded PGlite: the same
// COPY text is fed in pieces through COPY FROM '/dev/blob'. Regenerating a dataset id replaces it.
import { loadavg } from 'node:os';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  COLUMNS, buildingLines, chunked, divisionLines, facilityLines, gridLines, partyOrgCount, partyOrgLines, planCity, roadLines, staffLines,
  type CityPlan,
} from '../../core/generator/city.js';
import { INCIDENT_COLUMNS, incidentLines } from '../../core/generator/incidents.js';
import type { GenerateOptions } from '../../core/generator/args.js';
import type { Db } from '../db/db.js';
import { upsertReferenceData } from '../reference/reference.js';

export interface GenerateProgress { phase: string; done: number; total: number }
export interface PhaseTiming { phase: string; rows: number; ms: number }
export interface GenerateSummary {
  datasetId: string;
  counts: Record<string, number>;
  timings: PhaseTiming[];
  totalMs: number;
}

/** What the writer needs from a connection inside the transaction. */
interface Session {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  copy(table: string, columns: readonly string[], chunks: Iterable<string>): Promise<void>;
}

const SQL = {
  deleteIncidents: `DELETE FROM incident WHERE client_key LIKE $1 AND synthetic`,
  /** What ON DELETE SET NULL of merged_into would do, in one statement. */
  unmerge: `UPDATE incident SET merged_into = NULL WHERE merged_into IN (SELECT id FROM incident WHERE client_key LIKE $1 AND synthetic)`,
  deleteGrids: `DELETE FROM grid WHERE dataset_id = $1`,
  deleteDivisions: `DELETE FROM division WHERE dataset_id = $1`,
  deleteDataset: `DELETE FROM dataset WHERE id = $1`,
  conflicts: `SELECT code FROM division WHERE code LIKE $1 AND dataset_id IS DISTINCT FROM $2 LIMIT 1`,
  insertDataset: `INSERT INTO dataset (id, name, source, attribution, synthetic, bbox, summary)
    VALUES ($1, $2, 'generator', $3, true, ST_MakeEnvelope($4, $5, $6, $7, 4326), $8::jsonb)`,
  recordRun: `UPDATE dataset SET summary = summary || $2::jsonb WHERE id = $1`,
  lock: `LOCK TABLE grid, building, party_org IN SHARE ROW EXCLUSIVE MODE`,
  reserve: `SELECT nextval(pg_get_serial_sequence($1, 'id'))::int AS base`,
  advance: `SELECT setval(pg_get_serial_sequence($1, 'id'), $2::int)`,
  /** Secondary indexes not backing a constraint, and unique/foreign-key constraints, of a table. */
  indexes: `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS def
      FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
     WHERE x.indrelid = $1::regclass AND NOT x.indisprimary
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid AND c.conrelid = $1::regclass)
     ORDER BY 1`,
  selfKeys: `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
     WHERE conrelid = $1::regclass AND confrelid = $1::regclass AND contype = 'f' ORDER BY conname`,
  constraints: `SELECT conname AS name, pg_get_constraintdef(oid) AS def, contype AS type
      FROM pg_constraint WHERE conrelid = $1::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname`,
} as const;

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Count lines as they pass, for progress. */
function* counted(lines: Iterable<string>, onRow: () => void): Generator<string> {
  for (const l of lines) { onRow(); yield l; }
}

async function pgSession(client: pg.Client): Promise<Session> {
  return {
    async query<R>(sql: string, params: unknown[] = []) {
      return (await client.query(sql, params)).rows as R[];
    },
    async copy(table, columns, chunks) {
      const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
      await pipeline(Readable.from(chunks, { objectMode: false }), new Transform({ transform: (c, _e, cb) => cb(null, c) }), stream);
    },
  };
}

function pgliteSession(tx: Transaction): Session {
  return {
    async query<R>(sql: string, params: unknown[] = []) {
      return (await tx.query<R>(sql, params)).rows;
    },
    async copy(table, columns, chunks) {
      for (const chunk of chunks) {
        await tx.query(`COPY ${table} (${columns.join(', ')}) FROM '/dev/blob'`, [], { blob: new Blob([chunk]) });
      }
    },
  };
}

/** Set a big table's secondary indexes and keys aside; returns how to put them back. */
async function setAside(s: Session, table: string): Promise<() => Promise<void>> {
  const idx = await s.query<{ name: string; def: string }>(SQL.indexes, [table]);
  const cons = await s.query<{ name: string; def: string; type: string }>(SQL.constraints, [table]);
  for (const c of cons) await s.query(`ALTER TABLE ${table} DROP CONSTRAINT ${quoteIdent(c.name)}`);
  for (const i of idx) await s.query(`DROP INDEX ${quoteIdent(i.name)}`);
  return async () => {
    for (const i of idx) await s.query(i.def);
    // unique constraints first (their index), then the foreign keys, each validated by one join
    for (const c of cons) await s.query(`ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.def}`);
  };
}

export interface WriteOptions extends GenerateOptions {
  onProgress?: (p: GenerateProgress) => void;
  /** Postgres only: set indexes and keys of building/incident aside during the load (default true). */
  deferIndexes?: boolean;
}

/**
 * Generate and write the city. `url` is required on real PostgreSQL (COPY needs its own client);
 * the embedded database is written through its PGlite handle.
 */
export async function writeCity(db: Db, opts: WriteOptions, url?: string): Promise<GenerateSummary> {
  const t0 = performance.now();
  if (db.kind === 'postgres') {
    if (!url) throw new Error('writeCity: the PostgreSQL URL is needed for COPY');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query("SET LOCAL maintenance_work_mem = '1GB'");
      const s = await pgSession(client);
      const out = await writeAll(s, opts, opts.deferIndexes !== false);
      await client.query('COMMIT');
      for (const t of ['division', 'grid', 'building', 'road', 'facility', 'party_org', 'grid_staff', 'incident']) await client.query(`ANALYZE ${t}`);
      return { ...out, totalMs: performance.now() - t0 };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      await client.end();
    }
  }
  const lite = (db as Db & { pglite?: PGlite }).pglite;
  if (!lite) throw new Error('writeCity: embedded database without its PGlite handle');
  const out = await lite.transaction((tx) => writeAll(pgliteSession(tx), opts, false));
  return { ...out, totalMs: performance.now() - t0 };
}

async function writeAll(s: Session, opts: WriteOptions, defer: boolean): Promise<Omit<GenerateSummary, 'totalMs'>> {
  const t0 = performance.now();
  const id = opts.dataset;
  const timings: PhaseTiming[] = [];
  const counts: Record<string, number> = {};
  const report = opts.onProgress ?? (() => undefined);
  const phase = async (name: string, total: number, fn: (tick: () => void) => Promise<void>) => {
    const t = performance.now();
    let done = 0;
    report({ phase: name, done: 0, total });
    await fn(() => {
      done++;
      if ((done & 1023) === 0 || done === total) report({ phase: name, done, total });
    });
    report({ phase: name, done: total, total });
    timings.push({ phase: name, rows: done, ms: performance.now() - t });
    if (done) counts[name] = done;
  };

  await upsertReferenceData({ query: async (sql: string, params?: readonly unknown[]) => {
    const rows = await s.query(sql, params as unknown[]);
    return { rows: rows as never[], rowCount: rows.length };
  }, exec: async (sql: string) => { await s.query(sql); } });
  await phase('replace', 0, async () => {
    // incident.merged_into refers to incident itself without an index: with that key in place each
    // deleted case would scan the whole table. It goes aside for the delete (validated again after).
    const self = await s.query<{ name: string; def: string }>(SQL.selfKeys, ['incident']);
    for (const c of self) await s.query(`ALTER TABLE incident DROP CONSTRAINT ${quoteIdent(c.name)}`);
    await s.query(SQL.unmerge, [`gen:${id}:%`]);
    await s.query(SQL.deleteIncidents, [`gen:${id}:%`]);
    for (const c of self) await s.query(`ALTER TABLE incident ADD CONSTRAINT ${quoteIdent(c.name)} ${c.def}`);
    await s.query(SQL.deleteGrids, [id]);
    await s.query(SQL.deleteDivisions, [id]);
    await s.query(SQL.deleteDataset, [id]);
  });
  const prefix = `SC${opts.seed}-`;
  const clash = await s.query<{ code: string }>(SQL.conflicts, [`${prefix}%`, id]);
  if (clash.length) throw new GenerateConflictError(`division ${clash[0]!.code} already exists in another dataset: seed ${opts.seed} was generated under another --dataset id; use that id to replace it`);

  // Ids: grids, buildings and Party organisations are base + position, the ranges reserved from
  // the tables' own sequences while the tables are locked.
  await s.query(SQL.lock);
  const base = async (table: string) => (await s.query<{ base: number }>(SQL.reserve, [table]))[0]!.base;
  const plan0 = planCity(opts.grids, opts.seed, id, { grid: 0, building: 0, partyOrg: 0 });
  const ids = { grid: await base('grid'), building: await base('building'), partyOrg: await base('party_org') };
  const plan: CityPlan = { ...plan0, ids };
  const nGrids = plan.city.grids.length;
  const nBuildings = plan.buildingStart[nGrids]!;
  const nParty = partyOrgCount(plan);
  await s.query(SQL.advance, ['grid', ids.grid + nGrids]);
  await s.query(SQL.advance, ['building', ids.building + nBuildings]);
  await s.query(SQL.advance, ['party_org', ids.partyOrg + nParty]);

  const { bbox } = plan.city;
  const summary = {
    generator: 'npm run generate', seed: opts.seed, grids: opts.grids, incidents: opts.incidents, days: opts.days, end: opts.end,
    synthetic: { everything: true }, note: '合成数据：虚构城市，区划、网格、楼栋、住户、设施、党组织、人员与事件均为生成',
  };
  await s.query(SQL.insertDataset, [id, plan.city.name, '合成数据（GridCommand 生成器）', bbox.x0, bbox.y0, bbox.x1, bbox.y1, JSON.stringify(summary)]);

  const restore: (() => Promise<void>)[] = [];
  if (defer) for (const t of ['building', 'incident']) restore.push(await setAside(s, t));

  const nDiv = plan.city.districts.length + plan.city.subdistricts.length + plan.city.communities.length;
  await phase('division', nDiv, (tick) => s.copy('division', COLUMNS.division, chunked(counted(divisionLines(plan), tick))));
  await phase('grid', nGrids, (tick) => s.copy('grid', COLUMNS.grid, chunked(counted(gridLines(plan), tick))));
  await phase('building', nBuildings, (tick) => s.copy('building', COLUMNS.building, chunked(counted(buildingLines(plan), tick))));
  await phase('road', 0, (tick) => s.copy('road', COLUMNS.road, chunked(counted(roadLines(plan), tick))));
  await phase('facility', 0, (tick) => s.copy('facility', COLUMNS.facility, chunked(counted(facilityLines(plan), tick))));
  await phase('party_org', nParty, (tick) => s.copy('party_org', COLUMNS.party_org, chunked(counted(partyOrgLines(plan), tick))));
  await phase('grid_staff', nGrids * 3, (tick) => s.copy('grid_staff', COLUMNS.grid_staff, chunked(counted(staffLines(plan), tick))));
  await phase('incident', opts.incidents, (tick) => s.copy('incident', INCIDENT_COLUMNS,
    chunked(counted(incidentLines(plan, { total: opts.incidents, days: opts.days, end: opts.end }), tick))));
  if (restore.length) {
    await phase('indexes', 0, async () => { for (const r of restore) await r(); });
  }
  // How long it took, kept with the dataset for the benchmark report (not part of the generated rows).
  const load = loadavg().map((x) => x.toFixed(1)).join(' / ');
  await s.query(SQL.recordRun, [id, JSON.stringify({ timings, totalMs: performance.now() - t0, generatedAt: new Date().toISOString(), loadAverage: load })]);
  return { datasetId: id, counts, timings };
}

/** The seed's division codes belong to another dataset id: nothing is written. */
export class GenerateConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GenerateConflictError';
  }
}
