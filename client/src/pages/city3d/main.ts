// 三维城市 (3d.html): CesiumJS command-centre view — buildings extruded by height, grids draped on
// the ground, roads and water from the base vector tiles, live incidents (coloured by state, as on
// /map). Legends for building heights, grids and cases. A role that may not read cases (a planner)
// gets no case layer, feed or socket. Fully offline.
import '../../map/cesium/base-url.js';
import '../../styles/app.css';
import type { Feature, FeatureCollection, Geometry, LineString, MultiLineString, MultiPolygon, Polygon } from 'geojson';
import { api, ApiError, authHeaders, emptyFc, type BuildingCollection, type DivisionCollection, type DivisionFeatureProps } from '../../api/http.js';
import { IncidentStore } from '../../api/incident-store.js';
import { startLiveIncidents } from '../../api/socket.js';
import { fetchTileFeatures } from '../../api/vector-tiles.js';
import type { CaseItem } from '../../../../core/contract.js';
import type { GridSummary } from '../../../../core/grid-summary.js';
import type { Role } from '../../../../core/permissions.js';
import type { BuildingProps, GridProps, Incident } from '../../../../core/types.js';
import { lonLatOf, OSM_ATTRIBUTION } from '../../../../core/types.js';
import { CesiumView } from '../../map/cesium/cesium-view.js';
import { categoryColor, heightColor, hexToRgba, HOUSEHOLD_RAMP, quantileBreaks, rampColor, rgbaToCss } from '../../map/color.js';
import { labelPoint } from '../../map/geo.js';
import { hitProps, type LabelDatum, type LayerSpec, type PointDatum, type RGBA } from '../../map/map-view.js';
import { $, fmtInt, h, showError } from '../../shell/dom.js';
import { handleAuthError } from '../../shell/auth.js';
import { mountHeader } from '../../shell/header.js';
import { initHooks, markReady } from '../../shell/hooks.js';
import { startGridViewport } from '../../shell/grid-viewport.js';
import { ViewportLoader } from '../../map/viewport.js';
import { IncidentFeed } from '../../ui/incident-feed.js';
import { InfoPanel } from '../../ui/info-panel.js';
import { openMapPage } from '../../shell/map-page.js';
import { casePhase, casePhaseColor } from '../../ui/case-palette.js';
import { caseLegend, householdLegend } from '../../ui/map-legend.js';

const hooks = initHooks('3d');
const header = mountHeader('3d');

type ToggleKey = 'buildings' | 'grids' | 'base' | 'incidents' | 'labels';


async function settle<T>(p: Promise<T>, what: string, fallback: T): Promise<T> {
  try {
    return await p;
  } catch (e) {
    console.warn(`[gc] ${what} failed`, e);
    return fallback;
  }
}

const ROAD_STYLE: Record<string, { color: RGBA; width: number }> = {
  motorway: { color: [214, 160, 90, 230], width: 4 },
  trunk: { color: [214, 160, 90, 230], width: 4 },
  primary: { color: [140, 170, 210, 220], width: 3 },
  secondary: { color: [110, 140, 185, 210], width: 2.5 },
  tertiary: { color: [95, 120, 165, 200], width: 2 },
};
const MINOR_ROAD = { color: [70, 90, 125, 170] as RGBA, width: 1.2 };
const SKIP_ROADS = new Set(['footway', 'path', 'steps', 'cycleway', 'track', 'bridleway', 'corridor', 'rail', 'subway', 'light_rail', 'tram', 'railway']);

