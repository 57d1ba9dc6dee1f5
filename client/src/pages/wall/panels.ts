// The wall's panels: KPI cards with sparklines, the trend chart, the ranking, the ticker of the
// latest cases, the Party panel (summary, uncovered grids, the organisation tree), the legend
// and the detail card. Plain DOM; every function replaces its panel's content.
import { categoryColor, rgbaToCss } from '../../map/color.js';
import { h } from '../../shell/dom.js';
import { SOURCE_NAMES } from '../../shell/labels.js';
import type { MetricClass, MetricDef } from './metrics.js';
import type { IncidentView } from '../../../../core/contract.js';
import type { PartyNode, PartyTree, RankRow, WallTotals } from '../../../../core/wall.js';
import { HEAT_STOPS } from '../../../../core/wall-prep.js';

const nf = new Intl.NumberFormat('zh-CN');
export const int = (n: number | null | undefined) => (n == null || !Number.isFinite(n) ? '—' : nf.format(Math.round(n)));
export const pct = (x: number | null | undefined, digits = 1) => (x == null ? '—' : `${(x * 100).toFixed(digits)}`);
const hm = new Intl.DateTimeFormat('zh-CN', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZone: 'Asia/Shanghai' });
const mdhm = new Intl.DateTimeFormat('zh-CN', { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'Asia/Shanghai' });

export function timeOf(iso: string, now = Date.now()): string {
  const t = Date.parse(iso);
  return now - t < 20 * 3_600_000 ? hm.format(t) : mdhm.format(t);
}

/** Grid names are "街道·社区·第NN网格": keep the last part(s). */
export function shortGridName(name: string | null | undefined, parts = 1): string {
  if (!name) return '—';
  return name.split('·').slice(-parts).join('·');
}

const SVG_NS = 'http://www.w3.org/2000/svg';
function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** A small area sparkline (viewBox 100 × 30). */
export function sparkline(values: readonly number[], color: string): SVGElement {
  const s = svg('svg', { viewBox: '0 0 100 30', preserveAspectRatio: 'none', 'aria-hidden': 'true' });
  const max = Math.max(1, ...values);
  const n = Math.max(1, values.length - 1);
  const pts = values.map((v, i) => `${((i / n) * 100).toFixed(2)},${(28 - (v / max) * 26).toFixed(2)}`);
  s.append(
    svg('path', { d: `M0,30 L${pts.join(' L')} L100,30 Z`, fill: color, opacity: 0.18 }),
    svg('polyline', { points: pts.join(' '), fill: 'none', stroke: color, 'stroke-width': 1.6, 'vector-effect': 'non-scaling-stroke' }),
  );
  return s;
}

export interface KpiCard {
  key: string;
  label: string;
  value: string;
  unit?: string;
  sub?: string;
  tone?: 'alarm' | 'good' | 'warn' | 'party' | '';
  spark?: { values: number[]; color: string };
  target?: { value: number | null; target: number };
}

export function kpiCards(root: HTMLElement, cards: KpiCard[], flash: Set<string> = new Set()): void {
  root.replaceChildren(...cards.map((c) => {
    const el = h('div', { class: `kpi ${c.tone ?? ''} ${flash.has(c.key) ? 'flash' : ''}`, 'data-kpi': c.key },
      h('span', { class: 'k-label' }, c.label),
      h('span', { class: 'k-value' }, c.value, c.unit ? h('small', {}, c.unit) : null),
      c.sub ? h('span', { class: 'k-sub' }, c.sub) : null);
    if (c.target) {
      const bar = h('div', { class: 'k-target' });
      const fill = h('i');
      fill.style.width = `${Math.min(100, (c.target.value ?? 0) * 100)}%`;
      const mark = h('b');
      mark.style.left = `${c.target.target * 100}%`;
      bar.append(fill, mark);
      el.append(bar);
    }
    if (c.spark) el.append(sparkline(c.spark.values, c.spark.color));
    return el;
  }));
}

