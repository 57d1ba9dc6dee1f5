// The synthetic city's rows, table by table, as COPY text: divisions, grids, buildings with
// households, roads, facilities of the 16 service classes, Party organisations and grid staff.
// Each grid's contents come from its own random stream (hash of seed and grid index), so any table
// can be produced on its own and always gives the same rows. Ids of grids, buildings and Party
// organisations are `base + position`, the bases taken from the database's sequences. Pure.
import { rng } from '../random.js';
import { chunked, copyLine, copyText, lineWkt, pointWkt, rectWkt, type RectLike } from './copy.js';
import { hash3 } from './hash.js';
import { layoutCity, mPerDegLon, r7, type CityLayout, type GridCell } from './layout.js';
import { names, type NamePools } from './names.js';

export const SERVICE_CLASSES = [
  'education', 'child_care', 'health', 'pharmacy', 'elderly_care', 'culture', 'sports', 'commerce', 'food_market',
  'employment', 'social_security', 'community_centre', 'party_centre', 'public_safety', 'transit', 'park',
] as const;

/** Columns of each table, in the order the COPY lines give them. */
export const COLUMNS = {
  division: ['code', 'parent_code', 'level', 'name', 'geom', 'synthetic_geometry', 'code_source', 'dataset_id', 'props'],
  grid: ['id', 'code', 'name', 'community_code', 'geom', 'households', 'residents', 'synthetic', 'dataset_id', 'props'],
  building: ['id', 'dataset_id', 'name', 'kind', 'geom', 'height_m', 'min_height_m', 'levels', 'residential', 'households', 'residents', 'households_synthetic', 'grid_id', 'community_code', 'props'],
  road: ['dataset_id', 'name', 'kind', 'geom', 'length_m', 'walkable', 'footway', 'props'],
  facility: ['dataset_id', 'name', 'kind', 'service_class', 'geom', 'synthetic', 'grid_id', 'community_code', 'props'],
  party_org: ['id', 'parent_id', 'level', 'name', 'community_code', 'grid_id', 'building_id', 'members', 'synthetic', 'dataset_id'],
  grid_staff: ['grid_id', 'role', 'name', 'synthetic', 'dataset_id'],
} as const;

export interface IdBases { grid: number; building: number; partyOrg: number }

export interface Building {
  rect: RectLike;
  kind: string;
  residential: boolean;
  levels: number;
  households: number;
  residents: number;
}

const KINDS: [string, number, boolean][] = [
  ['residential', 0.62, true], ['apartments', 0.18, true], ['commercial', 0.08, false], ['retail', 0.05, false],
  ['office', 0.04, false], ['warehouse', 0.02, false], ['public', 0.01, false],
];
const M_PER_DEG_LAT = 110_574;

