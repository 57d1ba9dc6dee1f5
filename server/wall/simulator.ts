// Synthetic incident stream for the demo district (npm run simulate, the wall's replay and tests).
// Pure and deterministic for a seed: a daily rhythm (quiet nights, a morning and an afternoon
// peak), category mixes that move with the hour (noise at night, parking in the evening), sources
// (网格员巡查 by day, 12345/8890 hotlines, 随手拍), a few hotspots that draw a third of the cases,
// and for past days a workflow plan per case (accept → start → resolve → verify → close, some
// escalated, some left open). Every case is synthetic. No I/O here.
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { rng } from '../../core/random.js';

export interface SimGrid {
  id: number;
  communityCode: string;
  households: number;
  geometry: Polygon | MultiPolygon;
}

export type SimStepRole = 'grid_worker' | 'community_staff' | 'subdistrict_staff';

export interface SimStep {
  action: 'accept' | 'start' | 'resolve' | 'escalate' | 'verify' | 'close' | 'rate';
  at: Date;
  by: SimStepRole;
  rating?: 'satisfied' | 'basically_satisfied' | 'dissatisfied';
}

export interface SimCase {
  clientKey: string;
  at: Date;
  lon: number;
  lat: number;
  category: string;
  source: 'patrol' | 'hotline_12345' | 'hotline_8890' | 'photo';
  description: string;
  /** The grid the point was drawn in. */
  gridId: number;
  hotspot: number | null;
  synthetic: true;
  /** Workflow plan (may reach past now: the server leaves future steps out). */
  steps: SimStep[];
}


/** Relative intensity per Beijing hour (0–23): quiet nights, peaks mid-morning and mid-afternoon. */
export const HOURLY_RHYTHM: readonly number[] = [
  0.25, 0.18, 0.14, 0.12, 0.12, 0.2, 0.45, 0.9, 1.35, 1.7, 1.75, 1.55,
  1.1, 1.05, 1.45, 1.6, 1.5, 1.3, 1.15, 1.1, 0.95, 0.75, 0.5, 0.35,
];
const RHYTHM_SUM = HOURLY_RHYTHM.reduce((s, x) => s + x, 0);
const RHYTHM_MAX = Math.max(...HOURLY_RHYTHM);

/** Base category mix and how it moves with the hour (multipliers by part of day). */
const CATEGORY_MIX: Record<string, { w: number; night?: number; morning?: number; evening?: number }> = {
  sanitation: { w: 0.22, morning: 1.6, night: 0.4 },
  city_order: { w: 0.15, night: 0.3 },
  property: { w: 0.12 },
  parking: { w: 0.14, morning: 1.3, evening: 1.8 },
  safety_hazard: { w: 0.05 },
  neighbour: { w: 0.07, evening: 1.8 },
  facility_damage: { w: 0.09 },
  greening: { w: 0.05, night: 0.2 },
  noise: { w: 0.08, night: 3.5, evening: 1.6, morning: 0.5 },
  other: { w: 0.03 },
};

const DESCRIPTIONS: Record<string, string[]> = {
  sanitation: ['垃圾箱满溢未及时清运', '楼道堆放杂物、卫生较差', '路边有建筑垃圾堆放', '垃圾分类投放点异味明显', '小区绿地内有积存垃圾'],
  city_order: ['沿街商铺占道经营', '人行道上有乱设摊点', '违规张贴小广告', '店招破损存在坠落风险', '共享单车乱停放堵塞通道'],
  property: ['电梯故障停运', '小区门禁损坏', '楼道照明灯不亮', '物业服务响应不及时', '地下车库渗水'],
  parking: ['机动车占用消防通道', '非机动车堵塞单元门口', '车辆占用盲道停放', '路口违停影响通行', '僵尸车长期占用车位'],
  safety_hazard: ['电动自行车楼道内充电', '燃气管道疑似泄漏异味', '外墙脱落存在坠物风险', '窨井盖缺失', '私拉电线存在火灾隐患'],
  neighbour: ['楼上漏水影响楼下住户', '邻里因噪声发生纠纷', '公共区域占用引发矛盾', '宠物扰民引起纠纷'],
  facility_damage: ['路灯不亮', '人行道地砖破损', '健身器材损坏', '护栏倒伏', '公交站亭玻璃破裂'],
  greening: ['行道树枝叶遮挡信号灯', '绿化带缺株需补种', '树木倾斜存在倒伏风险', '草坪被踩踏裸露'],
  noise: ['夜间施工噪声扰民', '广场舞音响声音过大', '商铺外放音响扰民', '空调外机噪声过大'],
  other: ['居民咨询政策', '反映公共服务问题', '其他需协调事项'],
};

type Source = SimCase['source'];

function pick<T>(r: () => number, items: readonly T[], weight: (t: T) => number): T {
  let total = 0;
  for (const it of items) total += Math.max(0, weight(it));
  let x = r() * total;
  for (const it of items) {
    x -= Math.max(0, weight(it));
    if (x < 0) return it;
  }
  return items[items.length - 1]!;
}

