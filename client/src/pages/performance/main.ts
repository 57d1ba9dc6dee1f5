// 绩效考核 (performance.html): the monthly ranking of grids, communities, subdistricts or
// departments in the jurisdiction (GET /api/performance), each score's breakdown (click a row),
// the metric weights (edited here by an admin: PUT /api/performance/weights, then ranked again),
// CSV export of the same view and a print-styled monthly report (打印月报).
import '../../styles/app.css';
import './performance.css';
import { api, ApiError, withQuery } from '../../api/http.js';
import { can, type Role } from '../../../../core/permissions.js';
import { METRIC_NAMES, METRICS, UNIT_LEVEL_NAMES, type Metric, type UnitLevel, type Weights } from '../../../../core/scoring.js';
import { handleAuthError } from '../../shell/auth.js';
import { $, h, showError } from '../../shell/dom.js';
import { mountHeader } from '../../shell/header.js';
import { initHooks, markReady } from '../../shell/hooks.js';

const header = mountHeader('performance');
const hooks = initHooks('performance');

interface Item { metric: Metric; name: string; value: number | null; numerator: number; denominator: number; noData?: string; weight: number; effectiveWeight: number; points: number }
interface Unit { rank: number | null; key: string; name: string; parentName: string | null; score: number | null; breakdown: Item[] }
interface Ranking { month: string; level: UnitLevel; period: { from: string; to: string }; weights: Weights; units: Unit[] }

const params = new URLSearchParams(location.search);
const beijingMonth = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);
const state = {
  month: /^\d{4}-\d{2}$/.test(params.get('month') ?? '') ? params.get('month')! : beijingMonth(),
  level: (['grid', 'community', 'subdistrict', 'department'].includes(params.get('level') ?? '') ? params.get('level') : 'grid') as UnitLevel,
  selected: null as string | null,
};
let ranking: Ranking | null = null;
let mayEdit = false;

const fmtScore = (x: number | null) => (x == null ? '—' : x.toFixed(1));
const fmtShare = (x: number | null) => (x == null ? '无数据' : `${(x * 100).toFixed(1)}%`);
const fmtW = (x: number) => `${(x * 100).toFixed(1)}%`;
/** The Beijing calendar day of an instant; `end`: the day before an exclusive end (the month's last). */
const beijingDay = (iso: string, end = false) => new Date(Date.parse(iso) + 8 * 3_600_000 - (end ? 1 : 0)).toISOString().slice(0, 10);

function query(format?: 'csv') {
  return withQuery('/api/performance', { month: state.month, level: state.level, format });
}

function paintRanking(r: Ranking): void {
  const table = $('#ranking');
  table.querySelector('thead')!.replaceChildren(h('tr', {},
    h('th', {}, '名次'), h('th', {}, UNIT_LEVEL_NAMES[r.level]), h('th', {}, '所属'), h('th', { class: 'num' }, '得分'),
    ...METRICS.map((m) => h('th', { class: 'num', title: `${METRIC_NAMES[m]}（权重 ${fmtW(r.weights[m])}）` }, METRIC_NAMES[m]))));
  table.querySelector('tbody')!.replaceChildren(...r.units.map((u) => {
    const tr = h('tr', { 'data-key': u.key, 'data-rank': u.rank ?? '', 'aria-selected': String(state.selected === u.key), tabindex: 0 },
      h('td', { class: 'rank' }, u.rank ?? '—'), h('td', { class: 'name' }, u.name), h('td', {}, u.parentName ?? ''),
      h('td', { class: 'num score' }, fmtScore(u.score)),
      ...u.breakdown.map((b) => h('td', { class: `num${b.value == null ? ' nodata' : ''}`, title: b.noData ?? `${b.numerator.toFixed(1)}/${b.denominator}` },
        b.value == null ? '—' : `${fmtShare(b.value)} · ${b.points.toFixed(1)}`)));
    const pick = () => { state.selected = u.key; paintRanking(r); paintBreakdown(u); };
    tr.addEventListener('click', pick);
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') pick(); });
    return tr;
  }));
}

function paintBreakdown(u: Unit | undefined): void {
  const el = $('#breakdown');
  el.hidden = !u;
  if (!u) return;
  el.replaceChildren(
    h('h2', {}, `${u.name} 得分构成`, h('span', { class: 'gp-total', id: 'breakdown-score' }, fmtScore(u.score))),
    h('table', { id: 'breakdown-table' },
      h('thead', {}, h('tr', {}, h('th', {}, '指标'), h('th', { class: 'num' }, '数值'), h('th', { class: 'num' }, '依据'), h('th', { class: 'num' }, '权重'),
        h('th', { class: 'num' }, '实际权重'), h('th', { class: 'num' }, '得分'))),
      h('tbody', {}, ...u.breakdown.map((b) => h('tr', { 'data-metric': b.metric },
        h('td', {}, b.name), h('td', { class: 'num' }, fmtShare(b.value)),
        h('td', { class: 'num' }, b.value == null ? (b.noData ?? '') : `${Number(b.numerator.toFixed(1))} / ${b.denominator}`),
        h('td', { class: 'num' }, fmtW(b.weight)), h('td', { class: 'num' }, fmtW(b.effectiveWeight)),
        h('td', { class: 'num points' }, b.points.toFixed(2))))),
      h('tfoot', {}, h('tr', {}, h('td', { colspan: 5 }, '合计'), h('td', { class: 'num' }, fmtScore(u.score))))));
}

