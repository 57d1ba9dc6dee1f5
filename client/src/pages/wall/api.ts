// The wall's HTTP calls. Same origin with this tab's credentials: the session cookie, or on a
// wall opened as /wall?kiosk=TOKEN the kiosk token as a Bearer header (client/src/api/http.ts
// adopts the token from the URL when it loads; the server scopes kiosk tokens like accounts).
import type { BBox, BuildingCollection, DivisionCollection, IncidentList } from '../../../../core/contract.js';
import type { DistrictInfo, DivisionLevel, DivisionNode, GridCollection, IncidentCategory } from '../../../../core/types.js';
import type { PartyTree, WallMetrics, WallPoints } from '../../../../core/wall.js';
import { ApiError, authHeaders, bboxParam, withQuery } from '../../api/http.js';

export { isKiosk, kioskToken } from '../../api/http.js';

async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { Accept: 'application/json', ...authHeaders() }, signal, credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, 'network_error', `无法连接服务器：${(e as Error).message}`);
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(res.status, 'bad_json', `服务器返回了无效的 JSON（${path}）`);
  }
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? 'http_error', err?.message ?? `HTTP ${res.status}`);
  }
  return body as T;
}

export const wallApi = {
  district: () => get<DistrictInfo & { districtBbox?: BBox }>('/api/district'),
  divisions: () => get<{ tree: DivisionNode }>('/api/divisions'),
  divisionsGeojson: (level: DivisionLevel) => get<DivisionCollection>(withQuery('/api/divisions.geojson', { level })),
  grids: (bbox: BBox) => get<GridCollection>(withQuery('/api/grids', { bbox: bboxParam(bbox) })),
  buildings: (bbox: BBox) => get<BuildingCollection>(withQuery('/api/buildings', { bbox: bboxParam(bbox) })),
  categories: () => get<IncidentCategory[]>('/api/incident-categories'),
  metrics: (q: { division?: string; grid?: number } = {}, signal?: AbortSignal) =>
    get<WallMetrics>(withQuery('/api/wall/metrics', { division: q.division, grid: q.grid }), signal),
  points: (from: Date, to?: Date, signal?: AbortSignal) =>
    get<WallPoints>(withQuery('/api/wall/points', { from: from.toISOString(), to: to?.toISOString() }), signal),
  partyTree: () => get<PartyTree>('/api/party/tree'),
  incidents: (q: { since?: string; limit?: number; division?: string } = {}) =>
    get<IncidentList>(withQuery('/api/incidents', q)),
};
