// Typed HTTP client for the GridCommand API (same origin by default).
import type { Feature, FeatureCollection, Point } from 'geojson';
import type {
  Account, AccountScope, BBox, BuildingCollection, DivisionCollection, DivisionFeatureProps, IncidentList, IncidentView,
} from '../../../core/contract.js';
import type { ApiErrorBody } from '../../../core/errors.js';
import type { GeocodeCandidate } from '../../../core/geocode.js';
import type { ResponsibilityRule } from '../../../core/routing.js';
import type {
  DistrictInfo,
  DivisionLevel,
  DivisionNode,
  FacilityProps,
  GridCollection,
  IncidentCategory,
  InputCrs,
  ServiceClass,
} from '../../../core/types.js';

// The wire shapes are core/contract.ts's; re-exported for the pages that import them from here.
export type { Account, AccountScope, BBox, BuildingCollection, DivisionCollection, DivisionFeatureProps, IncidentList };

export interface Health {
  status: string;
  database: 'embedded' | 'postgres';
  postgis: string;
}

/** DistrictInfo plus the optional external raster base map the server may announce. */
export type DistrictInfoEx = DistrictInfo & { basemapUrl?: string | null };

export type FacilityCollection = FeatureCollection<Point, FacilityProps>;
export type FacilityFeature = Feature<Point, FacilityProps>;

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
    /** The error body's details as the server sent them (e.g. {reason}), if any. */
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Not logged in, session expired, or the account must change its password first. */
export function isAuthError(e: unknown): e is ApiError {
  return e instanceof ApiError && (e.status === 401 || e.code === 'password_change_required');
}

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

// ---------------------------------------------------------------------------------------------
// Credentials of this browser tab: the session's CSRF token (cookie sessions) and a kiosk token
// (wall screens opened with ?kiosk=TOKEN, sent as Authorization: Bearer). Both live in
// sessionStorage, so they are per tab and gone when the tab closes.

const CSRF_KEY = 'gc.csrf';
const KIOSK_KEY = 'gc.kiosk';
const TOKEN_RE = /^[A-Za-z0-9_\-.]{10,200}$/;
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const memory = new Map<string, string>();
function store(): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> {
  try {
    if (typeof sessionStorage !== 'undefined') return sessionStorage;
  } catch {
    // storage disabled (privacy mode): fall back to memory for this page
  }
  return {
    getItem: (k) => memory.get(k) ?? null,
    setItem: (k, v) => void memory.set(k, v),
    removeItem: (k) => void memory.delete(k),
  };
}

/** The CSRF token of the cookie session (set by login, or learnt from GET /api/auth/me). */
export function getCsrfToken(): string | null {
  return store().getItem(CSRF_KEY);
}
export function setCsrfToken(token: string | null | undefined): void {
  if (token) store().setItem(CSRF_KEY, token);
  else store().removeItem(CSRF_KEY);
}

/** The kiosk token of this tab, or null when the tab is not a read-only wall screen. */
export function kioskToken(): string | null {
  return store().getItem(KIOSK_KEY);
}
export function isKiosk(): boolean {
  return kioskToken() !== null;
}
/** Leave kiosk mode in this tab (e.g. before a person logs in). */
export function clearKiosk(): void {
  store().removeItem(KIOSK_KEY);
}

/** Runs `f` once the page's own modules have run (they may still read the URL as it was opened). */
function afterPageScripts(f: () => void): void {
  if (document.readyState === 'complete') setTimeout(f, 0);
  else window.addEventListener('load', () => setTimeout(f, 0), { once: true });
}

/**
 * Reads `?kiosk=TOKEN` from the page URL and keeps it for this tab, then removes it from the
 * visible URL (history.replaceState), so it does not stay in the address bar, history or
 * screenshots. The removal waits until the page's scripts have run (`defer`). Runs once when this
 * module loads; exported for tests.
 */
