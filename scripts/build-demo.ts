// Builds the demo district geojson/demo/ from the real OpenStreetMap extract of the Bund and
// Lujiazui (Tilezen tiles, "© OpenStreetMap contributors", ODbL). Deterministic: the same input
// gives byte-identical output (seeded PRNG, no clock).
//
//   npx tsx scripts/build-demo.ts [dataDir]      (default /work/shared/data)
//
// Real (OSM): buildings, roads, water, landuse, transit, places, district boundary lines, and the
// facilities that exist as POIs. Synthetic (derived, flagged): division and grid boundaries,
// household estimates, a few facilities of classes with no OSM point, Party organisations, staff.
import * as turf from '@turf/turf';
import Flatbush from 'flatbush';
import type { Feature, FeatureCollection, Geometry, LineString, MultiPolygon, Polygon, Position } from 'geojson';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { estimateBuilding, type ResidentialBasis } from '../core/households.js';
import {
  buildCellComplex, cellComponents, chooseGroupCount, Coverage, GRID_TARGET, groupUnits, growLabels, interiorPoint,
  jitter, lineSeeds, localProjection, orientRing, pointInRings, ringSeeds, SegmentIndex, thinSeeds,
  type Box, type GroupUnit, type XY,
} from '../core/partition.js';
import { rng as prng } from '../core/random.js';

const ROOT = resolve(import.meta.dirname, '..');
const arg = process.argv[2] ?? '/work/shared/data';
const SRC = existsSync(join(arg, 'buildings.geojson')) ? arg : join(arg, 'shanghai_bund_lujiazui_tilezen');
const OUT = join(ROOT, 'geojson/demo');

// ------------------------------------------------------------------------------------------------
// Settings

const DATASET_ID = 'demo-bund-lujiazui';
const DISTRICT = { code: 'DEMO00', name: '外滩—陆家嘴示范区' };
/** Subdistricts: one per land area between the rivers, found from a real OSM place inside it. */
const SUBDISTRICTS = [
  { name: '外滩街道', realDistrict: '黄浦区', anchor: '城隍庙' },
  { name: '北外滩街道', realDistrict: '虹口区', anchor: 'Hongkou' },
  { name: '陆家嘴街道', realDistrict: '浦东新区', anchor: 'Lu Jia Du' },
];
const COMMUNITY_COUNT = 12;
const MAX_GRID_AREA = 500_000; // m²
const BLOCK_SPLIT_AREA = 150_000; // m²
const BLOCK_SPLIT_LENGTH = 700; // m
const TOLERANCE = 2; // m, boundary simplification
const ASSUME_UNTAGGED = true; // see core/households.ts classifyResidential
const DECIMALS = 7;
const SEED = { outline: 4, inset: 0.5, road: 6, roadOffset: 2, roadClear: 1.2, bank: 4, bankOffset: 1, water: 20, filler: 15, fillerClear: 6, minDist: 0.4 };
const PARTY_UNCOVERED_SHARE = 0.1;
const STAFF_MISSING_SHARE = 0.08;

/** Tilezen POI kind → service class (data/service-classes.json). Kinds not listed are not facilities. */
const POI_CLASS: Record<string, string> = {
  school: 'education', college: 'education', university: 'education',
  kindergarten: 'child_care', childcare: 'child_care',
  hospital: 'health', clinic: 'health', doctors: 'health', dentist: 'health',
  pharmacy: 'pharmacy', chemist: 'pharmacy',
  nursing_home: 'elderly_care', social_facility: 'elderly_care',
  library: 'culture', museum: 'culture', arts_centre: 'culture', cinema: 'culture', theatre: 'culture',
  fitness: 'sports', sports_centre: 'sports', pitch: 'sports', stadium: 'sports', swimming_pool: 'sports',
  convenience: 'commerce', shop: 'commerce', clothes: 'commerce', books: 'commerce', electronics: 'commerce',
  mobile_phone: 'commerce', computer: 'commerce', gift: 'commerce', bakery: 'commerce', mall: 'commerce',
  bank: 'commerce', post_office: 'commerce', restaurant: 'commerce', fast_food: 'commerce', cafe: 'commerce',
  supermarket: 'food_market', marketplace: 'food_market', greengrocer: 'food_market',
  government: 'social_security', townhall: 'social_security',
  community_centre: 'community_centre',
  police: 'public_safety', fire_station: 'public_safety',
  bus_stop: 'transit', bus_station: 'transit', subway_entrance: 'transit', station: 'transit', tram_stop: 'transit',
  ferry_terminal: 'transit', platform: 'transit',
  park: 'park', garden: 'park',
};
/** Landuse kinds that become a park facility when no park POI lies inside. */
const PARK_LANDUSE = new Set(['park', 'garden']);
const PARK_MIN_AREA = 5000;
/** Landuse kinds that rule out the "untagged low-rise is residential" assumption. */
const OTHER_LANDUSE = new Set([
  'commercial', 'retail', 'industrial', 'park', 'garden', 'attraction', 'school', 'university', 'college', 'hospital',
  'place_of_worship', 'protected_area', 'recreation_ground', 'pitch', 'parking', 'pier', 'fuel', 'library',
  'pedestrian', 'military', 'railway', 'stadium', 'zoo', 'cemetery',
]);

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈'];
const GIVEN = ['建国', '秀英', '丽', '敏', '伟', '芳', '娟', '军', '勇', '静', '磊', '洋', '艳', '杰', '涛', '明', '超', '霞', '平', '刚',
  '桂英', '玉兰', '志强', '海燕', '晓东', '佳怡', '子涵', '浩然', '雨婷', '俊杰', '文华', '春梅', '国强', '红', '卫东', '丹', '斌', '慧', '琳', '凯'];
const NUMERALS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

// ------------------------------------------------------------------------------------------------
// Helpers

type Props = Record<string, unknown>;
type AnyFeature = Feature<Geometry, Props>;

const rand = prng(20240611);
const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;
const randInt = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

function read(name: string): AnyFeature[] {
  return (JSON.parse(readFileSync(join(SRC, `${name}.geojson`), 'utf8')) as FeatureCollection<Geometry, Props>).features;
}

const S = 10 ** DECIMALS;
const r7 = (v: number) => Math.round(v * S) / S;

function roundRing(ring: Position[]): Position[] | null {
  const out: Position[] = [];
  for (const p of ring) {
    const q = [r7(p[0]!), r7(p[1]!)];
    const last = out.at(-1);
    if (!last || last[0] !== q[0] || last[1] !== q[1]) out.push(q);
  }
  if (out.length > 1 && (out[0]![0] !== out.at(-1)![0] || out[0]![1] !== out.at(-1)![1])) out.push(out[0]!);
  return out.length >= 4 ? out : null;
}