/** A grid's buildings (laid out on a sub-lattice well inside the grid) and their households. */
export function gridBuildings(seed: number, cell: GridCell): Building[] {
  const rand = rng(hash3(seed, cell.index, 1));
  const k = 20 + Math.floor(rand() * 27); // 20 … 46, mean 33
  const r = cell.rect;
  const lat = (r.y0 + r.y1) / 2;
  const wm = (r.x1 - r.x0) * mPerDegLon(lat);
  const hm = (r.y1 - r.y0) * M_PER_DEG_LAT;
  const cols = Math.max(1, Math.round(Math.sqrt((k * wm) / hm)));
  const rows = Math.ceil(k / cols);
  const cw = (r.x1 - r.x0) / cols;
  const ch = (r.y1 - r.y0) / rows;
  const out: Building[] = [];
  const weights: number[] = [];
  for (let i = 0; i < k; i++) {
    const cx = i % cols;
    const cy = Math.floor(i / cols);
    const mx = 0.15 + rand() * 0.15;
    const my = 0.15 + rand() * 0.15;
    const rect = {
      x0: r7(r.x0 + cw * (cx + mx)), x1: r7(r.x0 + cw * (cx + 1 - mx)),
      y0: r7(r.y0 + ch * (cy + my)), y1: r7(r.y0 + ch * (cy + 1 - my)),
    };
    let u = rand();
    let kind = KINDS[0]!;
    for (const kd of KINDS) { if (u < kd[1]) { kind = kd; break; } u -= kd[1]; }
    const tall = rand() < 0.12;
    const levels = kind[2] ? (tall ? 11 + Math.floor(rand() * 22) : 2 + Math.floor(rand() * 5)) : 1 + Math.floor(rand() * 8);
    out.push({ rect, kind: kind[0], residential: kind[2], levels, households: 0, residents: 0 });
    weights.push(kind[2] ? (rect.x1 - rect.x0) * (rect.y1 - rect.y0) * levels : 0);
  }
  // 200–300 households per grid, shared by floor area; every residential building has at least one.
  const target = Math.round(200 + rand() * 100);
  const total = weights.reduce((a, b) => a + b, 0);
  if (total > 0) {
    for (let i = 0; i < k; i++) {
      if (!out[i]!.residential) continue;
      const hh = Math.max(1, Math.round((target * weights[i]!) / total));
      out[i]!.households = hh;
      out[i]!.residents = Math.round(hh * 2.6);
    }
  }
  return out;
}

/** Everything needed to write the city's rows, computed once (small: per grid, not per building). */
export interface CityPlan {
  city: CityLayout;
  datasetId: string;
  ids: IdBases;
  /** Per grid: index of its first building; [grids] = total buildings. */
  buildingStart: Int32Array;
  households: Int32Array;
  residents: Int32Array;
  names: NamePools;
}

export function planCity(gridCount: number, seed: number, datasetId: string, ids: IdBases): CityPlan {
  const city = layoutCity(gridCount, seed);
  const n = city.grids.length;
  const buildingStart = new Int32Array(n + 1);
  const households = new Int32Array(n);
  const residents = new Int32Array(n);
  for (const g of city.grids) {
    const bs = gridBuildings(seed, g);
    buildingStart[g.index + 1] = buildingStart[g.index]! + bs.length;
    for (const b of bs) { households[g.index] = households[g.index]! + b.households; residents[g.index] = residents[g.index]! + b.residents; }
  }
  return { city, datasetId, ids, buildingStart, households, residents, names: names(seed) };
}

const json = (o: object) => copyText(JSON.stringify(o));

export function* divisionLines(p: CityPlan): Generator<string> {
  const { city } = p;
  for (const d of [...city.districts, ...city.subdistricts, ...city.communities]) {
    yield copyLine([d.code, d.parent, d.level, copyText(d.name), rectWkt(d.rect), true, 'synthetic', p.datasetId, json({ nameSynthetic: true, grids: d.gridEnd - d.gridStart })]);
  }
}

export function* gridLines(p: CityPlan): Generator<string> {
  for (const g of p.city.grids) {
    const community = p.city.communities[g.community]!;
    yield copyLine([p.ids.grid + g.index, g.code, copyText(g.name), community.code, rectWkt(g.rect), p.households[g.index]!, p.residents[g.index]!, true, p.datasetId,
      json({ buildings: p.buildingStart[g.index + 1]! - p.buildingStart[g.index]! })]);
  }
}

export function* buildingLines(p: CityPlan): Generator<string> {
  const seed = p.city.seed;
  for (const g of p.city.grids) {
    const community = p.city.communities[g.community]!.code;
    const bs = gridBuildings(seed, g);
    let id = p.ids.building + p.buildingStart[g.index]!;
    for (const b of bs) {
      yield copyLine([id++, p.datasetId, null, b.kind, rectWkt(b.rect), b.levels * 3, 0, b.levels, b.residential, b.households, b.residents, true,
        p.ids.grid + g.index, community, '{}']);
    }
  }
}

