// Monthly scores per unit from the database's counts and the stored weights (core/scoring.ts
// does the arithmetic). No HTTP here.
import { HOTLINE_SOURCES } from '../../core/incident-schema.js';
import { DEFAULT_WEIGHTS, METRICS, rankUnits, scoreUnit, type Metric, type UnitLevel, type Weights } from '../../core/scoring.js';
import { WORKFLOW } from '../../core/workflow.js';
import type { Queryable } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import { unitActivity } from '../party/ledger.js';

export const SQL = loadSql(new URL('./performance.sql', import.meta.url), ['weights', 'setWeight', 'counts']);

const RESOLVING = WORKFLOW.transitions.filter((t) => t.sets?.includes('resolver')).map((t) => t.action);

export async function loadWeights(db: Queryable): Promise<Weights> {
  const rows = (await db.query<{ metric: Metric; weight: number }>(SQL.weights)).rows;
  const w = { ...DEFAULT_WEIGHTS };
  for (const r of rows) if ((METRICS as readonly string[]).includes(r.metric)) w[r.metric] = Number(r.weight);
  return w;
}

/** A Beijing calendar month: [first day 00:00, next month's first day 00:00) at UTC+8. */
export function monthRange(month: string): { from: Date; to: Date } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return { from: new Date(`${month}-01T00:00:00+08:00`), to: new Date(`${next}-01T00:00:00+08:00`) };
}

export const currentMonth = (now = new Date()) => new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 7);

interface CountRow {
  key: string; name: string; parent_name: string | null; solved: number; solved_at_grid: number; deadlines: number; on_time: number;
  satisfied: number; basically: number; dissatisfied: number; verifications: number; failures: number; hotline: number; repeats: number;
}

export async function ranking(db: Queryable, f: { month: string; level: UnitLevel; communities: string[] | null; weights?: Weights }) {
  const { from, to } = monthRange(f.month);
  const weights = f.weights ?? await loadWeights(db);
  const rows = (await db.query<CountRow>(SQL.counts, [from, to, f.level, f.communities, RESOLVING, [...HOTLINE_SOURCES]])).rows;
  // Branch activities from the Party ledger (支部台账), by Beijing date; a unit without a branch has no data.
  const branch = f.level === 'department' ? new Map<string, { branches: number; activities: number }>()
    : await unitActivity(db, { from: `${f.month}-01`, to: new Date(to.getTime() + 8 * 3_600_000).toISOString().slice(0, 10), level: f.level, communities: f.communities });
  const scored = rows.map((r) => ({
    unit: { key: r.key, name: r.name, parentName: r.parent_name },
    score: scoreUnit({
      solved: r.solved, solvedAtGrid: r.solved_at_grid, deadlines: r.deadlines, onTime: r.on_time,
      satisfied: r.satisfied, basicallySatisfied: r.basically, dissatisfied: r.dissatisfied,
      verifications: r.verifications, verificationFailures: r.failures, hotline: r.hotline, hotlineRepeats: r.repeats,
      branchActivities: branch.get(r.key)?.activities ?? null,
      // Full marks: two activities a month per branch of the unit.
      branchActivityTarget: 2 * (branch.get(r.key)?.branches ?? 1),
    }, f.level, weights),
  }));
  return {
    month: f.month, level: f.level, period: { from: from.toISOString(), to: to.toISOString() }, weights,
    units: rankUnits(scored, (u) => u.key).map((r) => ({ rank: r.rank, ...r.unit, score: r.score.score, breakdown: r.score.breakdown })),
  };
}
export type Ranking = Awaited<ReturnType<typeof ranking>>;

export const CSV_COLUMNS = ['month', 'level', 'rank', 'key', 'name', 'parent', 'score',
  ...METRICS.flatMap((m) => [`${m}_value`, `${m}_points`]), 'no_data'];

export function csvRows(r: Ranking): Record<string, unknown>[] {
  const round = (x: number | null, d = 4) => (x == null ? null : Math.round(x * 10 ** d) / 10 ** d);
  return r.units.map((u) => ({
    month: r.month, level: r.level, rank: u.rank, key: u.key, name: u.name, parent: u.parentName, score: round(u.score, 2),
    ...Object.fromEntries(u.breakdown.flatMap((b) => [[`${b.metric}_value`, round(b.value)], [`${b.metric}_points`, round(b.points, 2)]])),
    no_data: u.breakdown.filter((b) => b.value == null).map((b) => b.metric).join(' '),
  }));
}
