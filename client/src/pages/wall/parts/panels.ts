// Panels: the legend, the metric and heat-window chips, the KPI cards with the trend, the ranking
// and the Party tree (挂图作战).
import { $, h } from '../../../shell/dom.js';
import { anyProps, selKey, WINDOW_LABELS, type Sel, type WallContext } from '../context.js';
import { coverageTone, METRIC_DEFS, weakestCoverageGrid } from '../metrics.js';
import * as panel from '../panels.js';
import { int, pct, shortGridName } from '../panels.js';
import { METRICS, WINDOWS } from '../params.js';
import type { WallLayers } from './layers.js';

/** The replayed moment as 'YYYY-MM-DD HH:MM' (Beijing). */
export function replayClock(ctx: WallContext): string {
  const mins = Math.floor((ctx.replay.cursor - ctx.replay.start) / 60_000);
  return `${ctx.replay.day} ${String(Math.floor(mins / 60) % 24).padStart(2, '0')}:${String(mins % 60).padStart(2, '0')}`;
}

export function setupPanels(ctx: WallContext, layers: WallLayers): void {
  const { state, data, hooks } = ctx;
  const touched = () => ctx.act.touched();

  ctx.act.renderLegend = () => {
    const def = METRIC_DEFS[state.metric];
    panel.legend($('#legend'), def, layers.classes(), { on: state.heatVisible, windowLabel: ctx.replay.active ? `回放 ${WINDOW_LABELS[state.window]}` : WINDOW_LABELS[state.window], count: hooks.heat.counted });
  };

  const metricChips = $('#metric-chips');
  metricChips.replaceChildren(...METRICS.map((m) => {
    const b = h('button', { type: 'button', class: 'chip', role: 'radio', 'data-metric': m }, METRIC_DEFS[m].label);
    b.addEventListener('click', () => { touched(); ctx.act.setMetric(m); });
    return b;
  }));
  const windowChips = $('#window-chips');
  windowChips.replaceChildren(...WINDOWS.map((w) => {
    const b = h('button', { type: 'button', class: 'chip', role: 'radio', 'data-window': w }, `热力 ${WINDOW_LABELS[w]}`);
    b.addEventListener('click', () => { touched(); ctx.act.setWindow(w); });
    return b;
  }));
  ctx.act.syncChips = () => {
    for (const b of metricChips.querySelectorAll<HTMLElement>('[data-metric]')) {
      const on = b.dataset.metric === state.metric;
      b.classList.toggle('on', on);
      b.setAttribute('aria-checked', String(on));
    }
    for (const b of windowChips.querySelectorAll<HTMLElement>('[data-window]')) {
      const on = b.dataset.window === state.window && state.heatVisible;
      b.classList.toggle('on', on);
      b.setAttribute('aria-checked', String(on));
    }
  };

  const flashKeys = new Set<string>();
  let lastKpi: Record<string, number | null> = {};
  let lastKpiScope = '';
  ctx.act.renderKpis = () => {
    const m = state.replayed?.scoped ?? state.scoped ?? state.all;
    if (!m) return;
    const t = m.totals;
    const vals: Record<string, number | null> = { today: t.today, open: t.open, overdue: t.overdue, share: t.gridSolvedShare, hours: t.avgCloseHours, resolved: t.resolvedToday };
    const scopeKey = selKey(state.sel);
    if (scopeKey === lastKpiScope) for (const [k, v] of Object.entries(vals)) if (lastKpi[k] !== undefined && lastKpi[k] !== v) flashKeys.add(k);
    lastKpi = vals;
    lastKpiScope = scopeKey;
    hooks.kpi = { ...vals, coverage: t.coverage, staffing: t.staffing, serviceCoverage: t.serviceCoverage ?? null };
    const weakest = weakestCoverageGrid(m.grids);
    const met = t.gridSolvedShare != null && t.gridSolvedShare >= t.gridSolvedTarget;
    panel.kpiCards($('#kpis'), [
      { key: 'today', label: '今日上报', value: int(t.today), unit: '件', sub: `近 24 小时 ${int(m.series.hourlyCreated.reduce((a, b) => a + b, 0))} 件`, spark: { values: m.series.hourlyCreated, color: '#3fd6f5' } },
      { key: 'open', label: '未结案件', value: int(t.open), unit: '件', sub: `近 30 日上报 ${int(t.recent)} 件` },
      { key: 'overdue', label: '超期案件', value: int(t.overdue), unit: '件', tone: t.overdue > 0 ? 'alarm' : 'good', sub: t.open ? `占未结 ${pct(t.overdue / Math.max(1, t.open), 0)}%` : '—' },
      { key: 'share', label: '网格内解决率', value: pct(t.gridSolvedShare), unit: '%', tone: t.gridSolvedShare == null ? '' : met ? 'good' : 'warn',
        sub: `目标 ${pct(t.gridSolvedTarget, 0)}% · 近 30 日解决 ${int(t.solved)} 件`, target: { value: t.gridSolvedShare, target: t.gridSolvedTarget } },
      { key: 'hours', label: '平均办结时长', value: t.avgCloseHours == null ? '—' : t.avgCloseHours.toFixed(1), unit: '小时', sub: '上报至办结 · 近 30 日' },
      { key: 'resolved', label: '今日办结', value: int(t.resolvedToday), unit: '件', sub: `近 24 小时 ${int(m.series.hourlyResolved.reduce((a, b) => a + b, 0))} 件`, spark: { values: m.series.hourlyResolved, color: '#35d49a' } },
      { key: 'serviceCoverage', label: '15分钟生活圈', value: pct(t.serviceCoverage ?? null), unit: '%', tone: coverageTone(t.serviceCoverage), sub: '16 类服务步行可达住户（合成）' },
      { key: 'coverageWeakest', label: '生活圈最弱网格', value: weakest ? pct(weakest.serviceCoverage ?? null) : '—', unit: weakest ? '%' : '', tone: weakest ? coverageTone(weakest.serviceCoverage) : '', sub: weakest ? shortGridName(weakest.name, 2) : '尚未计算' },
    ], flashKeys);
    flashKeys.clear();
    panel.trendChart($('#trend'), m.series.hourlyCreated, m.series.hourlyResolved, m.series.daily);
    $('#kpi-scope').textContent = ctx.act.scopeName(state.sel);
    $('#kpi-note').textContent = state.replayed ? `回放 · ${replayClock(ctx)} · 已定位案件` : `更新于 ${panel.timeOf(m.now)}`;
    if (data.party) panel.partySummary($('#party-summary'), data.party, (state.all ?? m).totals.staffing);
  };

  ctx.act.renderRanking = () => {
    const all = state.replayed?.all ?? state.all;
    if (!all) return;
    for (const b of document.querySelectorAll<HTMLElement>('#rank-tabs [data-rank]')) b.classList.toggle('on', b.dataset.rank === state.rankTab);
    const onSelect = (code: string) => { touched(); ctx.act.select({ level: data.divFeature.get(code)?.properties.level === 'subdistrict' ? 'subdistrict' : 'community', code } as Sel, true); };
    // The ultra-wide wall has room for both lists at once; the others alternate.
    const both = ctx.ui.layout === 'ultrawide';
    $('#rank-tabs').hidden = both;
    const rows = both ? [...all.ranking.subdistricts, ...all.ranking.communities]
      : state.rankTab === 'subdistricts' ? all.ranking.subdistricts : all.ranking.communities;
    panel.ranking($('#ranking'), rows, onSelect, both ? 20 : 8);
  };
  for (const b of document.querySelectorAll<HTMLElement>('#rank-tabs [data-rank]')) {
    b.addEventListener('click', () => { touched(); state.rankPinned = true; state.rankTab = b.dataset.rank as 'subdistricts' | 'communities'; ctx.act.renderRanking(); });
  }
  // Unattended: the ranking alternates between subdistricts and communities.
  setInterval(() => {
    if (state.rankPinned) return;
    state.rankTab = state.rankTab === 'subdistricts' ? 'communities' : 'subdistricts';
    ctx.act.renderRanking();
  }, 15_000);

  ctx.act.renderParty = () => {
    const party = data.party;
    panel.partyUncovered($('#party-uncovered'), party, (g) => { touched(); ctx.act.select({ level: 'grid', gridId: g }, true); });
    panel.partyTreeList($('#party-tree'), party.roots, (n) => { touched(); ctx.act.selectPartyNode(n); }, state.partyNode);
    if (!state.cases) panel.partySummary($('#party-summary'), party, null); // no wall figures for this role
    ctx.overlay.uncovered = { type: 'FeatureCollection', features: party.uncovered.flatMap((g) => { const f = data.gridFeature.get(g.gridId); return f ? [anyProps(f)] : []; }) };
  };
}