const lenM = (pts: readonly (readonly [number, number])[]) => {
  let m = 0;
  for (let i = 1; i < pts.length; i++) {
    const [x0, y0] = pts[i - 1]!;
    const [x1, y1] = pts[i]!;
    const dx = (x1 - x0) * mPerDegLon((y0 + y1) / 2);
    const dy = (y1 - y0) * M_PER_DEG_LAT;
    m += Math.sqrt(dx * dx + dy * dy);
  }
  return Math.round(m * 100) / 100;
};

/**
 * Streets along every grid edge of each community: the band edges as east–west streets (with a
 * vertex wherever a north–south street meets them, so the walking graph is noded), the community's
 * sides and the cell edges inside each band as north–south streets. Community sides are 'tertiary',
 * the rest 'residential'.
 */
export function* roadLines(p: CityPlan): Generator<string> {
  const { city } = p;
  let street = 0;
  for (let c = 0; c < city.communities.length; c++) {
    const { ys, xs } = city.plans[c]!;
    const rows = xs.length;
    const road = (pts: [number, number][], kind: string) =>
      copyLine([p.datasetId, copyText(p.names.street(street++)), kind, lineWkt(pts), lenM(pts), true, false, '{"synthetic":true}']);
    for (let k = 0; k <= rows; k++) {
      const set = new Set<number>([...(xs[k - 1] ?? []), ...(xs[k] ?? [])]);
      const pts = [...set].sort((a, b) => a - b).map((x): [number, number] => [x, ys[k]!]);
      yield road(pts, k === 0 || k === rows ? 'tertiary' : 'residential');
    }
    const x0 = xs[0]![0]!;
    const x1 = xs[0]![xs[0]!.length - 1]!;
    yield road(ys.map((y): [number, number] => [x0, y]), 'tertiary');
    yield road(ys.map((y): [number, number] => [x1, y]), 'tertiary');
    for (let k = 0; k < rows; k++) {
      const e = xs[k]!;
      for (let j = 1; j < e.length - 1; j++) yield road([[e[j]!, ys[k]!], [e[j]!, ys[k + 1]!]], 'residential');
    }
  }
}

/** Facilities per community (always a 党群服务中心 and a 社区服务中心) and per subdistrict (schools, clinics …). */
const PER_COMMUNITY: [string, number][] = [
  ['community_centre', 1], ['party_centre', 1], ['elderly_care', 0.9], ['commerce', 3], ['transit', 2], ['pharmacy', 0.8],
  ['food_market', 0.5], ['child_care', 0.6], ['sports', 0.5], ['park', 0.6], ['health', 0.3],
];
const PER_SUBDISTRICT: [string, number][] = [
  ['education', 3], ['health', 1], ['social_security', 1], ['employment', 1], ['culture', 1], ['public_safety', 1], ['park', 1], ['sports', 1],
];
const CLASS_NAME: Record<string, string> = {
  education: '学校', child_care: '幼儿园', health: '社区卫生服务站', pharmacy: '药店', elderly_care: '养老服务站', culture: '文化站',
  sports: '健身点', commerce: '便利店', food_market: '菜市场', employment: '就业服务站', social_security: '政务服务站',
  community_centre: '社区服务中心', party_centre: '党群服务中心', public_safety: '警务室', transit: '公交站', park: '口袋公园',
};

function* facilitiesIn(p: CityPlan, scope: { name: string; gridStart: number; gridEnd: number }, list: [string, number][], salt: number, key: number) {
  const rand = rng(hash3(p.city.seed, key, salt));
  for (const [cls, expected] of list) {
    const n = Math.floor(expected) + (rand() < expected - Math.floor(expected) ? 1 : 0);
    for (let i = 0; i < n; i++) {
      const g = p.city.grids[scope.gridStart + Math.floor(rand() * (scope.gridEnd - scope.gridStart))]!;
      const r = g.rect;
      const x = r7(r.x0 + (r.x1 - r.x0) * (0.05 + rand() * 0.9));
      const y = r7(r.y0 + (r.y1 - r.y0) * (0.05 + rand() * 0.9));
      const community = p.city.communities[g.community]!;
      yield copyLine([p.datasetId, copyText(`${scope.name}${CLASS_NAME[cls]}${n > 1 ? i + 1 : ''}（合成）`), cls, cls, pointWkt(x, y), true, p.ids.grid + g.index, community.code, '{}']);
    }
  }
}