/** 24 hourly bars (reported) with the resolved line, and the 14-day bars. */
export function trendChart(root: HTMLElement, created: number[], resolved: number[], daily: number[]): void {
  const s = svg('svg', { viewBox: '0 0 300 60', preserveAspectRatio: 'none', 'aria-hidden': 'true' });
  const max = Math.max(1, ...created, ...resolved);
  const bw = 190 / created.length;
  created.forEach((v, i) => {
    const hgt = (v / max) * 48;
    s.append(svg('rect', { x: (i * bw + 0.6).toFixed(2), y: (52 - hgt).toFixed(2), width: (bw - 1.2).toFixed(2), height: hgt.toFixed(2), rx: 0.8, fill: i === created.length - 1 ? '#8ff0ff' : '#2fb4f0', opacity: 0.85 }));
  });
  const pts = resolved.map((v, i) => `${(i * bw + bw / 2).toFixed(2)},${(52 - (v / max) * 48).toFixed(2)}`);
  s.append(svg('polyline', { points: pts.join(' '), fill: 'none', stroke: '#35d49a', 'stroke-width': 1.8, 'vector-effect': 'non-scaling-stroke' }));
  const dmax = Math.max(1, ...daily);
  const dw = 96 / daily.length;
  daily.forEach((v, i) => {
    const hgt = (v / dmax) * 48;
    s.append(svg('rect', { x: (204 + i * dw + 0.5).toFixed(2), y: (52 - hgt).toFixed(2), width: (dw - 1).toFixed(2), height: hgt.toFixed(2), rx: 0.8, fill: i === daily.length - 1 ? '#ffd36b' : '#f5a531', opacity: 0.85 }));
  });
  s.append(svg('line', { x1: 199, y1: 4, x2: 199, y2: 56, stroke: 'rgba(255,255,255,0.15)', 'stroke-width': 1, 'vector-effect': 'non-scaling-stroke' }));
  s.append(svg('line', { x1: 0, y1: 52.5, x2: 300, y2: 52.5, stroke: 'rgba(255,255,255,0.18)', 'stroke-width': 1, 'vector-effect': 'non-scaling-stroke' }));
  root.replaceChildren(s, h('div', { class: 'trend-legend' },
    h('span', {}, h('i', { style: 'background:#2fb4f0' }), `上报/时（24 小时 ${int(created.reduce((a, b) => a + b, 0))} 件）`),
    h('span', {}, h('i', { style: 'background:#35d49a' }), '办结/时'),
    h('span', {}, h('i', { style: 'background:#f5a531' }), '上报/日（14 日）')));
}

export function ranking(root: HTMLElement, rows: RankRow[], onSelect: (code: string) => void, limit = 8): void {
  const top = rows.slice(0, limit);
  const max = Math.max(1, ...top.map((r) => r.open));
  // Ranks restart per level (subdistricts, then communities, when both are listed).
  const rankOf = top.map((r, i) => top.slice(0, i + 1).filter((x) => x.level === r.level).length);
  root.replaceChildren(...top.map((r, i) => {
    const bar = h('div', { class: 'bar' });
    const fill = h('i');
    fill.style.width = `${(r.open / max) * 100}%`;
    bar.append(fill);
    const li = h('li', { 'data-code': r.code, 'data-rank': rankOf[i]!, class: i > 0 && top[i - 1]!.level !== r.level ? 'level-start' : '', title: `${r.name}：未结 ${r.open} 件，超期 ${r.overdue} 件，今日 ${r.today} 件` },
      h('span', { class: 'rk' }, rankOf[i]!),
      h('span', { class: 'nm' }, r.name),
      h('span', { class: 'fig' }, h('b', {}, int(r.open)), ' 未结 · ', h('span', { class: r.overdue ? 'od' : '' }, `${int(r.overdue)} 超期`), ` · 今日 ${int(r.today)}`),
      bar);
    li.addEventListener('click', () => onSelect(r.code));
    return li;
  }));
}

export interface TickerOptions {
  categories: Map<string, string>;
  isUrgent: (c: IncidentView) => boolean;
  isNew: (c: IncidentView) => boolean;
  onSelect: (c: IncidentView) => void;
}

export function ticker(root: HTMLElement, cases: IncidentView[], o: TickerOptions): void {
  const now = Date.now();
  root.replaceChildren(...cases.map((c) => {
    const open = (c.statusType ?? 'open') === 'open';
    const stCls = c.overdue && open ? 'overdue' : (c.statusType ?? 'open');
    const li = h('li', { class: `${o.isUrgent(c) ? 'urgent' : ''} ${o.isNew(c) ? 'new' : ''}`, 'data-id': c.id },
      h('span', { class: 'cat' }, o.categories.get(c.category) ?? c.category),
      h('span', { class: 'tm' }, timeOf(c.createdAt, now)),
      h('span', { class: `st ${stCls}` }, c.overdue && open ? '超期' : (c.statusName ?? c.status)),
      h('span', { class: 'ds' }, c.description || '（无描述）'),
      h('span', { class: 'wh' }, `${shortGridName(c.gridName, 2)} · ${SOURCE_NAMES[c.source] ?? c.source}${c.synthetic ? ' · 模拟' : ''}`));
    li.style.setProperty('--c', categoryColor(c.category));
    li.addEventListener('click', () => o.onSelect(c));
    return li;
  }));
}

