// Colour helpers shared by all renderers and the legend. Pure functions only.
import type { RGBA } from './map-view.js';

export function hexToRgba(hex: string, alpha = 255): RGBA {
  let h = hex.trim().replace(/^#/, '');
  if (h.length === 3 || h.length === 4) h = [...h].map((c) => c + c).join('');
  if (!/^[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$/.test(h)) return [128, 128, 128, alpha];
  const n = (i: number) => parseInt(h.slice(i, i + 2), 16);
  return [n(0), n(2), n(4), h.length === 8 ? n(6) : alpha];
}

export function rgbaToCss([r, g, b, a]: RGBA): string {
  return `rgba(${r}, ${g}, ${b}, ${+(a / 255).toFixed(3)})`;
}

export function withAlpha([r, g, b]: RGBA, alpha: number): RGBA {
  return [r, g, b, alpha];
}

/** Ramp for households per grid, cool (few) → hot (many); saturated so it stays readable over the dark base map. */
export const HOUSEHOLD_RAMP: readonly string[] = ['#2f9fc2', '#6fc3a0', '#f0d35b', '#f28c3b', '#e0334a'];

/**
 * Class breaks for a choropleth: `classes - 1` ascending thresholds at the quantiles of `values`,
 * rounded to `step` and deduplicated. Empty input gives no breaks.
 */
export function quantileBreaks(values: readonly number[], classes = 5, step = 10): number[] {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0 || classes < 2) return [];
  const out: number[] = [];
  for (let i = 1; i < classes; i++) {
    const q = v[Math.min(v.length - 1, Math.floor((i / classes) * v.length))]!;
    const r = Math.max(step, Math.round(q / step) * step);
    if (r > v[0]! && r <= v[v.length - 1]! && !out.includes(r)) out.push(r);
  }
  return out.sort((a, b) => a - b);
}

/** Index of the class `value` falls in, given ascending thresholds (value < breaks[0] → 0). */
export function classIndex(value: number, breaks: readonly number[]): number {
  let i = 0;
  while (i < breaks.length && value >= breaks[i]!) i++;
  return i;
}

/** Colour for `value` from a ramp; picks ramp entries spread evenly when there are fewer classes than colours. */
export function rampColor(value: number, breaks: readonly number[], ramp: readonly string[] = HOUSEHOLD_RAMP): string {
  const classes = breaks.length + 1;
  const i = classIndex(value, breaks);
  const j = classes === 1 ? ramp.length - 1 : Math.round((i * (ramp.length - 1)) / (classes - 1));
  return ramp[j]!;
}

/** Legend rows for a ramp: label like "< 200", "200–250", "≥ 300" with its colour. */
export function legendRows(breaks: readonly number[], ramp: readonly string[] = HOUSEHOLD_RAMP): { label: string; color: string }[] {
  if (breaks.length === 0) return [{ label: '全部', color: ramp[ramp.length - 1]! }];
  const rows: { label: string; color: string }[] = [];
  rows.push({ label: `< ${breaks[0]}`, color: rampColor(breaks[0]! - 1, breaks, ramp) });
  for (let i = 0; i < breaks.length - 1; i++) {
    rows.push({ label: `${breaks[i]}–${breaks[i + 1]}`, color: rampColor(breaks[i]!, breaks, ramp) });
  }
  const last = breaks[breaks.length - 1]!;
  rows.push({ label: `≥ ${last}`, color: rampColor(last, breaks, ramp) });
  return rows;
}

/** Building colour by height for the dark 3D scene: steel blue low-rise → cyan → pale for towers. */
export function heightColor(heightM: number): RGBA {
  const stops: [number, RGBA][] = [
    [0, [38, 62, 99, 255]],
    [20, [44, 96, 146, 255]],
    [60, [52, 140, 190, 255]],
    [150, [96, 196, 226, 255]],
    [300, [196, 236, 250, 255]],
  ];
  if (heightM <= stops[0]![0]) return stops[0]![1];
  for (let i = 1; i < stops.length; i++) {
    const [h1, c1] = stops[i]!;
    const [h0, c0] = stops[i - 1]!;
    if (heightM <= h1) {
      const t = (heightM - h0) / (h1 - h0);
      return c0.map((c, k) => Math.round(c + (c1[k]! - c) * t)) as RGBA;
    }
  }
  return stops[stops.length - 1]![1];
}

/** Incident category colours (unknown categories fall back to slate). */
export const CATEGORY_COLORS: Record<string, string> = {
  sanitation: '#34d399',
  city_order: '#60a5fa',
  property: '#a78bfa',
  parking: '#fbbf24',
  safety_hazard: '#ef4444',
  neighbour: '#f472b6',
  facility_damage: '#fb923c',
  greening: '#4ade80',
  noise: '#22d3ee',
  other: '#94a3b8',
};

export const categoryColor = (code: string): string => CATEGORY_COLORS[code] ?? '#94a3b8';