async function main() {
  const { district, account, showCases } = await openMapPage(header);
  $('#attribution').textContent = district.attribution || OSM_ATTRIBUTION;

  const view = new CesiumView({ container: $('#globe'), bbox: district.bbox, attribution: district.attribution || OSM_ATTRIBUTION });
  await view.ready();
  if (new URLSearchParams(location.search).has('debug')) Object.assign(window, { __gcView: view });

  const basePromise = settle(fetchTileFeatures('base', district.bbox, 15, ['roads', 'water'], undefined, authHeaders()), 'base tiles', { roads: [], water: [] } as Record<string, Feature<Geometry, Record<string, unknown>>[]>);
  const [gridsAtStart, buildingsAtStart, communities, categories] = await Promise.all([
    api.grids(district.bbox),
    settle(api.buildings(district.bbox), 'buildings', emptyFc<Polygon | MultiPolygon, BuildingProps>() as BuildingCollection),
    settle(api.divisionsGeojson('community'), 'communities', emptyFc<Polygon | MultiPolygon, DivisionFeatureProps>() as DivisionCollection),
    settle(api.incidentCategories(), 'incident categories', []),
  ]);
  const categoryNames = new Map(categories.map((c) => [c.code, c.name]));
  // The grids on the page: the whole district, or the view's in a district larger than the server
  // sends at once (shell/grid-viewport.ts). Replaced as the view moves and when a layout is published.
  let onGridsChanged = () => {}; // set once the layers below exist
  const gridView = startGridViewport({
    view, districtBbox: district.bbox, first: gridsAtStart, notice: $('#map-notice'), hooks, onChange: () => onGridsChanged(),
  });
  let grids = gridView.shown;
  const showGridTotal = () => {
    const total = gridView.totals();
    $('#sum-grids').textContent = total ? fmtInt(total.grids) : '—';
  };

  // The buildings likewise: the district's when the server sends them complete, else the view's
  // (none at a view holding more than MAX_FEATURES: the notice asks to zoom in for grids already).
  const noBuildings = (fc: BuildingCollection): BuildingCollection => ({ ...fc, features: [] });
  let buildings = buildingsAtStart.truncated ? noBuildings(buildingsAtStart) : buildingsAtStart;
  let onBuildingsChanged = () => {};
  const showBuildingCount = (whole: boolean) => {
    $('#sum-buildings').textContent = fmtInt(buildings.features.length);
    $('#sum-buildings').title = whole ? '全区楼栋' : '当前视野内的楼栋';
    hooks.buildingCount = buildings.features.length;
  };
  const buildingLoader = new ViewportLoader<BuildingCollection>({
    limits: district.bbox,
    fetch: (bbox, signal) => api.buildings(bbox, signal),
    onData: (fc, area) => {
      buildings = fc.truncated ? noBuildings(fc) : fc;
      showBuildingCount(area.bbox === null && !fc.truncated);
      onBuildingsChanged();
    },
    onEmpty: () => {
      buildings = noBuildings(buildings);
      showBuildingCount(false);
      onBuildingsChanged();
    },
    onError: (e) => console.warn('[gc] buildings for the view failed', e),
  }, buildingsAtStart);
  hooks.buildingsIdle = () => buildingLoader.idle();
  view.onViewChange?.(({ bbox }) => buildingLoader.viewChanged(bbox));
  showBuildingCount(!buildingsAtStart.truncated);
  showGridTotal();

  // Legend: building heights.
  $('#legend').replaceChildren(
    ...[
      [10, '≤ 10 米'],
      [30, '30 米'],
      [80, '80 米'],
      [150, '150 米'],
      [300, '≥ 300 米'],
    ].map(([m, label]) => h('div', { class: 'row' }, h('span', { class: 'bar', style: `background:${rgbaToCss(heightColor(m as number))}` }), label as string)),
  );

  // Breaks from the first grids the page gets (the district, or the first view of a large one), then kept.
  let breaks: number[] = [];
  const setBreaks = () => {
    if (breaks.length || !grids.features.length) return;
    breaks = quantileBreaks(grids.features.map((f) => f.properties.households));
    $('#grid-legend').replaceChildren(...householdLegend(breaks));
  };
  setBreaks();
  if (showCases) $('#case-legend').replaceChildren(...caseLegend(false));
  const state = { on: { buildings: true, grids: true, base: true, incidents: true, labels: true } as Record<ToggleKey, boolean>, selectedGridId: null as number | null };

  const toggles: { key: ToggleKey; label: string }[] = [
    { key: 'buildings', label: '楼栋（按高度）' },
    { key: 'grids', label: '网格（按户数，合成）' },
    { key: 'base', label: '道路与水系' },
    ...(showCases ? [{ key: 'incidents' as const, label: '事件（按状态）' }] : []),
    { key: 'labels', label: '社区标注' },
  ];
  $('#layer-toggles').replaceChildren(
    ...toggles.map((t) => {
      const input = h('input', { type: 'checkbox', 'data-layer': t.key, checked: state.on[t.key] });
      input.addEventListener('change', () => {
        state.on[t.key] = input.checked;
        render();
      });
      return h('li', {}, h('label', {}, input, t.label));
    }),
  );

  // ---- layer data ----
  let roads: FeatureCollection<LineString | MultiLineString, Record<string, unknown>> = emptyFc<never>();
  let water: FeatureCollection<Polygon | MultiPolygon, Record<string, unknown>> = emptyFc<never>();
  const communityLabels: LabelDatum[] = communities.features.flatMap((f) => {
    const p = labelPoint(f.geometry);
    return p ? [{ position: p, text: f.properties.name }] : [];
  });
  const store = new IncidentStore();
  let incidentPoints: PointDatum<CaseItem>[] = [];
  const refreshIncidents = () => {
    incidentPoints = store
      .list()
      .reverse()
      .flatMap((i) => { const p = lonLatOf(i); return p ? [{ id: i.id, position: p, properties: i }] : []; });
  };

  const gridFill = (p: GridProps): RGBA => hexToRgba(rampColor(p.households, breaks, HOUSEHOLD_RAMP), 70);
  const buildingHeight = (p: BuildingProps) => Math.max(p.heightM || 10, (p.minHeightM || 0) + 1);
  const buildingColor = (p: BuildingProps): RGBA => heightColor(p.heightM || 10);

  function specs(): LayerSpec[] {
    return [
      {
        kind: 'polygons',
        id: 'water',
        data: water,
        visible: state.on.base,
        fillColor: [16, 52, 92, 255],
        lineWidth: 0,
      },
      {
        kind: 'lines',
        id: 'roads',
        data: roads,
        visible: state.on.base,
        color: (p: Record<string, unknown>) => (ROAD_STYLE[String(p.kind)] ?? MINOR_ROAD).color,
        width: (p: Record<string, unknown>) => (ROAD_STYLE[String(p.kind)] ?? MINOR_ROAD).width,
      },
      {
        kind: 'polygons',
        id: 'grids',
        data: grids,
        visible: state.on.grids,
        pickable: true,
        fillColor: gridFill,
        lineColor: [120, 230, 255, 200],
        lineWidth: 1.5,
        idOf: (p: GridProps) => p.id,
      },
      {
        kind: 'polygons',
        id: 'communities',
        data: communities as FeatureCollection<Polygon | MultiPolygon, DivisionFeatureProps>,
        visible: state.on.grids,
        fillColor: [0, 0, 0, 0],
        lineColor: [56, 189, 248, 255],
        lineWidth: 3,
      },
      {
        kind: 'polygons',
        id: 'buildings',
        data: buildings,
        visible: state.on.buildings,
        pickable: true,
        fillColor: buildingColor,
        extrude: { height: buildingHeight, base: (p: BuildingProps) => p.minHeightM || 0 },
        idOf: (p: BuildingProps) => p.id,
      },
      {
        kind: 'points',
        id: 'incidents',
        data: incidentPoints,
        visible: showCases && state.on.incidents,
        pickable: true,
        color: (d: PointDatum<CaseItem>) => casePhaseColor(casePhase(d.properties, Date.now())),
        radius: 5,
        strokeColor: [255, 255, 255, 240],
        strokeWidth: 1.5,
      },
      {
        kind: 'labels',
        id: 'community-labels',
        data: communityLabels,
        visible: state.on.labels,
        size: 15,
        color: [125, 211, 252, 255],
        height: 60,
      },
    ];
  }
  let timer: ReturnType<typeof setTimeout> | null = null;
  function render() {
    if (timer) clearTimeout(timer);
    timer = null;
    view.setLayers(specs());
  }
  const scheduleRender = () => {
    if (!timer) timer = setTimeout(render, 80);
  };

  // ---- info panel ----
  const info = new InfoPanel($('#info-panel'), undefined, (id) => api.request<GridSummary>(`/api/grids/${id}/summary`));
  view.onClick((e) => {
    const grid = e.hits.find((x) => x.layerId === 'grids');
    const b = e.hits.find((x) => x.layerId === 'buildings');
    const inc = e.hits.find((x) => x.layerId === 'incidents');
    const extras = {
      building: b ? hitProps<BuildingProps>(b) : undefined,
      incident: inc ? { ...hitProps<Incident>(inc), categoryName: categoryNames.get(String(inc.properties.category)) } : undefined,
    };
    if (grid) info.showGrid(hitProps<GridProps>(grid), extras);
    else if (b || inc) info.showOther(extras);
    else info.hide();
  });

  // ---- incidents ----
  const feed = new IncidentFeed($('#incident-feed') as HTMLUListElement, {
    categories: categoryNames,
    colorOf: categoryColor,
    onSelect: (i) => { const p = lonLatOf(i); if (p) view.flyTo({ center: p, zoom: 17 }); },
    max: 80,
  });
  store.subscribe((diff, s, live) => {
    feed.apply(diff, s, live);
    hooks.incidentCount = s.size;
    $('#sum-inc').textContent = fmtInt(s.size);
    $('#feed-count').textContent = fmtInt(s.size);
    refreshIncidents();
    scheduleRender();
  });

  // Base map features arrive when the tiles are decoded; they do not hold up readiness.
  void basePromise.then((base) => {
    roads = {
      type: 'FeatureCollection',
      features: (base.roads ?? []).filter(
        (f) => (f.geometry.type === 'LineString' || f.geometry.type === 'MultiLineString') && !SKIP_ROADS.has(String(f.properties?.kind)),
      ) as Feature<LineString | MultiLineString, Record<string, unknown>>[],
    };
    water = {
      type: 'FeatureCollection',
      features: (base.water ?? []).filter((f) => f.geometry.type === 'Polygon' || f.geometry.type === 'MultiPolygon') as Feature<
        Polygon | MultiPolygon,
        Record<string, unknown>
      >[],
    };
    render();
  });

  onBuildingsChanged = render;
  onGridsChanged = () => {
    grids = gridView.shown;
    setBreaks();
    showGridTotal();
    render();
  };
  render();
  if (!showCases) {
    await view.rendered();
    hooks.gridCount = grids.features.length;
    markReady(hooks);
    return;
  }
  const live = startLiveIncidents({ api, store, divisions: [district.code], onStatus: (s) => header.setLive(s) });
  live.initial.catch((e) => console.warn('[gc] incidents load failed', e));
  // A grid layout was published (grid editor): reload the draped grids.
  live.socket.on('grids:changed', () => {
    gridView.reload();
  });

  await view.rendered();
  hooks.gridCount = grids.features.length;
  markReady(hooks);
}

main().catch(async (e) => {
  if (await handleAuthError(e)) return;
  console.error(e);
  showError(e instanceof ApiError ? `数据加载失败：${e.message}` : `页面初始化失败：${(e as Error).message}`);
});
