// Validation of a community's grid layout (issue 11), pure: the same rules the server checks
// authoritatively in PostGIS (server/grids/validate.sql), run live in the browser while drawing.
//
// Rules, each a Problem with a stable code:
//   empty, too_many_vertices, invalid_geometry, self_intersection   per grid
//   overlap            two grids share more than AREA_TOLERANCE_M2
//   gap                part of the community in no grid (> AREA_TOLERANCE_M2)
//   outside_community  part of a grid outside the community (> AREA_TOLERANCE_M2)
//   nesting            the community reaches outside its subdistrict / the subdistrict outside its district
//   cuts_building      a building with more than its tolerance in two or more grids: a boundary runs
//                      through its interior (tolerance: CUT_TOLERANCE_M × half its perimeter, the area of a
//                      sliver CUT_TOLERANCE_M deep along one long side)
//   out_of_band        households (buildings by interior point, as ST_PointOnSurface) outside the band
// Areas are geodesic square metres (turf), as PostGIS ST_Area(geography) on the server.
import { area, booleanPointInPolygon, difference, featureCollection, feature, intersect, kinks, length, polygonToLine, union } from '@turf/turf';
import Flatbush from 'flatbush';
import type { Feature, Geometry, MultiPolygon, Polygon, Position } from 'geojson';
import { interiorPoint, segmentsIntersect, type XY } from '../partition.js';
import {
  AREA_TOLERANCE_M2, BLOCKING_PROBLEMS, CUT_TOLERANCE_M, MAX_GRID_VERTICES,
  type AreaGeometry, type Band, type DraftGrid, type GridFigures, type Problem, type Validation,
} from './contract.js';

export interface ValidationBuilding {
  id: number | string;
  name?: string | null;
  geometry: AreaGeometry;
  households: number;
  residents: number;
}

export interface ValidationParent {
  level: 'subdistrict' | 'district';
  name: string;
  geometry: AreaGeometry | null;
}

export interface ValidateInput {
  grids: readonly DraftGrid[];
  community: AreaGeometry;
  /** The community's subdistrict and district, innermost first, for the nesting check. */
  parents?: readonly ValidationParent[];
  buildings: readonly ValidationBuilding[];
  band: Band;
}

const polysOf = (g: AreaGeometry): Position[][][] => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates);
const m2 = (a: number) => (a >= 10 ? String(Math.round(a)) : a.toFixed(1));

export function countVertices(g: AreaGeometry): number {
  let n = 0;
  for (const p of polysOf(g)) for (const r of p) n += r.length;
  return n;
}

/** Structural problems turf's overlay cannot work with: unclosed/short rings, NaN, holes outside their shell. */
export function structuralProblem(g: AreaGeometry): string | null {
  for (const p of polysOf(g)) {
    for (const r of p) {
      if (r.length < 4) return '环的顶点少于 4 个';
      const a = r[0]!, b = r.at(-1)!;
      if (a[0] !== b[0] || a[1] !== b[1]) return '环未闭合';
      for (const c of r) if (!Number.isFinite(c[0]) || !Number.isFinite(c[1]) || Math.abs(c[0]!) > 180 || Math.abs(c[1]!) > 90) return '坐标不是经纬度';
    }
    const shell = feature<Polygon>({ type: 'Polygon', coordinates: [p[0]!] });
    for (const hole of p.slice(1)) {
      if (!hole.every((c) => booleanPointInPolygon(c, shell, { ignoreBoundary: false }))) return '内环（洞）在外环之外';
    }
  }
  return null;
}

export function hasSelfIntersection(g: AreaGeometry): boolean {
  for (const p of polysOf(g)) {
    const f = feature<Polygon>({ type: 'Polygon', coordinates: p });
    if (kinks(f).features.length > 0) return true;
  }
  // Parts of a MultiPolygon must not overlap either.
  const ps = polysOf(g);
  for (let i = 0; i < ps.length; i++) for (let j = i + 1; j < ps.length; j++) {
    const x = intersect(featureCollection([feature<Polygon>({ type: 'Polygon', coordinates: ps[i]! }), feature<Polygon>({ type: 'Polygon', coordinates: ps[j]! })]));
    if (x && area(x) > AREA_TOLERANCE_M2) return true;
  }
  return false;
}

type AreaFeature = Feature<Polygon | MultiPolygon>;

/** Problem geometry: polygons only, null when nothing is left. */
const areaGeom = (f: AreaFeature | null): Geometry | null => (f ? f.geometry : null);

function bboxOf(g: AreaGeometry): [number, number, number, number] {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const p of polysOf(g)) for (const c of p[0]!) { x0 = Math.min(x0, c[0]!); y0 = Math.min(y0, c[1]!); x1 = Math.max(x1, c[0]!); y1 = Math.max(y1, c[1]!); }
  return [x0, y0, x1, y1];
}