function paintWeights(w: Weights): void {
  const inputs = METRICS.map((m) => h('label', {}, METRIC_NAMES[m],
    h('input', { type: 'number', min: 0, max: 1, step: 0.05, value: String(Math.round(w[m] * 1000) / 1000), 'data-metric': m, disabled: !mayEdit })));
  const save = h('button', { type: 'button', class: 'gp-btn', id: 'weights-save', hidden: !mayEdit }, '保存权重');
  save.addEventListener('click', async () => {
    const body = Object.fromEntries(METRICS.map((m) => [m, Number(($(`input[data-metric="${m}"]`) as HTMLInputElement).value)]));
    try {
      const r = await api.send<{ weights: Weights; normalised: boolean }>('PUT', '/api/performance/weights', body);
      $('#note').textContent = r.normalised ? '权重之和不为 1，已按比例归一化后保存。' : '权重已保存。';
      await load();
    } catch (e) {
      showError(e instanceof ApiError ? `权重未保存：${e.message}` : String(e));
    }
  });
  $('#weights').replaceChildren(h('h2', {}, '指标权重', mayEdit ? null : h('small', {}, '（仅管理员可修改）')), h('div', { class: 'gp-wrow' }, ...inputs, save));
}

async function load(): Promise<void> {
  document.body.dataset.loading = 'true';
  $('#error').hidden = true;
  try {
    ranking = await api.request<Ranking>(query());
  } finally {
    document.body.dataset.loading = 'false';
  }
  history.replaceState(null, '', `?month=${state.month}&level=${state.level}`);
  ($('#export') as HTMLAnchorElement).href = query('csv');
  ($('#export') as HTMLAnchorElement).download = `performance-${state.month}-${state.level}.csv`;
  $('#title').textContent = `${state.month.replace('-', ' 年 ')} 月 ${UNIT_LEVEL_NAMES[state.level]}绩效考核`;
  // The printed report states the weights it was scored with (the weights form is not printed).
  $('#print-weights').textContent = `统计期 ${beijingDay(ranking.period.from)} 至 ${beijingDay(ranking.period.to, true)}（北京时间）；指标权重：${
    METRICS.map((m) => `${METRIC_NAMES[m]} ${fmtW(ranking!.weights[m])}`).join('，')}`;
  paintWeights(ranking.weights);
  paintRanking(ranking);
  paintBreakdown(ranking.units.find((u) => u.key === state.selected) ?? ranking.units.find((u) => u.score != null));
  if (!state.selected) state.selected = ranking.units.find((u) => u.score != null)?.key ?? null;
  paintRanking(ranking);
  const noBranch = ranking.units.some((u) => u.breakdown.some((b) => b.metric === 'branchActivity' && b.value == null));
  $('#note').textContent = [
    '得分 = Σ 权重 × 指标值（0–100）；某项指标本月无数据时不计入，其余指标按权重比例补足，故各项得分之和等于总分。',
    noBranch ? '支部活动：支部台账尚无活动记录，暂不计分。' : '',
    '案件口径：本月上报的案件（合并的重复件计入主件）；含合成数据时结果仅供演示。',
  ].filter(Boolean).join(' ');
}

async function main(): Promise<void> {
  const me = (await api.me()).account;
  const role = me.role as Role;
  if (!can(role, 'read', 'performance')) {
    showError('您的角色无权查看绩效考核');
    markReady(hooks);
    return;
  }
  mayEdit = can(role, 'update', 'governance_rule');
  header.setDistrict(await api.district());
  const month = $('#month') as HTMLInputElement;
  const level = $('#level') as HTMLSelectElement;
  month.value = state.month;
  level.value = state.level;
  month.addEventListener('change', () => { if (month.value) { state.month = month.value; state.selected = null; void load().catch(fail); } });
  level.addEventListener('change', () => { state.level = level.value as UnitLevel; state.selected = null; void load().catch(fail); });
  $('#print').addEventListener('click', () => window.print());
  await load();
  markReady(hooks);
}

async function fail(e: unknown): Promise<void> {
  if (await handleAuthError(e)) return;
  showError(e instanceof ApiError ? `数据加载失败：${e.message}` : `页面初始化失败：${(e as Error).message}`);
}

main().catch(fail);
