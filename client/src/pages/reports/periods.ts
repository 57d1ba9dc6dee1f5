// Report periods as the server takes them: dates (YYYY-MM-DD, Beijing midnight), `to` exclusive.
// Pure.

export type Preset = 'quarter' | 'last_quarter' | 'year' | 'days30' | 'all';
export const PRESETS: { id: Preset; name: string }[] = [
  { id: 'quarter', name: '本季度' },
  { id: 'last_quarter', name: '上季度' },
  { id: 'year', name: '本年' },
  { id: 'days30', name: '近30天' },
  { id: 'all', name: '全部' },
];

export interface Period {
  from: string | null;
  to: string | null;
}

const BEIJING_MS = 8 * 3600_000;
const pad = (n: number) => String(n).padStart(2, '0');
const ymd = (y: number, m: number, d: number) => {
  const t = new Date(Date.UTC(y, m, d));
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
};

/** Today's date in Beijing as [year, month 0-11, day]. */
export function beijingToday(nowMs: number): [number, number, number] {
  const t = new Date(nowMs + BEIJING_MS);
  return [t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()];
}

export function periodOf(preset: Preset, nowMs: number): Period {
  const [y, m, d] = beijingToday(nowMs);
  const q = Math.floor(m / 3);
  switch (preset) {
    case 'quarter':
      return { from: ymd(y, q * 3, 1), to: ymd(y, q * 3 + 3, 1) };
    case 'last_quarter':
      return { from: ymd(y, q * 3 - 3, 1), to: ymd(y, q * 3, 1) };
    case 'year':
      return { from: ymd(y, 0, 1), to: ymd(y + 1, 0, 1) };
    case 'days30':
      return { from: ymd(y, m, d - 29), to: ymd(y, m, d + 1) };
    case 'all':
      return { from: null, to: null };
  }
}

/** "2026Q1" → "2026年第1季度". */
export function quarterName(q: string): string {
  const m = /^(\d{4})-?Q([1-4])$/.exec(q);
  return m ? `${m[1]}年第${m[2]}季度` : q;
}

/** Hours as "不足 1 分钟", "45 分钟", "3.2 小时", "2.5 天". */
export function fmtHours(h: number | null | undefined): string {
  if (h == null || !Number.isFinite(h)) return '—';
  if (h * 60 < 1) return '不足 1 分钟';
  if (h < 1) return `${Math.round(h * 60)} 分钟`;
  if (h < 48) return `${(Math.round(h * 10) / 10).toFixed(1)} 小时`;
  return `${(Math.round((h / 24) * 10) / 10).toFixed(1)} 天`;
}

/** 0.9512 → "95.1%"; null → "—". */
export const fmtRate = (r: number | null | undefined) => (r == null || !Number.isFinite(r) ? '—' : `${(Math.round(r * 1000) / 10).toFixed(1)}%`);

/** The CSV export URL for the same filters as the page. */
export function csvUrl(p: Period, division: string | null): string {
  const q = new URLSearchParams({ format: 'csv' });
  if (p.from) q.set('from', p.from);
  if (p.to) q.set('to', p.to);
  if (division) q.set('division', division);
  return `/api/reports/summary?${q}`;
}
