// Benchmark of the grid editor's automatic partition (issue 11): "Partition this community" on the
// demo communities and on a synthetic 5,000-building community (deterministic generator below),
// against a baseline in the same run: the same engine with bisection only (no household
// refinement). Reports time, grids in the band, contiguity, compactness and refinement steps/s.
// Refinement alone is measured from a deliberately unbalanced plan (benchRefinement), since a
// fresh plan is nearly balanced and leaves it a handful of steps. Pure CPU
// (core/grid-edit/propose.ts over core/partition.ts); no database.
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { asMulti, DEFAULT_BAND } from '../../core/grid-edit/contract.js';
import { proposePartition } from '../../core/grid-edit/propose.js';
import { rebalance } from '../../core/grid-edit/rebalance.js';
import { gridFigures } from '../../core/grid-edit/validate.js';
import type { ValidationBuilding } from '../../core/grid-edit/validate.js';
import {
  bisectUnits, buildUnits, chooseGroupCount, jitter, localProjection, refineBalance, repairContiguity, type GroupUnit,
} from '../../core/partition.js';
import { readDemo } from '../demo/load.js';
import { ProposalRunner } from './proposal-runner.js';

export interface PartitionBenchRow {
  community: string;
  buildings: number;
  households: number;
  path: 'engine' | 'baseline (bisection only)';
  ms: number;
  grids: number;
  inBand: number;
  contiguous: number;
  ppMean: number;
  householdsMin: number;
  householdsMax: number;
  steps: number;
  refineMs: number;
  stepsPerSec: number;
}

/** A deterministic synthetic community: n buildings on a jittered lattice of blocks split by streets. */
export function syntheticCommunity(n = 5000): { boundary: Polygon; buildings: ValidationBuilding[] } {
  const proj = localProjection(121.6, 31.2);
  const ll = (x: number, y: number): Position => proj.toLonLat([x, y]);
  const cols = Math.ceil(Math.sqrt(n * 1.6));
  const rows = Math.ceil(n / cols);
  const dx = 26, dy = 22; // building pitch, metres; a 10 m street every 8 buildings
  const street = (i: number) => Math.floor(i / 8) * 10;
  const W = cols * dx + street(cols) + 20, H = rows * dy + street(rows) + 20;
  const boundary: Polygon = { type: 'Polygon', coordinates: [[ll(0, 0), ll(W, 0), ll(W, H), ll(0, H), ll(0, 0)]] };
  const buildings: ValidationBuilding[] = [];
  for (let k = 0; k < n; k++) {
    const c = k % cols, r = Math.floor(k / cols);
    const x = 10 + c * dx + street(c) + jitter(c, r) * 3, y = 10 + r * dy + street(r) + jitter(r + 101, c) * 3;
    const w = 14 + Math.round((jitter(k, 7) + 0.5) * 6), h = 10 + Math.round((jitter(7, k) + 0.5) * 4);
    buildings.push({
      id: k + 1, geometry: { type: 'Polygon', coordinates: [[ll(x, y), ll(x + w, y), ll(x + w, y + h), ll(x, y + h), ll(x, y)]] },
      households: 2 + Math.round((jitter(k, 13) + 0.5) * 8), residents: 0,
    });
  }
  return { boundary, buildings };
}

function run(name: string, community: Polygon | MultiPolygon, buildings: ValidationBuilding[], refine: boolean): PartitionBenchRow {
  const t0 = performance.now();
  const p = proposePartition({ community, grids: [], buildings, band: DEFAULT_BAND, seed: 1, refine });
  const ms = performance.now() - t0;
  const steps = p.stats.steps, refineMs = p.stats.ms ?? 0;
  return {
    community: name, buildings: buildings.length, households: buildings.reduce((s, b) => s + b.households, 0),
    path: refine ? 'engine' : 'baseline (bisection only)', ms, grids: p.quality.grids, inBand: p.quality.inBand,
    contiguous: p.grids.filter((g) => g.geometry.type === 'Polygon' || g.geometry.coordinates.length === 1).length,
    ppMean: p.quality.polsbyPopperMean, householdsMin: p.quality.householdsMin, householdsMax: p.quality.householdsMax,
    steps, refineMs, stepsPerSec: refineMs > 0 ? (steps / refineMs) * 1000 : 0,
  };
}