function roundGeom(g: Geometry): Geometry | null {
  switch (g.type) {
    case 'Point': return { type: 'Point', coordinates: [r7(g.coordinates[0]!), r7(g.coordinates[1]!)] };
    case 'LineString': {
      const c: Position[] = [];
      for (const p of g.coordinates) { const q = [r7(p[0]!), r7(p[1]!)]; const l = c.at(-1); if (!l || l[0] !== q[0] || l[1] !== q[1]) c.push(q); }
      return c.length >= 2 ? { type: 'LineString', coordinates: c } : null;
    }
    case 'MultiLineString': {
      const ls = g.coordinates.map((l) => roundGeom({ type: 'LineString', coordinates: l }) as LineString | null).filter((l) => l);
      return ls.length ? { type: 'MultiLineString', coordinates: ls.map((l) => l!.coordinates) } : null;
    }
    case 'Polygon': {
      const shell = roundRing(g.coordinates[0]!);
      if (!shell) return null;
      return { type: 'Polygon', coordinates: [shell, ...g.coordinates.slice(1).map(roundRing).filter((r): r is Position[] => !!r)] };
    }
    case 'MultiPolygon': {
      const ps = g.coordinates.map((p) => roundGeom({ type: 'Polygon', coordinates: p }) as Polygon | null).filter((p): p is Polygon => !!p);
      if (!ps.length) return null;
      return ps.length === 1 ? ps[0]! : { type: 'MultiPolygon', coordinates: ps.map((p) => p.coordinates) };
    }
    default: return null;
  }
}

const isPoly = (f: AnyFeature): f is Feature<Polygon | MultiPolygon, Props> => f.geometry?.type === 'Polygon' || f.geometry?.type === 'MultiPolygon';

/** Dissolve polygon pieces that share properties.id (tile-cut pieces); properties merged, first wins. */
function dissolve(features: Feature<Polygon | MultiPolygon, Props>[]): Feature<Polygon | MultiPolygon, Props>[] {
  const groups = new Map<string, Feature<Polygon | MultiPolygon, Props>[]>();
  features.forEach((f, i) => {
    const key = f.properties.id == null ? `anon-${i}` : String(f.properties.id);
    const g = groups.get(key);
    if (g) g.push(f); else groups.set(key, [f]);
  });
  const out: Feature<Polygon | MultiPolygon, Props>[] = [];
  for (const pieces of groups.values()) {
    const props: Props = {};
    for (const p of pieces) for (const [k, v] of Object.entries(p.properties)) if (props[k] == null && v != null) props[k] = v;
    const u = pieces.length === 1 ? pieces[0]! : turf.union(turf.featureCollection(pieces));
    if (!u) continue;
    const g = roundGeom(u.geometry) as Polygon | MultiPolygon | null;
    if (g) out.push({ type: 'Feature', properties: props, geometry: g });
  }
  return out;
}

const polysOf = (g: Polygon | MultiPolygon): Position[][][] => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates);

function fc<G extends Geometry>(features: Feature<G, Props>[]): FeatureCollection<G, Props> {
  return { type: 'FeatureCollection', features };
}

function write(name: string, data: unknown): number {
  const text = name.endsWith('.geojson') ? geojsonText(data as FeatureCollection) : `${JSON.stringify(data, null, 1)}\n`;
  writeFileSync(join(OUT, name), text);
  return text.length;
}

/** One feature per line: diffable, and compact. */
function geojsonText(c: FeatureCollection): string {
  return `{"type":"FeatureCollection","features":[\n${c.features.map((f) => JSON.stringify(f)).join(',\n')}\n]}\n`;
}

const osmId = (p: Props): string | null => (p.id == null ? null : String(p.id));
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);
/** Street + house number as written in China; OSM house numbers sometimes carry their 号 already. */
const houseAddress = (street: string, number: string | null) => `${street}${number ? (/[号弄]$/.test(number) ? number : `${number}号`) : ''}`;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const hasHan = (s: string | null) => !!s && /[\u4e00-\u9fff]/.test(s);

// ------------------------------------------------------------------------------------------------
// 1. Source layers

const src = {
  buildings: read('buildings'), roads: read('roads'), pois: read('pois'), landuse: read('landuse'),
  water: read('water'), transit: read('transit'), boundaries: read('boundaries'), places: read('places'),
};

// Extent: the zoom-16 tiles the extract was cut from (features reach a little beyond in the
// tile buffers; those bits have no neighbouring tile, so the district stops at the tile edges).
const dataBox = turf.bbox(turf.featureCollection(Object.values(src).flat()));
const Z = 16, N = 2 ** Z;
const lon2x = (lon: number) => ((lon + 180) / 360) * N;
const lat2y = (lat: number) => ((1 - Math.log(Math.tan((lat * Math.PI) / 180) + 1 / Math.cos((lat * Math.PI) / 180)) / Math.PI) / 2) * N;
const x2lon = (x: number) => (x / N) * 360 - 180;
const y2lat = (y: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / N))) * 180) / Math.PI;
const EXTENT_LL: [number, number, number, number] = [
  r7(x2lon(Math.round(lon2x(dataBox[0])))), r7(y2lat(Math.round(lat2y(dataBox[1])))),
  r7(x2lon(Math.round(lon2x(dataBox[2])))), r7(y2lat(Math.round(lat2y(dataBox[3])))),
];
const proj = localProjection((EXTENT_LL[0] + EXTENT_LL[2]) / 2, (EXTENT_LL[1] + EXTENT_LL[3]) / 2);
const exLo = proj.toXY([EXTENT_LL[0], EXTENT_LL[1]]), exHi = proj.toXY([EXTENT_LL[2], EXTENT_LL[3]]);
const EXTENT: Box = [exLo[0], exLo[1], exHi[0], exHi[1]];
const inExtent = (p: XY) => p[0] > EXTENT[0] + 0.01 && p[0] < EXTENT[2] - 0.01 && p[1] > EXTENT[1] + 0.01 && p[1] < EXTENT[3] - 0.01;
const toXYRings = (g: Polygon | MultiPolygon): XY[][][] => polysOf(g).map((rs) => rs.map((r, i) => orientRing(r.map((c) => proj.toXY(c)), i > 0)));

/** A spatial index over polygons (projected) answering "which polygons contain p". */
class PolygonIndex<T> {
  private readonly idx: Flatbush | null;
  readonly rings: XY[][][][];
  constructor(readonly items: T[], geom: (t: T) => Polygon | MultiPolygon) {
    this.rings = items.map((t) => toXYRings(geom(t)));
    if (!items.length) { this.idx = null; return; }
    this.idx = new Flatbush(items.length);
    for (const rs of this.rings) {
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (const p of rs) for (const q of p[0]!) { x0 = Math.min(x0, q[0]); y0 = Math.min(y0, q[1]); x1 = Math.max(x1, q[0]); y1 = Math.max(y1, q[1]); }
      this.idx.add(x0, y0, x1, y1);
    }
    this.idx.finish();
  }
  containing(p: XY): number[] {
    if (!this.idx) return [];
    return this.idx.search(p[0], p[1], p[0], p[1]).filter((i) => this.rings[i]!.some((rs) => pointInRings(p, rs))).sort((a, b) => a - b);
  }
  contains(p: XY): boolean { return this.containing(p).length > 0; }
}

// Dissolved layers.
const landusePolys = dissolve(src.landuse.filter(isPoly));
const waterPolys = dissolve(src.water.filter(isPoly));

// The rivers: the Huangpu and Suzhou Creek and water bodies joined to them.
const isRiver = (f: Feature<Polygon | MultiPolygon, Props>) =>
  ['黄浦江', '苏州河'].includes(str(f.properties.name) ?? '') || ['river', 'riverbank', 'canal'].includes(String(f.properties.kind));
let riverParts = waterPolys.filter(isRiver);
for (let grown = true; grown;) {
  grown = false;
  for (const w of waterPolys) {
    if (riverParts.includes(w) || turf.area(w) < 2000) continue;
    if (riverParts.some((r) => turf.booleanIntersects(r, w))) { riverParts = [...riverParts, w]; grown = true; }
  }
}
const river = new PolygonIndex(riverParts, (f) => f.geometry);
const inRiver = (p: XY) => river.contains(p);

