// Tour: the unattended round of stops (district, subdistricts, communities, grids, hotspots) with
// its caption; alerts interrupt it and fly to the case; a touch or the wheel holds it.
import { SOURCE_NAMES } from '../../../shell/labels.js';
import { $ } from '../../../shell/dom.js';
import { bboxOf, LEVEL_NAMES, type WallAlert, type WallContext, type WallStop } from '../context.js';
import * as panel from '../panels.js';
import { shortGridName } from '../panels.js';
import type { TourItem } from '../params.js';
import { Tour } from '../tour.js';
import { contextTarget } from './selection.js';

export interface WallTour {
  /** Where the wall starts (URL ?view=), and where a one-stop tour holds. */
  startStop(): WallStop;
}

export function setupTour(ctx: WallContext): WallTour {
  const { data, params, hooks } = ctx;
  const { district, scopeBbox, subFc, comFc, divFeature, gridFeature } = data;

  let headingStep = 0;
  const stopsFor = (item: TourItem): WallStop[] => {
    const heading = () => (headingStep++ % 4) * 25 - 20;
    switch (item.kind) {
      case 'district':
        return [{ key: 'district', title: district.name, subtitle: '全区总览', target: { bbox: scopeBbox }, sel: { level: 'district' }, heading: heading() }];
      case 'subdistricts':
        return subFc.features.map((f) => ({ key: `division:${f.properties.code}`, title: f.properties.name, subtitle: '街道', target: { bbox: bboxOf(f.geometry) }, sel: { level: 'subdistrict', code: f.properties.code }, heading: heading() }));
      case 'communities':
        return comFc.features.map((f) => ({ key: `division:${f.properties.code}`, title: f.properties.name, subtitle: '社区', target: { bbox: bboxOf(f.geometry) }, sel: { level: 'community', code: f.properties.code }, heading: heading() }));
      case 'division': {
        const f = divFeature.get(item.code);
        return f ? [{ key: `division:${item.code}`, title: f.properties.name, subtitle: LEVEL_NAMES[f.properties.level], target: { bbox: bboxOf(f.geometry) }, sel: { level: f.properties.level as 'subdistrict' | 'community', code: item.code }, heading: heading() }] : [];
      }
      case 'grid': {
        const f = gridFeature.get(item.id);
        return f ? [{ key: `grid:${item.id}`, title: shortGridName(f.properties.name, 2), subtitle: '网格', target: { bbox: bboxOf(f.geometry) }, sel: { level: 'grid', gridId: item.id }, heading: heading() }] : [];
      }
      case 'hotspots':
        return hotspots().map((hs, i) => ({
          key: `hotspot:${i}`, title: hs.gridName ? shortGridName(hs.gridName, 2) : `热点 ${i + 1}`, subtitle: `热点 ${i + 1} · ${hs.label} ${hs.count} 件`,
          target: { center: hs.center, zoom: 16.4 }, sel: hs.gridId != null ? { level: 'grid', gridId: hs.gridId } : { level: 'district' }, heading: heading(),
        }));
    }
  };
  /** The densest ~300 m cells of the last hour (else the last 24 hours). */
  const hotspots = (): { center: [number, number]; count: number; gridId: number | null; gridName: string | null; label: string }[] => {
    const liveStore = ctx.liveStore;
    const now = Date.now() / 1000;
    for (const [win, label] of [[3600, '近 1 小时'], [86_400, '近 24 小时']] as const) {
      const cells = new Map<string, { n: number; x: number; y: number; grids: Map<number, number> }>();
      for (let i = 0; i < liveStore.n; i++) {
        if (liveStore.t[i]! < now - win) continue;
        const key = `${Math.floor(liveStore.lon[i]! / 0.003)}:${Math.floor(liveStore.lat[i]! / 0.0027)}`;
        const c = cells.get(key) ?? { n: 0, x: 0, y: 0, grids: new Map() };
        c.n++;
        c.x += liveStore.lon[i]!;
        c.y += liveStore.lat[i]!;
        const g = liveStore.grid[i]!;
        if (g) c.grids.set(g, (c.grids.get(g) ?? 0) + 1);
        cells.set(key, c);
      }
      const top = [...cells.values()].filter((c) => c.n >= (win === 3600 ? 1 : 2)).sort((a, b) => b.n - a.n).slice(0, 3);
      if (top.length) {
        return top.map((c) => {
          const g = [...c.grids.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
          return { center: [c.x / c.n, c.y / c.n], count: c.n, gridId: g, gridName: g != null ? gridFeature.get(g)?.properties.name ?? null : null, label };
        });
      }
    }
    return [];
  };
  const startStop = (): WallStop => {
    const v = params.view;
    if (v.kind === 'grid') return stopsFor({ kind: 'grid', id: v.id })[0] ?? stopsFor({ kind: 'district' })[0]!;
    if (v.kind === 'division') return stopsFor({ kind: 'division', code: v.code })[0] ?? stopsFor({ kind: 'district' })[0]!;
    return stopsFor({ kind: 'district' })[0]!;
  };

  const caption = $('#caption');
  const capProgress = $('#cap-progress');
  const alertEl = $('#alert');
  const tour = new Tour<WallStop, WallAlert>({
    stops: () => {
      const list = params.tour.flatMap(stopsFor);
      return list.length ? list : [startStop()];
    },
    fly: async (s) => {
      ctx.act.select(s.sel, false);
      await ctx.fx.flyToAsync(s.target, { duration: params.flight, heading: s.heading, pitch: 'center' in s.target ? -44 : -40, rangeScale: 'center' in s.target ? 1 : ctx.act.rangeScale() });
    },
    flyAlert: async (a) => {
      const c = a.incident;
      if (c.gridId != null) ctx.act.select({ level: 'grid', gridId: c.gridId }, false);
      showAlert(a);
      // An unlocated case: the alert says so and the camera stays (there is nowhere to fly).
      if (c.lon == null || c.lat == null) return;
      ctx.fx.beacon([c.lon, c.lat], a.kind === 'urgent' ? [255, 60, 80, 255] : [255, 170, 40, 255], { sizePx: Math.round(180 * ctx.ui.scale), rings: 3 });
      // The grid around the case, not the case alone: street and grid context.
      const fly = contextTarget(ctx, [c.lon, c.lat], c.gridId);
      await ctx.fx.flyToAsync(fly.target, { duration: params.flight, heading: 20, pitch: -45, rangeScale: fly.rangeScale });
    },
    onChange: (st, stop, index, count, alert) => {
      hooks.tour = { state: st, index, count, stop: stop?.key ?? null, advanced: tour.advanced, alerts: tour.alertsShown };
      hooks.alert = alert ? { id: alert.incident.id, kind: alert.kind } : null;
      if (st !== 'alert') {
        alertEl.hidden = true;
        ctx.fx.clearBeacon();
      }
      ctx.fx.setOrbit(st === 'dwell' && params.orbit ? 1.2 : 0);
      const showCap = (st === 'flying' || st === 'dwell') && stop && params.tour.length > 0;
      caption.hidden = !showCap;
      if (showCap && stop) {
        $('#cap-kicker').textContent = `自动巡航 ${index + 1}/${count} · ${stop.subtitle ?? ''}`;
        $('#cap-title').textContent = stop.title;
        capProgress.style.transition = 'none';
        capProgress.style.width = '0%';
        if (st === 'dwell') {
          void capProgress.offsetWidth;
          capProgress.style.transition = `width ${params.dwell}s linear`;
          capProgress.style.width = '100%';
        }
      }
    },
  }, { dwellMs: params.dwell * 1000, alertMs: params.alert * 1000, idleMs: params.idle * 1000 });
  ctx.tour = tour;

  function showAlert(a: WallAlert): void {
    const c = a.incident;
    $('#alert-kicker').textContent = a.kind === 'urgent' ? '⚠ 紧急事件' : '⏰ 超期预警';
    $('#alert-title').textContent = `${data.categoryNames.get(c.category) ?? c.category} · ${c.description || '（无描述）'}`;
    const where = c.lon == null || c.lat == null ? '未定位' : c.gridName ? shortGridName(c.gridName, 2) : '网格外';
    $('#alert-meta').textContent = `${where} · ${SOURCE_NAMES[c.source] ?? c.source} · ${panel.timeOf(c.createdAt)}${c.synthetic ? ' · 模拟' : ''}`;
    alertEl.hidden = false;
    const bar = $('#alert-progress');
    bar.style.transition = 'none';
    bar.style.width = '100%';
    void bar.offsetWidth;
    bar.style.transition = `width ${params.alert + params.flight}s linear`;
    bar.style.width = '0%';
  }

  ctx.act.touched = () => tour.userActivity();
  const globe = $('#globe');
  globe.addEventListener('wheel', ctx.act.touched, { passive: true });
  globe.addEventListener('pointerdown', ctx.act.touched);

  return { startStop };
}