export interface RebalanceBenchRow {
  community: string;
  grids: number;
  before: string;
  after: string;
  inBandBefore: number;
  inBandAfter: number;
  moves: number;
  advice: string;
  ms: number;
}

/** Rebalance (core/grid-edit/rebalance.ts) of each demo community's own grids: what moves, what is advised. */
export function benchRebalance(opts: { demoLimit?: number } = {}): RebalanceBenchRow[] {
  return demoCommunities(opts.demoLimit ?? 12).map((c) => {
    const before = gridFigures(c.grids, c.buildings, DEFAULT_BAND).figures.map((x) => x.households);
    const t0 = performance.now();
    const r = rebalance({ community: c.geometry, grids: c.grids, buildings: c.buildings, band: DEFAULT_BAND });
    const ms = performance.now() - t0;
    const after = r.figures.map((x) => x.households);
    const inBand = (hh: number[]) => hh.filter((h) => h >= DEFAULT_BAND.min && h <= DEFAULT_BAND.max).length;
    return {
      community: c.code, grids: c.grids.length, before: before.join(' / '), after: after.join(' / '),
      inBandBefore: inBand(before), inBandAfter: inBand(after), moves: r.moves.length,
      advice: r.advice.map((a) => (a.kind === 'building_over_max' ? `building ${a.households} hh > max` : `${a.kind} (${a.cluster?.grids} → ${a.cluster?.need} grids)`)).join('; ') || '—',
      ms,
    };
  });
}

export function rebalanceBenchMarkdown(rows: RebalanceBenchRow[]): string[] {
  return [
    '### Rebalance of the demo grids',
    '',
    'Each demo community\'s own (synthetic) grids, rebalanced with the fewest building moves; what moving cannot fix is advised.',
    '',
    '| community | grids | households before | after | in band before → after | buildings moved | advice | ms |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.community} | ${r.grids} | ${r.before} | ${r.after} | ${r.inBandBefore} → ${r.inBandAfter} | ${r.moves} | ${r.advice} | ${r.ms.toFixed(0)} |`),
    '',
  ];
}

function demoCommunities(limit: number) {
  const demo = readDemo();
    return demo.divisions.filter((f) => f.properties.level === 'community')
    .map((f) => ({
      grids: demo.grids.filter((g) => g.properties.communityCode === f.properties.code)
        .map((g, i) => ({ id: i + 1, key: String(g.properties.code), name: String(g.properties.name), geometry: asMulti(g.geometry as unknown as Polygon | MultiPolygon) })),
      code: String(f.properties.code), geometry: f.geometry as unknown as MultiPolygon,
      buildings: demo.buildings.filter((b) => b.properties.communityCode === f.properties.code).map((b, i) => ({
        id: i + 1, geometry: b.geometry as unknown as MultiPolygon, households: Number(b.properties.households ?? 0), residents: 0,
      })),
    }))
    .sort((a, b) => b.buildings.length - a.buildings.length)
    .slice(0, limit);
}

/** The demo communities (up to `limit`, largest first) and the synthetic one, each by engine and baseline. */
export function benchPartition(opts: { demoLimit?: number; synthetic?: number } = {}): PartitionBenchRow[] {
  const rows: PartitionBenchRow[] = [];
  const comms = demoCommunities(opts.demoLimit ?? 12);
  for (const c of comms) for (const refine of [true, false]) rows.push(run(c.code, c.geometry, c.buildings, refine));
  const s = syntheticCommunity(opts.synthetic ?? 5000);
  for (const refine of [true, false]) rows.push(run(`synthetic ${s.buildings.length}`, s.boundary, s.buildings, refine));
  return rows;
}

export interface RefineBenchRow {
  community: string;
  units: number;
  grids: number;
  path: 'spread (partition)' | 'minimal change (rebalance)';
  inBandBefore: number;
  inBandAfter: number;
  householdsBefore: string;
  householdsAfter: string;
  steps: number;
  moves: number;
  ms: number;
  stepsPerSec: number;
  movesPerSec: number;
}