export function* facilityLines(p: CityPlan): Generator<string> {
  for (let i = 0; i < p.city.communities.length; i++) yield* facilitiesIn(p, p.city.communities[i]!, PER_COMMUNITY, 2, i);
  for (let i = 0; i < p.city.subdistricts.length; i++) yield* facilitiesIn(p, p.city.subdistricts[i]!, PER_SUBDISTRICT, 3, i);
}

const CN_NUM = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
const cnOrdinal = (n: number) => (n <= 10 ? CN_NUM[n]! : n < 20 ? `十${CN_NUM[n - 10]}` : String(n));

/**
 * The Party tree: a committee per community, a branch per grid, two building groups per grid (in
 * its residential buildings) and a member household under each group. Ids are base + position, in
 * the order written, parents first.
 */
export function* partyOrgLines(p: CityPlan): Generator<string> {
  const { city } = p;
  let id = p.ids.partyOrg;
  for (const c of city.communities) {
    const rand = rng(hash3(city.seed, c.gridStart, 4));
    const committee = id++;
    yield copyLine([committee, null, 'community_committee', copyText(`中共${c.name}委员会`), c.code, null, null, 60 + Math.floor(rand() * 90), true, p.datasetId]);
    for (let g = c.gridStart; g < c.gridEnd; g++) {
      const gridId = p.ids.grid + g;
      const branch = id++;
      yield copyLine([branch, committee, 'grid_branch', copyText(`${c.name}第${cnOrdinal(g - c.gridStart + 1)}网格党支部`), c.code, gridId, null, 10 + Math.floor(rand() * 30), true, p.datasetId]);
      const bs = gridBuildings(city.seed, city.grids[g]!);
      const residential = bs.map((b, i) => (b.residential ? i : -1)).filter((i) => i >= 0);
      for (let k = 0; k < Math.min(2, residential.length); k++) {
        const bi = residential[Math.floor((k * residential.length) / 2)]!;
        const buildingId = p.ids.building + p.buildingStart[g]! + bi;
        const group = id++;
        yield copyLine([group, branch, 'building_group', copyText(`${cnOrdinal(bi + 1)}号楼楼栋党小组`), c.code, gridId, buildingId, 3 + Math.floor(rand() * 10), true, p.datasetId]);
        const person = p.names.person(Math.floor(rand() * 100_000));
        yield copyLine([id++, group, 'member_household', copyText(`党员中心户（${person[0]}**）`), c.code, gridId, buildingId, 1 + Math.floor(rand() * 3), true, p.datasetId]);
      }
    }
  }
}

/** 一格三员: a grid worker, a community worker and a property manager per grid. */
export function* staffLines(p: CityPlan): Generator<string> {
  for (const g of p.city.grids) {
    const rand = rng(hash3(p.city.seed, g.index, 5));
    for (const role of ['grid_worker', 'community_worker', 'property_manager']) {
      yield copyLine([p.ids.grid + g.index, role, copyText(p.names.person(Math.floor(rand() * 1_000_000))), true, p.datasetId]);
    }
  }
}

/** Rows the party tree will take (to reserve its ids before writing). */
export function partyOrgCount(p: CityPlan): number {
  let n = p.city.communities.length + p.city.grids.length;
  for (const g of p.city.grids) {
    const res = gridBuildings(p.city.seed, g).filter((b) => b.residential).length;
    n += 2 * Math.min(2, res);
  }
  return n;
}

export { chunked };