const residentialLanduse = new PolygonIndex(landusePolys.filter((f) => f.properties.kind === 'residential'), (f) => f.geometry);
const otherLanduse = new PolygonIndex(landusePolys.filter((f) => OTHER_LANDUSE.has(String(f.properties.kind))), (f) => f.geometry);

// ------------------------------------------------------------------------------------------------
// 2. Buildings: dissolve, estimate households

interface Building {
  osmId: string;
  props: Props;
  geom: Polygon | MultiPolygon;
  part: boolean;
  ip: Position; // PostGIS ST_PointOnSurface
  ipXY: XY;
  areaM2: number;
  basis: ResidentialBasis | null;
  levels: number | null;
  households: number;
  residents: number;
  gridIdx: number;
}

const buildingPieces = src.buildings.filter(isPoly);
const dissolvedBuildings = dissolve(buildingPieces);
const buildings: Building[] = [];
let droppedBuildings = 0;
for (const f of dissolvedBuildings) {
  const part = f.properties.kind === 'building_part';
  const ip = interiorPoint(f.geometry);
  const ipXY = proj.toXY(ip);
  if (!inExtent(ipXY) || inRiver(ipXY)) { droppedBuildings++; continue; }
  const areaM2 = turf.area(f.geometry);
  const p = f.properties;
  const lu = (str(p.landuse_kind) ?? '');
  const est = estimateBuilding({
    kind: str(p.kind), kindDetail: str(p.kind_detail), name: str(p.name), heightM: num(p.height), footprintM2: areaM2,
    inResidentialLanduse: residentialLanduse.contains(ipXY) || lu === 'residential',
    inOtherLanduse: otherLanduse.contains(ipXY) || OTHER_LANDUSE.has(lu),
  }, { assumeUntagged: ASSUME_UNTAGGED });
  buildings.push({
    osmId: osmId(p)!, props: p, geom: f.geometry, part, ip, ipXY, areaM2, basis: est.basis, levels: est.levels,
    households: est.households, residents: est.residents, gridIdx: -1,
  });
}
buildings.sort((a, b) => Number(a.part) - Number(b.part) || a.osmId.localeCompare(b.osmId));
const wholeBuildings = buildings.filter((b) => !b.part);
const footprints = new PolygonIndex(wholeBuildings, (b) => b.geom);
console.log(`buildings: ${buildings.length} kept (${wholeBuildings.length} whole, ${buildings.length - wholeBuildings.length} parts), ${droppedBuildings} outside the extent or in the river`);

// ------------------------------------------------------------------------------------------------
// 3. Seeds and cells

const K = { Building: 0, Water: 1, Bank: 2, Road: 3, Fill: 4 } as const;
type K = (typeof K)[keyof typeof K];
const seedPts: XY[] = [], seedKind: K[] = [], seedRef: number[] = [];
const addSeed = (p: XY, k: K, ref = -1) => { if (inExtent(p)) { seedPts.push(p); seedKind.push(k); seedRef.push(ref); } };

wholeBuildings.forEach((b, i) => addSeed(b.ipXY, K.Building, i));
wholeBuildings.forEach((b, i) => {
  for (const rs of toXYRings(b.geom)) {
    for (const s of ringSeeds(rs, SEED.outline, SEED.inset)) if (pointInRings(s, rs) && !inRiver(s)) addSeed(s, K.Building, i);
  }
});
const riverRings = riverParts.flatMap((f) => toXYRings(f.geometry));
for (const rs of riverRings) {
  for (const s of ringSeeds(rs, SEED.bank, SEED.bankOffset)) if (inRiver(s) && !footprints.contains(s)) addSeed(s, K.Water);
  for (const s of ringSeeds(rs, SEED.bank, -SEED.bankOffset)) if (!inRiver(s) && !footprints.contains(s)) addSeed(s, K.Bank);
}
// Roads that bound blocks: not tunnels, not service lanes or paths.
const isBarrierRoad = (p: Props) => !p.is_tunnel && (p.kind === 'major_road' || (p.kind === 'minor_road' && p.kind_detail !== 'service'));
const barrierRoads = src.roads.filter((f) => f.geometry.type === 'LineString' && isBarrierRoad(f.properties));
const barrierLines = barrierRoads.map((f) => (f.geometry as LineString).coordinates.map((c) => proj.toXY(c)));
const barriers = new SegmentIndex(barrierLines);
barrierLines.forEach((line, ri) => {
  for (const { p } of lineSeeds(line, SEED.road, SEED.roadOffset)) {
    if (inRiver(p) || footprints.contains(p) || barriers.near(p, SEED.roadClear)) continue;
    addSeed(p, K.Road, ri);
  }
});
for (let i = 0, x0 = EXTENT[0] + SEED.water / 2; x0 < EXTENT[2]; i++, x0 += SEED.water) {
  for (let j = 0, y0 = EXTENT[1] + SEED.water / 2; y0 < EXTENT[3]; j++, y0 += SEED.water) {
    const p: XY = [x0 + jitter(i, j) * SEED.water * 0.6, y0 + jitter(j + 104729, i) * SEED.water * 0.6];
    if (inRiver(p) && !footprints.contains(p)) addSeed(p, K.Water);
  }
}
const firstFiller = seedPts.length;
for (let i = 0, x0 = EXTENT[0] + SEED.filler / 2; x0 < EXTENT[2]; i++, x0 += SEED.filler) {
  for (let j = 0, y0 = EXTENT[1] + SEED.filler / 2; y0 < EXTENT[3]; j++, y0 += SEED.filler) {
    const p: XY = [x0 + jitter(i + 7, j) * SEED.filler * 0.8, y0 + jitter(j + 15485863, i) * SEED.filler * 0.8];
    if (!inRiver(p) && !footprints.contains(p)) addSeed(p, K.Fill);
  }
}
const kept = thinSeeds(seedPts, SEED.minDist, (i) => (i >= firstFiller ? SEED.fillerClear : SEED.minDist));
const seeds = kept.map((i) => seedPts[i]!);
const kind = kept.map((i) => seedKind[i]!);
const ref = kept.map((i) => seedRef[i]!);
const t0 = performance.now();
const cx = buildCellComplex(seeds, EXTENT, proj, DECIMALS);
console.log(`cells: ${seeds.length} (${kept.length - kind.filter((k) => k === K.Building).length} non-building) in ${Math.round(performance.now() - t0)} ms`);
const nCells = seeds.length;
const isLand = (c: number) => kind[c] !== K.Water && cx.cells[c]!.length > 0;
const sameBuilding = (a: number, b: number) => kind[a] === K.Building && kind[b] === K.Building && ref[a] === ref[b];
const pass = (a: number, b: number) => sameBuilding(a, b) || !barriers.crosses(seeds[a]!, seeds[b]!);
const seedIndex = new Flatbush(nCells);
for (const s of seeds) seedIndex.add(s[0], s[1], s[0], s[1]);
seedIndex.finish();
const cellAt = (p: XY, ok: (c: number) => boolean = () => true) => seedIndex.neighbors(p[0], p[1], 1, Infinity, ok)[0] ?? -1;