/**
 * Refinement (core/partition.ts refineBalance) from a deliberately unbalanced plan: the units are
 * bisected with households weighted 1× at the west edge rising to 4× at the east, so western grids
 * get too many households and eastern ones too few; refinement then moves boundary units back.
 * "spread" is the partition's refinement (households pass along chains of in-band grids);
 * "minimal change" is Rebalance's (only moves that shrink the violation).
 */
export function benchRefinement(opts: { demoLimit?: number; synthetic?: number } = {}): RefineBenchRow[] {
  const rows: RefineBenchRow[] = [];
  const s = syntheticCommunity(opts.synthetic ?? 5000);
  const inputs = [
    ...demoCommunities(opts.demoLimit ?? 1).map((c) => ({ name: c.code, boundary: c.geometry as Polygon | MultiPolygon, buildings: c.buildings })),
    { name: `synthetic ${s.buildings.length}`, boundary: s.boundary as Polygon | MultiPolygon, buildings: s.buildings },
  ];
  for (const c of inputs) {
    const m = buildUnits({ boundary: c.boundary, buildings: c.buildings.map((b) => ({ id: String(b.id), footprint: b.geometry, households: b.households })) });
    const H = m.units.reduce((a, u) => a + u.households, 0);
    const k = chooseGroupCount(H, 0, DEFAULT_BAND);
    let x0 = Infinity, x1 = -Infinity;
    for (const u of m.units) { x0 = Math.min(x0, u.x); x1 = Math.max(x1, u.x); }
    const skew = (u: GroupUnit) => u.households * (1 + (3 * (u.x - x0)) / Math.max(x1 - x0, 1));
    const plan = repairContiguity(m.units, m.adj, bisectUnits(m.units, k, skew, 0), skew);
    const figures = (g: Int32Array) => {
      const h = new Map<number, number>();
      m.units.forEach((u, i) => { if (g[i]! >= 0) h.set(g[i]!, (h.get(g[i]!) ?? 0) + u.households); });
      const v = [...h.values()];
      return { inBand: v.filter((x) => x >= DEFAULT_BAND.min && x <= DEFAULT_BAND.max).length, range: `${Math.min(...v)}–${Math.max(...v)}`, grids: v.length };
    };
    const before = figures(plan);
    for (const spread of [true, false]) {
      const stats = { steps: 0, moves: 0, ms: 0 };
      const after = figures(refineBalance(m.units, m.adj, plan, DEFAULT_BAND, 100_000, { stats, spread }));
      rows.push({
        community: c.name, units: m.units.length, grids: before.grids, path: spread ? 'spread (partition)' : 'minimal change (rebalance)',
        inBandBefore: before.inBand, inBandAfter: after.inBand, householdsBefore: before.range, householdsAfter: after.range,
        steps: stats.steps, moves: stats.moves, ms: stats.ms,
        stepsPerSec: stats.ms > 0 ? (stats.steps / stats.ms) * 1000 : 0, movesPerSec: stats.ms > 0 ? (stats.moves / stats.ms) * 1000 : 0,
      });
    }
  }
  return rows;
}

export function refineBenchMarkdown(rows: RefineBenchRow[]): string[] {
  const f = (n: number, d = 0) => n.toFixed(d);
  const lines = [
    '### Refinement from a deliberately unbalanced plan',
    '',
    'Bisection with households weighted 1× (west) to 4× (east), then refineBalance. Steps = candidate moves tried',
    '(applied, or refused because the giving grid would fall apart); moves = applied.',
    '',
    '| community | units | grids | path | in band before → after | households before → after | steps | moves | ms | steps/s | moves/s |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(`| ${r.community} | ${r.units} | ${r.grids} | ${r.path} | ${r.inBandBefore} → ${r.inBandAfter} | ${r.householdsBefore} → ${r.householdsAfter} | ${r.steps} | ${r.moves} | ${f(r.ms)} | ${f(r.stepsPerSec)} | ${f(r.movesPerSec)} |`);
  }
  lines.push('');
  return lines;
}

export interface WorkerBenchRow {
  path: 'in-process' | 'worker thread';
  /** Median of the runs, ms. */
  ms: number;
  /** Longest the server's event loop went without a turn during a run (a 10 ms timer), ms. */
  maxLoopLagMs: number;
}

