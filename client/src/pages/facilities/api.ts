// Typed client of the facility editor's API (server/facilities/routes.ts) on the page's shared
// request helpers (this tab's credentials, CSRF on writes, ApiError with the server's code).
import type { FeatureCollection, Point } from 'geojson';
import { api, ApiError, createApi, withQuery } from '../../api/http.js';

/** The import's client also keeps the error body: a refused file's per-row report is in its details. */
let lastErrorDetails: unknown = null;
const importClient = createApi('', async (input, init) => {
  const res = await fetch(input, init);
  lastErrorDetails = null;
  if (!res.ok) {
    try { lastErrorDetails = ((await res.clone().json()) as { error?: { details?: unknown } }).error?.details ?? null; } catch { /* not JSON */ }
  }
  return res;
});

export type ImportOutcome = { ok: true; imported: number; ids: number[] } | { ok: false; errors: CsvRowError[]; total: number };

/** POST /api/facilities/import: the imported ids, or (422 validation_failed) every row's problems. */
export async function importCsv(csv: string, crs: string): Promise<ImportOutcome> {
  try {
    const r = await importClient.send<{ imported: number; ids: number[] }>('POST', '/api/facilities/import', { csv, crs });
    return { ok: true, ...r };
  } catch (e) {
    const d = lastErrorDetails as { errors?: CsvRowError[]; total?: number } | null;
    if (e instanceof ApiError && e.code === 'validation_failed' && d?.errors) return { ok: false, errors: d.errors, total: d.total ?? d.errors.length };
    throw e;
  }
}

export interface EditorFacilityProps {
  id: number;
  name: string | null;
  kind: string | null;
  serviceClass: string;
  source: 'import' | 'manual';
  osmId: string | null;
  attribution: string | null;
  synthetic: boolean;
  gridId: number | null;
  communityCode: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
}

export interface Facility extends EditorFacilityProps { lon: number; lat: number }

export interface CsvRowError { row: number; field: string | null; code: string; message: string }

export interface ServiceClassRow { code: string; name: string; walkMinutes: number; color: string }

export const facilityApi = {
  classes: () => api.request<ServiceClassRow[]>('/api/service-classes'),
  list: (cls?: string) => api.request<FeatureCollection<Point, EditorFacilityProps> & { truncated: boolean }>(withQuery('/api/facilities/editor', { class: cls })),
  create: (b: { name: string; serviceClass: string; lon: number; lat: number }) => api.send<Facility>('POST', '/api/facilities', b),
  update: (id: number, b: { name?: string; serviceClass?: string; lon?: number; lat?: number }) => api.send<Facility>('PATCH', `/api/facilities/${id}`, b),
  remove: (id: number) => api.send<{ deleted: number }>('DELETE', `/api/facilities/${id}`),
  coveredHouseholds: () => api.request<{ district: { households: number; cells: Record<string, { coveredHouseholds: number }> } }>('/api/coverage/summary'),
};

/** zh-CN labels of the per-row problems of a CSV import. */
export const CSV_ERRORS: Record<string, string> = {
  missing_column: '缺少列',
  missing_field: '缺少内容',
  invalid_coordinates: '坐标不是有效的经纬度',
  unknown_service_class: '未知的服务类别',
  name_too_long: '名称超过 100 字',
  wrong_field_count: '列数与表头不符',
  unclosed_quote: '引号未闭合',
  outside_district: '位置在本区之外',
  outside_jurisdiction: '位置不在您的辖区内',
};

export const FIELD_NAMES: Record<string, string> = { name: '名称', class: '类别', lon: '经度', lat: '纬度' };