// Each whole building's interior point is a seed: its cell.
const ipCell = new Int32Array(wholeBuildings.length).fill(-1);
for (let c = 0; c < nCells; c++) {
  if (kind[c] !== K.Building) continue;
  const b = wholeBuildings[ref[c]!]!;
  if (seeds[c] === b.ipXY || (seeds[c]![0] === b.ipXY[0] && seeds[c]![1] === b.ipXY[1])) ipCell[ref[c]!] = c;
}
// A point thinned away (another building's point within SEED.minDist): use the cell it lies in.
ipCell.forEach((c, i) => {
  if (c >= 0) return;
  ipCell[i] = cellAt(wholeBuildings[i]!.ipXY);
  console.log(`building ${wholeBuildings[i]!.osmId}: interior point shares a cell with another seed`);
});

// ------------------------------------------------------------------------------------------------
// 4. Subdistricts (land between the rivers), blocks (between roads), territories (per building)

const landComp = cellComponents(cx, isLand);
const places = src.places.map((f) => ({ name: str(f.properties.name) ?? '', xy: proj.toXY((f.geometry as { coordinates: Position }).coordinates) }));
const subOfComp = new Map<number, number>();
SUBDISTRICTS.forEach((s, i) => {
  const p = places.find((q) => q.name === s.anchor);
  if (!p) throw new Error(`anchor place ${s.anchor} not found`);
  const c = cellAt(p.xy, isLand);
  if (subOfComp.has(landComp[c]!)) throw new Error(`${s.name} shares its land with another subdistrict`);
  subOfComp.set(landComp[c]!, i);
});
const subOfCell = new Int32Array(nCells).fill(-1);
{
  // Small land pieces (piers, islets) join the subdistrict of the nearest main land.
  const compNearest = new Map<number, number>();
  for (let c = 0; c < nCells; c++) {
    if (!isLand(c)) continue;
    const comp = landComp[c]!;
    let s = subOfComp.get(comp);
    if (s === undefined) {
      if (!compNearest.has(comp)) {
        const n = cellAt(seeds[c]!, (d) => isLand(d) && subOfComp.has(landComp[d]!));
        compNearest.set(comp, subOfComp.get(landComp[n]!)!);
      }
      s = compNearest.get(comp)!;
    }
    subOfCell[c] = s;
  }
}
const srcLabel = new Int32Array(nCells).fill(-1);
for (let c = 0; c < nCells; c++) if (kind[c] === K.Building) srcLabel[c] = ref[c]!;
const territory = growLabels(cx, srcLabel, isLand, pass);

// Blocks: land between barrier roads. A block that is very large or long (a riverside strip)
// is cut into pieces of about BLOCK_SPLIT_AREA, never through a building's territory.
const blockOf = cellComponents(cx, isLand, pass);
{
  const nb0 = Math.max(...blockOf) + 1;
  const cellsOf: number[][] = Array.from({ length: nb0 }, () => []);
  for (let c = 0; c < nCells; c++) if (blockOf[c]! >= 0) cellsOf[blockOf[c]!]!.push(c);
  let next = nb0;
  for (let b = 0; b < nb0; b++) {
    const cs = cellsOf[b]!;
    let area = 0, x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const c of cs) { area += cx.area[c]!; const s = seeds[c]!; x0 = Math.min(x0, s[0]); y0 = Math.min(y0, s[1]); x1 = Math.max(x1, s[0]); y1 = Math.max(y1, s[1]); }
    const k = Math.max(Math.ceil(area / BLOCK_SPLIT_AREA), Math.ceil(Math.hypot(x1 - x0, y1 - y0) / BLOCK_SPLIT_LENGTH));
    if (k <= 1) continue;
    const unitOfCell = new Int32Array(nCells).fill(-1);
    const units: GroupUnit[] = [];
    const byTerritory = new Map<number, number>();
    for (const c of cs) {
      const t = territory[c]!;
      let u = t >= 0 ? byTerritory.get(t) ?? -1 : -1;
      if (u < 0) { u = units.length; units.push({ x: 0, y: 0, households: 0, area: 0 }); if (t >= 0) byTerritory.set(t, u); }
      const un = units[u]!, a = cx.area[c]!;
      un.x = (un.x * un.area + seeds[c]![0] * a) / (un.area + a || 1);
      un.y = (un.y * un.area + seeds[c]![1] * a) / (un.area + a || 1);
      un.area += a;
      unitOfCell[c] = u;
    }
    const g = groupUnits(units, unitAdjacency(unitOfCell, units.length), { k, areaShare: 1, refine: false });
    for (const c of cs) { const piece = g[unitOfCell[c]!]!; if (piece > 0) blockOf[c] = next + piece - 1; }
    next += Math.max(...g);
  }
}
const nBlocks = Math.max(...blockOf) + 1;

interface Block { id: number; sub: number; cells: number[]; households: number; area: number; x: number; y: number; buildings: number[] }
const blocks: Block[] = Array.from({ length: nBlocks }, (_, id) => ({ id, sub: -1, cells: [], households: 0, area: 0, x: 0, y: 0, buildings: [] }));
for (let c = 0; c < nCells; c++) {
  const b = blockOf[c]!;
  if (b < 0) continue;
  const bl = blocks[b]!;
  bl.cells.push(c);
  bl.sub = subOfCell[c]!;
  const a = cx.area[c]!;
  bl.x += seeds[c]![0] * a; bl.y += seeds[c]![1] * a; bl.area += a;
}
wholeBuildings.forEach((b, i) => { const bl = blocks[blockOf[ipCell[i]!]!]!; bl.buildings.push(i); bl.households += b.households; });
for (const bl of blocks) { bl.x /= bl.area || 1; bl.y /= bl.area || 1; }
console.log(`blocks: ${nBlocks}`);

function unitAdjacency(unitOfCell: Int32Array, nUnits: number): number[][] {
  const adj = Array.from({ length: nUnits }, () => new Set<number>());
  for (let c = 0; c < nCells; c++) {
    const u = unitOfCell[c]!;
    if (u < 0) continue;
    for (const n of cx.neighbours[c]!) { const v = unitOfCell[n]!; if (v >= 0 && v !== u) adj[u]!.add(v); }
  }
  return adj.map((s) => [...s].sort((a, b) => a - b));
}

// ------------------------------------------------------------------------------------------------
// 5. Communities: blocks grouped per subdistrict

const subStats = SUBDISTRICTS.map((_, s) => {
  const bs = blocks.filter((b) => b.sub === s);
  return { households: bs.reduce((a, b) => a + b.households, 0), area: bs.reduce((a, b) => a + b.area, 0) };
});
const totH = subStats.reduce((a, s) => a + s.households, 0), totA = subStats.reduce((a, s) => a + s.area, 0);
const shares = subStats.map((s) => 0.7 * (s.households / totH) + 0.3 * (s.area / totA));
console.log(`subdistricts: ${SUBDISTRICTS.map((s, i) => `${s.name} ${subStats[i]!.households} households ${(subStats[i]!.area / 1e6).toFixed(2)} km²`).join(', ')}`);
const commCount = shares.map((sh) => Math.max(1, Math.floor(sh * COMMUNITY_COUNT)));
while (commCount.reduce((a, b) => a + b, 0) < COMMUNITY_COUNT) {
  let best = 0, bestGap = -Infinity;
  shares.forEach((sh, i) => { const gap = sh * COMMUNITY_COUNT - commCount[i]!; if (gap > bestGap) { bestGap = gap; best = i; } });
  commCount[best]!++;
}

