// "Rebalance" (issue 11): from the current grids, move the fewest boundary buildings between
// neighbouring grids to bring every grid into the household band. Uses the partition engine's
// units (core/partition.ts buildUnits: whole buildings with their ground, over the cell complex)
// and its refinement (refineBalance, which takes the single best move at each step, so a layout
// one move from the band gets exactly one move). Only the moved buildings' ground changes hands:
// the giving grid loses the moved unit's cells, the taking grid gains the part of them that was
// in the giving grid, so every other boundary stays exactly where the analyst drew it. Pure.
import { area, booleanPointInPolygon, difference, feature, featureCollection, intersect, union } from '@turf/turf';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { buildUnits, refineBalance } from '../partition.js';
import type { AreaGeometry, Band, BuildingMove, DraftGrid, GridFigures, Quality } from './contract.js';
import { quality } from './quality.js';
import { gridFigures, type ValidationBuilding } from './validate.js';

type AreaFeature = Feature<Polygon | MultiPolygon>;
const feat = (g: AreaGeometry) => feature(g) as AreaFeature;
const asMulti = (g: Polygon | MultiPolygon): MultiPolygon => (g.type === 'Polygon' ? { type: 'MultiPolygon', coordinates: [g.coordinates] } : g);

export interface RebalanceInput {
  community: AreaGeometry;
  grids: readonly DraftGrid[];
  buildings: readonly ValidationBuilding[];
  band: Band;
  /** Grids that neither give nor take buildings. */
  lockedKeys?: readonly string[];
  /** Moves at most (default 1000). */
  maxMoves?: number;
}

export interface RebalanceResult {
  grids: DraftGrid[];
  moves: BuildingMove[];
  figures: GridFigures[];
  quality: Quality;
  stats: { steps: number; moves: number };
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export function rebalance(input: RebalanceInput): RebalanceResult {
  const t0 = now();
  const { grids, buildings, band } = input;
  const m = buildUnits({ boundary: input.community, buildings: buildings.map((b) => ({ id: String(b.id), footprint: b.geometry, households: b.households })) });
  const { gridOf } = gridFigures(grids, buildings, band);
  // Group of each unit: the grid of its buildings (interior points), or for bare ground the grid holding its centre.
  const group = new Int32Array(m.units.length).fill(-1);
  m.units.forEach((u, i) => {
    const bs = m.unitBuildings[i]!;
    if (bs.length) { group[i] = gridOf[bs[0]!]!; return; }
    const c = m.proj.toLonLat([u.x, u.y]);
    group[i] = grids.findIndex((g) => booleanPointInPolygon(c, g.geometry));
  });
  const locked = new Set(input.lockedKeys ?? []);
  const fixedGroup = (g: number) => locked.has(grids[g]!.key) || !!grids[g]!.locked;
  const stats = { steps: 0, moves: 0 };
  const after = refineBalance(m.units, m.adj, group, band, input.maxMoves ?? 1000, {
    fixed: fixedGroup,
    // A unit whose buildings are not all in its grid (a building cut by a line) stays put.
    movable: (i) => m.units[i]!.households > 0 && m.unitBuildings[i]!.every((b) => gridOf[b] === group[i]),
    stats,
  });

  // Net moves, and the moved units' regions in one pass over the cell complex.
  const movedUnits: number[] = [];
  for (let i = 0; i < m.units.length; i++) if (after[i] !== group[i]) movedUnits.push(i);
  const label = new Int32Array(m.units.length).fill(-1);
  movedUnits.forEach((u, k) => { label[u] = k; });
  const regions = movedUnits.length ? m.geometries(label, 0.5) : new Map<number, MultiPolygon>();
  const geoms: (AreaFeature | null)[] = grids.map((g) => feat(g.geometry));
  const moves: BuildingMove[] = [];
  const changed = new Set<number>();
  movedUnits.forEach((u, k) => {
    const from = group[u]!, to = after[u]!;
    const region = regions.get(k);
    const A = geoms[from], B = geoms[to];
    if (!region || !A || !B) return;
    const piece = intersect(featureCollection([feat(region), A]));
    let rest = difference(featureCollection([A, feat(region)]));
    let gained: AreaFeature | null = piece ? union(featureCollection([B, piece])) : B;
    // Parts of the giving grid the moved ground cut off from its main part go along with it.
    if (rest && rest.geometry.type === 'MultiPolygon' && rest.geometry.coordinates.length > 1) {
      const parts = rest.geometry.coordinates.map((c) => ({ c, a: area({ type: 'Polygon', coordinates: c }) })).sort((x, y) => y.a - x.a);
      rest = feature<Polygon>({ type: 'Polygon', coordinates: parts[0]!.c });
      for (const p of parts.slice(1)) gained = gained ? union(featureCollection([gained, feature<Polygon>({ type: 'Polygon', coordinates: p.c })])) : gained;
    }
    geoms[from] = rest;
    geoms[to] = gained;
    changed.add(from).add(to);
    for (const b of m.unitBuildings[u]!) {
      moves.push({ buildingId: buildings[b]!.id, fromKey: grids[from]!.key, toKey: grids[to]!.key, households: buildings[b]!.households });
    }
  });
  const out: DraftGrid[] = grids.map((g, i) => (changed.has(i) && geoms[i] ? { ...g, geometry: asMulti(geoms[i]!.geometry) } : g));
  const { figures } = gridFigures(out, buildings, band);
  const q = quality(out.map((g, i) => ({ geometry: g.geometry, households: figures[i]!.households })), band, moves.length, now() - t0);
  return { grids: out, moves, figures, quality: q, stats };
}