export function adoptKioskFromUrl(
  loc: Pick<Location, 'href'> = location,
  hist: Pick<History, 'replaceState' | 'state'> = history,
  defer: (f: () => void) => void = afterPageScripts,
): string | null {
  const url = new URL(loc.href);
  if (!url.searchParams.has('kiosk')) return kioskToken();
  const token = url.searchParams.get('kiosk') ?? '';
  if (TOKEN_RE.test(token)) {
    store().setItem(KIOSK_KEY, token);
    // A kiosk tab uses no session: forget a CSRF token another login left in this tab.
    setCsrfToken(null);
  } else {
    // A new wall address was opened, but its token cannot be one: do not fall back to an old one.
    clearKiosk();
  }
  defer(() => {
    const now = new URL(loc.href);
    if (!now.searchParams.has('kiosk')) return;
    now.searchParams.delete('kiosk');
    try {
      hist.replaceState(hist.state, '', now.pathname + now.search + now.hash);
    } catch {
      // not fatal: the token only stays visible
    }
  });
  return kioskToken();
}

/**
 * Marks a kiosk page: body.gc-kiosk (CSS hides [data-requires-write]) and, when the page shows no
 * read-only marker of its own (the shared header, or any element with class gc-readonly), a small
 * 只读大屏 badge.
 */
function markKioskPage(): void {
  const apply = () => {
    document.body.classList.add('gc-kiosk');
    document.body.dataset.kiosk = 'true';
    // The shared header shows its own marker.
    if (document.querySelector('.gc-readonly, .gc-header')) return;
    const badge = document.createElement('div');
    badge.className = 'gc-readonly gc-kiosk-badge';
    badge.setAttribute('role', 'status');
    badge.title = '只读大屏：不能修改任何数据';
    badge.textContent = '只读大屏';
    // Inline style: pages without the shared stylesheet get it too.
    badge.style.cssText =
      'position:fixed;left:12px;bottom:10px;z-index:2147483000;padding:2px 10px;border-radius:999px;font:600 12px/18px system-ui,sans-serif;' +
      'color:#fde68a;background:rgba(30,22,4,.82);border:1px solid rgba(245,158,11,.6);pointer-events:none;';
    document.body.append(badge);
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => setTimeout(apply, 0), { once: true });
  else setTimeout(apply, 0);
}

/** Headers that authenticate a request of this tab: `Authorization: Bearer` in kiosk mode, else none (the cookie does). */
export function authHeaders(): Record<string, string> {
  const t = kioskToken();
  return t ? { Authorization: `Bearer ${t}` } : {};
}

/** Headers for a same-origin request with `method`: authHeaders() plus X-CSRF-Token on writes of a cookie session. */
export function requestHeaders(method = 'GET'): Record<string, string> {
  const out = authHeaders();
  const csrf = getCsrfToken();
  if (!out.Authorization && csrf && UNSAFE.has(method.toUpperCase())) out['X-CSRF-Token'] = csrf;
  return out;
}

/** Same-origin API or tile URL (relative, or absolute on this origin)? */
export function isOwnApiUrl(url: string, origin: string): boolean {
  let u: URL;
  try {
    u = new URL(url, origin);
  } catch {
    return false;
  }
  return u.origin === origin && (u.pathname.startsWith('/api/') || u.pathname.startsWith('/tiles/'));
}

/** authHeaders() for a request to this server's /api or /tiles, undefined for anything else (map views' tile requests). */
export function ownRequestHeaders(url: string): Record<string, string> | undefined {
  return isOwnApiUrl(url, location.origin) ? authHeaders() : undefined;
}

if (typeof window !== 'undefined' && typeof document !== 'undefined') {
  // No global fetch patch: every request to this server (API clients, vector tiles, map views'
  // tile requests through requestHeaders) sets its own Authorization from authHeaders().
  adoptKioskFromUrl();
  if (isKiosk()) markKioskPage();
}

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

