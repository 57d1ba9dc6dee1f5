// The 预警阈值 forms as data (pure, unit-tested against the server's schemas in
// core/trend/thresholds.ts): per kind of warning its zh-CN explanation line and fields with labels,
// units, allowed ranges (as the schema has them) and display scale; values to and from the inputs;
// and which fields a refusal of the server names.
import type { WarningKind } from '../../../../core/trend/thresholds.js';

export interface NumberField {
  key: string;
  type: 'number';
  label: string;
  /** Shown after the input. */
  unit: string;
  hint: string;
  /** Allowed values in display units (with the unit), as the server's schema has them. */
  range: string;
  /** Bounds in display units; `minExclusive`: the minimum itself is refused. */
  min: number;
  max: number;
  minExclusive?: true;
  /** Whole numbers only. */
  int?: true;
  step: number;
  /** Stored value × scale = shown value (a share 0–1 shown in percentage points: 100). */
  scale?: number;
}
export interface FlagField { key: string; type: 'flag'; label: string; hint: string }
export type Field = NumberField | FlagField;

const ALPHA: Omit<NumberField, 'hint'> = {
  key: 'alpha', type: 'number', label: '显著性水平 α', unit: '', range: '0 至 0.2（不含 0）', min: 0, minExclusive: true, max: 0.2, step: 0.001,
};

/** zh-CN labels, units and one line of explanation per kind; the keys and ranges are core/trend/thresholds.ts's. */
export const THRESHOLD_FORMS: Record<WarningKind, { explain: string; fields: Field[] }> = {
  rising: {
    explain: '某社区某类案件近 7 天的件数，与此前若干周同样 7 天（同星期、同时段）相比显著上升时预警。'
      + '检验：泊松率比的精确条件二项检验（单侧），所有检验共用 α（Bonferroni 校正）。',
    fields: [
      { key: 'enabled', type: 'flag', label: '启用', hint: '关闭后扫描不再发现此类预警' },
      { key: 'baselineWeeks', type: 'number', label: '基线周数', unit: '周', range: '1 至 26 周（整数）', min: 1, max: 26, int: true, step: 1,
        hint: '取此前若干周的同样 7 天作为基线' },
      { ...ALPHA, hint: '全部检验共用；每项检验用 α ÷ 检验数' },
      { key: 'minCount', type: 'number', label: '最少件数', unit: '件', range: '1 至 10000 件（整数）', min: 1, max: 10_000, int: true, step: 1,
        hint: '近 7 天少于此数的类别不检验' },
      { key: 'minRatio', type: 'number', label: '最低倍数', unit: '倍', range: '1 至 100 倍', min: 1, max: 100, step: 0.1,
        hint: '近 7 天件数还须至少为基线周均值的此倍数' },
    ],
  },
  cluster: {
    explain: '同一地点短期内反复发生：最近若干天内，某一案件周围一定半径内（默认只计同类别）的案件达到最少件数时预警；'
      + '每件案件至多归入一处。',
    fields: [
      { key: 'enabled', type: 'flag', label: '启用', hint: '关闭后扫描不再发现此类预警' },
      { key: 'radiusM', type: 'number', label: '半径', unit: '米', range: '5 至 2000 米', min: 5, max: 2000, step: 1,
        hint: '以一件案件为中心，此距离内算同一地点' },
      { key: 'days', type: 'number', label: '时间窗', unit: '天', range: '1 至 90 天（整数）', min: 1, max: 90, int: true, step: 1,
        hint: '只看最近这些天内上报的案件' },
      { key: 'minCases', type: 'number', label: '最少件数', unit: '件', range: '2 至 1000 件（整数）', min: 2, max: 1000, int: true, step: 1,
        hint: '同一地点达到此件数即预警' },
      { key: 'sameCategory', type: 'flag', label: '只计同类别案件', hint: '关闭后不同类别的案件也合并计数' },
    ],
  },
  on_time_drop: {
    explain: '网格按期办结率下降：最近一段时间内到期的案件的按期率，与此前基线期相比显著下降且降幅不小于设定值时预警。'
      + '检验：双比例 z 检验（合并方差，单侧），所有检验共用 α（Bonferroni 校正）。',
    fields: [
      { key: 'enabled', type: 'flag', label: '启用', hint: '关闭后扫描不再发现此类预警' },
      { key: 'windowDays', type: 'number', label: '观察期', unit: '天', range: '7 至 180 天（整数）', min: 7, max: 180, int: true, step: 1,
        hint: '最近这些天内到期的案件' },
      { key: 'baselineDays', type: 'number', label: '基线期', unit: '天', range: '7 至 730 天（整数）', min: 7, max: 730, int: true, step: 1,
        hint: '观察期之前的这些天作为比较基线' },
      { ...ALPHA, hint: '全部检验共用；每项检验用 α ÷ 检验数' },
      { key: 'minCases', type: 'number', label: '每期最少到期件数', unit: '件', range: '2 至 10000 件（整数）', min: 2, max: 10_000, int: true, step: 1,
        hint: '观察期或基线期到期件数少于此数的网格不检验' },
      { key: 'minDrop', type: 'number', label: '最小降幅', unit: '个百分点', range: '0 至 100 个百分点', min: 0, max: 100, step: 1, scale: 100,
        hint: '按期率还须至少下降这么多（如 15 即从 90% 降到 75% 及以下）' },
    ],
  },
};

/** A stored number as the input shows it, without float noise (0.15 × 100 is 15, not 15.000000000000002). */
export const toInput = (v: number, scale = 1): string => String(Number((v * scale).toPrecision(12)));

/** An input's text as the API takes it; empty or unreadable is null (the server refuses and names it). */
export function fromInput(text: string, scale = 1): number | null {
  const v = text.trim() === '' ? NaN : Number(text);
  return Number.isFinite(v) ? Number((v / scale).toPrecision(12)) : null;
}

/** The fields of a kind a validation message names ("alpha: Too big: …; minCount: …"), in form order. */
export function namedFields(kind: WarningKind, message: string): Field[] {
  const keys = new Set(message.split(';').map((part) => part.split(':')[0]!.trim()));
  return THRESHOLD_FORMS[kind].fields.filter((f) => keys.has(f.key));
}

/** "显著性水平 α 应为 0 至 0.2（不含 0）；最少件数应为 1 至 10000 件（整数）" for the fields named. */
export const fieldRules = (fields: Field[]): string =>
  fields.map((f) => `${f.label}${/[A-Za-z\u0370-\u03ff]$/.test(f.label) ? ' ' : ''}应为${f.type === 'number' ? ` ${f.range}` : '是或否'}`).join('；');
