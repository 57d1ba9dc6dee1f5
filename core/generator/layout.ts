// The synthetic city's plan: a rectangle cut, level by level, into districts › subdistricts (街道) ›
// communities (社区) › grids (网格). Every cut splits a rectangle into row bands and each band into
// cells, with areas proportional to the children's weights, so children tile their parent exactly
// (shared edges are the same numbers) and every level is a clean rectangle. Pure and deterministic.
import { rng } from '../random.js';
import { names } from './names.js';

export interface Rect { x0: number; y0: number; x1: number; y1: number }

export type Level = 'district' | 'subdistrict' | 'community';

export interface DivisionNode {
  code: string;
  parent: string | null;
  level: Level;
  name: string;
  rect: Rect;
  /** Index range of the grids inside it: [first, end). */
  gridStart: number;
  gridEnd: number;
  /** Index range of its children in the next level's array: [first, end) (communities: none). */
  childStart: number;
  childEnd: number;
}

export interface GridCell {
  index: number;
  code: string;
  name: string;
  /** Index of its community in `communities`. */
  community: number;
  rect: Rect;
  /** Relative density (0.6 … 1.4): households and incidents scale with it. */
  density: number;
}

/** A community's street plan: its row bands and, per band, the x of its cell edges (grid edges). */
export interface CommunityPlan { ys: number[]; xs: number[][] }

export interface CityLayout {
  seed: number;
  prefix: string;
  name: string;
  bbox: Rect;
  districts: DivisionNode[];
  subdistricts: DivisionNode[];
  communities: DivisionNode[];
  plans: CommunityPlan[];
  grids: GridCell[];
}

/** Centre of the synthetic city (a fictional place: nothing real is meant). */
export const CITY_CENTRE: readonly [number, number] = [112.9, 28.2];
/** Average grid ≈ 150 m × 150 m. */
const GRID_M2 = 150 * 150;
const M_PER_DEG_LAT = 110_574;
export const mPerDegLon = (lat: number) => 111_320 * Math.cos((lat * Math.PI) / 180);

/** Coordinates are kept at 1e-7° (≈1 cm): written as text, read back as the same numbers. */
export const r7 = (v: number) => Math.round(v * 1e7) / 1e7;

/** n items into k nearly equal parts (first parts get the remainder last, stably). */
export function evenSplit(n: number, k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < k; i++) out.push(Math.floor((n * (i + 1)) / k) - Math.floor((n * i) / k));
  return out;
}

/**
 * Cut `rect` into weights.length rectangles: rows chosen so cells come out near square (in metres),
 * children assigned to rows in order, row heights ∝ the row's weight, widths ∝ weight. Returns the
 * rectangles and the plan (row edges, per row the cell edges). Ends are the parent's own numbers.
 */
