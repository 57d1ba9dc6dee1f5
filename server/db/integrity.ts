// Deep integrity check: read every page of every table and follow every b-tree index to its rows.
// A table file that was emptied or cut reads as a shorter table in a sequential scan — PostgreSQL
// trusts the file's length — so lists silently lose cases. Index entries still point at the lost
// pages, and following them fails ("could not read block …") or finds fewer rows than the scan:
// that is how damage shows, on both engines. Where the amcheck extension is installed (a real
// server whose administrator ran CREATE EXTENSION amcheck), bt_index_check verifies each index too.
import type { Db } from './db.js';

export interface TableCheck {
  table: string;
  rows: number;
  /** Set when the table is damaged: the engine's error or what did not match. */
  problem?: string;
}

export interface IntegrityReport {
  ok: boolean;
  tables: TableCheck[];
  damaged: TableCheck[];
  /** Whether amcheck's bt_index_check ran. */
  amcheck: boolean;
  ms: number;
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

interface TableRow { schema: string; name: string; columns: string[]; indexes: string[] }

/** Read every table in the public schema fully and cross-check it against its b-tree indexes. */
export async function checkIntegrity(db: Db): Promise<IntegrityReport> {
  const t0 = performance.now();
  // Ordinary tables with, per table, the first key column of each valid, non-partial b-tree index
  // on a plain column (one index scan per distinct column), and the indexes for amcheck.
  const tables = (await db.query<TableRow>(
    `SELECT n.nspname AS schema, c.relname AS name,
            COALESCE((SELECT array_agg(DISTINCT a.attname::text) FROM pg_index i
                        JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
                        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
                       WHERE i.indrelid = c.oid AND am.amname = 'btree' AND i.indisvalid AND i.indpred IS NULL AND i.indkey[0] <> 0),
                     '{}') AS columns,
            COALESCE((SELECT array_agg(ic.relname::text ORDER BY ic.relname) FROM pg_index i
                        JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
                       WHERE i.indrelid = c.oid AND am.amname = 'btree' AND i.indisvalid), '{}') AS indexes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND c.relpersistence = 'p' AND n.nspname = 'public'
      ORDER BY c.relname`)).rows;
  const amcheck = (await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'amcheck'`)).rows.length > 0;
  const out: TableCheck[] = [];
  for (const t of tables) {
    const rel = `${ident(t.schema)}.${ident(t.name)}`;
    try {
      const rows = await db.transaction(async (tx) => {
        // 1. Every heap page, and every column's out-of-line (TOAST) value: the whole-row value
        //    of each row is built from all its columns.
        await tx.query(`SET LOCAL enable_indexscan = off`);
        await tx.query(`SET LOCAL enable_indexonlyscan = off`);
        await tx.query(`SET LOCAL enable_bitmapscan = off`);
        const scanned = (await tx.query<{ n: number }>(
          `SELECT count(*)::float8 AS n, sum(pg_column_size(t.*))::float8 AS bytes FROM ${rel} t`)).rows[0]!.n;
        // 2. Each index's entries lead to rows: a full index scan in index order.
        await tx.query(`SET LOCAL enable_indexscan = on`);
        await tx.query(`SET LOCAL enable_seqscan = off`);
        await tx.query(`SET LOCAL enable_sort = off`);
        for (const col of t.columns) {
          const viaIndex = (await tx.query<{ n: number }>(
            `SELECT count(*)::float8 AS n FROM (SELECT 1 FROM ${rel} ORDER BY ${ident(col)}) s`)).rows[0]!.n;
          if (viaIndex !== scanned) {
            throw new Error(`the index on ${col} finds ${viaIndex} rows, a scan of the table ${scanned}`);
          }
        }
        // 3. amcheck: index structure, and every row present in each index.
        if (amcheck) {
          for (const ix of t.indexes) await tx.query(`SELECT bt_index_check($1::regclass, true)`, [`${ident(t.schema)}.${ident(ix)}`]);
        }
        return scanned;
      });
      out.push({ table: t.name, rows });
    } catch (e) {
      out.push({ table: t.name, rows: 0, problem: e instanceof Error ? e.message : String(e) });
    }
  }
  const damaged = out.filter((t) => t.problem !== undefined);
  return { ok: damaged.length === 0, tables: out, damaged, amcheck, ms: Math.round(performance.now() - t0) };
}

export class DatabaseDamagedError extends Error {
  constructor(public readonly report: IntegrityReport, where: string) {
    super(`the database ${where} is damaged: ${report.damaged.map((d) => `table ${d.table} (${d.problem})`).join('; ')}`
      + ` — restore the latest backup (npm run restore -- <file>; see README "Backups")`);
    this.name = 'DatabaseDamagedError';
  }
}
