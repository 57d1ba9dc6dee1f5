// Domain types shared by client and server. Pure: no I/O, no framework imports.
import type { Feature, FeatureCollection, MultiPolygon, Point } from 'geojson';

export type DivisionLevel = 'district' | 'subdistrict' | 'community';

export interface DivisionNode {
  code: string;
  name: string;
  level: DivisionLevel;
  parentCode: string | null;
  /** true where the boundary was derived for the demo, not an official boundary */
  syntheticGeometry: boolean;
  codeSource: 'nbs' | 'synthetic';
  gridCount: number;
  households: number;
  children: DivisionNode[];
}

export interface GridProps {
  id: number;
  code: string;
  name: string;
  communityCode: string;
  communityName: string;
  households: number;
  residents: number;
  buildings: number;
  synthetic: boolean;
}
export type GridFeature = Feature<MultiPolygon, GridProps>;
/** Grids as GET /api/grids sends them: truncated when the server's MAX_FEATURES cut the list. */
export type GridCollection = FeatureCollection<MultiPolygon, GridProps> & { truncated?: boolean };

export interface BuildingProps {
  id: number;
  name: string | null;
  heightM: number;
  minHeightM: number;
  levels: number | null;
  residential: boolean;
  households: number;
  residents: number;
  householdsSynthetic: boolean;
  gridId: number | null;
}

export interface FacilityProps {
  id: number;
  name: string | null;
  kind: string | null;
  serviceClass: string;
  synthetic: boolean;
  gridId: number | null;
}

export const INCIDENT_SOURCES = ['patrol', 'hotline_12345', 'hotline_8890', 'photo', 'open311', 'simulator'] as const;
export type IncidentSource = (typeof INCIDENT_SOURCES)[number];

export const INPUT_CRS = ['wgs84', 'cgcs2000', 'gcj02', 'bd09'] as const;
export type InputCrs = (typeof INPUT_CRS)[number];

export interface Incident {
  id: number;
  clientKey: string;
  category: string;
  description: string;
  source: string;
  status: string;
  lon: number | null;
  lat: number | null;
  inputCrs: InputCrs;
  gridId: number | null;
  gridName: string | null;
  communityCode: string | null;
  subdistrictCode: string | null;
  districtCode: string | null;
  synthetic: boolean;
  createdAt: string;
  updatedAt: string;
}
export type IncidentFeature = Feature<Point, Incident>;

/** A case's point, or null for an unlocated hotline case given by address only. */
export const lonLatOf = (i: { lon: number | null; lat: number | null }): [number, number] | null =>
  (i.lon === null || i.lat === null ? null : [i.lon, i.lat]);

export interface DistrictInfo {
  code: string;
  name: string;
  bbox: [number, number, number, number];
  center: [number, number];
  attribution: string;
  synthetic: { divisions: boolean; grids: boolean; households: boolean; incidents: boolean };
}

export interface ServiceClass {
  code: string;
  name: string;
  walkMinutes: number;
  color: string;
}

export interface IncidentCategory {
  code: string;
  name: string;
}

export const OSM_ATTRIBUTION = '© OpenStreetMap contributors';
