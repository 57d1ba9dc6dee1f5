// OpenStreetMap tags → GridCommand layers. Pure data tables plus small functions that read them;
// used by the OSM importer and by GeoJSON imports whose properties are OSM-style tags.
// Edit the tables, not the functions: first matching rule wins.

export type Tags = Readonly<Record<string, string>>;

/** Codes of data/service-classes.json (the 15-minute life circle). */
export const SERVICE_CLASS_CODES = [
  'education', 'child_care', 'health', 'pharmacy', 'elderly_care', 'culture', 'sports', 'commerce',
  'food_market', 'employment', 'social_security', 'community_centre', 'party_centre', 'public_safety',
  'transit', 'park',
] as const;
export type ServiceClassCode = (typeof SERVICE_CLASS_CODES)[number];

export function isServiceClassCode(s: unknown): s is ServiceClassCode {
  return typeof s === 'string' && (SERVICE_CLASS_CODES as readonly string[]).includes(s);
}

/**
 * A tag rule: every key in `match` must be present with one of the listed values ('*' = any value
 * except "no"). `kindKey` names the tag whose value becomes the facility kind (default: first key).
 */
export interface PoiRule {
  match: Readonly<Record<string, readonly string[] | '*'>>;
  serviceClass: ServiceClassCode;
  kindKey?: string;
}

export const POI_RULES: readonly PoiRule[] = [
  // Children and schools. amenity=university/college are not neighbourhood services (education = 中小学).
  { match: { amenity: ['kindergarten', 'childcare'] }, serviceClass: 'child_care' },
  { match: { amenity: ['school'] }, serviceClass: 'education' },
  // Health.
  { match: { amenity: ['pharmacy'] }, serviceClass: 'pharmacy' },
  { match: { healthcare: ['pharmacy'] }, serviceClass: 'pharmacy' },
  { match: { amenity: ['hospital', 'clinic', 'doctors', 'dentist'] }, serviceClass: 'health' },
  { match: { healthcare: ['hospital', 'clinic', 'doctor', 'centre', 'dentist'] }, serviceClass: 'health' },
  // Elderly care.
  { match: { amenity: ['social_facility'], 'social_facility:for': ['senior', 'elderly', 'aged'] }, serviceClass: 'elderly_care', kindKey: 'social_facility' },
  { match: { amenity: ['social_facility'], social_facility: ['nursing_home', 'assisted_living'] }, serviceClass: 'elderly_care', kindKey: 'social_facility' },
  { match: { amenity: ['nursing_home'] }, serviceClass: 'elderly_care' },
  // Community, government, employment.
  { match: { amenity: ['community_centre', 'social_centre'] }, serviceClass: 'community_centre' },
  { match: { amenity: ['townhall'] }, serviceClass: 'social_security' },
  { match: { office: ['government'] }, serviceClass: 'social_security' },
  { match: { amenity: ['social_facility'] }, serviceClass: 'social_security', kindKey: 'social_facility' },
  { match: { office: ['employment_agency'] }, serviceClass: 'employment' },
  { match: { amenity: ['job_centre'] }, serviceClass: 'employment' },
  // Culture.
  { match: { amenity: ['library', 'theatre', 'arts_centre', 'cinema', 'exhibition_centre'] }, serviceClass: 'culture' },
  { match: { tourism: ['museum', 'gallery'] }, serviceClass: 'culture' },
  // Safety.
  { match: { amenity: ['police', 'fire_station'] }, serviceClass: 'public_safety' },
  // Transit stops (stop_position nodes on the road would double-count each stop).
  { match: { highway: ['bus_stop'] }, serviceClass: 'transit' },
  { match: { railway: ['station', 'halt', 'tram_stop', 'subway_entrance'] }, serviceClass: 'transit' },
  { match: { amenity: ['bus_station'] }, serviceClass: 'transit' },
  { match: { public_transport: ['station'] }, serviceClass: 'transit' },
  // Food markets before general shops.
  { match: { amenity: ['marketplace'] }, serviceClass: 'food_market' },
  { match: { shop: ['greengrocer', 'butcher', 'seafood', 'farm'] }, serviceClass: 'food_market' },
  // Everyday commerce (商业便民).
  { match: { shop: ['supermarket', 'convenience', 'department_store', 'mall', 'general', 'variety_store', 'bakery', 'hairdresser', 'laundry', 'dry_cleaning'] }, serviceClass: 'commerce' },
  { match: { amenity: ['post_office'] }, serviceClass: 'commerce' },
  // Sports and parks.
  { match: { leisure: ['sports_centre', 'pitch', 'fitness_centre', 'fitness_station', 'stadium', 'swimming_pool', 'track', 'sports_hall'] }, serviceClass: 'sports' },
  { match: { leisure: ['park', 'garden', 'playground'] }, serviceClass: 'park' },
];