function segments(g: AreaGeometry): [XY, XY][] {
  const out: [XY, XY][] = [];
  for (const p of polysOf(g)) for (const r of p) for (let i = 0; i + 1 < r.length; i++) out.push([[r[i]![0]!, r[i]![1]!], [r[i + 1]![0]!, r[i + 1]![1]!]]);
  return out;
}

/** Tolerance area of a building: a sliver CUT_TOLERANCE_M deep along half its perimeter. */
export function cutToleranceM2(b: AreaGeometry): number {
  const perimeterM = length(polygonToLine(feature(b)) as Feature, { units: 'meters' });
  return (CUT_TOLERANCE_M * perimeterM) / 2;
}

/** Households, residents and buildings of each grid: a building counts where its interior point is. */
export function gridFigures(grids: readonly DraftGrid[], buildings: readonly ValidationBuilding[], band: Band, usable?: readonly boolean[]): { figures: GridFigures[]; gridOf: number[] } {
  const figures = grids.map((g) => ({ key: g.key, households: 0, residents: 0, buildings: 0, inBand: false }));
  const boxes = grids.map((g) => bboxOf(g.geometry));
  const gridOf = buildings.map((b) => {
    const p = interiorPoint(b.geometry);
    for (let i = 0; i < grids.length; i++) {
      if (usable && !usable[i]) continue;
      const bb = boxes[i]!;
      if (p[0]! < bb[0] || p[0]! > bb[2] || p[1]! < bb[1] || p[1]! > bb[3]) continue;
      if (booleanPointInPolygon(p, grids[i]!.geometry)) {
        const f = figures[i]!;
        f.households += b.households; f.residents += b.residents; f.buildings++;
        return i;
      }
    }
    return -1;
  });
  for (const f of figures) f.inBand = f.households >= band.min && f.households <= band.max;
  return { figures, gridOf };
}

export function validateGrids(input: ValidateInput): Validation {
  const { grids, band } = input;
  const problems: Problem[] = [];
  const label = (g: DraftGrid) => `网格「${g.name}」`;
  const usable: boolean[] = grids.map(() => false);

  // Per grid: vertices, emptiness, structure, self-intersection.
  grids.forEach((g, i) => {
    const n = countVertices(g.geometry);
    if (n > MAX_GRID_VERTICES) {
      problems.push({ code: 'too_many_vertices', message: `${label(g)}有 ${n} 个顶点，超过上限 ${MAX_GRID_VERTICES}`, gridKeys: [g.key], geometry: null });
      return;
    }
    const s = structuralProblem(g.geometry);
    if (s) { problems.push({ code: 'invalid_geometry', message: `${label(g)}几何无效：${s}`, gridKeys: [g.key], geometry: null }); return; }
    if (hasSelfIntersection(g.geometry)) {
      const k = polysOf(g.geometry).flatMap((p) => kinks(feature<Polygon>({ type: 'Polygon', coordinates: p })).features);
      problems.push({
        code: 'self_intersection', message: `${label(g)}的边界自相交`, gridKeys: [g.key],
        geometry: k.length ? { type: 'MultiPoint', coordinates: k.map((f) => f.geometry.coordinates) } : g.geometry,
      });
      return;
    }
    if (area(g.geometry) <= AREA_TOLERANCE_M2) {
      problems.push({ code: 'empty', message: `${label(g)}没有面积`, gridKeys: [g.key], geometry: null });
      return;
    }
    usable[i] = true;
  });
  const ok = grids.map((g, i) => ({ g, i })).filter((x) => usable[x.i]);
  const feat = (g: AreaGeometry) => feature(g) as AreaFeature;

  // Overlaps between grids (bbox-filtered pairs).
  const boxes = grids.map((g) => bboxOf(g.geometry));
  for (let a = 0; a < ok.length; a++) for (let b = a + 1; b < ok.length; b++) {
    const A = ok[a]!, B = ok[b]!;
    const p = boxes[A.i]!, q = boxes[B.i]!;
    if (p[0] > q[2] || q[0] > p[2] || p[1] > q[3] || q[1] > p[3]) continue;
    const x = intersect(featureCollection([feat(A.g.geometry), feat(B.g.geometry)]));
    const ar = x ? area(x) : 0;
    if (ar > AREA_TOLERANCE_M2) {
      problems.push({ code: 'overlap', message: `${label(A.g)}与${label(B.g)}重叠 ${m2(ar)} 平方米`, gridKeys: [A.g.key, B.g.key], geometry: areaGeom(x) });
    }
  }

  // Parts outside the community, and gaps inside it.
  const community = feat(input.community);
  for (const { g } of ok) {
    const out = difference(featureCollection([feat(g.geometry), community]));
    const ar = out ? area(out) : 0;
    if (ar > AREA_TOLERANCE_M2) problems.push({ code: 'outside_community', message: `${label(g)}有 ${m2(ar)} 平方米超出社区边界`, gridKeys: [g.key], geometry: areaGeom(out) });
  }
  if (ok.length === grids.length) {
    const all = ok.length === 0 ? null : ok.length === 1 ? feat(ok[0]!.g.geometry) : union(featureCollection(ok.map((x) => feat(x.g.geometry))));
    const gaps = all ? difference(featureCollection([community, all])) : community;
    if (gaps) {
      const parts = gaps.geometry.type === 'Polygon' ? [gaps.geometry.coordinates] : gaps.geometry.coordinates;
      const big = parts.filter((p) => area({ type: 'Polygon', coordinates: p }) > AREA_TOLERANCE_M2);
      const ar = big.reduce((s, p) => s + area({ type: 'Polygon', coordinates: p }), 0);
      if (big.length) problems.push({ code: 'gap', message: `社区内有 ${m2(ar)} 平方米（${big.length} 处）未划入任何网格`, gridKeys: [], geometry: { type: 'MultiPolygon', coordinates: big } });
    }
  }

  // Nesting: community ⊂ subdistrict ⊂ district.
  let inner: { name: string; g: AreaGeometry } = { name: '社区', g: input.community };
  for (const parent of input.parents ?? []) {
    if (!parent.geometry) continue;
    const out = difference(featureCollection([feat(inner.g), feat(parent.geometry)]));
    const ar = out ? area(out) : 0;
    if (ar > AREA_TOLERANCE_M2) {
      problems.push({ code: 'nesting', message: `${inner.name}有 ${m2(ar)} 平方米超出所属${parent.level === 'subdistrict' ? '街道' : '区'}「${parent.name}」`, gridKeys: [], geometry: areaGeom(out) });
    }
    inner = { name: `${parent.level === 'subdistrict' ? '街道' : '区'}「${parent.name}」`, g: parent.geometry };
  }

  // Buildings cut by a grid boundary: only buildings an edge of a grid crosses are measured.
  problems.push(...cutBuildings(ok.map((x) => x.g), input.buildings));

  // Household band.
  const { figures } = gridFigures(grids, input.buildings, band, usable);
  figures.forEach((f, i) => {
    if (f.inBand || !usable[i]) return;
    problems.push({
      code: 'out_of_band', message: `${label(grids[i]!)}有 ${f.households} 户，不在 ${band.min}–${band.max} 户范围内`,
      gridKeys: [f.key], geometry: null,
    });
  });

  return { ok: !problems.some((p) => BLOCKING_PROBLEMS.includes(p.code)), problems, grids: figures };
}

