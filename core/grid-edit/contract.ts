// The grid editor's API contract (issue 11): zod schemas and TypeScript types of every request and
// response under /api/grid-editor, shared by the server (validation) and the /grids page.
// Geometry is GeoJSON WGS84 (EPSG:4326). Existing grids keep their numeric `id`; grids new in a
// draft have id null and a client `key` (e.g. "new-1"); every draft grid has a key.
import type { Feature, FeatureCollection, Geometry, LineString, MultiPolygon, Polygon } from 'geojson';
import { z } from 'zod';
import { INPUT_CRS } from '../types.js';

// ---------------------------------------------------------------------------------------------
// Limits and defaults

/** Vertices one grid may have (all rings, closing points included). */
export const MAX_GRID_VERTICES = 5000;
/** Grids in one community's draft. */
export const MAX_DRAFT_GRIDS = 500;
/** Household band a grid should fall in unless the district configures another. */
export const DEFAULT_BAND = { min: 200, max: 300 } as const;
/** A building counts as cut when a grid boundary runs through its interior deeper than this (metres). */
export const CUT_TOLERANCE_M = 0.5;
/** A gap inside the community or a part outside it smaller than this (m²) is ignored (rounding). */
export const AREA_TOLERANCE_M2 = 1;
export const GRID_NAME_MAX = 64;
export const NOTE_MAX = 500;

// ---------------------------------------------------------------------------------------------
// Geometry

const coordinate = z.array(z.number().finite()).min(2).max(3);
const ring = z.array(coordinate).min(4);
export const polygonSchema = z.object({ type: z.literal('Polygon'), coordinates: z.array(ring).min(1) });
export const multiPolygonSchema = z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(ring).min(1)).min(1) });
export const areaGeometrySchema = z.discriminatedUnion('type', [polygonSchema, multiPolygonSchema]);
export type AreaGeometry = Polygon | MultiPolygon;

/** A grid's area as one MultiPolygon (a Polygon becomes its single part); the shape publish stores. */
export const asMulti = (g: AreaGeometry): MultiPolygon => (g.type === 'Polygon' ? { type: 'MultiPolygon', coordinates: [g.coordinates] } : g);

// ---------------------------------------------------------------------------------------------
// Draft grids

export const gridKeySchema = z.string().min(1).max(64);
export const gridRefSchema = z.union([z.number().int().positive(), gridKeySchema]);

export const lineageSchema = z.object({
  /** The grid (id, or key of a new grid) this one was split from. */
  splitFrom: gridRefSchema.optional(),
  /** The grids merged into this one. */
  mergedFrom: z.array(gridRefSchema).max(MAX_DRAFT_GRIDS).optional(),
});
export type Lineage = z.infer<typeof lineageSchema>;

export const draftGridSchema = z.object({
  /** Published grid id; null for a grid new in this draft. */
  id: z.number().int().positive().nullable(),
  key: gridKeySchema,
  name: z.string().trim().min(1).max(GRID_NAME_MAX),
  geometry: areaGeometrySchema,
  locked: z.boolean().optional(),
  lineage: lineageSchema.optional(),
});
export interface DraftGrid {
  id: number | null;
  key: string;
  name: string;
  geometry: AreaGeometry;
  locked?: boolean;
  lineage?: Lineage;
}

/** A draft grid as the server returns it: with its figures (buildings by interior point). */
export interface DraftGridOut extends DraftGrid {
  code: string | null;
  households: number;
  residents: number;
  buildings: number;
}

export const draftGridsSchema = z.array(draftGridSchema).max(MAX_DRAFT_GRIDS)
  .refine((gs) => new Set(gs.map((g) => g.key)).size === gs.length, 'grid keys must be unique')
  .refine((gs) => {
    const ids = gs.map((g) => g.id).filter((i) => i != null);
    return new Set(ids).size === ids.length;
  }, 'a grid id may appear once');

export const bandSchema = z.object({ min: z.number().int().min(0).max(100_000), max: z.number().int().min(1).max(100_000) })
  .refine((b) => b.min <= b.max, 'band.min must not exceed band.max');
export type Band = z.infer<typeof bandSchema>;

// ---------------------------------------------------------------------------------------------
// Validation

export const PROBLEM_CODES = [
  'invalid_geometry', 'self_intersection', 'overlap', 'gap', 'outside_community', 'nesting',
  'cuts_building', 'empty', 'too_many_vertices', 'out_of_band',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];
/** Problems that block publishing; the rest (out_of_band) are warnings. */
export const BLOCKING_PROBLEMS: readonly ProblemCode[] = PROBLEM_CODES.filter((c) => c !== 'out_of_band');