const partOfDay = (hour: number) => (hour < 6 || hour >= 22 ? 'night' : hour < 11 ? 'morning' : hour >= 17 ? 'evening' : 'day');

export function categoryWeights(categories: readonly string[], hour: number): number[] {
  const part = partOfDay(hour);
  return categories.map((c) => {
    const m = CATEGORY_MIX[c];
    if (!m) return 0.02;
    const k = part === 'night' ? m.night : part === 'morning' ? m.morning : part === 'evening' ? m.evening : 1;
    return m.w * (k ?? 1);
  });
}

function sourceFor(r: () => number, hour: number): Source {
  const day = hour >= 8 && hour < 18;
  const w: [Source, number][] = day
    ? [['patrol', 0.45], ['hotline_12345', 0.25], ['hotline_8890', 0.1], ['photo', 0.2]]
    : [['patrol', 0.04], ['hotline_12345', 0.56], ['hotline_8890', 0.2], ['photo', 0.2]];
  return pick(r, w, (x) => x[1])[0];
}

function normal(r: () => number): number {
  let u = 0;
  while (u === 0) u = r();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

// ---- geometry ----

function polygons(g: Polygon | MultiPolygon): Position[][][] {
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
}

function inRing(x: number, y: number, ring: Position[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const xi = ring[i]![0]!, yi = ring[i]![1]!, xj = ring[j]![0]!, yj = ring[j]![1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function inGeometry(x: number, y: number, g: Polygon | MultiPolygon): boolean {
  for (const p of polygons(g)) {
    if (!p[0] || !inRing(x, y, p[0])) continue;
    if (p.slice(1).some((h) => inRing(x, y, h))) continue;
    return true;
  }
  return false;
}

interface PreparedGrid extends SimGrid {
  bbox: [number, number, number, number];
  center: [number, number];
}

function prepare(g: SimGrid): PreparedGrid {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const p of polygons(g.geometry)) for (const q of p[0] ?? []) {
    x0 = Math.min(x0, q[0]!); y0 = Math.min(y0, q[1]!); x1 = Math.max(x1, q[0]!); y1 = Math.max(y1, q[1]!);
  }
  return { ...g, bbox: [x0, y0, x1, y1], center: [(x0 + x1) / 2, (y0 + y1) / 2] };
}

function pointIn(r: () => number, g: PreparedGrid): [number, number] {
  const [x0, y0, x1, y1] = g.bbox;
  for (let k = 0; k < 200; k++) {
    const x = x0 + r() * (x1 - x0);
    const y = y0 + r() * (y1 - y0);
    if (inGeometry(x, y, g.geometry)) return [x, y];
  }
  return g.center;
}

// ---- the simulator ----

export interface SimulatorOptions {
  seed: number;
  grids: SimGrid[];
  /** Category codes (data/incident-categories.json). */
  categories: readonly string[];
  /** Number of hotspots (default 3). */
  hotspots?: number;
  /** Share of cases drawn to a hotspot (default 0.35). */
  hotspotShare?: number;
  /** Prefix of client keys (default `sim-<seed>`). */
  keyPrefix?: string;
}

export const HOUR_MS = 3_600_000;
const MIN_MS = 60_000;
const BEIJING_OFFSET = 8 * HOUR_MS;
const beijingHour = (t: number) => Math.floor((t + BEIJING_OFFSET) / HOUR_MS) % 24;

export class Simulator {
  readonly hotspots: { grid: PreparedGrid; center: [number, number] }[];
  private readonly grids: PreparedGrid[];
  private readonly r: () => number;
  private readonly keyPrefix: string;
  private n = 0;

  constructor(private readonly opts: SimulatorOptions) {
    if (opts.grids.length === 0) throw new Error('the simulator needs at least one grid');
    this.r = rng(opts.seed);
    this.grids = opts.grids.map(prepare).sort((a, b) => a.id - b.id);
    this.keyPrefix = opts.keyPrefix ?? `sim-${opts.seed}`;
    // Hotspots: distinct grids drawn by households, each with a fixed centre inside it.
    const pool = [...this.grids];
    this.hotspots = [];
    for (let i = 0; i < Math.min(opts.hotspots ?? 3, pool.length); i++) {
      const g = pick(this.r, pool, (x) => x.households + 40);
      pool.splice(pool.indexOf(g), 1);
      this.hotspots.push({ grid: g, center: pointIn(this.r, g) });
    }
  }

  /** Arrival times in [from, to) for `perDay` cases a day on average, following the daily rhythm (thinning). */
  arrivals(from: Date, to: Date, perDay: number): Date[] {
    const out: Date[] = [];
    const peakPerMs = (perDay / 86_400_000) * (RHYTHM_MAX / (RHYTHM_SUM / 24));
    if (peakPerMs <= 0) return out;
    let t = from.getTime();
    for (;;) {
      t += -Math.log(1 - this.r()) / peakPerMs;
      if (t >= to.getTime()) return out;
      if (this.r() < HOURLY_RHYTHM[beijingHour(t)]! / RHYTHM_MAX) out.push(new Date(Math.floor(t)));
    }
  }

  private location(): { grid: PreparedGrid; lon: number; lat: number; hotspot: number | null } {
    const share = this.opts.hotspotShare ?? 0.35;
    if (this.hotspots.length && this.r() < share) {
      const h = Math.floor(this.r() * this.hotspots.length);
      const spot = this.hotspots[h]!;
      // Within ~120 m of the hotspot, inside some grid.
      for (let k = 0; k < 30; k++) {
        const lon = spot.center[0] + (normal(this.r) * 120) / 95_000;
        const lat = spot.center[1] + (normal(this.r) * 120) / 111_000;
        const grid = this.grids.find((g) => lon >= g.bbox[0] && lon <= g.bbox[2] && lat >= g.bbox[1] && lat <= g.bbox[3] && inGeometry(lon, lat, g.geometry));
        if (grid) return { grid, lon, lat, hotspot: h };
      }
      return { grid: spot.grid, lon: spot.center[0], lat: spot.center[1], hotspot: h };
    }
    const grid = pick(this.r, this.grids, (g) => g.households + 40);
    const [lon, lat] = pointIn(this.r, grid);
    return { grid, lon, lat, hotspot: null };
  }

  /** One case reported at `at` (without a workflow plan). */
  caseAt(at: Date): SimCase {
    const hour = beijingHour(at.getTime());
    const cats = this.opts.categories;
    const weights = categoryWeights(cats, hour);
    const category = pick(this.r, cats.map((c, i) => [c, weights[i]!] as const), (x) => x[1])[0];
    const source = sourceFor(this.r, hour);
    const loc = this.location();
    const texts = DESCRIPTIONS[category] ?? DESCRIPTIONS.other!;
    const text = texts[Math.floor(this.r() * texts.length)]!;
    const by = source === 'patrol' ? '网格员巡查发现' : source === 'photo' ? '居民随手拍' : '热线来电反映';
    return {
      clientKey: `${this.keyPrefix}-${at.getTime().toString(36)}-${(this.n++).toString(36)}`,
      at,
      lon: Math.round(loc.lon * 1e7) / 1e7,
      lat: Math.round(loc.lat * 1e7) / 1e7,
      category,
      source,
      description: `${by}：${text}（模拟）`,
      gridId: loc.grid.id,
      hotspot: loc.hotspot,
      synthetic: true,
      steps: [],
    };
  }

  /**
   * A workflow plan for a case: most are accepted, started and resolved at grid level, then
   * verified and closed by the community; a few are escalated and resolved by the community; about
   * a fifth stay open (the escalation clock marks those past their deadline overdue).
   */
  plan(c: SimCase): SimStep[] {
    const r = this.r;
    const urgent = c.category === 'safety_hazard';
    let t = c.at.getTime();
    const later = (minMinutes: number, maxMinutes: number) => {
      t += (minMinutes + r() * (maxMinutes - minMinutes)) * MIN_MS;
      return new Date(t);
    };
    const x = r();
    const steps: SimStep[] = [];
    if (x < 0.72) {
      steps.push({ action: 'accept', at: later(3, urgent ? 15 : 45), by: 'grid_worker' });
      steps.push({ action: 'start', at: later(5, urgent ? 20 : 90), by: 'grid_worker' });
      // Resolution: mostly within the deadline (4 h urgent, 24 h otherwise), a tail beyond it.
      const hours = urgent ? 0.5 + r() * 3 : Math.exp(normal(r) * 0.8 + 1.6);
      t += Math.min(hours, 40) * HOUR_MS;
      steps.push({ action: 'resolve', at: new Date(t), by: 'grid_worker' });
      steps.push({ action: 'verify', at: later(20, 240), by: 'community_staff' });
      steps.push({ action: 'close', at: later(10, 180), by: 'community_staff' });
      if (r() < 0.5) {
        const rating = r() < 0.85 ? 'satisfied' : r() < 0.7 ? 'basically_satisfied' : 'dissatisfied';
        steps.push({ action: 'rate', at: later(30, 600), by: 'community_staff', rating });
      }
    } else if (x < 0.8) {
      steps.push({ action: 'escalate', at: later(30, 360), by: 'grid_worker' });
      // Escalating dispatches the case to the community, which starts on it.
      steps.push({ action: 'start', at: later(10, 240), by: 'community_staff' });
      steps.push({ action: 'resolve', at: later(120, 1500), by: 'community_staff' });
      steps.push({ action: 'verify', at: later(30, 300), by: 'subdistrict_staff' });
      steps.push({ action: 'close', at: later(10, 180), by: 'community_staff' });
    } else if (x < 0.9) {
      steps.push({ action: 'accept', at: later(5, 60), by: 'grid_worker' });
      if (r() < 0.6) steps.push({ action: 'start', at: later(10, 180), by: 'grid_worker' });
    }
    return steps;
  }

  /** A past day: `count` cases over [dayStart, dayStart + 24 h) by the rhythm, each with a plan. */
  day(dayStart: Date, perDay: number): SimCase[] {
    return this.arrivals(dayStart, new Date(dayStart.getTime() + 24 * HOUR_MS), perDay).map((at) => {
      const c = this.caseAt(at);
      c.steps = this.plan(c);
      return c;
    });
  }
}