/** Buildings with more than their tolerance in two or more grids. */
export function cutBuildings(grids: readonly DraftGrid[], buildings: readonly ValidationBuilding[]): Problem[] {
  const segs: { s: [XY, XY]; g: number }[] = [];
  grids.forEach((g, i) => { for (const s of segments(g.geometry)) segs.push({ s, g: i }); });
  if (segs.length === 0) return [];
  const idx = new Flatbush(segs.length);
  for (const { s: [a, b] } of segs) idx.add(Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1]));
  idx.finish();
  const out: Problem[] = [];
  for (const b of buildings) {
    const [x0, y0, x1, y1] = bboxOf(b.geometry);
    const near = idx.search(x0, y0, x1, y1);
    if (near.length === 0) continue;
    const bsegs = segments(b.geometry);
    const crossing = new Set<number>();
    for (const j of near) {
      const { s: [p, q], g } = segs[j]!;
      if (crossing.has(g)) continue;
      if (bsegs.some(([r, u]) => segmentsIntersect(p, q, r, u))) crossing.add(g);
    }
    if (crossing.size === 0) continue;
    const tol = cutToleranceM2(b.geometry);
    const bf = feature(b.geometry) as AreaFeature;
    const holders: number[] = [];
    // Grids the building lies in without an edge crossing can hold it too (one grid, another crossing).
    const candidates = new Set<number>(crossing);
    const ip = interiorPoint(b.geometry);
    grids.forEach((g, i) => { if (!candidates.has(i) && booleanPointInPolygon(ip, g.geometry)) candidates.add(i); });
    for (const i of [...candidates].sort((a, c) => a - c)) {
      const x = intersect(featureCollection([bf, feature(grids[i]!.geometry) as AreaFeature]));
      if (x && area(x) > tol) holders.push(i);
    }
    if (holders.length >= 2) {
      const name = b.name ? `楼栋「${b.name}」` : `楼栋 #${b.id}`;
      out.push({
        code: 'cuts_building', message: `${holders.map((i) => `网格「${grids[i]!.name}」`).join('与')}的边界穿过${name}`,
        gridKeys: holders.map((i) => grids[i]!.key), geometry: b.geometry, buildingId: b.id,
      });
    }
  }
  return out;
}