export interface Problem {
  code: ProblemCode;
  /** zh-CN, names the grid(s) and what is wrong. */
  message: string;
  /** Keys of the grids involved (none for a gap). */
  gridKeys: string[];
  /** Where it is (the overlap, the gap, the part outside, the cut building, the bad vertex…); null if nowhere in particular. */
  geometry: Geometry | null;
  /** For cuts_building: the building's id. */
  buildingId?: number | string;
}

export interface GridFigures {
  key: string;
  households: number;
  residents: number;
  buildings: number;
  inBand: boolean;
}

export interface Validation {
  /** No blocking problem (out_of_band alone still lets a draft publish). */
  ok: boolean;
  problems: Problem[];
  grids: GridFigures[];
}

export const validateRequestSchema = z.object({ grids: draftGridsSchema, band: bandSchema.optional() });
export type ValidateRequest = z.infer<typeof validateRequestSchema>;
export type ValidateResponse = Validation;

// ---------------------------------------------------------------------------------------------
// Communities and the editor's working set

export interface CommunitySummary {
  code: string;
  name: string;
  subdistrictCode: string;
  /** Published grids. */
  grids: number;
  households: number;
  /** A draft is saved for this community. */
  draft: boolean;
}
export type CommunitiesResponse = CommunitySummary[];

export interface BuildingProps {
  id: number;
  name: string | null;
  households: number;
  residents: number;
  /** Households/residents are estimates (synthetic). */
  synthetic: boolean;
}
export interface RoadProps {
  id: number;
  name: string | null;
  kind: string;
}

export interface VersionSummary {
  id: number;
  publishedAt: string;
  publishedBy: string;
  note: string | null;
}

export interface CommunityResponse {
  community: { code: string; name: string; geometry: MultiPolygon };
  subdistrict: { code: string; geometry: MultiPolygon | null };
  /** The district's household band (bandSource 'district'), or DEFAULT_BAND ('default'). */
  band: Band;
  bandSource: 'district' | 'default';
  /** The district whose band applies, and whether this principal may change it (district-wide jurisdiction). */
  district: { code: string; name: string; bandEditable: boolean } | null;
  /** Optimistic lock: bumps on every draft save, discard, rollback, import and publish. */
  revision: number;
  draft: null | { savedBy: string; savedAt: string };
  /** The draft's grids when there is one, else the published grids. */
  grids: DraftGridOut[];
  buildings: FeatureCollection<MultiPolygon | Polygon, BuildingProps>;
  roads: FeatureCollection<LineString, RoadProps>;
  versions: VersionSummary[];
  /** Building outlines and roads are © OpenStreetMap contributors; households are estimates. */
  attribution: string;
  synthetic: boolean;
}

/** PUT /api/grid-editor/districts/:code/band: the district's band, or null for the default. */
export const setBandRequestSchema = z.object({ band: bandSchema.nullable() });
export type SetBandRequest = z.infer<typeof setBandRequestSchema>;
export interface SetBandResponse {
  district: string;
  band: Band;
  bandSource: 'district' | 'default';
}

// ---------------------------------------------------------------------------------------------
// Draft

export const saveDraftRequestSchema = z.object({ baseRevision: z.number().int().min(0), grids: draftGridsSchema });
export type SaveDraftRequest = z.infer<typeof saveDraftRequestSchema>;
export interface SaveDraftResponse {
  revision: number;
  validation: Validation;
}

export const discardDraftRequestSchema = z.object({ baseRevision: z.number().int().min(0) });
export type DiscardDraftRequest = z.infer<typeof discardDraftRequestSchema>;
export interface DiscardDraftResponse {
  revision: number;
}

/** `details` of a 409 revision_conflict: who saved last and when, and the revision to reload. */
export interface RevisionConflictDetails {
  revision: number;
  savedBy: string | null;
  savedAt: string | null;
}

// ---------------------------------------------------------------------------------------------
// Automatic partition and rebalance

export interface Quality {
  grids: number;
  householdsMin: number;
  householdsMax: number;
  householdsMean: number;
  householdsStd: number;
  /** Grids within the band. */
  inBand: number;
  /** Polsby–Popper compactness 4πA/P² (1 = circle). */
  polsbyPopperMean: number;
  polsbyPopperMin: number;
  buildingsMoved: number;
  ms: number;
}

export const partitionRequestSchema = z.object({
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  band: bandSchema.optional(),
  /** The current grids; those named in lockedKeys are kept as they are. */
  grids: draftGridsSchema.default([]),
  lockedKeys: z.array(gridKeySchema).max(MAX_DRAFT_GRIDS).default([]),
});
export type PartitionRequest = z.input<typeof partitionRequestSchema>;
export interface PartitionResponse {
  grids: DraftGridOut[];
  quality: Quality;
}