/** Account/token administration rows (GET /api/accounts, /api/tokens, /api/departments, /api/audit). */
export interface AccountRow {
  id: number;
  username: string;
  display_name: string;
  role: string;
  division_code: string | null;
  division_name: string | null;
  grid_id: number | null;
  grid_name: string | null;
  department_id: number | null;
  department_name: string | null;
  active: boolean;
  must_change_password: boolean;
  created_at: string;
}
export interface TokenRow {
  id: number;
  name: string;
  kind: 'api' | 'kiosk';
  role: string;
  prefix: string;
  division_code: string | null;
  division_name?: string | null;
  grid_id: number | null;
  grid_name?: string | null;
  department_id: number | null;
  department_name?: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  created_by: string | null;
}
/** GET/PUT /api/responsibility: the 责任清单 and the levels it spans. */
export interface ResponsibilityList {
  rules: ResponsibilityRule[];
  levels: { code: string; name: string; handler: string; up: string | null }[];
  targets: { gridSolvedShare: number };
}
export interface DepartmentRow {
  id: number;
  code: string;
  name: string;
  synthetic: boolean;
}
export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  resource: string;
  resource_id: string | null;
  outcome: 'ok' | 'denied' | 'failed';
  ip: string | null;
  user_agent: string | null;
  detail: Record<string, unknown> | null;
}
export interface GeocodeAnswer {
  query: string;
  candidates: GeocodeCandidate[];
  certain: GeocodeCandidate | null;
  attribution: string;
}

export interface Jurisdiction {
  divisionCode?: string | null;
  gridId?: number | null;
  departmentId?: number | null;
}

export type { GeocodeCandidate };