export function legend(root: HTMLElement, def: MetricDef, classes: MetricClass[], heat: { on: boolean; windowLabel: string; count: number }): void {
  const heatRamp = `linear-gradient(90deg, ${HEAT_STOPS.map(([p, r, g, b, a]) => `rgba(${r},${g},${b},${Math.max(a, 0.05)}) ${p * 100}%`).join(', ')})`;
  const parts: (HTMLElement | null)[] = [
    h('h3', {}, `网格着色：${def.title}`, h('small', {}, `单位：${def.unit}`)),
    h('div', { class: 'rows' }, ...classes.flatMap((c) => {
      const sw = h('span', { class: 'sw' });
      sw.style.background = rgbaToCss([c.color[0], c.color[1], c.color[2], Math.min(255, c.color[3] + 60)]);
      return [sw, h('span', {}, c.label)];
    })),
    heat.on
      ? h('div', { class: 'heat' }, `热力：${heat.windowLabel}案件密度（${int(heat.count)} 件）`,
        h('div', { class: 'ramp', style: `background:${heatRamp}` }),
        h('div', { class: 'ends' }, h('span', {}, '稀疏'), h('span', {}, '密集')))
      : null,
  ];
  root.replaceChildren(...parts.filter((x): x is HTMLElement => x !== null));
}

export function partySummary(root: HTMLElement, tree: PartyTree, staffing: number | null): void {
  const t = tree.totals;
  root.replaceChildren(
    h('div', { title: '有网格党支部的网格 / 网格总数' }, h('b', {}, `${pct(t.coverage, 0)}%`), h('span', {}, `支部覆盖 ${t.coveredGrids}/${t.grids}`)),
    h('div', {}, h('b', {}, int(t.branchMembers)), h('span', {}, '支部党员')),
    h('div', {}, h('b', {}, int(t.memberHouseholds)), h('span', {}, '党员中心户')),
    h('div', { title: '网格员、社区工作者、物业管理员均在岗的网格占比' }, h('b', {}, `${pct(staffing, 0)}%`), h('span', {}, '一格三员配齐')),
  );
}

export function partyUncovered(root: HTMLElement, tree: PartyTree, onSelect: (gridId: number) => void): void {
  if (tree.uncovered.length === 0) {
    root.replaceChildren(h('span', {}, '所有网格均已建立网格党支部'));
    return;
  }
  root.replaceChildren(h('span', {}, `未覆盖网格 ${tree.uncovered.length} 个：`), ...tree.uncovered.map((g) => {
    const b = h('button', { type: 'button', 'data-grid': g.gridId, title: g.name }, shortGridName(g.name, 2));
    b.addEventListener('click', () => onSelect(g.gridId));
    return b;
  }));
}

/** The organisation tree: committees open, deeper levels open on click. */
export function partyTreeList(root: HTMLElement, roots: PartyNode[], onSelect: (n: PartyNode) => void, selectedId: number | null): void {
  const item = (n: PartyNode, open: boolean): HTMLElement => {
    const hasKids = n.children.length > 0;
    const tw = h('span', { class: 'tw' }, hasKids ? (open ? '▾' : '▸') : '·');
    const count = n.level === 'community_committee' ? `${n.counts.grid_branch} 支部 · ${n.counts.member_household} 户`
      : n.level === 'grid_branch' ? `${n.members} 名党员` : n.level === 'building_group' ? `${n.members} 人` : '';
    const row = h('div', { class: `pn ${selectedId === n.id ? 'on' : ''}`, role: 'treeitem', 'data-id': n.id, title: n.name },
      tw, h('span', { class: `lv ${n.level}` }, n.levelName), h('span', { class: 'nm' }, n.name), count ? h('span', { class: 'ct' }, count) : null);
    const li = h('li', {}, row);
    let sub: HTMLElement | null = null;
    const render = (o: boolean) => {
      sub?.remove();
      sub = null;
      tw.textContent = hasKids ? (o ? '▾' : '▸') : '·';
      if (o && hasKids) {
        sub = h('ul', { role: 'group' }, ...n.children.map((c) => item(c, false)));
        li.append(sub);
      }
    };
    let isOpen = open;
    render(isOpen);
    row.addEventListener('click', () => {
      if (hasKids) {
        isOpen = !isOpen;
        render(isOpen);
      }
      onSelect(n);
    });
    return li;
  };
  root.replaceChildren(...roots.map((r) => item(r, false)));
}

export interface DetailRow {
  label: string;
  value: string;
  tone?: 'bad' | 'good';
}

export function detail(root: HTMLElement, level: string, title: string, rows: DetailRow[]): void {
  root.replaceChildren(
    h('div', { class: 'lvl' }, level),
    h('h3', {}, title),
    h('dl', {}, ...rows.flatMap((r) => [h('dt', {}, r.label), h('dd', { class: r.tone ?? '' }, r.value)])),
  );
  root.hidden = false;
}

export const totalsSub = (t: WallTotals) => `近 ${30} 日已解决 ${int(t.solved)} 件`;
