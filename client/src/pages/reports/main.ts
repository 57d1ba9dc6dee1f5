// 案件统计报表 (reports.html): GET /api/reports/summary for a period and a division inside the
// jurisdiction: the share solved at grid level against the target, on-time rates per level and
// department, mean time per stage, top categories, hotspot grids per quarter, ratings; 导出 CSV
// downloads the server's ?format=csv for the same filters.
import '../../styles/app.css';
import './reports.css';
import { api, ApiError } from '../../api/http.js';
import { can, type Role } from '../../../../core/permissions.js';
import type { DivisionNode } from '../../../../core/types.js';
import { handleAuthError } from '../../shell/auth.js';
import { $, fmtInt, h } from '../../shell/dom.js';
import { mountHeader } from '../../shell/header.js';
import { STATE_NAMES } from '../../ui/cases/model.js';
import { csvUrl, fmtHours, fmtRate, periodOf, PRESETS, quarterName, type Period, type Preset } from './periods.js';

const header = mountHeader('reports');

interface Summary {
  division: string | null;
  period: { from: string | null; to: string | null };
  cases: { total: number; open: number; fixed: number; closed: number; overdue: number; escalated: number };
  gridSolved: { solved: number; atGrid: number; share: number | null; target: number; met: boolean };
  onTime: {
    byLevel: { level: string; name: string; total: number; onTime: number; rate: number | null }[];
    byDepartment: { code: string; name: string; total: number; onTime: number; rate: number | null }[];
  };
  stageHours: { state: string; name: string; count: number; meanHours: number }[];
  topCategories: { category: string; name: string; count: number }[];
  hotspots: { quarter: string; grids: { gridId: number; gridName: string; count: number }[] }[];
  ratings: Record<string, number>;
}

const params = new URLSearchParams(location.search);
const state: { preset: Preset | 'custom'; period: Period; division: string | null } = {
  preset: (params.get('preset') as Preset | null) ?? 'year',
  period: { from: params.get('from'), to: params.get('to') },
  division: params.get('division'),
};
if (state.preset !== 'custom') state.period = periodOf(state.preset as Preset, Date.now());

const shortGrid = (n: string) => n.split(/[・·•]/).slice(-2).join(' · ');
const empty = (text = '本期暂无数据') => h('div', { class: 'gr-empty' }, text);

/** A horizontal bar row: label, bar (share of max or a rate), value. */
function bar(label: string, value: number, max: number, text: string, opts: { tone?: string; sub?: string; target?: number; title?: string; wrap?: boolean } = {}): HTMLElement {
  const pct = max > 0 ? Math.max(0, Math.min(100, (value / max) * 100)) : 0;
  return h('div', { class: opts.wrap ? 'gr-bar wrap' : 'gr-bar' },
    h('div', { class: 'gr-bar-l' }, h('span', { title: opts.title ?? null }, label), opts.sub ? h('small', {}, opts.sub) : null),
    h('div', { class: 'gr-bar-track' },
      h('div', { class: `gr-bar-fill ${opts.tone ?? ''}`, style: `width:${pct.toFixed(1)}%` }),
      opts.target != null ? h('i', { class: 'gr-bar-target', style: `left:${(opts.target * 100).toFixed(1)}%`, title: `目标 ${fmtRate(opts.target)}` }) : null),
    h('b', { class: 'gr-bar-v' }, text));
}

const rateTone = (r: number | null, good = 0.9) => (r == null ? 'muted' : r >= good ? 'good' : r >= 0.7 ? 'warn' : 'bad');