const communityOfBlock = new Int32Array(nBlocks).fill(-1);
const communitySub: number[] = [];
SUBDISTRICTS.forEach((_, s) => {
  const bs = blocks.filter((b) => b.sub === s);
  const unitOfCell = new Int32Array(nCells).fill(-1);
  bs.forEach((b, i) => { for (const c of b.cells) unitOfCell[c] = i; });
  const units: GroupUnit[] = bs.map((b) => ({ x: b.x, y: b.y, households: b.households, area: b.area }));
  const H = subStats[s]!.households / commCount[s]!;
  const g = groupUnits(units, unitAdjacency(unitOfCell, bs.length), { k: commCount[s]!, areaShare: 0.4, target: { min: 0.6 * H, max: 1.4 * H } });
  const base = communitySub.length;
  const n = Math.max(...g) + 1;
  for (let i = 0; i < n; i++) communitySub.push(s);
  bs.forEach((b, i) => { communityOfBlock[b.id] = base + g[i]!; });
});
const nCommunities = communitySub.length;

// ------------------------------------------------------------------------------------------------
// 6. Grids: units within each community grouped by households

const gridOfCell = new Int32Array(nCells).fill(-1);
const gridCommunity: number[] = [];
for (let cm = 0; cm < nCommunities; cm++) {
  const bs = blocks.filter((b) => communityOfBlock[b.id] === cm);
  const unitOfCell = new Int32Array(nCells).fill(-1);
  const units: GroupUnit[] = [];
  const newUnit = () => { units.push({ x: 0, y: 0, households: 0, area: 0 }); return units.length - 1; };
  const addCell = (u: number, c: number) => {
    const un = units[u]!, a = cx.area[c]!;
    un.x = (un.x * un.area + seeds[c]![0] * a) / (un.area + a || 1);
    un.y = (un.y * un.area + seeds[c]![1] * a) / (un.area + a || 1);
    un.area += a;
    unitOfCell[c] = u;
  };
  for (const b of bs) {
    if (b.households <= GRID_TARGET.max && b.area <= MAX_GRID_AREA / 2) {
      const u = newUnit();
      for (const c of b.cells) addCell(u, c);
      units[u]!.households = b.households;
      continue;
    }
    // A big block: one unit per building territory, plus the ground no building reaches.
    const byBuilding = new Map<number, number>();
    let rest = -1;
    for (const c of b.cells) {
      const t = territory[c]!;
      let u: number;
      if (t >= 0) { u = byBuilding.get(t) ?? -1; if (u < 0) { u = newUnit(); byBuilding.set(t, u); } }
      else { if (rest < 0) rest = newUnit(); u = rest; }
      addCell(u, c);
    }
  }
  for (const b of bs) if (!(b.households <= GRID_TARGET.max && b.area <= MAX_GRID_AREA / 2)) {
    for (const i of b.buildings) units[unitOfCell[ipCell[i]!]!]!.households += wholeBuildings[i]!.households;
  }
  const H = units.reduce((a, u) => a + u.households, 0), A = units.reduce((a, u) => a + u.area, 0);
  const k = chooseGroupCount(H, A, GRID_TARGET, MAX_GRID_AREA);
  const g = groupUnits(units, unitAdjacency(unitOfCell, units.length), { k, target: GRID_TARGET, areaShare: 0.1 });
  const base = gridCommunity.length;
  const n = Math.max(...g) + 1;
  for (let i = 0; i < n; i++) gridCommunity.push(cm);
  for (const b of bs) for (const c of b.cells) gridOfCell[c] = base + g[unitOfCell[c]!]!;
}
const nGrids = gridCommunity.length;
wholeBuildings.forEach((b, i) => { b.gridIdx = gridOfCell[ipCell[i]!]!; });

// ------------------------------------------------------------------------------------------------
// 7. Geometry: exact unions with shared, simplified boundaries

const t1 = performance.now();
const cov = new Coverage(cx, gridOfCell, {
  tolerance: TOLERANCE,
  keepInside: wholeBuildings.map((b) => ({ p: b.ipXY, label: b.gridIdx })),
});
const residual = cov.conflicts();
if (residual.length) throw new Error(`boundary chains still conflict: ${residual.length}`);
const gridGeom = cov.multiPolygons();
const communityGeom = cov.multiPolygons((g) => gridCommunity[g]!);
const subGeom = cov.multiPolygons((g) => communitySub[gridCommunity[g]!]!);
const districtGeom = cov.multiPolygons(() => 0).get(0)!;
console.log(`coverage: ${cov.stats.chains} chains, ${cov.stats.vertices} vertices, ${cov.stats.reverted} simplifications undone, ${Math.round(performance.now() - t1)} ms`);

// Every building (parts too) to the grid containing its interior point.
const gridIndex = new PolygonIndex([...Array(nGrids).keys()], (g) => gridGeom.get(g)!);
for (const b of buildings) {
  const hits = gridIndex.containing(b.ipXY);
  const g = hits[0] ?? -1;
  if (!b.part && g !== b.gridIdx) throw new Error(`building ${b.osmId}: partition put it in grid ${b.gridIdx}, its point is in ${g}`);
  b.gridIdx = g;
}

// ------------------------------------------------------------------------------------------------
// 8. Names and codes

const ordinal = (n: number) => String(n).padStart(2, '0');
const centroidOf = (mp: MultiPolygon): XY => {
  const c = turf.centroid(mp).geometry.coordinates;
  return proj.toXY(c);
};
const sortSpatially = (ids: number[], xy: (i: number) => XY) =>
  ids.sort((a, b) => { const p = xy(a), q = xy(b); return Math.round((q[1] - p[1]) / 300) || p[0] - q[0] || a - b; });

const subOrder = SUBDISTRICTS.map((_, i) => i);
const subCode = subOrder.map((s) => `${DISTRICT.code}${String(s + 1).padStart(3, '0')}`);

// Community names: the main residential estate, else the main road, else a real place name.
const estateNames = landusePolys.filter((f) => f.properties.kind === 'residential' && hasHan(str(f.properties.name)))
  .map((f) => ({ name: str(f.properties.name)!, area: turf.area(f), xy: proj.toXY(interiorPoint(f.geometry)) }));
