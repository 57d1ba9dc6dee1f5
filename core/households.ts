// Household estimates for buildings (楼栋户数估算). Pure: no I/O.
// Real household counts are not open data; every value computed here is an estimate and must be
// shown as synthetic (households_synthetic = true).
//
//   households = round(footprint_m² × levels × NET_RATIO / M2_PER_HOUSEHOLD)
//   levels     = round(height / STOREY_M) when the height is known, else a default
//   residents  = round(households × PERSONS_PER_HOUSEHOLD)

/** Usable share of the gross floor area (walls, stairs, corridors excluded). */
export const NET_RATIO = 0.8;
/** Gross floor area of one dwelling, m². */
export const M2_PER_HOUSEHOLD = 90;
/** Storey height, m. */
export const STOREY_M = 3;
/** Levels assumed for a residential building of unknown height (typical 6-storey 新村 block). */
export const DEFAULT_LEVELS = 6;
/** Levels assumed for untagged low-rise fabric (里弄/石库门, old lanes) of unknown height. */
export const ASSUMED_LEVELS = 3;
/** Average household size (Shanghai census order of magnitude). */
export const PERSONS_PER_HOUSEHOLD = 2.6;

/** Why a building counts as residential: tagged so, inside residential landuse, or assumed. */
export type ResidentialBasis = 'tagged' | 'landuse' | 'assumed';

/** OSM/Tilezen building kinds (kind_detail) that are dwellings. */
export const RESIDENTIAL_KINDS: ReadonlySet<string> = new Set([
  'residential', 'apartments', 'house', 'detached', 'semidetached_house', 'terrace', 'dormitory', 'bungalow',
]);

export interface BuildingFacts {
  /** Tilezen kind: 'building' or 'building_part' (parts never carry households). */
  kind?: string | null;
  /** Tilezen kind_detail, the OSM building=* value when it is not plain "yes". */
  kindDetail?: string | null;
  name?: string | null;
  heightM?: number | null;
  footprintM2: number;
  /** The building's interior point lies in residential landuse. */
  inResidentialLanduse?: boolean;
  /** The building's interior point lies in other, non-residential landuse (park, commercial, school ...). */
  inOtherLanduse?: boolean;
}

export interface ClassifyOptions {
  /**
   * Treat untagged, unnamed, low-rise buildings of unknown height outside any non-residential
   * landuse as residential (the old lane fabric around the Bund is mostly untagged in OSM).
   */
  assumeUntagged?: boolean;
  /** Footprint range (m²) for the untagged assumption. */
  assumedFootprint?: [number, number];
}

export function levelsFromHeight(heightM: number | null | undefined): number | null {
  if (heightM == null || !Number.isFinite(heightM) || heightM <= 0) return null;
  return Math.max(1, Math.round(heightM / STOREY_M));
}

export function classifyResidential(b: BuildingFacts, opts: ClassifyOptions = {}): ResidentialBasis | null {
  if (b.kind === 'building_part') return null;
  const detail = b.kindDetail ?? null;
  if (detail && RESIDENTIAL_KINDS.has(detail)) return 'tagged';
  if (detail) return null; // explicitly something else: commercial, office, hotel, school ...
  if (b.inResidentialLanduse) return 'landuse';
  if (!opts.assumeUntagged) return null;
  const [lo, hi] = opts.assumedFootprint ?? [40, 2500];
  if (!b.name && b.heightM == null && !b.inOtherLanduse && b.footprintM2 >= lo && b.footprintM2 <= hi) return 'assumed';
  return null;
}

/** Levels used for the estimate: from the height, else the default for the basis. */
export function estimateLevels(heightM: number | null | undefined, basis: ResidentialBasis | null): number {
  return levelsFromHeight(heightM) ?? (basis === 'assumed' ? ASSUMED_LEVELS : DEFAULT_LEVELS);
}

export function estimateHouseholds(footprintM2: number, levels: number): number {
  if (!(footprintM2 > 0) || !(levels > 0)) return 0;
  return Math.round((footprintM2 * levels * NET_RATIO) / M2_PER_HOUSEHOLD);
}

export function estimateResidents(households: number): number {
  return households > 0 ? Math.round(households * PERSONS_PER_HOUSEHOLD) : 0;
}

export interface HouseholdEstimate {
  residential: boolean;
  basis: ResidentialBasis | null;
  /** Levels from the height, null when the height is unknown. */
  levels: number | null;
  /** Levels the estimate used (known or the default). */
  levelsUsed: number;
  households: number;
  residents: number;
}

/** The whole estimate for one building; non-residential buildings get 0 households. */
export function estimateBuilding(b: BuildingFacts, opts: ClassifyOptions = {}): HouseholdEstimate {
  const basis = classifyResidential(b, opts);
  const known = levelsFromHeight(b.heightM);
  const levelsUsed = estimateLevels(b.heightM, basis);
  if (!basis) return { residential: false, basis: null, levels: known, levelsUsed, households: 0, residents: 0 };
  const households = estimateHouseholds(b.footprintM2, levelsUsed);
  return { residential: true, basis, levels: known, levelsUsed, households, residents: estimateResidents(households) };
}