function render(s: Summary): void {
  const k = s.cases;
  $('#kpis').replaceChildren(...[
    ['案件总数', k.total, ''], ['在办', k.open, ''], ['已办结待结案', k.fixed, ''], ['已结案', k.closed, 'good'],
    ['超期', k.overdue, k.overdue ? 'bad' : ''], ['上报上级', k.escalated, k.escalated ? 'warn' : ''],
  ].map(([label, n, tone]) => h('div', { class: `gr-kpi ${tone}` }, h('b', {}, fmtInt(n as number)), h('span', {}, label as string))));

  // Grid solve share against the target.
  const g = s.gridSolved;
  $('#card-grid .gr-body').replaceChildren(
    h('div', { class: 'gr-target-row' },
      h('div', { class: `gr-big ${g.share == null ? 'muted' : g.met ? 'good' : 'bad'}`, 'data-share': g.share ?? '' }, fmtRate(g.share)),
      h('div', { class: 'gr-target-meta' },
        h('span', { class: `gr-badge ${g.share == null ? '' : g.met ? 'good' : 'bad'}` }, g.share == null ? '暂无已解决案件' : g.met ? '达标' : '未达标'),
        h('span', {}, `目标 ≥ ${fmtRate(g.target)}`),
        h('span', {}, `已解决 ${fmtInt(g.solved)} 件，其中网格层面 ${fmtInt(g.atGrid)} 件`))),
    h('div', { class: 'gr-gauge' },
      h('div', { class: `gr-gauge-fill ${g.met ? 'good' : 'bad'}`, style: `width:${((g.share ?? 0) * 100).toFixed(1)}%` }),
      h('i', { class: 'gr-gauge-target', style: `left:${(g.target * 100).toFixed(1)}%` }, h('span', {}, `目标 ${fmtRate(g.target)}`))),
  );

  // Ratings.
  const names: Record<string, string> = { satisfied: '满意', basically_satisfied: '基本满意', dissatisfied: '不满意' };
  const rated = Object.values(s.ratings).reduce((a, b) => a + b, 0);
  $('#card-ratings .gr-body').replaceChildren(...(rated
    ? [
        h('div', { class: 'gr-stack' }, ...Object.entries(s.ratings).filter(([, n]) => n > 0).map(([code, n]) =>
          h('div', { class: `gr-stack-seg ${code}`, style: `flex:${n}`, title: `${names[code] ?? code} ${n}` }))),
        ...Object.entries(s.ratings).map(([code, n]) => bar(names[code] ?? code, n, rated, `${fmtInt(n)} · ${fmtRate(n / rated)}`, { tone: code === 'dissatisfied' ? 'bad' : code === 'satisfied' ? 'good' : 'warn' })),
      ]
    : [empty('本期暂无评价')]));

  $('#card-level .gr-body').replaceChildren(...(s.onTime.byLevel.length
    ? s.onTime.byLevel.map((x) => bar(x.name, x.rate ?? 0, 1, fmtRate(x.rate), { tone: rateTone(x.rate), sub: `${fmtInt(x.onTime)}/${fmtInt(x.total)}` }))
    : [empty('本期暂无到期办结记录')]));
  $('#card-dept .gr-body').replaceChildren(...(s.onTime.byDepartment.length
    ? s.onTime.byDepartment.map((x) => bar(x.name, x.rate ?? 0, 1, fmtRate(x.rate), { tone: rateTone(x.rate), sub: `${fmtInt(x.onTime)}/${fmtInt(x.total)}` }))
    : [empty('本期没有吹哨到职能部门的案件')]));

  const maxH = Math.max(0, ...s.stageHours.map((x) => x.meanHours));
  $('#card-stage .gr-body').replaceChildren(...(s.stageHours.length
    ? s.stageHours.map((x) => bar(x.name || STATE_NAMES[x.state] || x.state, x.meanHours, maxH, fmtHours(x.meanHours), { sub: `${fmtInt(x.count)} 次`, tone: 'info' }))
    : [empty()]));

  const maxC = Math.max(0, ...s.topCategories.map((x) => x.count));
  $('#card-cats .gr-body').replaceChildren(...(s.topCategories.length
    ? s.topCategories.map((x, i) => bar(`${i + 1}. ${x.name}`, x.count, maxC, `${fmtInt(x.count)} 件`, { tone: 'cat' }))
    : [empty()]));

  $('#card-hot .gr-body').replaceChildren(...(s.hotspots.length
    ? [h('div', { class: 'gr-quarters' }, ...[...s.hotspots].sort((a, b) => b.quarter.localeCompare(a.quarter)).map((q) => {
        const max = Math.max(...q.grids.map((x) => x.count));
        return h('div', { class: 'gr-quarter', 'data-quarter': q.quarter }, h('h3', {}, quarterName(q.quarter)),
          ...q.grids.map((x, i) => bar(`${i + 1}. ${shortGrid(x.gridName)}`, x.count, max, `${fmtInt(x.count)} 件`, { tone: i === 0 ? 'bad' : 'warn', title: x.gridName, wrap: true })));
      })),
      // The full names (街道・社区・网格), which the bars shorten to 社区 · 网格.
      h('table', { class: 'gc-table gr-hot-table', id: 'hot-table' },
        h('thead', {}, h('tr', {}, h('th', {}, '季度'), h('th', {}, '排名'), h('th', {}, '网格（全称）'), h('th', {}, '件数'))),
        h('tbody', {}, ...[...s.hotspots].sort((a, b) => b.quarter.localeCompare(a.quarter)).flatMap((q) => q.grids.map((x, i) =>
          h('tr', { 'data-grid-id': String(x.gridId) }, h('td', {}, quarterName(q.quarter)), h('td', {}, String(i + 1)), h('td', { class: 'name' }, x.gridName), h('td', {}, fmtInt(x.count)))))))]
    : [empty()]));
}

