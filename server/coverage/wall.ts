// The wall's 15-minute figure: per grid, the mean over the service classes of the share of its
// households within each class's walking time (the /coverage score), and the same for the whole
// jurisdiction — read from the stored results (null before the first computation).
import type { Queryable } from '../db/db.js';
import { SQL } from './engine.js';

export interface WallCoverage {
  grids: Map<number, number | null>;
  total: number | null;
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

export async function wallCoverage(db: Queryable, codes: string[] | null, gridId: number | null): Promise<WallCoverage> {
  const rows = (await db.query<{ grid_id: number | null; total: boolean; class: string; households: number; covered: number }>(
    SQL.wallScores, [codes, gridId])).rows;
  const classes = new Set(rows.map((r) => r.class)).size;
  const sums = new Map<number | 'total', number>();
  for (const r of rows) {
    const k = r.total ? 'total' : r.grid_id!;
    sums.set(k, (sums.get(k) ?? 0) + (r.households > 0 ? r.covered / r.households : 0));
  }
  const score = (k: number | 'total') => (classes > 0 && sums.has(k) ? round4(sums.get(k)! / classes) : null);
  const grids = new Map<number, number | null>();
  for (const k of sums.keys()) if (k !== 'total') grids.set(k, score(k));
  return { grids, total: score('total') };
}
