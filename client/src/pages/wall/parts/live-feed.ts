// Live feed: cases over the socket (after an HTTP load) feed the ticker, the pulses, the heat
// columns, quick KPI bumps and the alerts; a published grid layout reloads the grids.
import type { IncidentView } from '../../../../../core/contract.js';
import type { LiveStatus } from '../../../api/socket.js';
import { categoryColor, hexToRgba } from '../../../map/color.js';
import { $ } from '../../../shell/dom.js';
import { wallApi } from '../api.js';
import { isOpen, isUrgent, type WallContext } from '../context.js';
import { startLive } from '../live.js';
import * as panel from '../panels.js';
import { int } from '../panels.js';
import type { WallLayers } from './layers.js';
import { replayClock } from './panels.js';
import { replayTicker } from './replay.js';
import { contextTarget } from './selection.js';

export interface WallLiveFeed {
  /** Connect, load the cases and keep them coming (resolves after the first load). */
  start(): Promise<void>;
}

export function setupLiveFeed(ctx: WallContext, layers: WallLayers): WallLiveFeed {
  const { state, hooks, data } = ctx;
  const seenOverdue = new Set<number>();
  const pointOf = (c: IncidentView) => ({
    id: c.id, lon: c.lon, lat: c.lat, t: Date.parse(c.createdAt) / 1000, r: c.resolvedAt ? Date.parse(c.resolvedAt) / 1000 : 0,
    category: c.category, gridId: c.gridId, open: isOpen(c), overdue: !!c.overdue,
  });
  const inSel = (c: IncidentView) => {
    const s = state.sel;
    switch (s.level) {
      case 'district': return true;
      case 'subdistrict': return c.subdistrictCode === s.code;
      case 'community': return c.communityCode === s.code;
      case 'grid': case 'building': return c.gridId === s.gridId;
    }
  };
  ctx.act.pulseCase = (c: IncidentView) => {
    if (c.lon == null || c.lat == null || ctx.replay.active) return; // a replay shows its own day's pulses
    const urgent = isUrgent(c);
    ctx.fx.pulse([c.lon, c.lat], urgent ? [255, 70, 85, 255] : hexToRgba(categoryColor(c.category)), { sizePx: Math.round((urgent ? 150 : 110) * ctx.ui.scale), rings: 3, durationMs: urgent ? 6000 : 4200 });
    hooks.pulses = ctx.fx.pulseCount;
    hooks.lastPulse = { id: c.id, at: Date.now() };
  };
  ctx.act.raiseAlert = (c, kind) => {
    if (!state.alertsOn) return; // an unlocated case alerts too (the alert says 未定位)
    ctx.tour?.interrupt({ key: `${kind}:${c.id}`, incident: c, kind, priority: kind === 'urgent' ? 1 : 0 });
  };

  ctx.act.renderBadge = () => {
    const el = $('#live');
    if (ctx.replay.active) {
      el.className = 'wall-live replay';
      el.querySelector('span')!.textContent = `回放 ${replayClock(ctx)}`;
      return;
    }
    const s = hooks.live;
    el.className = `wall-live ${s}`;
    el.querySelector('span')!.textContent = s === 'live' ? '实时' : s === 'connecting' ? '连接中' : s === 'polling' ? '定时刷新' : '离线';
  };

  let tickerTimer: ReturnType<typeof setTimeout> | null = null;
  ctx.act.renderTicker = () => {
    tickerTimer = null;
    if (ctx.replay.active) {
      replayTicker(ctx);
      return;
    }
    const live = ctx.live;
    if (!live) return;
    const list = live.store.list().slice(0, ctx.ui.layout === 'ultrawide' ? 12 : 9);
    const now = Date.now();
    panel.ticker($('#ticker'), list, {
      categories: data.categoryNames,
      isUrgent,
      isNew: (c) => { const at = live.store.arrivedAt(c.id); return at !== undefined && now - at < 4000; },
      onSelect: (c) => { ctx.act.touched(); if (c.gridId != null) ctx.act.select({ level: 'grid', gridId: c.gridId }, false); if (c.lon != null && c.lat != null) { const fly = contextTarget(ctx, [c.lon, c.lat], c.gridId); void ctx.fx.flyToAsync(fly.target, { duration: 2, pitch: -42, rangeScale: fly.rangeScale }); ctx.act.pulseCase(c); } },
    });
    $('#ticker-note').textContent = `今日 ${int(state.all?.totals.today)} 件`;
  };

  // A grid layout was published (grid editor): reload the grids, their lookups, labels, colours and figures.
  const reloadGrids = async () => {
    data.grids = await wallApi.grids(data.scopeBbox);
    data.gridFeature.clear();
    data.communityOf.clear();
    for (const f of data.grids.features) { data.gridFeature.set(f.properties.id, f); data.communityOf.set(f.properties.id, f.properties.communityCode); }
    hooks.gridCount = data.grids.features.length;
    layers.resetColors();
    ctx.act.recolor();
    ctx.act.buildLabels();
    ctx.act.refreshMetrics(0);
    ctx.act.render();
  };

  return {
    async start() {
      const live = startLive({ divisions: [data.rootCode], onStatus: (s: LiveStatus) => {
        hooks.live = s;
        ctx.act.renderBadge();
        hooks.reconnects = ctx.live?.reconnects ?? 0;
      } });
      ctx.live = live;
      live.socket.on('grids:changed', () => { reloadGrids().catch((e) => { hooks.errors++; console.warn('[wall] grid reload failed', e); }); });
      live.store.subscribe((diff, store, isLive) => {
        hooks.incidentCount = store.size;
        const recentCut = Date.now() - 10 * 60_000;
        let pointsChanged = false;
        for (const c of [...diff.add, ...diff.update]) {
          if (ctx.liveStore.upsert(pointOf(c))) pointsChanged = true;
        }
        for (const c of diff.add) {
          const fresh = isLive || Date.parse(c.createdAt) > recentCut;
          if (c.overdue && isOpen(c)) {
            if (!seenOverdue.has(c.id) && fresh && hooks.ready) ctx.act.raiseAlert(c, 'overdue');
            seenOverdue.add(c.id);
          }
          if (!fresh || !hooks.ready) continue;
          ctx.act.pulseCase(c);
          if (isUrgent(c) && isOpen(c)) ctx.act.raiseAlert(c, 'urgent');
          if (inSel(c) && state.scoped) {
            // Bump the numbers at once; the refresh below brings the server's figures.
            state.scoped.totals.today++;
            state.scoped.totals.open++;
            ctx.act.renderKpis();
          }
        }
        for (const c of diff.update) {
          if (c.overdue && isOpen(c) && !seenOverdue.has(c.id)) {
            seenOverdue.add(c.id);
            if (isLive && hooks.ready) ctx.act.raiseAlert(c, 'overdue');
          }
        }
        if (pointsChanged) {
          ctx.act.refreshRecent();
          ctx.act.requestHeat(isLive ? 150 : 400);
        }
        if (!tickerTimer) tickerTimer = setTimeout(ctx.act.renderTicker, isLive ? 50 : 200);
        if (hooks.ready && (diff.add.length || diff.update.length)) ctx.act.refreshMetrics(isLive ? 300 : 1000);
      });
      await live.initial.catch((e) => console.warn('[wall] incidents load failed', e));
      ctx.act.renderTicker();

      // The heat window slides with the clock; old cases leave the columns.
      setInterval(() => {
        if (!ctx.replay.active) ctx.act.requestHeat(0);
        ctx.liveStore.trimBefore(Date.now() / 1000 - 7 * 86_400 - 3600);
        ctx.act.refreshRecent();
      }, 30_000);
    },
  };
}
