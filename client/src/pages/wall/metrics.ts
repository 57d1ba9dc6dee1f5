// The metrics the grid layer can be coloured by, each with its classes, colours and a legend that
// states the metric and its unit. Pure.
import type { RGBA } from '../../map/map-view.js';
import type { MetricId } from './params.js';
import type { GridMetric } from '../../../../core/wall.js';
import { countBreaks } from '../../../../core/wall-prep.js';
import { PARTY_PALETTE } from '../../../../core/palette.js';

export { countBreaks };

export interface MetricClass {
  label: string;
  color: RGBA;
}

export interface MetricDef {
  id: MetricId;
  /** Button label. */
  label: string;
  /** Legend title: what is shown, over which period. */
  title: string;
  unit: string;
  /** The number shown for a grid (null = not applicable). */
  value(g: GridMetric): number | null;
  /** Classes for the current figures (legend rows, first = lowest). */
  classes(grids: readonly GridMetric[]): { classes: MetricClass[]; classOf: (g: GridMetric) => number };
}

const hex = (h: string, a = 255): RGBA => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16), a];

/** Fill alpha of a coloured grid: strong enough to read across a room, light enough to see the city. */
export const FILL_ALPHA = 118;
const NONE: RGBA = [40, 70, 110, 45];
const COUNT_RAMP = ['#1f9bd1', '#2fc4b2', '#f2c94c', '#f2893b', '#e5384f'].map((c) => hex(c, FILL_ALPHA));
const RED_RAMP = ['#f6b26b', '#f07c3f', '#e5484d', '#b31d3b'].map((c) => hex(c, FILL_ALPHA + 20));

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));

/** Classes from thresholds: [0 / below first], then ranges. */
function rangeClasses(breaks: number[], ramp: RGBA[], zeroLabel: string, unit: string): MetricClass[] {
  const out: MetricClass[] = [{ label: zeroLabel, color: NONE }];
  for (let i = 0; i < breaks.length; i++) {
    const lo = breaks[i]!;
    const hi = breaks[i + 1];
    const j = breaks.length === 1 ? ramp.length - 1 : Math.round((i * (ramp.length - 1)) / (breaks.length - 1));
    const label = hi === undefined ? `≥ ${fmt(lo)}` : Number.isInteger(lo) && Number.isInteger(hi) && hi - lo === 1 ? `${fmt(lo)}` : `${fmt(lo)}–${fmt(hi)}`;
    out.push({ label: unit ? `${label} ${unit}` : label, color: ramp[j]! });
  }
  return out;
}

function classIndex(value: number, breaks: number[]): number {
  let i = 0;
  while (i < breaks.length && value >= breaks[i]!) i++;
  return i;
}

function countMetric(id: MetricId, label: string, title: string, unit: string, value: (g: GridMetric) => number | null,
  ramp: RGBA[], zeroLabel: string, integer = true): MetricDef {
  return {
    id, label, title, unit, value,
    classes(grids) {
      const vals = grids.map(value).filter((x): x is number => x !== null);
      const breaks = countBreaks(vals, ramp.length - (ramp === COUNT_RAMP ? 1 : 0), 1);
      const classes = rangeClasses(breaks, ramp, zeroLabel, unit);
      // Break labels of integer counts: "1–3" means 1 ≤ x < 3 → show "1–2".
      if (integer) {
        for (let i = 0; i < breaks.length - 1; i++) {
          const lo = breaks[i]!;
          const hi = breaks[i + 1]! - 1;
          classes[i + 1]!.label = `${lo === hi ? lo : `${lo}–${hi}`} ${unit}`.trim();
        }
      }
      return { classes, classOf: (g) => { const v = value(g); return v === null ? 0 : classIndex(v, breaks); } };
    },
  };
}

/** 15-minute life circle score classes (fixed, so walls and days compare): lower bounds of the share. */
export const COVERAGE_BREAKS = [0.3, 0.5, 0.7] as const;
const COVERAGE_RAMP = ['#e5384f', '#f2893b', '#f2c94c', '#2fc48d'].map((c) => hex(c, FILL_ALPHA + 10));

/** The coverage score as a whole percent (null: not computed yet, or no households). */
export function coveragePercent(g: Pick<GridMetric, 'serviceCoverage'>): number | null {
  const v = g.serviceCoverage;
  return v === null || v === undefined || !Number.isFinite(v) ? null : Math.round(v * 100);
}