export const rebalanceRequestSchema = z.object({ grids: draftGridsSchema, band: bandSchema.optional() });
export type RebalanceRequest = z.infer<typeof rebalanceRequestSchema>;
export interface BuildingMove {
  buildingId: number | string;
  fromKey: string;
  toKey: string;
  households: number;
}
/**
 * What moving buildings cannot fix, after a rebalance (core/grid-edit/advice.ts):
 * - building_over_max: one building has more households than the band allows (its grid is keys[0]);
 * - merge: the cluster of touching grids has too few households for its grids; merge keys[0] and keys[1];
 * - split: the cluster has too many households for its grids; split keys[0].
 * `cluster` is the set of touching unlocked grids, its households, grid count and the count it needs.
 */
export interface RebalanceAdvice {
  kind: 'building_over_max' | 'merge' | 'split';
  keys: string[];
  households: number;
  buildingId?: number | string;
  cluster?: { keys: string[]; households: number; grids: number; need: number };
}
export interface RebalanceResponse {
  grids: DraftGridOut[];
  moves: BuildingMove[];
  quality: Quality;
  advice: RebalanceAdvice[];
}

// ---------------------------------------------------------------------------------------------
// Publish, versions, rollback

export const publishRequestSchema = z.object({
  baseRevision: z.number().int().min(0),
  note: z.string().trim().max(NOTE_MAX).optional(),
});
export type PublishRequest = z.infer<typeof publishRequestSchema>;

export interface LineageEntry {
  /** The grid after publishing (kept or created), or the retired grid. */
  gridId: number;
  code: string;
  name: string;
  status: 'kept' | 'created' | 'retired';
  /** Draft key of a kept/created grid. */
  key: string | null;
  /** Published grids it was split from / merged from (created grids). */
  splitFrom: number | null;
  mergedFrom: number[];
  /** For a retired grid: the grid that took over its accounts, branches and staff. */
  successorId: number | null;
}

export interface PublishResponse {
  version: { id: number; publishedAt: string };
  revision: number;
  moved: { buildings: number; households: number; partyOrgs: number; staff: number; incidents: number; accounts: number };
  lineage: LineageEntry[];
}

export interface VersionGridProps {
  id: number;
  code: string;
  name: string;
  households: number;
  residents: number;
  buildings: number;
}
export interface VersionResponse {
  id: number;
  communityCode: string;
  publishedAt: string;
  publishedBy: string;
  note: string | null;
  grids: FeatureCollection<MultiPolygon, VersionGridProps>;
}

export interface CompareResponse {
  a: number;
  b: number;
  /** Grids in b only / in a only / in both with another shape (feature properties of b; `before` = a's geometry). */
  added: FeatureCollection<MultiPolygon, VersionGridProps>;
  removed: FeatureCollection<MultiPolygon, VersionGridProps>;
  changed: FeatureCollection<MultiPolygon, VersionGridProps & { householdsBefore: number }>;
  /** Households in buildings whose grid differs between a and b. */
  householdsMoved: number;
}

export const rollbackRequestSchema = z.object({ baseRevision: z.number().int().min(0) });
export type RollbackRequest = z.infer<typeof rollbackRequestSchema>;
export interface RollbackResponse {
  revision: number;
  validation: Validation;
}

// ---------------------------------------------------------------------------------------------
// Import and export

export const importQuerySchema = z.object({ crs: z.enum(INPUT_CRS).default('wgs84') });
export type ImportQuery = z.infer<typeof importQuerySchema>;
export interface ImportResponse {
  revision: number;
  grids: number;
  validation: Validation;
}

export const EXPORT_FORMATS = ['geojson', 'shp'] as const;
export const exportQuerySchema = z.object({ format: z.enum(EXPORT_FORMATS).default('geojson') });
export type ExportQuery = z.infer<typeof exportQuerySchema>;

/** Properties of each exported grid (GeoJSON and the Shapefile's attribute table). */
export interface ExportGridProps {
  id: number | null;
  code: string | null;
  name: string;
  households: number;
  residents: number;
  buildings: number;
  synthetic: boolean;
  attribution: string;
}
export type ExportFeature = Feature<MultiPolygon, ExportGridProps>;

// ---------------------------------------------------------------------------------------------
// Events

/** Published on the bus and to open map pages after a publish or rollback-publish. */
export interface GridsPublishedEvent {
  communityCode: string;
  versionId: number;
}