// ---------------------------------------------------------------------------------------------

function paintTools(): void {
  $('#presets').replaceChildren(...PRESETS.map((p) => {
    const b = h('button', { type: 'button', 'aria-pressed': String(state.preset === p.id), 'data-preset': p.id }, p.name);
    b.addEventListener('click', () => {
      state.preset = p.id;
      state.period = periodOf(p.id, Date.now());
      void load();
    });
    return b;
  }));
  ($('#from') as HTMLInputElement).value = state.period.from ?? '';
  // The input shows the last day included; the server's `to` is exclusive.
  ($('#to') as HTMLInputElement).value = state.period.to ? shiftDay(state.period.to, -1) : '';
  const a = $('#export') as HTMLAnchorElement;
  a.href = csvUrl(state.period, state.division);
  a.download = `案件报表${state.period.from ? `_${state.period.from}` : ''}${state.period.to ? `_${shiftDay(state.period.to, -1)}` : ''}.csv`;
}

function shiftDay(ymd: string, days: number): string {
  const t = new Date(`${ymd}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + days);
  return t.toISOString().slice(0, 10);
}

function syncUrl(): void {
  const q = new URLSearchParams();
  q.set('preset', state.preset);
  if (state.preset === 'custom') {
    if (state.period.from) q.set('from', state.period.from);
    if (state.period.to) q.set('to', state.period.to);
  }
  if (state.division) q.set('division', state.division);
  history.replaceState(history.state, '', `${location.pathname}?${q}`);
}

let seq = 0;
async function load(): Promise<void> {
  paintTools();
  syncUrl();
  const my = ++seq;
  document.body.dataset.loading = 'true';
  const q = new URLSearchParams();
  if (state.period.from) q.set('from', state.period.from);
  if (state.period.to) q.set('to', state.period.to);
  if (state.division) q.set('division', state.division);
  try {
    const s = await api.request<Summary>(`/api/reports/summary${q.size ? `?${q}` : ''}`);
    if (my !== seq) return;
    $('#error').hidden = true;
    render(s);
    document.body.dataset.ready = 'true';
  } catch (e) {
    if (await handleAuthError(e)) return;
    const el = $('#error');
    el.textContent = e instanceof ApiError && e.code === 'forbidden' ? '您的角色不能查看统计报表（需要区领导、街道、社区或分析员角色）' : `报表加载失败：${(e as Error).message}`;
    el.hidden = false;
  } finally {
    if (my === seq) delete document.body.dataset.loading;
  }
}

function divisionOptions(tree: DivisionNode): HTMLOptionElement[] {
  const out: HTMLOptionElement[] = [];
  const walk = (n: DivisionNode, depth: number) => {
    out.push(h('option', { value: n.code, selected: n.code === state.division }, `${'\u3000'.repeat(depth)}${n.name}`));
    for (const c of n.children) walk(c, depth + 1);
  };
  walk(tree, 0);
  return out;
}

async function main(): Promise<void> {
  const a = await header.account;
  if (!a) {
    await handleAuthError(new ApiError(401, 'unauthorized', 'log in'));
    return;
  }
  $('#link-desk').hidden = !can(a.role as Role, 'update', 'incident');
  void api.district().then((d) => header.setDistrict(d)).catch(() => undefined);
  const sel = $('#division') as HTMLSelectElement;
  try {
    const { tree } = await api.divisions();
    sel.replaceChildren(...divisionOptions(tree));
    if (!state.division) sel.value = tree.code;
    $('#scope-line').textContent = `${tree.name} · 网格解决率、按时办结率、各环节用时、高发类别与热点网格`;
  } catch {
    sel.hidden = true;
  }
  sel.addEventListener('change', () => {
    state.division = sel.value || null;
    void load();
  });
  const onDate = () => {
    const from = ($('#from') as HTMLInputElement).value || null;
    const to = ($('#to') as HTMLInputElement).value || null;
    state.preset = 'custom';
    state.period = { from, to: to ? shiftDay(to, 1) : null };
    void load();
  };
  $('#from').addEventListener('change', onDate);
  $('#to').addEventListener('change', onDate);
  await load();
}

main().catch(async (e) => {
  if (await handleAuthError(e)) return;
  console.error(e);
  const el = $('#error');
  el.textContent = `页面初始化失败：${(e as Error).message}`;
  el.hidden = false;
});
