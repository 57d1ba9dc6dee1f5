// "Rebalance" (issue 11): from the current grids, move the fewest boundary buildings between
// neighbouring grids to bring every grid into the household band. Uses the partition engine's
// units (core/partition.ts buildUnits: whole buildings with their ground, over the cell complex)
// and its refinement (refineBalance, which takes the single best move at each step, so a layout
// one move from the band gets exactly one move). Only the moved buildings' ground changes hands:
// the giving grid loses the moved unit's cells, the taking grid gains the part of them that was
// in the giving grid, so every other boundary stays exactly where the analyst drew it. Pure.
import { area, bbox, booleanPointInPolygon, difference, feature, featureCollection, intersect, union } from '@turf/turf';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { buildUnits, cellComponents, refineBalance, type GroupUnit } from '../partition.js';
import { rebalanceAdvice } from './advice.js';
import { asMulti, type AreaGeometry, type Band, type BuildingMove, type DraftGrid, type GridFigures, type Quality, type RebalanceAdvice } from './contract.js';
import { quality } from './quality.js';
import { gridFigures, hasSelfIntersection, type ValidationBuilding } from './validate.js';

type AreaFeature = Feature<Polygon | MultiPolygon>;
const feat = (g: AreaGeometry) => feature(g) as AreaFeature;

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
  /** What moving buildings cannot fix (merge, split, a building over the maximum). */
  advice: RebalanceAdvice[];
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

const parts = (f: AreaFeature | null) => (!f ? 0 : f.geometry.type === 'Polygon' ? 1 : f.geometry.coordinates.length);

