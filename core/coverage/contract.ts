// The 15-minute life circle API (issue 12): zod schemas of every request and the TypeScript shapes
// of every answer of /api/coverage/*, shared by the server (validation) and the /coverage page.
//
// Terms
// - A class is one of the 16 service classes of data/service-classes.json (code, walkMinutes).
// - "limit": the walking-time threshold in minutes. Omitted = each class's own walkMinutes (5/10/15);
//   given (5, 10, 15 or 20) = the same threshold for every class.
// - minutes: walking time along the walkable network from a building to the nearest facility of a
//   class, including both connectors (building → nearest walkable edge, edge → facility). null = no
//   facility of the class within COVERAGE_MAX_MINUTES, or the building reaches no walkable edge.
// - covered: minutes ≤ limit. Shares are of households (and residents) of residential buildings;
//   households are synthetic estimates in the demo, so every answer carries synthetic: true.
import type { Feature, FeatureCollection, MultiLineString, MultiPolygon, Point, Polygon } from 'geojson';
import { z } from 'zod';
import { INPUT_CRS } from '../types.js';

/** Thresholds a planner may choose. */
export const WALK_LIMITS = [5, 10, 15, 20] as const;
export type WalkLimit = (typeof WALK_LIMITS)[number];
/** The searches stop here: times above it are reported as null ("more than 30 min"). */
export const COVERAGE_MAX_MINUTES = 30;
/** Default walking speed (config WALK_SPEED_MPS): 1.2 m/s ≈ 1,080 m in 15 min. */
export const DEFAULT_WALK_SPEED_MPS = 1.2;
/** A point farther than this from every walkable edge reaches no edge (reported, never dropped). */
export const MAX_SNAP_METERS = 300;
/** Default interactive isochrone bands. */
export const DEFAULT_BANDS = [5, 10, 15] as const;
export const SUGGEST_METHOD = 'greedy maximal covering' as const;
export const SUGGEST_CANDIDATES = 'existing non-residential buildings (buildings that already hold a facility of the class are excluded)' as const;
export const GAPS_METHOD = 'uncovered residential buildings, buffered 25 m and merged per community' as const;
export const ISOCHRONE_METHOD = 'reached street pieces (partial edges included) buffered 25 m, traced on a 5 m grid; no convex or alpha hull' as const;

// ---------- shared pieces ----------

const classCode = z.string().min(1).max(64).regex(/^[a-z_]+$/, 'a service class code');
const limitParam = z.coerce.number().int()
  .refine((v): v is WalkLimit => (WALK_LIMITS as readonly number[]).includes(v), 'limit is 5, 10, 15 or 20');
const id = z.coerce.number().int().positive().max(2 ** 31 - 1);
const lon = z.number().finite().min(-180).max(180);
const lat = z.number().finite().min(-90).max(90);
const crs = z.enum(INPUT_CRS).default('wgs84');

/** A point given by the planner (a click on the map). */
export const pointSchema = z.object({ lon, lat, crs });
export type PointInput = z.infer<typeof pointSchema>;

/** Changes to one class's facilities. Facility ids are facility.id of the database. */
export const classChangesSchema = z.object({
  class: classCode,
  add: z.array(pointSchema).max(200).default([]),
  move: z.array(z.object({ id, lon, lat, crs })).max(200).default([]),
  remove: z.array(id).max(1000).default([]),
});
export type ClassChanges = z.infer<typeof classChangesSchema>;

// ---------- requests ----------

