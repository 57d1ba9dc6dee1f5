// A year of synthetic incidents (事件): a daily rhythm (quiet nights, morning and afternoon peaks),
// a weekly one (quieter weekends), a seasonal swell, and hotspots (markets, busy junctions) that draw
// a large share around them; the rest falls on grids in proportion to their density. Every point
// is located to the grid whose interior holds it (the same answer PostGIS gives), and cases older
// than a few days are resolved and closed. Streamed in time order, day by day. Pure.
import { rng } from '../random.js';
import { copyText } from './copy.js';
import { hash3 } from './hash.js';
import { locate, mPerDegLon, r7 } from './layout.js';
import type { CityPlan } from './city.js';

export const INCIDENT_COLUMNS = [
  'client_key', 'body_hash', 'category', 'description', 'source', 'status', 'geom', 'grid_id', 'community_code', 'subdistrict_code',
  'district_code', 'synthetic', 'created_at', 'updated_at', 'level', 'resolved_at', 'resolved_level', 'closed_at', 'rating', 'rated_at',
  'reported_by_kind', 'reported_by_label',
] as const;

/** Relative calls per hour of the day (local time; the city is UTC+8). */
export const HOURLY = [2, 1, 1, 1, 1, 2, 4, 8, 12, 14, 13, 11, 8, 9, 12, 13, 12, 10, 8, 8, 7, 5, 4, 3];
const WEEKDAY = [0.8, 1, 1.05, 1.05, 1, 1, 0.85]; // Sunday … Saturday
const CATEGORIES: [string, number, string[]][] = [
  ['sanitation', 0.22, ['垃圾堆放未清运', '道路积水脏污', '公厕保洁不到位']],
  ['city_order', 0.15, ['占道经营', '乱张贴小广告', '违规搭建']],
  ['property', 0.12, ['电梯故障', '楼道照明损坏', '物业服务投诉']],
  ['parking', 0.12, ['机动车乱停放', '非机动车堆放', '占用消防通道']],
  ['safety_hazard', 0.07, ['电动车楼道充电', '井盖缺失', '外墙脱落隐患']],
  ['neighbour', 0.06, ['邻里纠纷调解', '宠物扰民', '漏水纠纷']],
  ['facility_damage', 0.1, ['路灯不亮', '健身器材损坏', '护栏破损']],
  ['greening', 0.05, ['树木倒伏', '绿地被毁', '草坪缺乏养护']],
  ['noise', 0.08, ['夜间施工噪声', '广场舞噪声', '商铺外放音响']],
  ['other', 0.03, ['其他诉求']],
];
const SOURCES: [string, number][] = [['hotline_12345', 0.4], ['patrol', 0.3], ['photo', 0.15], ['hotline_8890', 0.1], ['open311', 0.05]];
const DAY_MS = 86_400_000;
const M_PER_DEG_LAT = 110_574;

function pick<T>(table: [T, number, ...unknown[]][], u: number): T {
  for (const row of table) { if (u < row[1]) return row[0]; u -= row[1]; }
  return table[table.length - 1]![0];
}

export interface Hotspot { x: number; y: number; sigmaM: number; weight: number }

/** Hotspots: about one per 100 grids, at grid centres, 80–400 m wide, heavy-tailed weights. */
export function hotspots(p: CityPlan): Hotspot[] {
  const rand = rng(hash3(p.city.seed, 0, 6));
  const n = Math.max(1, Math.round(p.city.grids.length / 100));
  return Array.from({ length: n }, () => {
    const g = p.city.grids[Math.floor(rand() * p.city.grids.length)]!;
    return { x: (g.rect.x0 + g.rect.x1) / 2, y: (g.rect.y0 + g.rect.y1) / 2, sigmaM: 80 + rand() * 320, weight: 1 / (0.05 + rand()) };
  });
}