const roadNameSeeds = new Map<number, Map<string, number>>();
for (let c = 0; c < nCells; c++) {
  if (kind[c] !== K.Road || gridOfCell[c]! < 0) continue;
  const name = str(barrierRoads[ref[c]!]!.properties.name);
  if (!hasHan(name)) continue;
  const cm = gridCommunity[gridOfCell[c]!]!;
  const m = roadNameSeeds.get(cm) ?? new Map<string, number>();
  m.set(name!, (m.get(name!) ?? 0) + 1);
  roadNameSeeds.set(cm, m);
}
/** 崂山二村 → 崂山, 招远小区 → 招远, 梅一小区 → 梅一 (a base keeps at least two characters). */
const stripEstate = (n: string) => {
  const base = n.replace(/(新村|村|小区|街坊|花园|公寓|苑|坊)$/, '');
  const bare = base.replace(/[一二三四五六七八九十\d]+$/, '');
  return bare.length >= 2 ? bare : base.length >= 2 ? base : n;
};
/** Historic place names given in pinyin in the extract. */
const PLACE_ZH: Record<string, string> = { 'Lan Ni Du': '烂泥渡', 'Lu Jia Du': '陆家渡', 'Yang Jia Du': '杨家渡' };
const usedNames = new Set<string>();
const communityName: string[] = [];
const communityNameBasis: string[] = [];
for (let cm = 0; cm < nCommunities; cm++) {
  const cands: [string, string][] = [];
  const inC = (xy: XY) => { const c = cellAt(xy); return c >= 0 && gridOfCell[c]! >= 0 && gridCommunity[gridOfCell[c]!] === cm; };
  for (const e of estateNames.filter((e) => inC(e.xy)).sort((a, b) => b.area - a.area || a.name.localeCompare(b.name))) cands.push([`${stripEstate(e.name)}社区`, `estate:${e.name}`]);
  for (const p of places.filter((p) => inC(p.xy))) {
    const zh = hasHan(p.name) ? p.name : PLACE_ZH[p.name];
    if (zh) cands.push([`${zh}社区`, `place:${p.name}`]);
  }
  for (const [n] of [...(roadNameSeeds.get(cm) ?? new Map<string, number>())].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) cands.push([`${n}社区`, `road:${n}`]);
  const c = cands.find(([n]) => !usedNames.has(n)) ?? [`${SUBDISTRICTS[communitySub[cm]!]!.name.replace('街道', '')}第${cm + 1}社区`, 'ordinal'];
  usedNames.add(c[0]);
  communityName.push(c[0]);
  communityNameBasis.push(c[1]);
}
const communityCode: string[] = new Array(nCommunities);
for (const s of subOrder) {
  const ids = sortSpatially([...Array(nCommunities).keys()].filter((cm) => communitySub[cm] === s), (cm) => centroidOf(communityGeom.get(cm)!));
  ids.forEach((cm, i) => { communityCode[cm] = `${subCode[s]}${String(i + 1).padStart(3, '0')}`; });
}
const gridCode: string[] = new Array(nGrids);
const gridName: string[] = new Array(nGrids);
const gridNo: number[] = new Array(nGrids);
for (let cm = 0; cm < nCommunities; cm++) {
  const ids = sortSpatially([...Array(nGrids).keys()].filter((g) => gridCommunity[g] === cm), (g) => centroidOf(gridGeom.get(g)!));
  ids.forEach((g, i) => {
    gridNo[g] = i + 1;
    gridCode[g] = `${communityCode[cm]}-${ordinal(i + 1)}`;
    gridName[g] = `${SUBDISTRICTS[communitySub[cm]!]!.name}·${communityName[cm]}·第${ordinal(i + 1)}网格`;
  });
}
const gridHH = new Array<number>(nGrids).fill(0), gridRes = new Array<number>(nGrids).fill(0), gridBuildings = new Array<number>(nGrids).fill(0);
for (const b of buildings) if (b.gridIdx >= 0) { gridHH[b.gridIdx]! += b.households; gridRes[b.gridIdx]! += b.residents; gridBuildings[b.gridIdx]!++; }
const commHH = new Array<number>(nCommunities).fill(0), commRes = new Array<number>(nCommunities).fill(0);
for (let g = 0; g < nGrids; g++) { commHH[gridCommunity[g]!]! += gridHH[g]!; commRes[gridCommunity[g]!]! += gridRes[g]!; }

// ------------------------------------------------------------------------------------------------
// 9. Features

mkdirSync(OUT, { recursive: true });
const sizes: Record<string, number> = {};
const mpFeature = (geometry: MultiPolygon, properties: Props): Feature<MultiPolygon, Props> => ({ type: 'Feature', properties, geometry });

const divisionFeatures: Feature<MultiPolygon, Props>[] = [
  mpFeature(districtGeom, { code: DISTRICT.code, parentCode: null, level: 'district', name: DISTRICT.name, syntheticGeometry: true, codeSource: 'synthetic', nameSynthetic: true }),
  ...subOrder.map((s) => mpFeature(subGeom.get(s)!, {
    code: subCode[s], parentCode: DISTRICT.code, level: 'subdistrict', name: SUBDISTRICTS[s]!.name, syntheticGeometry: true,
    codeSource: 'synthetic', nameSynthetic: false, realDistrict: SUBDISTRICTS[s]!.realDistrict,
  })),
  ...[...Array(nCommunities).keys()].sort((a, b) => communityCode[a]!.localeCompare(communityCode[b]!)).map((cm) => mpFeature(communityGeom.get(cm)!, {
    code: communityCode[cm], parentCode: subCode[communitySub[cm]!], level: 'community', name: communityName[cm], syntheticGeometry: true,
    codeSource: 'synthetic', nameSynthetic: true, nameBasis: communityNameBasis[cm], households: commHH[cm], residents: commRes[cm],
  })),
];
const gridOrder = [...Array(nGrids).keys()].sort((a, b) => gridCode[a]!.localeCompare(gridCode[b]!));
const gridFeatures = gridOrder.map((g) => mpFeature(gridGeom.get(g)!, {
  code: gridCode[g], name: gridName[g], communityCode: communityCode[gridCommunity[g]!], households: gridHH[g], residents: gridRes[g],
  buildings: gridBuildings[g], synthetic: true,
}));

const buildingFeatures: AnyFeature[] = buildings.map((b) => ({
  type: 'Feature',
  properties: {
    osmId: b.osmId, name: str(b.props.name), kind: b.part ? 'building_part' : (str(b.props.kind_detail) ?? 'building'),
    heightM: num(b.props.height), minHeightM: num(b.props.min_height) ?? 0, levels: b.levels, residential: b.basis !== null,
    residentialBasis: b.basis, households: b.households, residents: b.residents, householdsSynthetic: true,
    gridCode: b.gridIdx >= 0 ? gridCode[b.gridIdx] : null, communityCode: b.gridIdx >= 0 ? communityCode[gridCommunity[b.gridIdx]!] : null,
    address: str(b.props.addr_street) ? houseAddress(str(b.props.addr_street)!, str(b.props.addr_housenumber)) : null,
    ...(b.part ? { rootOsmId: b.props.root_id == null ? null : String(b.props.root_id) } : {}),
  },
  geometry: b.geom,
}));

// Roads.
const crossesRiver = (line: XY[]) => line.some(inRiver);
const NOT_WALKABLE_DETAIL = new Set(['motorway', 'motorway_link', 'trunk', 'trunk_link']);
const FOOTWAY_DETAIL = new Set(['footway', 'path', 'pedestrian', 'steps', 'living_street', 'pier', 'corridor', 'track']);
const roadFeatures: AnyFeature[] = [];
for (const f of src.roads) {
  if (f.geometry.type !== 'LineString') continue;
  const g = roundGeom(f.geometry) as LineString | null;
  if (!g) continue;
  const p = f.properties;
  const k = String(p.kind), detail = str(p.kind_detail);
  const xyLine = g.coordinates.map((c) => proj.toXY(c));
  const walkable = !(k === 'rail' || k === 'ferry' || NOT_WALKABLE_DETAIL.has(detail ?? '') || p.foot === 'no' || p.access === 'no'
    || (p.is_tunnel && crossesRiver(xyLine)));
  const footway = k === 'path' ? detail !== 'cycleway' : FOOTWAY_DETAIL.has(detail ?? '');
  roadFeatures.push({
    type: 'Feature',
    properties: { osmId: osmId(p), name: str(p.name), kind: detail ?? k, class: k, walkable, footway, tunnel: !!p.is_tunnel, bridge: !!p.is_bridge },
    geometry: g,
  });
}