/** GET /api/coverage/summary */
export const summaryQuery = z.object({ limit: limitParam.optional() });
/** GET /api/coverage/grids — class omitted: every class's share and the score per grid. */
export const gridsQuery = z.object({ class: classCode.optional(), limit: limitParam.optional() });
/** GET /api/coverage/buildings — bbox "minLon,minLat,maxLon,maxLat" optional. */
export const buildingsQuery = z.object({
  class: classCode,
  limit: limitParam.optional(),
  bbox: z.string().max(200).optional(),
  /** Only residential buildings (households > 0) unless all=true. */
  all: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
});
/** GET /api/coverage/gaps and /api/coverage/gaps.geojson */
export const gapsQuery = z.object({
  class: classCode,
  community: z.string().min(1).max(64).optional(),
  limit: limitParam.optional(),
});
/** GET /api/coverage/isochrone */
export const isochroneQuery = z.object({
  lon: z.coerce.number().finite().min(-180).max(180),
  lat: z.coerce.number().finite().min(-90).max(90),
  crs,
  /** Ascending minutes, comma-separated, 1..COVERAGE_MAX_MINUTES, at most 6. */
  bands: z.string().max(40).default(DEFAULT_BANDS.join(','))
    .transform((s, ctx) => {
      const v = s.split(',').map((x) => Number(x.trim()));
      const good = v.length >= 1 && v.length <= 6
        && v.every((m, i) => Number.isInteger(m) && m >= 1 && m <= COVERAGE_MAX_MINUTES && (i === 0 || m > v[i - 1]!));
      if (!good) ctx.addIssue({ code: 'custom', message: `bands: 1 to 6 ascending whole minutes in 1..${COVERAGE_MAX_MINUTES}` });
      return v;
    }),
  /**
   * polygons (default): reached streets buffered 25 m by PostGIS (≈0.2–0.5 s on the demo);
   * lines: the reached street pieces themselves as MultiLineStrings (a few ms; for dragging).
   */
  shape: z.enum(['polygons', 'lines']).default('polygons'),
});
/** GET /api/coverage/facilities/:id/isochrone — minutes default: the class's walkMinutes. */
export const facilityIsochroneQuery = z.object({
  minutes: z.coerce.number().int().min(1).max(COVERAGE_MAX_MINUTES).optional(),
});
/** GET /api/coverage/isochrones.geojson — one isochrone per facility of the class at its limit. */
export const isochronesExportQuery = z.object({ class: classCode, limit: limitParam.optional() });
/** POST /api/coverage/what-if (nothing is saved). */
export const whatIfBody = classChangesSchema.extend({ limit: z.number().int().refine((v) => (WALK_LIMITS as readonly number[]).includes(v), 'limit is 5, 10, 15 or 20').optional() });
export type WhatIfBody = z.infer<typeof whatIfBody>;
/** POST /api/coverage/scenarios */
export const scenarioCreateBody = z.object({
  name: z.string().trim().min(1).max(100),
  changes: z.array(classChangesSchema).min(1).max(16),
});
export type ScenarioCreateBody = z.infer<typeof scenarioCreateBody>;
/** GET /api/coverage/scenarios/compare?a=&b= — each a scenario id or "baseline". */
export const compareQuery = z.object({
  a: z.union([z.literal('baseline'), id]),
  b: z.union([z.literal('baseline'), id]),
  limit: limitParam.optional(),
});
/** POST /api/coverage/suggest */
export const suggestBody = z.object({
  class: classCode,
  k: z.number().int().min(1).max(20),
  /** Only households of this community count, and candidates lie in it. */
  community: z.string().min(1).max(64).optional(),
  limit: z.number().int().refine((v) => (WALK_LIMITS as readonly number[]).includes(v), 'limit is 5, 10, 15 or 20').optional(),
});
export type SuggestBody = z.infer<typeof suggestBody>;

// ---------- answers ----------

/** Households and residents of residential buildings and how many are covered. */
export interface CoverageCell {
  households: number;
  residents: number;
  coveredHouseholds: number;
  coveredResidents: number;
  /** coveredHouseholds / households; null when there are no households. */
  householdsShare: number | null;
  residentsShare: number | null;
}

export interface CoverageClass {
  code: string;
  name: string;
  walkMinutes: number;
  color: string;
  /** Facilities of the class in the district (reachable or not). */
  facilities: number;
  /** The threshold applied to this class in this answer. */
  limitMinutes: number;
}

export interface CoverageArea {
  code: string;
  name: string;
  households: number;
  residents: number;
  /** Mean of the 16 classes' householdsShare (classes with no households count as 0); 0..1, null when no households. */
  score: number | null;
  /** Classes reached within the limit by less than half of the households (LACK_BELOW in core/coverage/coverage.ts). */
  lacks: string[];
  cells: Record<string, CoverageCell>;
}

export interface UnreachableBuilding { id: number; name: string | null; households: number }
export interface UnreachableFacility { id: number; name: string | null; class: string }

export interface CoverageGraphInfo {
  nodes: number;
  /** Walkable street segments (between intersections or shape points). */
  edges: number;
  /** Connected pieces of the network (islands). */
  components: number;
  /** Buildings (with households > 0) farther than MAX_SNAP_METERS from every walkable edge. */
  unreachableBuildings: UnreachableBuilding[];
  unreachableFacilities: UnreachableFacility[];
  /** Road rows left out: not walkable, motorways and their links. */
  excludedRoads: number;
}

/** GET /api/coverage/summary */
export interface CoverageSummary {
  speedMps: number;
  /** null = each class's own walkMinutes. */
  limitMinutes: number | null;
  computedAt: string;
  graph: CoverageGraphInfo;
  classes: CoverageClass[];
  /** Communities in the caller's jurisdiction. */
  communities: CoverageArea[];
  /** The caller's whole jurisdiction (district, or the bound subtree/grid). */
  district: CoverageArea;
  synthetic: true;
  attribution: string;
}

export interface GridCoverage {
  gridId: number;
  code: string;
  name: string;
  communityCode: string;
  households: number;
  residents: number;
  /** For the requested class; with class omitted: the mean over classes (= score). */
  householdsShare: number | null;
  residentsShare: number | null;
  /** Only when class is omitted. */
  score?: number | null;
  /** Only when class is omitted: per class share of households. */
  shares?: Record<string, number | null>;
}
/** GET /api/coverage/grids */
export interface CoverageGrids {
  class: string | null;
  limitMinutes: number | null;
  computedAt: string;
  grids: GridCoverage[];
  synthetic: true;
}