/** Name-based rules for Chinese data where tags are sparse; applied only to features with a POI key or a building tag. */
export interface NameRule {
  /** Name ends with one of these. */
  suffix?: readonly string[];
  /** Name contains one of these. */
  includes?: readonly string[];
  serviceClass: ServiceClassCode;
}

export const NAME_RULES: readonly NameRule[] = [
  { includes: ['党群服务', '党建服务', '党员服务中心', '党员活动'], serviceClass: 'party_centre' },
  { includes: ['社区服务中心', '社区服务站', '居委会', '居民委员会'], serviceClass: 'community_centre' },
  { includes: ['养老', '敬老院', '老年公寓', '托老所', '日间照料'], serviceClass: 'elderly_care' },
  { suffix: ['幼儿园', '托儿所'], includes: ['托育'], serviceClass: 'child_care' },
  { suffix: ['小学', '中学', '附中', '附小'], serviceClass: 'education' },
  { suffix: ['医院', '卫生服务中心', '卫生服务站', '卫生院', '诊所', '门诊部'], serviceClass: 'health' },
  { suffix: ['药店', '药房'], serviceClass: 'pharmacy' },
  { includes: ['菜市场', '农贸市场', '菜场'], serviceClass: 'food_market' },
  { suffix: ['派出所', '警务站', '消防站', '消防救援站'], serviceClass: 'public_safety' },
  { includes: ['政务服务', '社保', '街道办事处'], serviceClass: 'social_security' },
  { includes: ['职业介绍', '人力资源市场', '就业服务'], serviceClass: 'employment' },
  { suffix: ['图书馆', '文化馆', '文化中心', '文化活动中心', '博物馆', '美术馆', '剧院'], serviceClass: 'culture' },
  { suffix: ['体育馆', '健身房', '体育中心'], serviceClass: 'sports' },
  { suffix: ['公园'], serviceClass: 'park' },
];

/** Keys that make a node (or area) a point of interest. A POI without a class is skipped and counted. */
export const POI_KEYS = ['amenity', 'shop', 'leisure', 'tourism', 'office', 'healthcare', 'social_facility', 'craft', 'club'] as const;

const TRANSIT_POI: Readonly<Record<string, readonly string[]>> = {
  highway: ['bus_stop'],
  railway: ['station', 'halt', 'tram_stop', 'subway_entrance'],
  public_transport: ['station', 'platform'],
};

/** Is this tag set a point of interest (whether or not it maps to a service class)? */
export function isPoiCandidate(tags: Tags): boolean {
  for (const k of POI_KEYS) if (has(tags, k)) return true;
  for (const [k, vs] of Object.entries(TRANSIT_POI)) if (tags[k] !== undefined && vs.includes(tags[k]!)) return true;
  return false;
}

/** "amenity=restaurant": the main tag of a POI, for summaries of what was left out. */
export function poiKind(tags: Tags): string {
  for (const k of [...POI_KEYS, ...Object.keys(TRANSIT_POI)]) if (has(tags, k)) return `${k}=${tags[k]}`;
  return 'other';
}

function has(tags: Tags, k: string): boolean {
  const v = tags[k];
  return v !== undefined && v !== '' && v !== 'no';
}

function ruleMatches(rule: PoiRule, tags: Tags): boolean {
  for (const [k, vs] of Object.entries(rule.match)) {
    if (!has(tags, k)) return false;
    if (vs !== '*' && !vs.includes(tags[k]!)) return false;
  }
  return true;
}

export function featureName(tags: Tags): string | null {
  const n = tags['name'] ?? tags['name:zh'] ?? tags['name:zh-Hans'] ?? tags['name:en'];
  return n && n.trim() !== '' ? n.trim() : null;
}

export interface PoiClass {
  serviceClass: ServiceClassCode;
  /** The tag value that decided it, e.g. "school" (name rules: amenity/office value, else the class). */
  kind: string;
}

