// Per building: walking minutes to the nearest facility of a class (one multi-source pass). Per
// community, grid or district: the share of households and residents covered within the class's
// limit, a score across the classes and the classes an area lacks.
import type { CoverageCell } from './contract.js';
import type { Snap } from './graph.js';
import { pointsByEdge, sourceOf, type PackedPoints, type Searcher, type Source } from './search.js';

/** An area lacks a class when less than this share of its households reach one within the limit. */
export const LACK_BELOW = 0.5;

export interface ClassTimes {
  /** Minutes per point (Infinity = none within the cutoff, or the point reaches no edge). */
  minutes: Float64Array;
  /** Index into the facilities of the nearest one per point (-1 = none). */
  nearest: Int32Array;
  /** Facilities that reach no walkable edge (indices). */
  unreachable: number[];
  settled: number;
}

/**
 * Minutes from every point to its nearest facility: ONE bounded multi-source search from all
 * facilities of the class, then each point read off its snapped edge. cutoff in minutes. Points
 * packed once with pointsByEdge() are read faster when many classes use the same points.
 */
export function classTimes(
  searcher: Searcher, facilities: readonly (Snap | null)[], points: readonly (Snap | null)[] | PackedPoints,
  speedMps: number, cutoffMinutes: number,
): ClassTimes {
  const sources: Source[] = [];
  const index: number[] = [];
  const unreachable: number[] = [];
  facilities.forEach((f, i) => {
    if (f) { sources.push(sourceOf(f)); index.push(i); } else unreachable.push(i);
  });
  const packed = 'items' in points ? points : pointsByEdge(searcher.g, points);
  const minutes = new Float64Array(packed.size).fill(Infinity);
  const nearest = new Int32Array(packed.size).fill(-1);
  if (sources.length === 0) return { minutes, nearest, unreachable, settled: 0 };
  searcher.run(sources, cutoffMinutes * 60 * speedMps);
  searcher.pointDists(packed, minutes, nearest); // metres and source indices, then minutes and facility indices
  for (let j = 0; j < packed.items.length; j++) {
    const i = packed.items[j]!;
    const d = minutes[i]!;
    if (d !== Infinity) { minutes[i] = d / speedMps / 60; nearest[i] = index[nearest[i]!]!; }
  }
  return { minutes, nearest, unreachable, settled: searcher.settled };
}

export interface Household {
  households: number;
  residents: number;
}

export const emptyCell = (): CoverageCell => ({
  households: 0, residents: 0, coveredHouseholds: 0, coveredResidents: 0, householdsShare: null, residentsShare: null,
});

export function addTo(cell: CoverageCell, b: Household, covered: boolean): void {
  cell.households += b.households;
  cell.residents += b.residents;
  if (covered) { cell.coveredHouseholds += b.households; cell.coveredResidents += b.residents; }
}

export function finish(cell: CoverageCell): CoverageCell {
  cell.householdsShare = cell.households > 0 ? cell.coveredHouseholds / cell.households : null;
  cell.residentsShare = cell.residents > 0 ? cell.coveredResidents / cell.residents : null;
  return cell;
}

/** minutes ≤ limit (a tiny tolerance for float noise at exactly the limit). */
export const isCovered = (minutes: number, limit: number): boolean => minutes <= limit + 1e-9;

/**
 * One class's cells per group (community code, grid id as string …): the buildings whose group is
 * null count only in the total.
 */
export function classCells(
  buildings: readonly Household[], groupOf: (i: number) => string | null,
  minutes: ArrayLike<number>, limit: number,
): { groups: Map<string, CoverageCell>; total: CoverageCell } {
  const groups = new Map<string, CoverageCell>();
  const total = emptyCell();
  for (let i = 0; i < buildings.length; i++) {
    const b = buildings[i]!;
    if (b.households <= 0 && b.residents <= 0) continue;
    const cov = isCovered(minutes[i]!, limit);
    addTo(total, b, cov);
    const k = groupOf(i);
    if (k === null) continue;
    let c = groups.get(k);
    if (!c) { c = emptyCell(); groups.set(k, c); }
    addTo(c, b, cov);
  }
  for (const c of groups.values()) finish(c);
  finish(total);
  return { groups, total };
}

/** Mean share of households over the classes (a class with no households counts 0); null with none. */
export function score(cells: Record<string, CoverageCell>, classes: readonly string[]): number | null {
  let households = 0, sum = 0;
  for (const c of classes) {
    const cell = cells[c];
    if (!cell) continue;
    households = Math.max(households, cell.households);
    sum += cell.householdsShare ?? 0;
  }
  return households > 0 && classes.length > 0 ? sum / classes.length : null;
}

/** Classes below LACK_BELOW for an area with households. */
export function lacks(cells: Record<string, CoverageCell>, classes: readonly string[]): string[] {
  return classes.filter((c) => {
    const cell = cells[c];
    return cell !== undefined && cell.households > 0 && (cell.householdsShare ?? 0) < LACK_BELOW;
  });
}