export function rebalance(input: RebalanceInput): RebalanceResult {
  const t0 = now();
  const { grids, buildings, band } = input;
  const m = buildUnits({ boundary: input.community, buildings: buildings.map((b) => ({ id: String(b.id), footprint: b.geometry, households: b.households })) });
  const { gridOf } = gridFigures(grids, buildings, band);
  const { cx } = m;
  const nCells = m.unitOfCell.length;

  // The engine's units cut by the analyst's lines: each cell belongs to the grid holding its seed,
  // and a piece is a connected run of cells of one unit in one grid. Pieces follow the drawn lines
  // (to the cells' resolution), so moving one changes just that piece of ground hands.
  const boxes = grids.map((g) => bbox(g.geometry));
  const cellGrid = new Int32Array(nCells).fill(-1);
  for (let c = 0; c < nCells; c++) {
    if (m.unitOfCell[c]! < 0) continue;
    const p = m.proj.toLonLat(cx.seeds[c]!);
    for (let i = 0; i < grids.length; i++) {
      const bb = boxes[i]!;
      if (p[0]! < bb[0] || p[0]! > bb[2] || p[1]! < bb[1] || p[1]! > bb[3]) continue;
      if (booleanPointInPolygon(p, grids[i]!.geometry)) { cellGrid[c] = i; break; }
    }
  }
  const pieceOfCell = cellComponents(cx, (c) => cellGrid[c]! >= 0 && m.unitOfCell[c]! >= 0,
    (x, y) => m.unitOfCell[x] === m.unitOfCell[y] && cellGrid[x] === cellGrid[y]);
  let np = 0;
  for (let c = 0; c < nCells; c++) if (pieceOfCell[c]! + 1 > np) np = pieceOfCell[c]! + 1;
  // A line through a building's ground leaves a bare strip of it on the far side; the strip goes
  // with the neighbouring piece (same grid) holding buildings that it shares most edges with, so
  // that piece reaches the line and can cross it.
  {
    const holds = new Uint8Array(np);
    const fragment = new Uint8Array(np);
    for (let i = 0; i < buildings.length; i++) { const c = m.cellOfBuilding[i]!; if (c >= 0 && pieceOfCell[c]! >= 0) holds[pieceOfCell[c]!] = 1; }
    for (let c = 0; c < nCells; c++) { const p = pieceOfCell[c]!; if (p >= 0 && !holds[p] && m.unitBuildings[m.unitOfCell[c]!]!.length > 0) fragment[p] = 1; }
    const links = new Map<number, Map<number, number>>();
    for (let c = 0; c < nCells; c++) {
      const p = pieceOfCell[c]!;
      if (p < 0 || !fragment[p]) continue;
      for (let k = cx.nbStart[c]!; k < cx.nbStart[c + 1]!; k++) {
        const d = cx.nbCell[k]!, q = pieceOfCell[d]!;
        if (q < 0 || !holds[q] || cellGrid[d] !== cellGrid[c]) continue;
        let mm = links.get(p);
        if (!mm) links.set(p, (mm = new Map()));
        mm.set(q, (mm.get(q) ?? 0) + 1);
      }
    }
    const to = new Int32Array(np).map((_, i) => i);
    for (const [p, mm] of links) { let best = -1, bl = 0; for (const [q, l] of mm) if (l > bl || (l === bl && q < best)) { best = q; bl = l; } to[p] = best; }
    const compact = new Map<number, number>();
    for (let c = 0; c < nCells; c++) {
      const p = pieceOfCell[c]!;
      if (p < 0) continue;
      const r = to[p]!;
      let k = compact.get(r);
      if (k === undefined) compact.set(r, (k = compact.size));
      pieceOfCell[c] = k;
    }
    np = compact.size;
  }
  const pieces: GroupUnit[] = Array.from({ length: np }, () => ({ x: 0, y: 0, households: 0, area: 0 }));
  const group = new Int32Array(np).fill(-1);
  const pieceBuildings: number[][] = Array.from({ length: np }, () => []);
  const adjSet = Array.from({ length: np }, () => new Set<number>());
  for (let c = 0; c < nCells; c++) {
    const p = pieceOfCell[c]!;
    if (p < 0) continue;
    group[p] = cellGrid[c]!;
    const u = pieces[p]!, a = cx.area[c]!, sd = cx.seeds[c]!;
    u.x = (u.x * u.area + sd[0] * a) / (u.area + a || 1);
    u.y = (u.y * u.area + sd[1] * a) / (u.area + a || 1);
    u.area += a;
    for (let k = cx.nbStart[c]!; k < cx.nbStart[c + 1]!; k++) { const q = pieceOfCell[cx.nbCell[k]!]!; if (q >= 0 && q !== p) adjSet[p]!.add(q); }
  }
  const adj = adjSet.map((st) => [...st].sort((x, y) => x - y));
  // A building goes with the piece holding its interior point; a building a line cuts (its own
  // cells in two grids, or its point's piece in another grid than the building) stays put.
  const stuck = new Uint8Array(np);
  const gridsOfBuilding = buildings.map(() => new Set<number>());
  for (let c = 0; c < nCells; c++) { const b = m.buildingOfCell[c]!; if (b >= 0 && cellGrid[c]! >= 0) gridsOfBuilding[b]!.add(cellGrid[c]!); }
  buildings.forEach((b, i) => {
    const c = m.cellOfBuilding[i]!;
    const p = c >= 0 ? pieceOfCell[c]! : -1;
    if (p < 0) return;
    pieces[p]!.households += b.households;
    pieceBuildings[p]!.push(i);
    if (gridOf[i] !== group[p] || gridsOfBuilding[m.overlapOf[i]!]!.size > 1) stuck[p] = 1;
  });
  const locked = new Set(input.lockedKeys ?? []);
  const fixedGroup = (g: number) => locked.has(grids[g]!.key) || !!grids[g]!.locked;
  const stats = { steps: 0, moves: 0 };

  // Pieces move on the cell complex and then on the drawn geometry: the giving grid loses the
  // piece's ground, the taking grid gains it. Should that leave a grid in pieces after all, the
  // piece is kept where it is and the plan made again without it (in the last round, such a move
  // is just not made).
  let geoms: (AreaFeature | null)[] = [];
  let cur = Int32Array.from(group);
  const changed = new Set<number>();
  for (let round = 0; round < 6; round++) {
    const ops: [number, number, number][] = [];
    refineBalance(pieces, adj, group, band, input.maxMoves ?? 1000, {
      fixed: fixedGroup,
      movable: (i) => !stuck[i] && pieces[i]!.households > 0,
      carry: (i) => !stuck[i],
      stats,
      onMove: (u, from, to) => ops.push([u, from, to]),
    });
    const movedPieces = [...new Set(ops.map((o) => o[0]))];
    const label = new Int32Array(np).fill(-1);
    movedPieces.forEach((u, k) => { label[u] = k; });
    const cellLabel = new Int32Array(nCells).fill(-1);
    if (movedPieces.length) for (let c = 0; c < nCells; c++) { const p = pieceOfCell[c]!; if (p >= 0) cellLabel[c] = label[p]!; }
    const regions = movedPieces.length ? m.cellGeometries(cellLabel, 0.5) : new Map<number, MultiPolygon>();
    geoms = grids.map((g) => feat(g.geometry));
    cur = Int32Array.from(group);
    changed.clear();
    let failed = false;
    for (const [u, from, to] of ops) {
      if (cur[u] !== from) continue; // a piece whose earlier move was not made
      const region = regions.get(label[u]!);
      const A = geoms[from]!, B = geoms[to]!;
      const piece = region ? intersect(featureCollection([feat(region), A])) : null;
      let rest = piece ? difference(featureCollection([A, feat(region!)])) : null;
      let gained: AreaFeature | null = piece ? union(featureCollection([B, piece])) : null;
      // Parts of a one-piece giving grid that the moved ground cut off go along with it.
      if (rest && parts(A) === 1 && rest.geometry.type === 'MultiPolygon' && rest.geometry.coordinates.length > 1) {
        const ps = rest.geometry.coordinates.map((c) => ({ c, a: area({ type: 'Polygon', coordinates: c }) })).sort((x, y) => y.a - x.a);
        rest = feature<Polygon>({ type: 'Polygon', coordinates: ps[0]!.c });
        for (const q of ps.slice(1)) gained = gained ? union(featureCollection([gained, feature<Polygon>({ type: 'Polygon', coordinates: q.c })])) : gained;
      }
      // Refused when a grid would fall into pieces or its outline touch itself (a pinch where the
      // moved ground meets the taking grid at a corner as well as along an edge).
      if (!piece || !rest || !gained || parts(rest) > parts(A) || parts(gained) > parts(B)
        || hasSelfIntersection(rest.geometry) || hasSelfIntersection(gained.geometry)) {
        failed = true;
        stuck[u] = 1;
        continue;
      }
      geoms[from] = rest;
      geoms[to] = gained;
      cur[u] = to;
      changed.add(from).add(to);
    }
    if (!failed) break;
  }

  const moves: BuildingMove[] = [];
  for (let u = 0; u < np; u++) {
    if (cur[u] === group[u]) continue;
    for (const b of pieceBuildings[u]!) moves.push({ buildingId: buildings[b]!.id, fromKey: grids[group[u]!]!.key, toKey: grids[cur[u]!]!.key, households: buildings[b]!.households });
  }
  const out: DraftGrid[] = grids.map((g, i) => (changed.has(i) && geoms[i] ? { ...g, geometry: asMulti(geoms[i]!.geometry) } : g));
  const after = gridFigures(out, buildings, band);
  const q = quality(out.map((g, i) => ({ geometry: g.geometry, households: after.figures[i]!.households })), band, moves.length, now() - t0);
  // Grids touch where their units do.
  const touches: [number, number][] = [];
  const seenPair = new Set<number>();
  for (let u = 0; u < np; u++) for (const v of adj[u]!) {
    const a = cur[u]!, b = cur[v]!;
    if (a < 0 || b < 0 || a >= b) continue;
    const k = a * grids.length + b;
    if (!seenPair.has(k)) { seenPair.add(k); touches.push([a, b]); }
  }
  const perGrid = out.map(() => [] as { id: number | string; households: number }[]);
  after.gridOf.forEach((g, b) => { if (g >= 0) perGrid[g]!.push({ id: buildings[b]!.id, households: buildings[b]!.households }); });
  const advice = rebalanceAdvice(out.map((g, i) => ({ key: g.key, households: after.figures[i]!.households, locked: fixedGroup(i), buildingHouseholds: perGrid[i]! })), touches, band);
  return { grids: out, moves, figures: after.figures, quality: q, stats, advice };
}