export function splitRect(rect: Rect, weights: readonly number[]): { rects: Rect[]; plan: CommunityPlan } {
  const k = weights.length;
  const lat = (rect.y0 + rect.y1) / 2;
  const wm = (rect.x1 - rect.x0) * mPerDegLon(lat);
  const hm = (rect.y1 - rect.y0) * M_PER_DEG_LAT;
  const rows = Math.min(k, Math.max(1, Math.round(Math.sqrt((k * hm) / wm))));
  const perRow = evenSplit(k, rows);
  const total = weights.reduce((a, b) => a + b, 0);
  const ys = [rect.y0];
  let acc = 0;
  let i = 0;
  const rowRanges: [number, number][] = [];
  for (let r = 0; r < rows; r++) {
    const start = i;
    for (let j = 0; j < perRow[r]!; j++) acc += weights[i++]!;
    rowRanges.push([start, i]);
    ys.push(r === rows - 1 ? rect.y1 : r7(rect.y0 + ((rect.y1 - rect.y0) * acc) / total));
  }
  const rects: Rect[] = [];
  const xs: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const [a, b] = rowRanges[r]!;
    let rowTotal = 0;
    for (let j = a; j < b; j++) rowTotal += weights[j]!;
    const edges = [rect.x0];
    let s = 0;
    for (let j = a; j < b; j++) {
      s += weights[j]!;
      edges.push(j === b - 1 ? rect.x1 : r7(rect.x0 + ((rect.x1 - rect.x0) * s) / rowTotal));
    }
    xs.push(edges);
    for (let j = 0; j < b - a; j++) rects.push({ x0: edges[j]!, y0: ys[r]!, x1: edges[j + 1]!, y1: ys[r + 1]! });
  }
  return { rects, plan: { ys, xs } };
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** The whole plan for `gridCount` grids and `seed`. */
export function layoutCity(gridCount: number, seed: number): CityLayout {
  const rand = rng(seed ^ 0x5eed_c17);
  const nm = names(seed);
  const prefix = `SC${seed}-`;
  const [cx, cy] = CITY_CENTRE;
  const areaM2 = gridCount * GRID_M2;
  const wM = Math.sqrt(areaM2 * 1.25);
  const hM = areaM2 / wM;
  const bbox: Rect = {
    x0: r7(cx - wM / 2 / mPerDegLon(cy)), x1: r7(cx + wM / 2 / mPerDegLon(cy)),
    y0: r7(cy - hM / 2 / M_PER_DEG_LAT), y1: r7(cy + hM / 2 / M_PER_DEG_LAT),
  };
  const districts: DivisionNode[] = [];
  const subdistricts: DivisionNode[] = [];
  const communities: DivisionNode[] = [];
  const plans: CommunityPlan[] = [];
  const grids: GridCell[] = [];

  const dCounts = evenSplit(gridCount, Math.max(1, Math.round(gridCount / 2400)));
  const dRects = splitRect(bbox, dCounts).rects;
  dCounts.forEach((dn, d) => {
    const dCode = `${prefix}${pad(d + 1, 2)}`;
    const dName = nm.district(d);
    const dNode: DivisionNode = { code: dCode, parent: null, level: 'district', name: dName, rect: dRects[d]!, gridStart: grids.length, gridEnd: 0, childStart: subdistricts.length, childEnd: 0 };
    districts.push(dNode);
    const sCounts = evenSplit(dn, Math.max(1, Math.round(dn / 150)));
    const sRects = splitRect(dNode.rect, sCounts).rects;
    sCounts.forEach((sn, s) => {
      const sCode = `${dCode}${pad(s + 1, 3)}`;
      const sName = nm.subdistrict(d * 1000 + s);
      const sNode: DivisionNode = { code: sCode, parent: dCode, level: 'subdistrict', name: sName, rect: sRects[s]!, gridStart: grids.length, gridEnd: 0, childStart: communities.length, childEnd: 0 };
      subdistricts.push(sNode);
      const cCounts = evenSplit(sn, Math.max(1, Math.round(sn / 8)));
      const cRects = splitRect(sNode.rect, cCounts).rects;
      cCounts.forEach((cn, c) => {
        const cCode = `${sCode}${pad(c + 1, 3)}`;
        const cName = nm.community(subdistricts.length * 1000 + c);
        const cNode: DivisionNode = { code: cCode, parent: sCode, level: 'community', name: cName, rect: cRects[c]!, gridStart: grids.length, gridEnd: 0, childStart: 0, childEnd: 0 };
        const weights = Array.from({ length: cn }, () => 0.75 + rand() * 0.5);
        const split = splitRect(cNode.rect, weights);
        plans.push(split.plan);
        split.rects.forEach((rect, g) => {
          grids.push({
            index: grids.length, code: `${cCode}-${pad(g + 1, 2)}`, name: `${sName}·${cName}·第${pad(g + 1, 2)}网格`,
            community: communities.length, rect, density: 0.6 + rand() * 0.8,
          });
        });
        cNode.gridEnd = grids.length;
        communities.push(cNode);
      });
      sNode.gridEnd = grids.length;
      sNode.childEnd = communities.length;
    });
    dNode.gridEnd = grids.length;
    dNode.childEnd = subdistricts.length;
  });
  return { seed, prefix, name: nm.city(), bbox, districts, subdistricts, communities, plans, grids };
}

const inside = (r: Rect, x: number, y: number) => x > r.x0 && x < r.x1 && y > r.y0 && y < r.y1;

/**
 * The grid whose interior holds (x, y), by descending the tree; -1 when the point is outside the
 * city or on an edge (a point on a shared edge would belong to two grids).
 */
export function locate(city: CityLayout, x: number, y: number): number {
  if (!inside(city.bbox, x, y)) return -1;
  let d: DivisionNode | undefined;
  for (const n of city.districts) if (x >= n.rect.x0 && x <= n.rect.x1 && y >= n.rect.y0 && y <= n.rect.y1) { d = n; break; }
  if (!d) return -1;
  for (let s = d.childStart; s < d.childEnd; s++) {
    const sn = city.subdistricts[s]!;
    if (x < sn.rect.x0 || x > sn.rect.x1 || y < sn.rect.y0 || y > sn.rect.y1) continue;
    for (let c = sn.childStart; c < sn.childEnd; c++) {
      const cn = city.communities[c]!;
      if (x < cn.rect.x0 || x > cn.rect.x1 || y < cn.rect.y0 || y > cn.rect.y1) continue;
      for (let g = cn.gridStart; g < cn.gridEnd; g++) if (inside(city.grids[g]!.rect, x, y)) return g;
      return -1;
    }
    return -1;
  }
  return -1;
}
