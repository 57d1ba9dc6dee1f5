// Typed HTTP client for the GridCommand API (same origin by default).
import type { Feature, FeatureCollection, MultiPolygon, Point, Polygon } from 'geojson';
import type { ApiErrorBody } from '../../../core/errors.js';
import type {
  BuildingProps,
  DistrictInfo,
  DivisionLevel,
  DivisionNode,
  FacilityProps,
  GridCollection,
  Incident,
  IncidentCategory,
  InputCrs,
  ServiceClass,
} from '../../../core/types.js';

export type BBox = [number, number, number, number];

export interface Health {
  status: string;
  database: 'embedded' | 'postgres';
  postgis: string;
}

/** DistrictInfo plus the optional external raster base map the server may announce. */
export type DistrictInfoEx = DistrictInfo & { basemapUrl?: string | null };

export interface DivisionFeatureProps {
  code: string;
  name: string;
  level: DivisionLevel;
  parentCode: string | null;
  syntheticGeometry: boolean;
}
export type DivisionCollection = FeatureCollection<MultiPolygon | Polygon, DivisionFeatureProps>;
export type BuildingCollection = FeatureCollection<MultiPolygon | Polygon, BuildingProps>;
export type FacilityCollection = FeatureCollection<Point, FacilityProps>;
export type FacilityFeature = Feature<Point, FacilityProps>;

export interface IncidentList {
  incidents: Incident[];
  /** Server time of the query; pass as `since` to fetch what changed afterwards. */
  now: string;
}

export interface NewIncident {
  lon: number;
  lat: number;
  category: string;
  description: string;
  source: string;
  clientKey: string;
  crs?: InputCrs;
}

/** An empty FeatureCollection of any feature type (fallback when an optional layer fails). */
export function emptyFc<G extends import('geojson').Geometry = never, P = Record<string, unknown>>(): FeatureCollection<G, P> {
  return { type: 'FeatureCollection', features: [] };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Not logged in, session expired, or the account must change its password first. */
export function isAuthError(e: unknown): e is ApiError {
  return e instanceof ApiError && (e.status === 401 || e.code === 'password_change_required');
}

export interface Account {
  kind: 'account' | 'token';
  id: number;
  username: string;
  displayName: string;
  role: string;
  roleName: string;
  mustChangePassword?: boolean;
  csrfToken?: string;
}

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export function bboxParam(b: BBox): string {
  return b.map((n) => +n.toFixed(6)).join(',');
}

/** Builds "path?a=1&b=2", leaving out undefined/empty values. */
export function withQuery(path: string, params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export function createApi(base = '', fetchImpl: FetchLike = (i, init) => fetch(i, init)) {
  async function request<T>(path: string, init?: RequestInit): Promise<T> {
    let res: Response;
    try {
      res = await fetchImpl(base + path, { headers: { Accept: 'application/json' }, ...init });
    } catch (e) {
      throw new ApiError(0, 'network_error', `无法连接服务器：${(e as Error).message}`);
    }
    const text = await res.text();
    let body: unknown = null;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        if (!res.ok) throw new ApiError(res.status, 'http_error', `HTTP ${res.status}`);
        throw new ApiError(res.status, 'bad_json', `服务器返回了无效的 JSON（${path}）`);
      }
    }
    if (!res.ok) {
      const err = (body as Partial<ApiErrorBody> | null)?.error;
      throw new ApiError(res.status, err?.code ?? 'http_error', err?.message ?? `HTTP ${res.status}`);
    }
    return body as T;
  }
  const get = <T>(path: string, signal?: AbortSignal) => request<T>(path, { signal });

  return {
    me: (signal?: AbortSignal) => get<{ account: Account }>('/api/auth/me', signal),
    logout: (csrfToken: string) =>
      request<{ ok: boolean }>('/api/auth/logout', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrfToken },
        body: '{}',
      }),
    health: (signal?: AbortSignal) => get<Health>('/api/health', signal),
    district: (signal?: AbortSignal) => get<DistrictInfoEx>('/api/district', signal),
    divisions: (signal?: AbortSignal) => get<{ tree: DivisionNode }>('/api/divisions', signal),
    divisionsGeojson: (level: DivisionLevel, signal?: AbortSignal) =>
      get<DivisionCollection>(withQuery('/api/divisions.geojson', { level }), signal),
    grids: (bbox: BBox, division?: string, signal?: AbortSignal) =>
      get<GridCollection>(withQuery('/api/grids', { bbox: bboxParam(bbox), division }), signal),
    buildings: (bbox: BBox, signal?: AbortSignal) =>
      get<BuildingCollection>(withQuery('/api/buildings', { bbox: bboxParam(bbox) }), signal),
    facilities: (bbox: BBox, cls?: string, signal?: AbortSignal) =>
      get<FacilityCollection>(withQuery('/api/facilities', { bbox: bboxParam(bbox), class: cls }), signal),
    serviceClasses: (signal?: AbortSignal) => get<ServiceClass[]>('/api/service-classes', signal),
    incidentCategories: (signal?: AbortSignal) => get<IncidentCategory[]>('/api/incident-categories', signal),
    incidents: (q: { since?: string; division?: string; limit?: number } = {}, signal?: AbortSignal) =>
      get<IncidentList>(withQuery('/api/incidents', q), signal),
    /** csrfToken: required when authenticated by the session cookie (from login or /api/auth/me). */
    createIncident: (body: NewIncident, csrfToken?: string) =>
      request<Incident>('/api/incidents', {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          ...(csrfToken ? { 'X-CSRF-Token': csrfToken } : {}),
        },
        body: JSON.stringify(body),
      }),
  };
}

export type Api = ReturnType<typeof createApi>;

/** The same-origin API used by the pages. */
export const api: Api = createApi();