/** Incidents per day: weekly and seasonal rhythm, summing to exactly `total`. */
export function dailyCounts(total: number, days: number, end: string): number[] {
  const start = Date.parse(`${end}T00:00:00Z`) - days * DAY_MS;
  const w = Array.from({ length: days }, (_, d) => {
    const date = new Date(start + d * DAY_MS);
    const doy = (date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / DAY_MS;
    return WEEKDAY[date.getUTCDay()]! * (1 + 0.15 * Math.sin((2 * Math.PI * (doy - 100)) / 365));
  });
  const sum = w.reduce((a, b) => a + b, 0);
  let acc = 0;
  return w.map((x) => {
    const before = Math.floor((total * acc) / sum);
    acc += x;
    return Math.floor((total * acc) / sum) - before;
  });
}

export interface IncidentOptions { total: number; days: number; end: string; hotspotShare?: number }

/**
 * COPY lines of the incident table, in time order. `onDay(d, n)` is told each day's count (progress).
 */
export function* incidentLines(p: CityPlan, o: IncidentOptions, onDay?: (day: number, n: number) => void): Generator<string> {
  const { city } = p;
  const seed = city.seed;
  const spots = hotspots(p);
  const spotCum = cumulative(spots.map((s) => s.weight));
  const gridCum = cumulative(city.grids.map((g) => g.density * (p.households[g.index]! || 1)));
  const hotShare = o.hotspotShare ?? 0.55;
  const endMs = Date.parse(`${o.end}T00:00:00Z`);
  const startMs = endMs - o.days * DAY_MS;
  const counts = dailyCounts(o.total, o.days, o.end);
  const hourCum = cumulative(HOURLY);
  const subOf = new Int32Array(city.communities.length);
  city.subdistricts.forEach((s, i) => { for (let c = s.childStart; c < s.childEnd; c++) subOf[c] = i; });
  const distOf = new Int32Array(city.subdistricts.length);
  city.districts.forEach((d, i) => { for (let s = d.childStart; s < d.childEnd; s++) distOf[s] = i; });
  const labels = CATEGORIES.map(([code, , texts]) => [code, texts.map((t) => copyText(`${t}（合成）`))] as const);
  let n = 0;
  for (let d = 0; d < o.days; d++) {
    const rand = rng(hash3(seed, d, 7));
    const count = counts[d]!;
    // Times of the day (ms since local midnight, UTC+8), sorted so ids follow time.
    const times = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const h = search(hourCum, rand() * hourCum[hourCum.length - 1]!);
      times[i] = Math.floor((h + rand()) * 3_600_000);
    }
    times.sort();
    for (let i = 0; i < count; i++) {
      // Where: near a hotspot (retry if it falls outside the city or on an edge) or on a grid by density.
      let g = -1;
      let x = 0;
      let y = 0;
      if (rand() < hotShare) {
        const s = spots[search(spotCum, rand() * spotCum[spotCum.length - 1]!)]!;
        for (let t = 0; t < 8 && g < 0; t++) {
          const r = s.sigmaM * Math.sqrt(-2 * Math.log(1 - rand()));
          const a = 2 * Math.PI * rand();
          x = r7(s.x + (r * Math.cos(a)) / mPerDegLon(s.y));
          y = r7(s.y + (r * Math.sin(a)) / M_PER_DEG_LAT);
          g = locate(city, x, y);
        }
      }
      while (g < 0) {
        const cell = city.grids[search(gridCum, rand() * gridCum[gridCum.length - 1]!)]!;
        x = r7(cell.rect.x0 + (cell.rect.x1 - cell.rect.x0) * (0.01 + 0.98 * rand()));
        y = r7(cell.rect.y0 + (cell.rect.y1 - cell.rect.y0) * (0.01 + 0.98 * rand()));
        g = locate(city, x, y);
      }
      const cell = city.grids[g]!;
      const c = cell.community;
      const s = subOf[c]!;
      const [category, texts] = labels[searchTable(CATEGORIES, rand())]!;
      const description = texts[Math.floor(rand() * texts.length)]!;
      const source = pick(SOURCES, rand());
      const created = startMs + d * DAY_MS + times[i]! - 8 * 3_600_000;
      const age = endMs - created;
      let status: string;
      let resolved: number | null = null;
      let closed: number | null = null;
      let rating: string | null = null;
      let rated: number | null = null;
      const u = rand();
      const handle = 3_600_000 * (1 + 70 * rand() * rand());
      if (age > 7 * DAY_MS) {
        resolved = created + handle;
        closed = resolved + 3_600_000 * (2 + 40 * rand());
        if (u < 0.03) status = 'duplicate';
        else if (u < 0.45) { status = 'rated'; rated = closed + 3_600_000 * 6 * rand(); rating = rand() < 0.85 ? 'satisfied' : rand() < 0.7 ? 'basically_satisfied' : 'dissatisfied'; }
        else status = 'closed';
        if (status === 'duplicate') resolved = null;
      } else if (age > 2 * DAY_MS) {
        if (u < 0.5) { status = 'closed'; resolved = created + handle / 2; closed = resolved + 3_600_000; }
        else if (u < 0.7) { status = 'verified'; resolved = created + handle / 2; }
        else if (u < 0.85) { status = 'resolved'; resolved = created + handle / 2; }
        else status = 'in_progress';
      } else status = u < 0.35 ? 'reported' : u < 0.6 ? 'accepted' : u < 0.8 ? 'dispatched' : 'in_progress';
      if (resolved !== null && resolved > endMs) resolved = endMs;
      if (closed !== null && closed > endMs) closed = endMs;
      if (rated !== null && rated > endMs) rated = endMs;
      const updated = Math.max(created, resolved ?? 0, closed ?? 0, rated ?? 0);
      const key = `gen:${p.datasetId}:${++n}`;
      const hash = hash3(seed, n, 8).toString(16).padStart(8, '0') + hash3(seed, n, 9).toString(16).padStart(8, '0');
      // one template per row (the hot loop: ten million of these); fields need no escaping
      yield `${key}\t${hash}\t${category}\t${description}\t${source}\t${status}\tSRID=4326;POINT(${x} ${y})\t${p.ids.grid + g}\t${
        city.communities[c]!.code}\t${city.subdistricts[s]!.code}\t${city.districts[distOf[s]!]!.code}\tt\t${ts(created)}\t${ts(updated)}\tgrid\t${
        resolved === null ? '\\N\t\\N' : `${ts(resolved)}\tgrid`}\t${closed === null ? '\\N' : ts(closed)}\t${rating ?? '\\N'}\t${
        rated === null ? '\\N' : ts(rated)}\tsystem\t合成数据生成器\n`;
    }
    onDay?.(d, count);
  }
}

const p2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const dayText = new Map<number, string>();
/** A UTC timestamp as COPY text (whole seconds), the date part cached per day. */
function ts(ms: number): string {
  const sec = Math.floor(ms / 1000);
  const day = Math.floor(sec / 86_400);
  let date = dayText.get(day);
  if (date === undefined) {
    date = new Date(day * DAY_MS).toISOString().slice(0, 10);
    dayText.set(day, date);
  }
  const t = sec - day * 86_400;
  return `${date} ${p2(Math.floor(t / 3600))}:${p2(Math.floor(t / 60) % 60)}:${p2(t % 60)}+00`;
}

function cumulative(ws: readonly number[]): Float64Array {
  const out = new Float64Array(ws.length);
  let acc = 0;
  ws.forEach((w, i) => { acc += w; out[i] = acc; });
  return out;
}

/** First index whose cumulative weight exceeds u. */
function search(cum: Float64Array, u: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid]! > u) hi = mid; else lo = mid + 1;
  }
  return lo;
}

function searchTable(table: [string, number, unknown][], u: number): number {
  for (let i = 0; i < table.length; i++) { if (u < table[i]![1]) return i; u -= table[i]![1]; }
  return table.length - 1;
}