/** Service class of a POI, or null. Tag rules first, then name rules (only for POI-like or building features). */
export function classifyPoi(tags: Tags): PoiClass | null {
  for (const rule of POI_RULES) {
    if (ruleMatches(rule, tags)) {
      const key = rule.kindKey ?? Object.keys(rule.match)[0]!;
      return { serviceClass: rule.serviceClass, kind: tags[key]! };
    }
  }
  if (has(tags, 'highway') || has(tags, 'route') || has(tags, 'place')) return null;
  if (!isPoiCandidate(tags) && !has(tags, 'building')) return null;
  const name = featureName(tags);
  if (!name) return null;
  for (const rule of NAME_RULES) {
    if (rule.suffix?.some((s) => name.endsWith(s)) || rule.includes?.some((s) => name.includes(s))) {
      return { serviceClass: rule.serviceClass, kind: tags['amenity'] ?? tags['office'] ?? rule.serviceClass };
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Roads

/** highway=* values imported as roads (everything else on a way — platform, construction… — is not a road). */
export const ROAD_KINDS = [
  'motorway', 'trunk', 'primary', 'secondary', 'tertiary', 'unclassified', 'residential', 'service',
  'motorway_link', 'trunk_link', 'primary_link', 'secondary_link', 'tertiary_link', 'living_street',
  'pedestrian', 'track', 'footway', 'path', 'steps', 'cycleway', 'bridleway', 'road', 'busway', 'corridor',
] as const;
/** Never walkable. */
export const NOT_WALKABLE_ROADS = ['motorway', 'trunk', 'motorway_link', 'trunk_link'] as const;
/** Pedestrian-first ways. cycleway counts when foot=yes/designated/permissive. */
export const FOOTWAY_ROADS = ['footway', 'path', 'pedestrian', 'steps', 'track', 'living_street', 'bridleway', 'corridor'] as const;
const FOOT_ALLOWED = ['yes', 'designated', 'permissive'];
const ACCESS_DENIED = ['no', 'private'];

export interface RoadInfo {
  kind: string;
  walkable: boolean;
  footway: boolean;
}

/** Road attributes of a highway=* way, or null when it is not a road (or is an area). */
export function roadInfo(tags: Tags): RoadInfo | null {
  const kind = tags['highway'];
  if (!kind || !(ROAD_KINDS as readonly string[]).includes(kind)) return null;
  if (tags['area'] === 'yes') return null;
  const foot = tags['foot'];
  let walkable = !(NOT_WALKABLE_ROADS as readonly string[]).includes(kind);
  if (foot === 'no') walkable = false;
  if (tags['access'] && ACCESS_DENIED.includes(tags['access']) && !(foot && FOOT_ALLOWED.includes(foot))) walkable = false;
  const footway = (FOOTWAY_ROADS as readonly string[]).includes(kind) ||
    (kind === 'cycleway' && foot !== undefined && FOOT_ALLOWED.includes(foot));
  return { kind, walkable, footway: footway && walkable };
}

// ---------------------------------------------------------------------------------------------
// Buildings

export const RESIDENTIAL_BUILDINGS = [
  'residential', 'apartments', 'house', 'detached', 'dormitory', 'terrace', 'semidetached_house', 'bungalow',
] as const;

export interface BuildingInfo {
  kind: string;
  heightM: number | null;
  minHeightM: number;
  levels: number | null;
  residential: boolean;
}

/** "12", "12 m", "12.5m", "12,5", "40'", "40 ft", "10'6\"" → metres; null when unreadable. */
export function parseMeters(v: string | undefined): number | null {
  if (v == null) return null;
  const s = v.trim().toLowerCase().replace(',', '.');
  let m = /^(\d+(?:\.\d+)?)\s*(m|meters?|metres?)?$/.exec(s);
  let n: number | null = null;
  if (m) n = Number(m[1]);
  else if ((m = /^(\d+(?:\.\d+)?)\s*(ft|feet|')\s*(?:(\d+(?:\.\d+)?)\s*(?:"|in))?$/.exec(s))) {
    n = Number(m[1]) * 0.3048 + (m[3] ? Number(m[3]) * 0.0254 : 0);
  }
  if (n == null || !Number.isFinite(n) || n < 0 || n > 1000) return null;
  return Math.round(n * 100) / 100;
}

/** "5", "5.0", "5;6" (first) → 5; null when unreadable. */
export function parseLevels(v: string | undefined): number | null {
  if (v == null) return null;
  const m = /^\s*(\d+(?:\.\d+)?)/.exec(v);
  if (!m) return null;
  const n = Math.round(Number(m[1]));
  return n >= 0 && n <= 250 ? n : null;
}

export function buildingInfo(tags: Tags): BuildingInfo | null {
  const kind = tags['building'];
  if (!kind || kind === 'no') return null;
  return {
    kind,
    heightM: parseMeters(tags['height']) ?? parseMeters(tags['building:height']),
    minHeightM: parseMeters(tags['min_height']) ?? parseMeters(tags['building:min_height']) ?? 0,
    levels: parseLevels(tags['building:levels']) ?? parseLevels(tags['levels']),
    residential: (RESIDENTIAL_BUILDINGS as readonly string[]).includes(kind),
  };
}

// ---------------------------------------------------------------------------------------------
// Base map layers: landuse, water, boundary, transit lines, places

export type BaseLayer = 'landuse' | 'water' | 'boundary' | 'transit' | 'place';
export type GeomKind = 'point' | 'line' | 'polygon';

export interface AreaRule {
  match: Readonly<Record<string, readonly string[] | '*'>>;
  layer: BaseLayer;
  geom: readonly GeomKind[];
}

export const AREA_RULES: readonly AreaRule[] = [
  { match: { boundary: ['administrative'] }, layer: 'boundary', geom: ['polygon', 'line'] },
  { match: { natural: ['water'] }, layer: 'water', geom: ['polygon'] },
  { match: { waterway: ['riverbank', 'dock', 'basin'] }, layer: 'water', geom: ['polygon'] },
  { match: { landuse: ['reservoir', 'basin'] }, layer: 'water', geom: ['polygon'] },
  { match: { water: '*' }, layer: 'water', geom: ['polygon'] },
  { match: { waterway: ['river', 'stream', 'canal', 'drain', 'ditch'] }, layer: 'water', geom: ['line'] },
  { match: { landuse: '*' }, layer: 'landuse', geom: ['polygon'] },
  { match: { leisure: ['park', 'garden', 'playground', 'pitch', 'sports_centre', 'stadium', 'golf_course', 'nature_reserve', 'recreation_ground', 'track'] }, layer: 'landuse', geom: ['polygon'] },
  { match: { natural: ['wood', 'scrub', 'grassland', 'heath', 'wetland', 'sand', 'bare_rock', 'beach'] }, layer: 'landuse', geom: ['polygon'] },
  { match: { amenity: ['university', 'college', 'school', 'kindergarten', 'hospital', 'grave_yard'] }, layer: 'landuse', geom: ['polygon'] },
  { match: { railway: ['rail', 'subway', 'light_rail', 'tram', 'monorail', 'narrow_gauge'] }, layer: 'transit', geom: ['line'] },
  { match: { place: ['city', 'district', 'town', 'suburb', 'quarter', 'neighbourhood', 'village', 'hamlet', 'locality', 'isolated_dwelling'] }, layer: 'place', geom: ['point'] },
];

export interface AreaInfo {
  layer: BaseLayer;
  kind: string;
}

/** Base-map layer of a feature with the given geometry, or null. */
export function areaInfo(tags: Tags, geom: GeomKind): AreaInfo | null {
  for (const rule of AREA_RULES) {
    if (!rule.geom.includes(geom)) continue;
    let ok = true;
    for (const [k, vs] of Object.entries(rule.match)) {
      if (!has(tags, k) || (vs !== '*' && !vs.includes(tags[k]!))) { ok = false; break; }
    }
    if (!ok) continue;
    const key = Object.keys(rule.match)[0]!;
    const kind = rule.layer === 'boundary' && tags['admin_level'] ? `admin_level_${tags['admin_level']}` : tags[key]!;
    return { layer: rule.layer, kind };
  }
  return null;
}

/** Does a closed way describe an area (rather than a closed line such as a roundabout)? */
export function isAreaWay(tags: Tags): boolean {
  if (tags['area'] === 'yes') return true;
  if (tags['area'] === 'no') return false;
  if (has(tags, 'building')) return true;
  if (roadInfo(tags)) return false;
  if (has(tags, 'barrier') && Object.keys(tags).length <= 2) return false;
  if (tags['natural'] === 'coastline') return false;
  if (has(tags, 'waterway') && !['riverbank', 'dock', 'basin'].includes(tags['waterway']!)) return false;
  if (has(tags, 'railway') && tags['railway'] !== 'platform' && tags['railway'] !== 'station') return false;
  return true;
}
