// 指挥大屏 (/wall): the command-centre wall. A dark 3D city (Cesium, offline) with grids coloured
// by a chosen metric, subdistrict and community boundaries, a live case heat map draped on the
// ground, pulses where new cases land, KPI panels, the Party organisation tree (挂图作战), a
// ranking and a ticker; an unattended tour that alerts interrupt; drill-down by click or touch;
// a replay of a past day. URL parameters (params.ts) pick the layout, start view, metric and tour.
//
// This file only wires the parts (parts/*.ts), each set up with the one shared context
// (context.ts): layout, layers, panels, selection, figures, live feed, tour, replay, controls.
import './api.js'; // first: the shared HTTP client adopts ?kiosk= (and tidies the URL) when it loads
import '../../map/cesium/base-url.js';
import './wall.css';
import type { DivisionFeatureProps, BuildingCollection } from '../../../../core/contract.js';
import type { IncidentCategory } from '../../../../core/types.js';
import { OSM_ATTRIBUTION } from '../../../../core/types.js';
import { can, type Role } from '../../../../core/permissions.js';
import { ApiError, currentAccount, isAuthError } from '../../api/http.js';
import { CesiumView } from '../../map/cesium/cesium-view.js';
import { CesiumWallEffects } from '../../map/cesium/wall-effects.js';
import { handleAuthError } from '../../shell/auth.js';
import { $, showError } from '../../shell/dom.js';
import { isKiosk, kioskToken, wallApi } from './api.js';
import { unwiredActions, type WallContext, type WallData, type WallHooks } from './context.js';
import { beijingDate, parseParams } from './params.js';
import { PointStore } from './points.js';
import { exposeControls, setupKeyboard, startClock } from './parts/controls.js';
import { setupFigures } from './parts/figures.js';
import { setupLayers } from './parts/layers.js';
import { applyLayout, setupLayout, watchResize } from './parts/layout.js';
import { setupLiveFeed } from './parts/live-feed.js';
import { setupPanels } from './parts/panels.js';
import { setupReplay } from './parts/replay.js';
import { setupSelection } from './parts/selection.js';
import { setupTour } from './parts/tour.js';
import { setupPartyActivity } from './parts/party-activity.js';
import { setupVotes } from './parts/votes.js';
import { setupWarnings } from './parts/warnings.js';
import type { Feature, MultiPolygon, Polygon } from 'geojson';

const params = parseParams(new URLSearchParams(location.search));
const ui = { scale: 1, layout: 'standard' as WallContext['ui']['layout'] };
applyLayout({ params, ui });

const hooks: WallHooks = {
  ready: false, gridCount: 0, incidentCount: 0, view: 'wall', layout: ui.layout, scale: ui.scale, metric: params.metric, window: params.window,
  heat: { visible: params.heat, points: 0, counted: 0, version: 0, ms: 0 }, pulses: 0, lastPulse: null,
  tour: { state: 'off', index: -1, count: 0, stop: null, advanced: 0, alerts: 0 }, alert: null, kpi: {}, selection: 'district',
  replay: { active: false, day: null, cursor: 0, points: 0, loops: 0 }, reconnects: 0, live: 'connecting', errors: 0,
  timing: { panelsMs: null, pictureMs: null, completeMs: null },
};
Object.assign(window, { __gc: hooks });

/** The district, its divisions, grids and Party tree; the buildings (the 3D city) stream in after. */
async function loadData(): Promise<{ data: WallData; buildings: Promise<BuildingCollection> }> {
  const district = await wallApi.district();
  $('#district-name').textContent = district.name;
  $('#attribution').textContent = district.attribution || OSM_ATTRIBUTION;
  $('#synthetic-badge').hidden = !(district.synthetic?.grids || district.synthetic?.incidents);
  $('#readonly-badge').hidden = !isKiosk();
  const scopeBbox = district.bbox;
  const buildings = wallApi.buildings(scopeBbox).catch((e) => {
    console.warn('[wall] buildings failed', e);
    return { type: 'FeatureCollection', features: [] } as BuildingCollection;
  });
  const [divTree, subFc, comFc, grids, categories, party] = await Promise.all([
    wallApi.divisions(),
    wallApi.divisionsGeojson('subdistrict'),
    wallApi.divisionsGeojson('community'),
    wallApi.grids(scopeBbox),
    wallApi.categories().catch(() => [] as IncidentCategory[]),
    wallApi.partyTree(),
  ]);
  // Lookups: grid → community → subdistrict; features by code / id.
  const data: WallData = {
    district, scopeBbox, rootCode: divTree.tree.code, subFc, comFc, grids, party,
    buildings: { type: 'FeatureCollection', features: [] },
    categoryNames: new Map(categories.map((c) => [c.code, c.name])),
    gridFeature: new Map(grids.features.map((f) => [f.properties.id, f])),
    communityOf: new Map(grids.features.map((f) => [f.properties.id, f.properties.communityCode])),
    subOf: new Map(comFc.features.map((f) => [f.properties.code, f.properties.parentCode ?? ''])),
    divFeature: new Map<string, Feature<Polygon | MultiPolygon, DivisionFeatureProps>>([...subFc.features, ...comFc.features].map((f) => [f.properties.code, f])),
    buildingFeature: new Map(),
  };
  return { data, buildings };
}

