// Synthetic case streams for testing the trend detectors (and seeding demos): Poisson daily counts
// per area and category from a seeded generator, with optional injected trends. Pure and seeded
// (core/random.ts); everything it makes is synthetic.
import { rng } from '../random.js';
import type { AreaCase } from './rising.js';
import { DAY_MS } from './time.js';

/** A Poisson(lambda) draw (Knuth for small lambda, normal approximation above 60). */
export function poisson(rand: () => number, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 60) {
    const u = Math.max(rand(), 1e-12);
    const v = rand();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * z));
  }
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do { k++; p *= rand(); } while (p > l);
  return k - 1;
}

export interface StreamSpec {
  seed: number;
  /** The stream ends just before `now`. */
  now: number;
  days: number;
  areas: readonly string[];
  categories: readonly string[];
  /** Mean cases per day per area and category. */
  dailyRate: number;
  /** Injected: from `fromDay` days before now on, the rate of one cell is multiplied. */
  inject?: { area: string; category: string; factor: number; fromDay: number }[];
}

export function syntheticStream(s: StreamSpec): AreaCase[] {
  const rand = rng(s.seed);
  const out: AreaCase[] = [];
  for (let d = s.days; d >= 1; d--) {
    const dayStart = s.now - d * DAY_MS;
    for (const area of s.areas) for (const category of s.categories) {
      const boost = (s.inject ?? []).filter((i) => i.area === area && i.category === category && d <= i.fromDay)
        .reduce((f, i) => f * i.factor, 1);
      const n = poisson(rand, s.dailyRate * boost);
      for (let k = 0; k < n; k++) out.push({ area, category, at: dayStart + Math.floor(rand() * DAY_MS) });
    }
  }
  return out;
}