// Base layers.
const baseFeature = (f: AnyFeature, extra: Props = {}): AnyFeature | null => {
  const g = roundGeom(f.geometry);
  return g ? { type: 'Feature', properties: { osmId: osmId(f.properties), kind: str(f.properties.kind), name: str(f.properties.name), ...extra }, geometry: g } : null;
};
const notLabel = (f: AnyFeature) => !(f.geometry.type === 'Point' && f.properties.label_placement);
const waterFeatures = [
  ...waterPolys.map((f) => baseFeature(f, { river: riverParts.includes(f) })),
  ...src.water.filter((f) => !isPoly(f) && notLabel(f)).map((f) => baseFeature(f)),
].filter((f): f is AnyFeature => !!f);
const landuseFeatures = [
  ...landusePolys.map((f) => baseFeature(f)),
  ...src.landuse.filter((f) => !isPoly(f) && notLabel(f)).map((f) => baseFeature(f)),
].filter((f): f is AnyFeature => !!f);
const transitFeatures = src.transit.map((f) => baseFeature(f, { ref: str(f.properties.ref), colour: str(f.properties.colour), network: str(f.properties.network) }))
  .filter((f): f is AnyFeature => !!f);
const placeFeatures = src.places.map((f) => baseFeature(f, { nameEn: str(f.properties['name:en']) })).filter((f): f is AnyFeature => !!f);
const boundaryFeatures = src.boundaries.map((f) => baseFeature(f, {
  kindDetail: str(f.properties.kind_detail), left: str(f.properties['name:left']), right: str(f.properties['name:right']),
})).filter((f): f is AnyFeature => !!f);

// Facilities: real POIs, parks from landuse, then synthetic ones for classes without a point.
interface Facility { osmId: string | null; name: string | null; kind: string; serviceClass: string; synthetic: boolean; p: Position }
const facilities: Facility[] = [];
for (const f of src.pois) {
  const cls = POI_CLASS[String(f.properties.kind)];
  if (!cls || f.geometry.type !== 'Point') continue;
  const c = f.geometry.coordinates;
  facilities.push({ osmId: osmId(f.properties), name: str(f.properties.name), kind: String(f.properties.kind), serviceClass: cls, synthetic: false, p: [r7(c[0]!), r7(c[1]!)] });
}
{
  const parkPois = facilities.filter((f) => f.serviceClass === 'park').map((f) => proj.toXY(f.p));
  for (const f of landusePolys) {
    if (!PARK_LANDUSE.has(String(f.properties.kind)) || turf.area(f) < PARK_MIN_AREA) continue;
    const rings = toXYRings(f.geometry);
    if (parkPois.some((p) => rings.some((rs) => pointInRings(p, rs)))) continue;
    const ip = interiorPoint(f.geometry);
    if (!inExtent(proj.toXY(ip))) continue;
    facilities.push({ osmId: osmId(f.properties), name: str(f.properties.name), kind: String(f.properties.kind), serviceClass: 'park', synthetic: false, p: [r7(ip[0]!), r7(ip[1]!)] });
  }
}
const realClasses = new Set(facilities.map((f) => f.serviceClass));
const serviceClasses = (JSON.parse(readFileSync(join(ROOT, 'data/service-classes.json'), 'utf8')) as { classes: { code: string; name: string }[] }).classes;
for (const f of facilities) if (!serviceClasses.some((c) => c.code === f.serviceClass)) throw new Error(`unknown service class ${f.serviceClass}`);
{
  // Synthetic facilities sit in a building near the household centre of their community.
  const usedBuildings = new Set<number>();
  const siteIn = (cm: number): Position => {
    let sx = 0, sy = 0, w = 0;
    wholeBuildings.forEach((b) => { if (b.gridIdx >= 0 && gridCommunity[b.gridIdx] === cm) { const wt = b.households + 1; sx += b.ipXY[0] * wt; sy += b.ipXY[1] * wt; w += wt; } });
    let best = -1, bd = Infinity;
    wholeBuildings.forEach((b, i) => {
      if (b.gridIdx < 0 || gridCommunity[b.gridIdx] !== cm || usedBuildings.has(i) || b.areaM2 < 150) return;
      const d = Math.hypot(b.ipXY[0] - sx / w, b.ipXY[1] - sy / w);
      if (d < bd) { bd = d; best = i; }
    });
    if (best < 0) { const ip = interiorPoint(communityGeom.get(cm)!); return [r7(ip[0]!), r7(ip[1]!)]; }
    usedBuildings.add(best);
    return wholeBuildings[best]!.ip.map(r7);
  };
  const synth = (cm: number, cls: string, kind: string, name: string) =>
    facilities.push({ osmId: null, name: `${name}（合成）`, kind, serviceClass: cls, synthetic: true, p: siteIn(cm) });
  const byCode = [...Array(nCommunities).keys()].sort((a, b) => communityCode[a]!.localeCompare(communityCode[b]!));
  for (const cm of byCode) {
    const n = communityName[cm]!;
    if (!realClasses.has('party_centre')) synth(cm, 'party_centre', 'party_service_station', `${n}党群服务站`);
    if (!realClasses.has('community_centre')) synth(cm, 'community_centre', 'community_service_centre', `${n}综合服务中心`);
    if (!realClasses.has('elderly_care') && commHH[cm]! >= 600 && rand() < 0.75) synth(cm, 'elderly_care', 'elderly_care_home', `${n}长者照护之家`);
  }
  for (const s of subOrder) {
    const cms = byCode.filter((cm) => communitySub[cm] === s).sort((a, b) => commHH[b]! - commHH[a]!);
    const sn = SUBDISTRICTS[s]!.name;
    if (!realClasses.has('elderly_care') && cms[0] !== undefined) synth(cms[0], 'elderly_care', 'elderly_day_care', `${sn}综合为老服务中心`);
    if (!realClasses.has('employment') && cms[0] !== undefined) synth(cms[0], 'employment', 'employment_service', `${sn}社区就业服务站`);
  }
}
const facilityFeatures: AnyFeature[] = facilities.map((f) => ({
  type: 'Feature',
  properties: { osmId: f.osmId, name: f.name, kind: f.kind, serviceClass: f.serviceClass, synthetic: f.synthetic },
  geometry: { type: 'Point', coordinates: f.p },
}));

