// URL parameters of /wall, so that a wall controller can open the page directly in the right
// layout and view. Pure: parse(URLSearchParams) → WallParams, unknown values fall back to defaults.

export const METRICS = ['open', 'overdue', 'per1000', 'party', 'staffing', 'coverage'] as const;
export type MetricId = (typeof METRICS)[number];

export const WINDOWS = ['1h', '24h', '7d'] as const;
export type WindowId = (typeof WINDOWS)[number];
export const WINDOW_SECONDS: Record<WindowId, number> = { '1h': 3600, '24h': 86_400, '7d': 7 * 86_400 };

export type LayoutId = 'standard' | 'ultrawide';

/** A stop of the tour as written in the URL. */
export type TourItem =
  | { kind: 'district' }
  | { kind: 'subdistricts' }
  | { kind: 'communities' }
  | { kind: 'hotspots' }
  | { kind: 'division'; code: string }
  | { kind: 'grid'; id: number };

/** The starting view. */
export type ViewItem = { kind: 'district' } | { kind: 'division'; code: string } | { kind: 'grid'; id: number };

export interface WallParams {
  /** 'auto' picks by the screen's aspect ratio. */
  layout: 'auto' | LayoutId;
  view: ViewItem;
  metric: MetricId;
  window: WindowId;
  /** Empty = no tour. */
  tour: TourItem[];
  /** Seconds at each stop, seconds per flight. */
  dwell: number;
  flight: number;
  /** Seconds an alert holds the screen before the tour resumes. */
  alert: number;
  /** Seconds without a touch before the tour resumes after someone used the screen. */
  idle: number;
  /** Slow camera orbit while dwelling. */
  orbit: boolean;
  heat: boolean;
  /** Start in replay: a Beijing date (YYYY-MM-DD) or null. */
  replay: string | null;
  /** Replay speed (× real time). */
  speed: number;
  /** UI scale override (1 = designed for 1920×1080); null = from the screen size. */
  scale: number | null;
}

export const DEFAULT_TOUR: TourItem[] = [{ kind: 'district' }, { kind: 'subdistricts' }, { kind: 'hotspots' }];

function num(v: string | null, def: number, min: number, max: number): number {
  if (v === null || v.trim() === '') return def;
  const n = Number(v);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : def;
}

function bool(v: string | null, def: boolean): boolean {
  if (v === null) return def;
  return !['0', 'false', 'off', 'no'].includes(v.toLowerCase());
}

const CODE = /^[A-Za-z0-9_-]{1,64}$/;

function parseView(v: string | null): ViewItem {
  if (!v || v === 'district') return { kind: 'district' };
  const g = /^grid:(\d{1,10})$/.exec(v);
  if (g) return { kind: 'grid', id: Number(g[1]) };
  return CODE.test(v) ? { kind: 'division', code: v } : { kind: 'district' };
}

export function parseTour(v: string | null): TourItem[] {
  if (v === null || v.trim() === '') return DEFAULT_TOUR;
  if (['off', '0', 'false', 'none'].includes(v.toLowerCase())) return [];
  const out: TourItem[] = [];
  for (const raw of v.split(',')) {
    const s = raw.trim();
    if (s === 'district' || s === 'subdistricts' || s === 'communities' || s === 'hotspots') out.push({ kind: s });
    else if (/^grid:\d{1,10}$/.test(s)) out.push({ kind: 'grid', id: Number(s.slice(5)) });
    else if (CODE.test(s)) out.push({ kind: 'division', code: s });
  }
  return out.length ? out : DEFAULT_TOUR;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function parseParams(q: URLSearchParams): WallParams {
  const layout = q.get('layout');
  const metric = q.get('metric') as MetricId | null;
  const win = q.get('window') as WindowId | null;
  const replay = q.get('replay');
  const scale = q.get('scale');
  return {
    layout: layout === 'standard' || layout === 'ultrawide' ? layout : 'auto',
    view: parseView(q.get('view')),
    metric: metric && METRICS.includes(metric) ? metric : 'open',
    window: win && WINDOWS.includes(win) ? win : '24h',
    tour: parseTour(q.get('tour')),
    dwell: num(q.get('dwell'), 20, 1, 3600),
    flight: num(q.get('flight'), 3, 0, 30),
    alert: num(q.get('alert'), 20, 2, 600),
    idle: num(q.get('idle'), 60, 5, 3600),
    orbit: bool(q.get('orbit'), true),
    heat: bool(q.get('heat'), true),
    replay: replay === null ? null : replay === 'yesterday' || DATE.test(replay) ? replay : null,
    speed: num(q.get('speed'), 600, 1, 100_000),
    scale: scale === null ? null : num(scale, 1, 0.5, 6),
  };
}

/** Layout for a screen: ultra-wide from an aspect ratio of 2.4 (e.g. 5760×1080 = 5.3). */
export function pickLayout(p: WallParams['layout'], width: number, height: number): LayoutId {
  if (p !== 'auto') return p;
  return height > 0 && width / height >= 2.4 ? 'ultrawide' : 'standard';
}

/** UI scale: 1 at 1920×1080, 2 at 3840×2160, 1 at 5760×1080 (height-bound), never below 0.6. */
export function uiScale(width: number, height: number, override: number | null = null): number {
  if (override) return override;
  return Math.max(0.6, Math.min(width / 1920, height / 1080));
}

/** The Beijing date (YYYY-MM-DD) of `t`, and its midnight. */
export function beijingDate(t: number): string {
  return new Date(t + 8 * 3_600_000).toISOString().slice(0, 10);
}
export function beijingMidnight(date: string): number {
  return Date.parse(`${date}T00:00:00+08:00`);
}