/** KPI tone of a coverage score: good from 70 %, a warning below 30 %. */
export function coverageTone(v: number | null | undefined): 'good' | 'warn' | '' {
  if (v === null || v === undefined || !Number.isFinite(v)) return '';
  return v >= COVERAGE_BREAKS[2] ? 'good' : v < COVERAGE_BREAKS[0] ? 'warn' : '';
}

/** The grid with households and the lowest coverage score (the wall's 生活圈最弱网格), if any is computed. */
export function weakestCoverageGrid<G extends Pick<GridMetric, 'serviceCoverage' | 'households'>>(grids: readonly G[]): G | null {
  let best: G | null = null;
  for (const g of grids) {
    const v = g.serviceCoverage;
    if (v === null || v === undefined || !Number.isFinite(v) || g.households <= 0) continue;
    if (!best || v < best.serviceCoverage!) best = g;
  }
  return best;
}

const coverageMetric: MetricDef = {
  id: 'coverage', label: '生活圈', title: '15分钟生活圈得分（16 类服务步行可达住户占比的平均，住户为合成数据）', unit: '%',
  value: coveragePercent,
  classes() {
    const pctLabel = (x: number) => `${Math.round(x * 100)}%`;
    const classes: MetricClass[] = [
      { label: '未计算或无住户', color: NONE },
      { label: `< ${pctLabel(COVERAGE_BREAKS[0])}`, color: COVERAGE_RAMP[0]! },
      ...COVERAGE_BREAKS.map((lo, i) => {
        const hi = COVERAGE_BREAKS[i + 1];
        return { label: hi === undefined ? `≥ ${pctLabel(lo)}` : `${Math.round(lo * 100)}–${pctLabel(hi)}`, color: COVERAGE_RAMP[i + 1]! };
      }),
    ];
    return {
      classes,
      classOf: (g) => {
        const v = g.serviceCoverage;
        if (v === null || v === undefined || !Number.isFinite(v)) return 0;
        let i = 0;
        while (i < COVERAGE_BREAKS.length && v >= COVERAGE_BREAKS[i]!) i++;
        return i + 1;
      },
    };
  },
};

export const METRIC_DEFS: Record<MetricId, MetricDef> = {
  open: countMetric('open', '未结案件', '未结案件（当前）', '件', (g) => g.open, COUNT_RAMP, '无'),
  overdue: countMetric('overdue', '超期案件', '超期未办结案件（当前）', '件', (g) => g.overdue, RED_RAMP, '无超期'),
  per1000: countMetric('per1000', '千户发案', '近 30 日每千户案件数', '件/千户', (g) => g.per1000, COUNT_RAMP, '< 1 或无住户', false),
  party: {
    id: 'party', label: '党建覆盖', title: '网格党支部覆盖与党员中心户', unit: '户',
    value: (g) => (g.partyBranch ? g.memberHouseholds : null),
    classes() {
      // Okabe–Ito colours (core/palette.ts): apart for normal, protan and deutan vision alike.
      const [none, zero, few, many] = PARTY_PALETTE;
      const classes: MetricClass[] = [
        { label: '未建网格党支部', color: hex(none, 190) },
        { label: '已覆盖 · 无党员中心户', color: hex(zero, FILL_ALPHA) },
        { label: '已覆盖 · 1–3 户中心户', color: hex(few, FILL_ALPHA + 20) },
        { label: '已覆盖 · ≥ 4 户中心户', color: hex(many, FILL_ALPHA + 30) },
      ];
      return {
        classes,
        classOf: (g) => (!g.partyBranch ? 0 : g.memberHouseholds === 0 ? 1 : g.memberHouseholds < 4 ? 2 : 3),
      };
    },
  },
  staffing: {
    id: 'staffing', label: '一格三员', title: '一格三员在岗（网格员 · 社区工作者 · 物业管理员）', unit: '员',
    value: (g) => g.staffRoles.length,
    classes() {
      return {
        classes: [
          { label: '缺 2–3 员', color: hex('#e5384f', 190) },
          { label: '缺 1 员', color: hex('#f2c94c', FILL_ALPHA) },
          { label: '三员配齐', color: hex('#2fc48d', FILL_ALPHA) },
        ],
        classOf: (g) => (g.staffingComplete ? 2 : g.staffRoles.length >= 2 ? 1 : 0),
      };
    },
  },
  coverage: coverageMetric,
};

export const STAFF_ROLE_NAMES: Record<string, string> = {
  grid_worker: '网格员',
  community_worker: '社区工作者',
  property_manager: '物业管理员',
};
