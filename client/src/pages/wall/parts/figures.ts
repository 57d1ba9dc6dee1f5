// Figures: the wall metrics (district-wide for the grid colours and the ranking, and for the
// selection for the KPIs), refreshed on a timer and after live changes; the metric, heat-window
// and heat-visibility switches.
import { selKey, type WallContext } from '../context.js';
import { wallApi } from '../api.js';
import type { MetricId, WindowId } from '../params.js';

export function setupFigures(ctx: WallContext): void {
  const { state, hooks } = ctx;
  let metricsSeq = 0;
  let metricsTimer: ReturnType<typeof setTimeout> | null = null;
  ctx.act.showFigures = (grids, opts = {}) => {
    ctx.metricOf.clear();
    for (const g of grids) ctx.metricOf.set(g.gridId, g);
    ctx.act.recolor();
    ctx.act.renderKpis();
    ctx.act.renderRanking();
    ctx.act.renderDetail();
    ctx.act.renderLegend();
    if (opts.ticker) {
      ctx.act.renderTicker();
      ctx.act.renderBadge();
    }
    ctx.act.scheduleRender();
  };
  ctx.act.loadMetrics = async () => {
    metricsTimer = null;
    if (!state.cases) return; // the role may not see case figures: nothing to ask for
    const seq = ++metricsSeq;
    const s = state.sel;
    try {
      const all = await wallApi.metrics();
      let scoped = all;
      if (s.level === 'subdistrict' || s.level === 'community') scoped = await wallApi.metrics({ division: s.code });
      else if ((s.level === 'grid' || s.level === 'building') && s.gridId != null) scoped = await wallApi.metrics({ grid: s.gridId });
      if (seq !== metricsSeq) return;
      state.all = all;
      state.scoped = selKey(s) === selKey(state.sel) ? scoped : null;
      if (ctx.replay.active) {
        ctx.act.refreshReplay();
        return;
      }
      ctx.act.showFigures(all.grids);
    } catch (e) {
      hooks.errors++;
      console.warn('[wall] metrics failed', e);
    }
  };
  let metricsDue = 0;
  /** Fetch the figures within `delay` ms (an earlier request is never pushed back: a busy stream still refreshes). */
  ctx.act.refreshMetrics = (delay = 800) => {
    const due = Date.now() + delay;
    if (metricsTimer && metricsDue <= due) return;
    if (metricsTimer) clearTimeout(metricsTimer);
    metricsDue = due;
    metricsTimer = setTimeout(() => void ctx.act.loadMetrics(), delay);
  };
  setInterval(() => ctx.act.refreshMetrics(0), 30_000);

  ctx.act.setMetric = (m: MetricId) => {
    state.metric = m;
    hooks.metric = m;
    ctx.act.recolor();
    ctx.act.syncChips();
    ctx.act.renderLegend();
    ctx.act.scheduleRender();
  };
  ctx.act.setWindow = (w: WindowId) => {
    state.window = w;
    hooks.window = w;
    if (!state.heatVisible) ctx.act.setHeatVisible(true);
    ctx.act.syncChips();
    ctx.act.requestHeat(0);
  };
  ctx.act.setHeatVisible = (on: boolean) => {
    state.heatVisible = on;
    hooks.heat.visible = on;
    ctx.act.syncChips();
    ctx.act.renderLegend();
    ctx.act.scheduleRender();
  };
}