/** Milliseconds since the navigation started. */
const sinceStart = () => Math.round(performance.now());

async function main(): Promise<void> {
  const [{ data, buildings }, account] = await Promise.all([loadData(), currentAccount().catch(() => null)]);
  hooks.gridCount = data.grids.features.length;
  // What the role may see (core/permissions.ts): without case access no case panel and no case request.
  const cases = !account?.role || can(account.role as Role, 'read', 'incident');
  document.body.classList.toggle('no-cases', !cases);
  $('#role-badge').hidden = cases;

  const view = new CesiumView({ container: $('#globe'), bbox: data.scopeBbox, attribution: data.district.attribution || OSM_ATTRIBUTION, style: { background: '#02050c', ground: '#060d1a' }, pickDepth: 2, hoverCursor: false });
  // Wall-only effects (pulses, beacon, orbit, awaited flights) beside the MapView.
  const fx = new CesiumWallEffects(view);
  await view.ready();
  hooks.project = (lon, lat) => view.project(lon, lat);
  if (new URLSearchParams(location.search).has('debug')) Object.assign(window, { __gcView: view });

  const ctx: WallContext = {
    params, hooks, ui, data, view, fx,
    state: {
      metric: params.metric, window: params.window, heatVisible: params.heat, sel: { level: 'district' },
      all: null, scoped: null, rankTab: 'subdistricts', rankPinned: false, partyNode: null, alertsOn: true,
      replayed: null, cases,
    },
    metricOf: new Map(),
    liveStore: new PointStore(4096),
    replay: {
      active: false, day: '', start: 0, cursor: 0, speed: params.speed, playing: false, store: new PointStore(1024),
      lastFrame: 0, loops: 0, timer: undefined,
    },
    live: null,
    tour: null,
    overlay: { highlight: { type: 'FeatureCollection', features: [] }, uncovered: { type: 'FeatureCollection', features: [] } },
    act: unwiredActions(),
  };
  // The parts, in the order their actions are first needed.
  setupLayout(ctx);
  const layers = setupLayers(ctx);
  setupPanels(ctx, layers);
  setupPartyActivity(ctx, account?.role); // 支部活动(30天) with the grids that held none
  setupSelection(ctx);
  setupVotes(ctx); // 一年一事: the year's vote results of the communities in view (follows the selection)
  setupFigures(ctx);
  const feed = setupLiveFeed(ctx, layers);
  const tour = setupTour(ctx);
  setupReplay(ctx);
  setupKeyboard(ctx);
  startClock();

  // Start: figures, heat and the ticker first (panels at once), then the 2D layers on the map
  // (grids, heat, outlines, labels: the first useful picture), then the 3D city streams in.
  ctx.act.syncChips();
  ctx.act.renderParty();
  await ctx.act.loadMetrics();
  if (cases) {
    const pts = await wallApi.points(new Date(Date.now() - 7 * 86_400_000));
    ctx.liveStore.merge(pts);
    ctx.act.refreshRecent();
    ctx.act.computeHeat();
  }
  ctx.act.select(tour.startStop().sel, false);
  await fx.flyToAsync(tour.startStop().target, { duration: 0, heading: 15, pitch: -40, rangeScale: ctx.act.rangeScale() });
  ctx.act.render();
  if (cases) await feed.start();
  if (cases) setupWarnings(ctx, account?.role); // trend early-warnings above the ticker, for roles that may read them
  hooks.timing.panelsMs = sinceStart();
  document.body.dataset.panels = 'true';
  layers.loadBase();
  watchResize(ctx);

  await view.rendered();
  hooks.timing.pictureMs = sinceStart();
  document.body.dataset.picture = 'true';

  data.buildings = await buildings;
  for (const f of data.buildings.features) data.buildingFeature.set(f.properties.id, f);
  ctx.act.render();
  await view.rendered();
  hooks.timing.completeMs = sinceStart();
  hooks.ready = true;
  hooks.layout = ui.layout;
  hooks.scale = ui.scale;
  document.body.dataset.ready = 'true';

  exposeControls(ctx);
  if (params.replay) void ctx.act.startReplay(params.replay === 'yesterday' ? beijingDate(Date.now() - 86_400_000) : params.replay);
  ctx.tour!.start(); // with no ?tour= a one-stop "tour" holds the start view and returns to it after alerts and touches
}

main().catch(async (e) => {
  console.error(e);
  if (kioskToken() && isAuthError(e)) {
    showError('大屏令牌无效或已撤销，请联系管理员重新生成大屏链接。');
    return;
  }
  if (await handleAuthError(e)) return;
  showError(e instanceof ApiError ? `数据加载失败：${e.message}` : `大屏初始化失败：${(e as Error).message}`);
});