// Party organisations (synthetic): 社区党委 › 网格党支部 › 楼栋党小组 › 党员中心户.
interface PartyOrg { key: string; parentKey: string | null; level: string; name: string; communityCode: string; gridCode: string | null; buildingOsmId: string | null; members: number; synthetic: true }
const partyOrgs: PartyOrg[] = [];
/** k distinct items of a list, chosen with the seeded PRNG. */
const sample = <T>(list: readonly T[], k: number): Set<T> => {
  const a = list.slice();
  for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [a[i], a[j]] = [a[j]!, a[i]!]; }
  return new Set(a.slice(0, k));
};
const uncoveredGrids = sample(gridOrder, Math.max(1, Math.round(nGrids * PARTY_UNCOVERED_SHARE)));
const understaffedGrids = sample(gridOrder, Math.max(1, Math.round(nGrids * STAFF_MISSING_SHARE)));
const personName = () => `${pick(SURNAMES)}${pick(GIVEN)}`;
const maskedName = () => `${pick(SURNAMES)}**`;
const cnNumber = (n: number) => (n <= 10 ? NUMERALS[n]! : n < 20 ? `十${NUMERALS[n - 10]}` : `${NUMERALS[Math.floor(n / 10)]}十${n % 10 ? NUMERALS[n % 10] : ''}`);
for (const cm of [...Array(nCommunities).keys()].sort((a, b) => communityCode[a]!.localeCompare(communityCode[b]!))) {
  const cc = communityCode[cm]!;
  const ckey = `pc:${cc}`;
  partyOrgs.push({ key: ckey, parentKey: null, level: 'community_committee', name: `中共${communityName[cm]}委员会`, communityCode: cc, gridCode: null, buildingOsmId: null,
    members: Math.max(30, Math.round(commRes[cm]! * 0.05)), synthetic: true });
  for (const g of gridOrder.filter((g) => gridCommunity[g] === cm)) {
    if (uncoveredGrids.has(g)) continue; // not yet covered: a gap the wall screen shows
    const gc = gridCode[g]!;
    const gkey = `pg:${gc}`;
    partyOrgs.push({ key: gkey, parentKey: ckey, level: 'grid_branch', name: `${communityName[cm]}第${cnNumber(gridNo[g]!)}网格党支部`, communityCode: cc, gridCode: gc,
      buildingOsmId: null, members: Math.max(8, Math.round(gridRes[g]! * 0.04)) + randInt(0, 6), synthetic: true });
    const homes = buildings.filter((b) => !b.part && b.gridIdx === g && b.households > 0).sort((a, b) => b.households - a.households || a.osmId.localeCompare(b.osmId));
    const nGroups = Math.min(homes.length, randInt(1, 3));
    for (let i = 0; i < nGroups; i++) {
      const b = homes[i]!;
      const bkey = `pb:${gc}:${b.osmId}`;
      const label = str(b.props.name) ?? (str(b.props.addr_street) && str(b.props.addr_housenumber) ? houseAddress(str(b.props.addr_street)!, str(b.props.addr_housenumber)) : `${cnNumber(i + 1)}号楼`);
      partyOrgs.push({ key: bkey, parentKey: gkey, level: 'building_group', name: `${label}楼栋党小组`, communityCode: cc, gridCode: gc, buildingOsmId: b.osmId,
        members: randInt(3, 12), synthetic: true });
      const nHomes = randInt(1, 3);
      for (let j = 0; j < nHomes; j++) {
        partyOrgs.push({ key: `pm:${gc}:${b.osmId}:${j + 1}`, parentKey: bkey, level: 'member_household', name: `党员中心户（${maskedName()}）`, communityCode: cc, gridCode: gc,
          buildingOsmId: b.osmId, members: randInt(1, 3), synthetic: true });
      }
    }
  }
}

// 一格三员 (synthetic): a few grids are missing a role.
const ROLES = ['grid_worker', 'community_worker', 'property_manager'] as const;
const staff: { gridCode: string; role: string; name: string; synthetic: true }[] = [];
for (const g of gridOrder) {
  const missing = understaffedGrids.has(g) ? (rand() < 0.6 ? 'property_manager' : pick(ROLES)) : null;
  for (const role of ROLES) if (role !== missing) staff.push({ gridCode: gridCode[g]!, role, name: personName(), synthetic: true });
}

// ------------------------------------------------------------------------------------------------
// 10. Write

sizes['divisions.geojson'] = write('divisions.geojson', fc(divisionFeatures));
sizes['grids.geojson'] = write('grids.geojson', fc(gridFeatures));
sizes['buildings.geojson'] = write('buildings.geojson', fc(buildingFeatures));
sizes['roads.geojson'] = write('roads.geojson', fc(roadFeatures));
sizes['water.geojson'] = write('water.geojson', fc(waterFeatures));
sizes['landuse.geojson'] = write('landuse.geojson', fc(landuseFeatures));
sizes['transit.geojson'] = write('transit.geojson', fc(transitFeatures));
sizes['places.geojson'] = write('places.geojson', fc(placeFeatures));
sizes['boundaries.geojson'] = write('boundaries.geojson', fc(boundaryFeatures));
sizes['facilities.geojson'] = write('facilities.geojson', fc(facilityFeatures));
sizes['party-orgs.json'] = write('party-orgs.json', partyOrgs);
sizes['grid-staff.json'] = write('grid-staff.json', staff);

const bbox = turf.bbox(districtGeom).map(r7) as [number, number, number, number];
const totalHouseholds = gridHH.reduce((a, b) => a + b, 0);
const byClass: Record<string, number> = {};
for (const c of serviceClasses) byClass[c.code] = 0;
for (const f of facilities) byClass[f.serviceClass]!++;
const manifest = {
  datasetId: DATASET_ID,
  name: '外滩—陆家嘴示范区（OSM 真实底图，合成网格）',
  attribution: '© OpenStreetMap contributors',
  license: 'ODbL-1.0',
  source: 'OpenStreetMap data of the Bund (外滩, Huangpu/Hongkou) and Lujiazui (陆家嘴, Pudong), Shanghai, as 34 zoom-16 Tilezen vector tiles '
    + '(public repository liuyanchen1994/vue-maptalks.three.demo, public/data/shangHai.js). Buildings, roads, water, landuse, transit, places, '
    + 'district boundary lines and POI facilities are real OSM features; division and grid boundaries are derived from them (land between the '
    + 'rivers, blocks between roads); households, Party organisations, grid staff and facilities named （合成） are synthetic.',
  districtCode: DISTRICT.code,
  districtName: DISTRICT.name,
  bbox,
  center: [r7((bbox[0] + bbox[2]) / 2), r7((bbox[1] + bbox[3]) / 2)],
  counts: {
    divisions: divisionFeatures.length, subdistricts: SUBDISTRICTS.length, communities: nCommunities, grids: nGrids,
    buildings: buildingFeatures.length, roads: roadFeatures.length, water: waterFeatures.length, landuse: landuseFeatures.length,
    transit: transitFeatures.length, places: placeFeatures.length, boundaries: boundaryFeatures.length, facilities: facilityFeatures.length,
    syntheticFacilities: facilities.filter((f) => f.synthetic).length, partyOrgs: partyOrgs.length, gridStaff: staff.length,
    households: totalHouseholds, residents: gridRes.reduce((a, b) => a + b, 0),
  },
  facilitiesByClass: byClass,
  householdModel: 'households = round(footprint m² × levels × 0.8 / 90), levels = height / 3 m, else 6 (3 for untagged low-rise assumed residential); residents = households × 2.6 (core/households.ts)',
  synthetic: { divisions: true, grids: true, households: true, partyOrgs: true, staff: true },
};
sizes['manifest.json'] = write('manifest.json', manifest);

const hh = gridHH.slice().sort((a, b) => a - b);
const inRange = gridHH.filter((h) => h >= GRID_TARGET.min && h <= GRID_TARGET.max).length;
console.log(`communities: ${nCommunities} (${SUBDISTRICTS.map((s, i) => `${s.name} ${communitySub.filter((x) => x === i).length}`).join(', ')})`);
console.log(`grids: ${nGrids}; households ${totalHouseholds}; per grid min ${hh[0]} median ${hh[hh.length >> 1]} max ${hh.at(-1)}; ${inRange} in ${GRID_TARGET.min}–${GRID_TARGET.max}; ${gridHH.filter((h) => h === 0).length} without households`);
console.log(`facilities: ${facilities.length} (${facilities.filter((f) => f.synthetic).length} synthetic) ${JSON.stringify(byClass)}`);
console.log(`party orgs: ${partyOrgs.length}; staff: ${staff.length}`);
console.log(`sizes: ${Object.entries(sizes).map(([k, v]) => `${k} ${(v / 1024).toFixed(0)} KB`).join(', ')}; total ${(Object.values(sizes).reduce((a, b) => a + b, 0) / 1048576).toFixed(2)} MB`);