export interface BuildingCoverageProps {
  id: number;
  name: string | null;
  households: number;
  residents: number;
  communityCode: string | null;
  gridId: number | null;
  /** null = no facility within COVERAGE_MAX_MINUTES or no walkable edge (see reachable). */
  minutes: number | null;
  covered: boolean;
  /** false: the building is farther than MAX_SNAP_METERS from every walkable edge. */
  reachable: boolean;
}
/** GET /api/coverage/buildings */
export type CoverageBuildings = FeatureCollection<MultiPolygon, BuildingCoverageProps> & {
  class: string; limitMinutes: number; computedAt: string; synthetic: true; attribution: string;
  /** More buildings matched than MAX_FEATURES: narrow with bbox. */
  truncated: boolean;
};

export interface GapProps {
  class: string;
  limitMinutes: number;
  /** null: buildings in no community (outside every division). */
  communityCode: string | null;
  communityName: string;
  /** Households of the uncovered residential buildings in this polygon. */
  households: number;
  residents: number;
  buildings: number;
}
/** GET /api/coverage/gaps */
export type CoverageGaps = FeatureCollection<Polygon, GapProps> & {
  class: string; limitMinutes: number; method: typeof GAPS_METHOD; synthetic: true; attribution: string;
};

export interface IsochroneBandProps {
  minutes: number;
  /** Edges reached (fully or partly) within these minutes, and their reached length. */
  reachedEdges: number;
  reachedLengthM: number;
}
export interface IsochroneOrigin {
  lon: number;
  lat: number;
  /** Straight connector from the point to its nearest walkable edge (walked at the same speed). */
  snapDistanceM: number;
  /** Where the connector meets the street [lon, lat]. */
  snappedTo?: [number, number];
  /** Facility isochrones only. */
  facilityId?: number;
  class?: string;
}
/** GET /api/coverage/isochrone and /api/coverage/facilities/:id/isochrone: bands ascending. */
export type Isochrone = FeatureCollection<MultiPolygon, IsochroneBandProps> & {
  origin: IsochroneOrigin;
  speedMps: number;
  reached: { edges: number; lengthM: number };
  method: typeof ISOCHRONE_METHOD;
  attribution: string;
};

/** GET /api/coverage/isochrone?shape=lines: the same answer with each band's reached street pieces. */
export type IsochroneLines = Omit<Isochrone, 'features'> & { features: Feature<MultiLineString, IsochroneBandProps>[] };

export interface BuildingChange {
  buildingId: number;
  before: number | null;
  after: number | null;
  /** Covered within the limit before and after. */
  coveredBefore: boolean;
  coveredAfter: boolean;
}
export interface WhatIfArea {
  code: string;
  name: string;
  before: CoverageCell;
  after: CoverageCell;
}
/** POST /api/coverage/what-if */
export interface WhatIfResult {
  class: string;
  limitMinutes: number;
  facilities: { before: number; after: number };
  communities: WhatIfArea[];
  district: WhatIfArea;
  /** Every building whose minutes changed. */
  changed: BuildingChange[];
  /** Added or moved facilities that reach no walkable edge (they cover nothing). */
  unreachable: { kind: 'add' | 'move'; index: number; id?: number }[];
  ms: number;
  synthetic: true;
}

export interface ScenarioListItem {
  id: number;
  name: string;
  createdAt: string;
  createdBy: string;
  classes: string[];
}
/** GET /api/coverage/scenarios/:id */
export interface Scenario extends ScenarioListItem {
  changes: ClassChanges[];
  computedAt: string;
  /** Results at each class's walkMinutes; classes not changed equal the baseline. */
  communities: CoverageArea[];
  district: CoverageArea;
  synthetic: true;
}
export interface CompareRow {
  /** Community code, or the jurisdiction's code for the whole. */
  area: string;
  name: string;
  class: string;
  a: number | null;
  b: number | null;
  /** b − a (shares of households), null when either is null. */
  delta: number | null;
}
/** GET /api/coverage/scenarios/compare */
export interface ScenarioCompare {
  a: { id: number | 'baseline'; name: string };
  b: { id: number | 'baseline'; name: string };
  limitMinutes: number | null;
  rows: CompareRow[];
  score: { area: string; name: string; a: number | null; b: number | null; delta: number | null }[];
  synthetic: true;
}

export interface SuggestedSite {
  lon: number;
  lat: number;
  buildingId: number;
  name: string | null;
  newlyCoveredHouseholds: number;
  newlyCoveredBuildings: number;
  /** Households newly covered by this site and the ones before it. */
  cumulative: number;
}
/** POST /api/coverage/suggest */
export interface SuggestResult {
  method: typeof SUGGEST_METHOD;
  candidates: typeof SUGGEST_CANDIDATES;
  candidateCount: number;
  class: string;
  limitMinutes: number;
  community: string | null;
  sites: SuggestedSite[];
  before: CoverageCell;
  after: CoverageCell;
  synthetic: true;
}

/** POST /api/coverage/recompute (coverage:create): rebuilds the graph and stores every class. */
export interface RecomputeResult {
  computedAt: string;
  ms: number;
  graph: { nodes: number; edges: number };
  classes: number;
}

export type IsochroneFeature = Feature<MultiPolygon, IsochroneBandProps>;
export type FacilityPoint = Feature<Point, { id: number; name: string | null; class: string }>;