/**
 * "Partition this community" on the synthetic community as the server runs it (in a worker thread,
 * server/grids/proposal-runner.ts, warm) against calling the engine in-process: time, and how long
 * the event loop (every other request and socket) waits meanwhile.
 */
export async function benchProposalWorker(opts: { synthetic?: number; runs?: number } = {}): Promise<{ rows: WorkerBenchRow[]; coldMs: number }> {
  const s = syntheticCommunity(opts.synthetic ?? 5000);
  const input = { community: s.boundary, grids: [], buildings: s.buildings, band: DEFAULT_BAND, seed: 1 };
  const runner = new ProposalRunner();
  const timed = async (f: () => unknown) => {
    let max = 0, last = performance.now();
    const timer = setInterval(() => { const now = performance.now(); max = Math.max(max, now - last); last = now; }, 10);
    const t0 = performance.now();
    await f();
    const ms = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 20));
    clearInterval(timer);
    return { ms, lag: max };
  };
  try {
    const cold = await timed(() => runner.run({ kind: 'partition', input }));
    const inProcess: { ms: number; lag: number }[] = [], worker: { ms: number; lag: number }[] = [];
    for (let i = 0; i < (opts.runs ?? 3); i++) {
      inProcess.push(await timed(() => proposePartition(input)));
      worker.push(await timed(() => runner.run({ kind: 'partition', input })));
    }
    const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const row = (path: WorkerBenchRow['path'], xs: { ms: number; lag: number }[]) => ({ path, ms: median(xs.map((x) => x.ms)), maxLoopLagMs: Math.max(...xs.map((x) => x.lag)) });
    return { rows: [row('in-process', inProcess), row('worker thread', worker)], coldMs: cold.ms };
  } finally {
    await runner.close();
  }
}

export function partitionBenchMarkdown(rows: PartitionBenchRow[], refineRows: RefineBenchRow[] = [], worker?: { rows: WorkerBenchRow[]; coldMs: number }, rebalanceRows: RebalanceBenchRow[] = []): string[] {
  const f = (n: number, d = 0) => n.toFixed(d);
  const lines = [
    '## Grid editor: automatic partition (issue 11)',
    '',
    '"Partition this community" (core/grid-edit/propose.ts over core/partition.ts: units of whole buildings on a',
    'Voronoi cell complex, seeded recursive bisection, contiguity repair, household refinement, exact fit to the',
    'boundary). Band 200–300 households, seed 1. Baseline: the same engine with bisection only (no refinement).',
    'Steps = refinement moves considered (applied, or refused because the giving grid would fall apart).',
    '',
    '| community | buildings | households | path | ms | grids | in band | contiguous | PP mean | hh min–max | steps | steps/s |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(`| ${r.community} | ${r.buildings} | ${r.households} | ${r.path} | ${f(r.ms)} | ${r.grids} | ${r.inBand} | ${r.contiguous} | ${f(r.ppMean, 2)} | ${r.householdsMin}–${r.householdsMax} | ${r.steps} | ${r.steps ? f(r.stepsPerSec) : '–'} |`);
  }
  lines.push('', 'Targets: a contiguous in-band plan in ≤ 2 s and ≥ 1,000 refinement steps/s. Grids outside the band on the demo', 'communities hold a single building over the maximum (593, 455, 355, 320 households), or lie in a part of the community', 'whose households no number of grids can hold in the band (DEMO00002002: 337 households apart from the rest).', '');
  if (refineRows.length) lines.push(...refineBenchMarkdown(refineRows));
  if (rebalanceRows.length) lines.push(...rebalanceBenchMarkdown(rebalanceRows));
  if (worker) {
    lines.push(
      '### In the server: a worker thread',
      '',
      `The synthetic community's partition as the API runs it (warm worker; the first job also starts the worker: ${f(worker.coldMs)} ms)`,
      'against the engine called in-process. Loop lag = the longest the server\'s event loop waited for a turn meanwhile.',
      '',
      '| path | ms (median of 3) | max event-loop lag ms |',
      '|---|---|---|',
      ...worker.rows.map((r) => `| ${r.path} | ${f(r.ms)} | ${f(r.maxLoopLagMs)} |`),
      '',
    );
  }
  return lines;
}