export function createApi(base = '', fetchImpl: FetchLike = (i, init) => fetch(i, init)) {
  async function request<T>(path: string, init?: RequestInit): Promise<T> {
    const method = (init?.method ?? 'GET').toUpperCase();
    // Caller's headers win over the defaults (a page may pass its own CSRF token).
    const headers = mergeHeaders({ Accept: 'application/json', ...requestHeaders(method) }, headerRecord(init?.headers));
    let res: Response;
    try {
      res = await fetchImpl(base + path, { ...init, headers });
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
      throw new ApiError(res.status, err?.code ?? 'http_error', err?.message ?? `HTTP ${res.status}`, err?.details);
    }
    // Remember the session's CSRF token whenever the server tells it (login, who-am-I).
    const acct = (body as { account?: Account } | null)?.account;
    if (acct && typeof acct === 'object' && acct.kind === 'account' && acct.csrfToken) setCsrfToken(acct.csrfToken);
    return body as T;
  }
  const get = <T>(path: string, signal?: AbortSignal) => request<T>(path, { signal });

  /**
   * A JSON write. A cookie session's first write may lack the CSRF token (a new tab): then it is
   * fetched from /api/auth/me and the write retried once; so is a write refused with csrf_failed.
   */
  async function send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const init = (): RequestInit => ({
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!isKiosk() && !getCsrfToken()) await request<{ account: Account }>('/api/auth/me').catch(() => undefined);
    try {
      return await request<T>(path, init());
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== 'csrf_failed' || isKiosk()) throw e;
      setCsrfToken(null);
      await request<{ account: Account }>('/api/auth/me');
      return request<T>(path, init());
    }
  }

  return {
    /** Any same-origin API call with this tab's credentials (Bearer in kiosk mode, CSRF on writes). */
    request,
    send,
    me: (signal?: AbortSignal) => get<{ account: Account }>('/api/auth/me', signal),
    login: (username: string, password: string) =>
      request<{ account: Account }>('/api/auth/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username, password }),
      }),
    /** csrfToken: optional; this tab's stored token is used when left out. */
    logout: async (csrfToken?: string) => {
      try {
        return await request<{ ok: boolean }>('/api/auth/logout', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...(csrfToken ? { 'X-CSRF-Token': csrfToken } : {}) },
          body: '{}',
        });
      } finally {
        setCsrfToken(null);
      }
    },
    changePassword: (currentPassword: string, newPassword: string) =>
      send<{ ok: boolean }>('POST', '/api/auth/password', { currentPassword, newPassword }),
    health: (signal?: AbortSignal) => get<Health>('/api/health', signal),
    district: (signal?: AbortSignal) => get<DistrictInfoEx>('/api/district', signal),
    divisions: (signal?: AbortSignal) => get<{ tree: DivisionNode }>('/api/divisions', signal),
    divisionsGeojson: (level: DivisionLevel, signal?: AbortSignal) =>
      get<DivisionCollection>(withQuery('/api/divisions.geojson', { level }), signal),
    grids: (bbox: BBox, division?: string, signal?: AbortSignal) =>
      get<GridCollection>(withQuery('/api/grids', { bbox: bboxParam(bbox), division }), signal),
    /** Places in the district matching an address or a name (the district's own gazetteer). */
    geocode: (q: string, limit = 8, signal?: AbortSignal) =>
      get<GeocodeAnswer>(withQuery('/api/geocode', { q, limit }), signal),
    grid: (id: number, signal?: AbortSignal) => get<GridCollection['features'][number]>(`/api/grids/${id}`, signal),
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
      request<IncidentView>('/api/incidents', {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          ...(csrfToken ? { 'X-CSRF-Token': csrfToken } : {}),
        },
        body: JSON.stringify(body),
      }),

    // ---- administration (admin role) ----
    accounts: () => get<AccountRow[]>('/api/accounts'),
    createAccount: (b: { username: string; displayName: string; role: string; password?: string } & Jurisdiction) =>
      send<{ id: number; username: string; initialPassword?: string }>('POST', '/api/accounts', b),
    updateAccount: (id: number, b: { displayName?: string; role?: string; active?: boolean; resetPassword?: boolean } & Jurisdiction) =>
      send<{ id: number; initialPassword?: string }>('PATCH', `/api/accounts/${id}`, b),
    tokens: () => get<TokenRow[]>('/api/tokens'),
    createToken: (b: { name: string; kind: 'api' | 'kiosk'; role?: string } & Jurisdiction) =>
      send<{ id: number; name: string; kind: 'api' | 'kiosk'; role: string; token: string; wallUrl?: string }>('POST', '/api/tokens', b),
    rotateToken: (id: number) => send<{ id: number; token: string }>('POST', `/api/tokens/${id}/rotate`),
    revokeToken: (id: number) => send<{ id: number; revoked: boolean }>('DELETE', `/api/tokens/${id}`),
    departments: () => get<DepartmentRow[]>('/api/departments'),
    createDepartment: (b: { code: string; name: string }) => send<{ id: number; code: string; name: string }>('POST', '/api/departments', b),
    audit: (q: { since?: string; limit?: number } = {}) => get<AuditRow[]>(withQuery('/api/audit', q)),
    responsibility: () => get<ResponsibilityList>('/api/responsibility'),
    saveResponsibility: (rules: ResponsibilityRule[]) => send<ResponsibilityList>('PUT', '/api/responsibility', { rules }),
  };
}

/** defaults overridden by `given`, header names compared case-insensitively. */
function mergeHeaders(defaults: Record<string, string>, given: Record<string, string>): Record<string, string> {
  const taken = new Set(Object.keys(given).map((k) => k.toLowerCase()));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(defaults)) if (!taken.has(k.toLowerCase())) out[k] = v;
  return { ...out, ...given };
}

function headerRecord(h: HeadersInit | undefined): Record<string, string> {
  if (!h) return {};
  if (typeof Headers !== 'undefined' && h instanceof Headers) return Object.fromEntries(h.entries());
  if (Array.isArray(h)) return Object.fromEntries(h);
  return { ...(h as Record<string, string>) };
}

export type Api = ReturnType<typeof createApi>;

/** The same-origin API used by the pages. */
export const api: Api = createApi();

let current: Promise<Account | null> | null = null;
/**
 * Who this tab is (GET /api/auth/me, asked once per page and shared by the header, the socket and
 * the pages): null when not logged in or the kiosk token is unknown/revoked. Other errors reject.
 */
export function currentAccount(refresh = false): Promise<Account | null> {
  if (!current || refresh) {
    current = api.me().then(
      (r) => r.account,
      (e) => {
        if (isAuthError(e)) return null;
        current = null;
        throw e;
      },
    );
  }
  return current;
}
