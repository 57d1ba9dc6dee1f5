// 指挥大屏 (/wall): the command-centre wall. A dark 3D city (Cesium, offline) with grids coloured
// by a chosen metric, subdistrict and community boundaries, a live case heat map draped on the
// ground, pulses where new cases land, KPI panels, the Party organisation tree (挂图作战), a
// ranking and a ticker; an unattended tour that alerts interrupt; drill-down by click or touch;
// a replay of a past day. URL parameters (params.ts) pick the layout, start view, metric and tour.
import './api.js'; // first: the shared HTTP client adopts ?kiosk= (and tidies the URL) when it loads
import '../../map/cesium/base-url.js';
import './wall.css';
import type { Feature, FeatureCollection, Geometry, LineString, MultiLineString, MultiPolygon, Polygon, Position } from 'geojson';
import type { BuildingProps, GridProps, Incident, IncidentCategory } from '../../../../core/types.js';
import { OSM_ATTRIBUTION } from '../../../../core/types.js';
import { ApiError, authHeaders, isAuthError } from '../../api/http.js';
import type { LiveStatus } from '../../api/socket.js';
import { fetchTileFeatures } from '../../api/vector-tiles.js';
import { CesiumView } from '../../map/cesium/cesium-view.js';
import { CesiumWallEffects } from '../../map/cesium/wall-effects.js';
import { categoryColor, hexToRgba } from '../../map/color.js';
import { labelPoint } from '../../map/geo.js';
import { hitProps, type BBox, type FlyTarget, type HeatRaster, type LabelDatum, type LayerSpec, type PointDatum, type RGBA, type WallEffects } from '../../map/map-view.js';
import { handleAuthError } from '../../shell/auth.js';
import { $, h, showError } from '../../shell/dom.js';
import { SOURCE_NAMES } from '../../shell/labels.js';
import { isKiosk, kioskToken, wallApi } from './api.js';
import { heatGridFor, HeatRenderer } from '../../../../core/wall-prep.js';
import { startLive, type WallLive } from './live.js';
import { coverageTone, METRIC_DEFS, STAFF_ROLE_NAMES, weakestCoverageGrid, type MetricClass } from './metrics.js';
import * as panel from './panels.js';
import { int, pct, shortGridName } from './panels.js';
import {
  beijingDate, beijingMidnight, METRICS, parseParams, pickLayout, uiScale, WINDOW_SECONDS, WINDOWS,
  type LayoutId, type MetricId, type TourItem, type WindowId,
} from './params.js';
import { PointStore } from './points.js';
import { Tour, type TourAlert, type TourState, type TourStop } from './tour.js';
import type { GridMetric, PartyNode, PartyTree, WallMetrics } from '../../../../core/wall.js';
import type { BuildingCollection, BuildingFeature, DivisionCollection, DivisionFeatureProps, IncidentView } from '../../../../core/contract.js';

const params = parseParams(new URLSearchParams(location.search));
const body = document.body;

// ---------------------------------------------------------------------------------------------
// Layout: the root font size follows the screen (rem everywhere), the layout its aspect ratio.

let scale = 1;
let layout: LayoutId = 'standard';
function applyLayout(): boolean {
  const s = uiScale(innerWidth, innerHeight, params.scale);
  const l = pickLayout(params.layout, innerWidth, innerHeight);
  const changed = s !== scale || l !== layout;
  scale = s;
  layout = l;
  document.documentElement.style.fontSize = `${(16 * s).toFixed(2)}px`;
  body.classList.toggle('layout-standard', l === 'standard');
  body.classList.toggle('layout-ultrawide', l === 'ultrawide');
  return changed;
}
applyLayout();

/** How much farther the camera stands so a target fits the part of the screen the panels leave free. */
function rangeScale(): number {
  const rem = 16 * scale;
  const col = (layout === 'ultrawide' ? 52 : 26) * rem + 0.75 * rem * 2;
  const freeW = Math.max(0.3, 1 - (2 * col) / innerWidth);
  // Cesium's 60° field of view is horizontal on a landscape screen: wider screens see less height.
  const vertical = Math.max(1, innerWidth / innerHeight / (16 / 9));
  return Math.max(vertical * 0.92, 0.72 / freeW);
}

// ---------------------------------------------------------------------------------------------
// Test and diagnostics hooks (browser tests rely on these names).

interface WallHooks {
  ready: boolean;
  gridCount: number;
  incidentCount: number;
  view: 'wall';
  layout: LayoutId;
  scale: number;
  metric: MetricId;
  window: WindowId;
  heat: { visible: boolean; points: number; counted: number; version: number; ms: number };
  pulses: number;
  lastPulse: { id: number; at: number } | null;
  tour: { state: TourState; index: number; count: number; stop: string | null; advanced: number; alerts: number };
  alert: { id: number; kind: string } | null;
  kpi: Record<string, number | null>;
  selection: string;
  replay: { active: boolean; day: string | null; cursor: number; points: number; loops: number };
  reconnects: number;
  live: string;
  errors: number;
  project?: (lon: number, lat: number) => [number, number] | null;
}
const hooks: WallHooks = {
  ready: false, gridCount: 0, incidentCount: 0, view: 'wall', layout, scale, metric: params.metric, window: params.window,
  heat: { visible: params.heat, points: 0, counted: 0, version: 0, ms: 0 }, pulses: 0, lastPulse: null,
  tour: { state: 'off', index: -1, count: 0, stop: null, advanced: 0, alerts: 0 }, alert: null, kpi: {}, selection: 'district',
  replay: { active: false, day: null, cursor: 0, points: 0, loops: 0 }, reconnects: 0, live: 'connecting', errors: 0,
};
Object.assign(window, { __gc: hooks });

// ---------------------------------------------------------------------------------------------
// Styling constants (module-level so unchanged specs keep their references: no rebuilds).

const WATER: RGBA = [10, 38, 72, 255];
const NO_FILL: RGBA = [0, 0, 0, 0];
const GRID_LINE: RGBA = [120, 200, 255, 120];
const COMMUNITY_LINE: RGBA = [63, 214, 245, 230];
const SUBDISTRICT_LINE: RGBA = [245, 196, 81, 255];
const HIGHLIGHT_LINE: RGBA = [255, 255, 255, 255];
const UNCOVERED_LINE: RGBA = [255, 77, 94, 255];
const ROAD: Record<string, { color: RGBA; width: number }> = {
  motorway: { color: [170, 130, 80, 220], width: 3 },
  trunk: { color: [170, 130, 80, 220], width: 3 },
  primary: { color: [90, 125, 175, 210], width: 2.4 },
  secondary: { color: [75, 105, 150, 200], width: 2 },
  tertiary: { color: [62, 88, 128, 190], width: 1.6 },
};
const MINOR_ROAD = { color: [48, 66, 98, 160] as RGBA, width: 1 };
const SKIP_ROADS = new Set(['footway', 'path', 'steps', 'cycleway', 'track', 'bridleway', 'corridor', 'rail', 'subway', 'light_rail', 'tram', 'railway']);
const roadColor = (p: Record<string, unknown>) => (ROAD[String(p.kind)] ?? MINOR_ROAD).color;
const roadWidth = (p: Record<string, unknown>) => (ROAD[String(p.kind)] ?? MINOR_ROAD).width;
/** Buildings: dark glass, lighter with height, so the coloured ground and the heat stay the story. */
function buildingColor(p: BuildingProps): RGBA {
  const t = Math.min(1, Math.log10(Math.max(3, p.heightM || 10)) / Math.log10(300));
  return [Math.round(26 + 84 * t * t), Math.round(38 + 100 * t * t), Math.round(58 + 118 * t), 255];
}
const buildingHeight = (p: BuildingProps) => Math.max(p.heightM || 10, (p.minHeightM || 0) + 1);
const buildingBase = (p: BuildingProps) => p.minHeightM || 0;
const buildingId = (p: BuildingProps) => p.id;
const gridId = (p: GridProps) => p.id;
const EMPTY_HEAT: { position: [number, number]; weight: number }[] = [];

const URGENT_CATEGORIES = new Set(['safety_hazard']);
/** Urgent: a safety hazard (the responsibility list gives it the shortest deadlines). */
/** A division, grid or building outline as a highlight layer's feature (its typed properties read as a record). */
const anyProps = (f: Feature<Polygon | MultiPolygon, object>) => f as Feature<Polygon | MultiPolygon, Record<string, unknown>>;

const isUrgent = (c: IncidentView) => URGENT_CATEGORIES.has(c.category);
const isOpen = (c: IncidentView) => (c.statusType ?? 'open') === 'open';

// ---------------------------------------------------------------------------------------------
// Geometry helpers

function bboxOf(g: Geometry): BBox {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const p = c as Position;
      x0 = Math.min(x0, p[0]!); y0 = Math.min(y0, p[1]!); x1 = Math.max(x1, p[0]!); y1 = Math.max(y1, p[1]!);
    } else if (Array.isArray(c)) c.forEach(visit);
  };
  visit((g as { coordinates?: unknown }).coordinates);
  return [x0, y0, x1, y1];
}
const unionBbox = (bs: BBox[]): BBox => [Math.min(...bs.map((b) => b[0])), Math.min(...bs.map((b) => b[1])), Math.max(...bs.map((b) => b[2])), Math.max(...bs.map((b) => b[3]))];

type Sel =
  | { level: 'district' }
  | { level: 'subdistrict' | 'community'; code: string }
  | { level: 'grid'; gridId: number }
  | { level: 'building'; buildingId: number; gridId: number | null };
const selKey = (s: Sel) => (s.level === 'district' ? 'district' : s.level === 'grid' ? `grid:${s.gridId}` : s.level === 'building' ? `building:${s.buildingId}` : `${s.level}:${s.code}`);
const LEVEL_NAMES = { district: '全区', subdistrict: '街道', community: '社区', grid: '网格', building: '楼栋' } as const;

interface WallStop extends TourStop {
  target: FlyTarget;
  sel: Sel;
  heading: number;
}
interface WallAlert extends TourAlert {
  incident: IncidentView;
  kind: 'urgent' | 'overdue';
}

const WINDOW_LABELS: Record<WindowId, string> = { '1h': '近 1 小时', '24h': '近 24 小时', '7d': '近 7 天' };

async function main(): Promise<void> {
  const district = await wallApi.district();
  $('#district-name').textContent = district.name;
  $('#attribution').textContent = district.attribution || OSM_ATTRIBUTION;
  $('#synthetic-badge').hidden = !(district.synthetic?.grids || district.synthetic?.incidents);
  $('#readonly-badge').hidden = !isKiosk();
  const scopeBbox = district.bbox;

  const [divTree, subFc, comFc, gridsAtStart, categories, party, buildings] = await Promise.all([
    wallApi.divisions(),
    wallApi.divisionsGeojson('subdistrict'),
    wallApi.divisionsGeojson('community'),
    wallApi.grids(scopeBbox),
    wallApi.categories().catch(() => [] as IncidentCategory[]),
    wallApi.partyTree(),
    wallApi.buildings(scopeBbox).catch(() => ({ type: 'FeatureCollection', features: [] }) as BuildingCollection),
  ]);
  const categoryNames = new Map(categories.map((c) => [c.code, c.name]));
  const rootCode = divTree.tree.code;
  let grids = gridsAtStart; // replaced when a grid layout is published (socket grids:changed)

  // Lookups: grid → community → subdistrict; features by code / id.
  const gridFeature = new Map(grids.features.map((f) => [f.properties.id, f]));
  const communityOf = new Map(grids.features.map((f) => [f.properties.id, f.properties.communityCode]));
  const subOf = new Map(comFc.features.map((f) => [f.properties.code, f.properties.parentCode ?? '']));
  const divFeature = new Map<string, Feature<Polygon | MultiPolygon, DivisionFeatureProps>>([...subFc.features, ...comFc.features].map((f) => [f.properties.code, f]));
  const buildingFeature = new Map(buildings.features.map((f) => [f.properties.id, f]));
  hooks.gridCount = grids.features.length;

  const view = new CesiumView({ container: $('#globe'), bbox: scopeBbox, attribution: district.attribution || OSM_ATTRIBUTION, style: { background: '#02050c', ground: '#060d1a' }, pickDepth: 2, hoverCursor: false });
  // Wall-only effects (pulses, beacon, orbit, awaited flights) beside the MapView.
  const fx: WallEffects = new CesiumWallEffects(view);
  await view.ready();
  hooks.project = (lon, lat) => view.project(lon, lat);
  if (new URLSearchParams(location.search).has('debug')) Object.assign(window, { __gcView: view });

  // ---------------------------------------------------------------------------------------------
  // State

  const state = {
    metric: params.metric,
    window: params.window,
    heatVisible: params.heat,
    sel: { level: 'district' } as Sel,
    /** Figures district-wide (grid colours, ranking) and for the selection (KPIs). */
    all: null as WallMetrics | null,
    scoped: null as WallMetrics | null,
    rankTab: 'subdistricts' as 'subdistricts' | 'communities',
    rankPinned: false,
    highlightGrids: [] as number[],
    partyNode: null as number | null,
  };
  const metricOf = new Map<number, GridMetric>();

  // ---------------------------------------------------------------------------------------------
  // Layers

  let roads: FeatureCollection<LineString | MultiLineString, Record<string, unknown>> = { type: 'FeatureCollection', features: [] };
  let water: FeatureCollection<Polygon | MultiPolygon, Record<string, unknown>> = { type: 'FeatureCollection', features: [] };
  let classes: { classes: MetricClass[]; classOf: (g: GridMetric) => number } = METRIC_DEFS[state.metric].classes([]);
  let colorKey = '';
  let colorSig = '';
  let gridFill = (p: GridProps): RGBA => {
    const m = metricOf.get(p.id);
    return m ? classes.classes[classes.classOf(m)]!.color : [40, 70, 110, 45];
  };
  /** Recompute classes; bump the colour key only when some grid's colour changed. */
  const recolor = () => {
    const def = METRIC_DEFS[state.metric];
    classes = def.classes([...metricOf.values()]);
    const sig = `${state.metric}|${grids.features.map((f) => { const m = metricOf.get(f.properties.id); return m ? classes.classOf(m) : -1; }).join(',')}|${classes.classes.map((c) => c.color.join('.')).join(',')}`;
    if (sig !== colorSig) {
      colorSig = sig;
      colorKey = `${state.metric}:${Date.now()}`;
      const cls = classes;
      gridFill = (p: GridProps): RGBA => {
        const m = metricOf.get(p.id);
        return m ? cls.classes[cls.classOf(m)]!.color : [40, 70, 110, 45];
      };
    }
  };

  // Heat: one renderer over the jurisdiction, its image reused frame after frame.
  const heatGrid = heatGridFor(scopeBbox, 512);
  const heat = new HeatRenderer(heatGrid, { sigmaM: 50 });
  const raster: HeatRaster = { bbox: heatGrid.bbox, width: heatGrid.width, height: heatGrid.height, pixels: heat.rgba, version: 0 };

  let labelSets = { sub: [] as LabelDatum[], com: [] as LabelDatum[], grid: [] as LabelDatum[] };
  // Outline widths follow the UI scale; new wrapper objects make the engine rebuild them on resize.
  let subView = { ...subFc };
  let comView = { ...comFc };
  const buildLabels = () => {
    subView = { ...subFc };
    comView = { ...comFc };
    const at = (g: Geometry) => labelPoint(g);
    labelSets = {
      sub: subFc.features.flatMap((f) => { const p = at(f.geometry); return p ? [{ position: p, text: f.properties.name }] : []; }),
      com: comFc.features.flatMap((f) => { const p = at(f.geometry); return p ? [{ position: p, text: f.properties.name }] : []; }),
      grid: grids.features.flatMap((f) => { const p = at(f.geometry); return p ? [{ position: p, text: shortGridName(f.properties.name) }] : []; }),
    };
  };
  buildLabels();

  let highlightFc: FeatureCollection<Polygon | MultiPolygon, Record<string, unknown>> = { type: 'FeatureCollection', features: [] };
  let uncoveredFc: FeatureCollection<Polygon | MultiPolygon, Record<string, unknown>> = { type: 'FeatureCollection', features: [] };
  let recentPoints: PointDatum<{ category: string }>[] = [];

  function specs(): LayerSpec[] {
    const s = scale;
    return [
      { kind: 'polygons', id: 'water', data: water, fillColor: WATER, lineWidth: 0 },
      { kind: 'lines', id: 'roads', data: roads, color: roadColor, width: roadWidth },
      { kind: 'polygons', id: 'grids', data: grids, pickable: true, fillColor: gridFill, lineColor: GRID_LINE, lineWidth: 1, idOf: gridId, colorKey },
      { kind: 'heat', id: 'heat', data: EMPTY_HEAT, raster, visible: state.heatVisible },
      { kind: 'polygons', id: 'communities', data: comView as DivisionCollection, fillColor: NO_FILL, lineColor: COMMUNITY_LINE, lineWidth: Math.max(1.5, 2 * s) },
      { kind: 'polygons', id: 'subdistricts', data: subView as DivisionCollection, fillColor: NO_FILL, lineColor: SUBDISTRICT_LINE, lineWidth: Math.max(2, 3.5 * s) },
      { kind: 'polygons', id: 'uncovered', data: uncoveredFc, visible: state.metric === 'party', fillColor: NO_FILL, lineColor: UNCOVERED_LINE, lineWidth: Math.max(2, 3 * s) },
      { kind: 'polygons', id: 'highlight', data: highlightFc, fillColor: NO_FILL, lineColor: HIGHLIGHT_LINE, lineWidth: Math.max(2.5, 4 * s) },
      { kind: 'polygons', id: 'buildings', data: buildings, pickable: true, fillColor: buildingColor, extrude: { height: buildingHeight, base: buildingBase }, idOf: buildingId },
      { kind: 'points', id: 'recent', data: recentPoints, minZoom: 14.5, color: recentColor, radius: recentRadius, strokeColor: [255, 255, 255, 220], strokeWidth: 1 },
      { kind: 'labels', id: 'grid-labels', data: labelSets.grid, size: Math.round(12 * s), color: [200, 225, 255, 235], minZoom: 14.8, height: 40 },
      { kind: 'labels', id: 'community-labels', data: labelSets.com, size: Math.round(15 * s), color: [125, 225, 252, 255], minZoom: 12.6, height: 60, background: [4, 14, 30, 170] },
      { kind: 'labels', id: 'subdistrict-labels', data: labelSets.sub, size: Math.round(22 * s), weight: 800, color: [255, 214, 107, 255], height: 90, background: [30, 18, 2, 175], maxZoom: 16.5 },
    ];
  }
  const recentColor = (d: PointDatum<{ category: string }>) => hexToRgba(categoryColor(d.properties.category));
  const recentRadius = () => Math.round(4 * scale);

  let renderTimer: ReturnType<typeof setTimeout> | null = null;
  const render = () => {
    if (renderTimer) clearTimeout(renderTimer);
    renderTimer = null;
    view.setLayers(specs());
  };
  const scheduleRender = () => {
    if (!renderTimer) renderTimer = setTimeout(render, 60);
  };

  // ---------------------------------------------------------------------------------------------
  // Heat (live or replay)

  const liveStore = new PointStore(4096);
  const replay = {
    active: false, day: '', start: 0, cursor: 0, speed: params.speed, playing: false, store: new PointStore(1024),
    lastFrame: 0, loops: 0, timer: undefined as ReturnType<typeof setInterval> | undefined,
  };
  let heatTimer: ReturnType<typeof setTimeout> | null = null;
  let heatDue = 0;
  const computeHeat = () => {
    heatTimer = null;
    heatDue = performance.now();
    const t0 = performance.now();
    const win = WINDOW_SECONDS[state.window];
    const store = replay.active ? replay.store : liveStore;
    const to = (replay.active ? replay.cursor : Date.now() + 60_000) / 1000;
    const from = Math.max(replay.active ? replay.start / 1000 : 0, to - win);
    const ts = store.t;
    const r = heat.render({ n: store.n, lon: store.lon, lat: store.lat, keep: (i) => ts[i]! >= from && ts[i]! <= to },
      { minCasesForFull: state.window === '1h' ? 3 : state.window === '24h' ? 6 : 12, smooth: replay.active });
    raster.version++;
    hooks.heat = { visible: state.heatVisible, points: store.n, counted: r.counted, version: raster.version, ms: Math.round(performance.now() - t0) };
    renderLegend();
    scheduleRender();
  };
  /** Recompute the heat soon (at most every `minMs`). */
  const requestHeat = (minMs = 400) => {
    if (heatTimer) return;
    const wait = Math.max(0, heatDue + minMs - performance.now());
    heatTimer = setTimeout(computeHeat, wait);
  };

  // ---------------------------------------------------------------------------------------------
  // Panels

  const renderLegend = () => {
    const def = METRIC_DEFS[state.metric];
    panel.legend($('#legend'), def, classes.classes, { on: state.heatVisible, windowLabel: replay.active ? `回放 ${WINDOW_LABELS[state.window]}` : WINDOW_LABELS[state.window], count: hooks.heat.counted });
  };

  const metricChips = $('#metric-chips');
  metricChips.replaceChildren(...METRICS.map((m) => {
    const b = h('button', { type: 'button', class: 'chip', role: 'radio', 'data-metric': m }, METRIC_DEFS[m].label);
    b.addEventListener('click', () => { touched(); setMetric(m); });
    return b;
  }));
  const windowChips = $('#window-chips');
  windowChips.replaceChildren(...WINDOWS.map((w) => {
    const b = h('button', { type: 'button', class: 'chip', role: 'radio', 'data-window': w }, `热力 ${WINDOW_LABELS[w]}`);
    b.addEventListener('click', () => { touched(); setWindow(w); });
    return b;
  }));
  const syncChips = () => {
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
  const renderKpis = () => {
    const m = state.scoped ?? state.all;
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
    $('#kpi-scope').textContent = scopeName(state.sel);
    $('#kpi-note').textContent = replay.active ? `回放中 · ${replay.day}` : `更新于 ${panel.timeOf(m.now)}`;
    if (party) panel.partySummary($('#party-summary'), party, (state.all ?? m).totals.staffing);
  };

  const renderRanking = () => {
    if (!state.all) return;
    for (const b of document.querySelectorAll<HTMLElement>('#rank-tabs [data-rank]')) b.classList.toggle('on', b.dataset.rank === state.rankTab);
    const onSelect = (code: string) => { touched(); select({ level: divFeature.get(code)?.properties.level === 'subdistrict' ? 'subdistrict' : 'community', code } as Sel, true); };
    // The ultra-wide wall has room for both lists at once; the others alternate.
    const both = layout === 'ultrawide';
    $('#rank-tabs').hidden = both;
    const rows = both ? [...state.all.ranking.subdistricts, ...state.all.ranking.communities]
      : state.rankTab === 'subdistricts' ? state.all.ranking.subdistricts : state.all.ranking.communities;
    panel.ranking($('#ranking'), rows, onSelect, both ? 20 : 8);
  };
  for (const b of document.querySelectorAll<HTMLElement>('#rank-tabs [data-rank]')) {
    b.addEventListener('click', () => { touched(); state.rankPinned = true; state.rankTab = b.dataset.rank as 'subdistricts' | 'communities'; renderRanking(); });
  }
  // Unattended: the ranking alternates between subdistricts and communities.
  setInterval(() => {
    if (state.rankPinned) return;
    state.rankTab = state.rankTab === 'subdistricts' ? 'communities' : 'subdistricts';
    renderRanking();
  }, 15_000);

  const renderParty = () => {
    panel.partyUncovered($('#party-uncovered'), party, (g) => { touched(); select({ level: 'grid', gridId: g }, true); });
    panel.partyTreeList($('#party-tree'), party.roots, (n) => { touched(); selectPartyNode(n); }, state.partyNode);
    uncoveredFc = { type: 'FeatureCollection', features: party.uncovered.flatMap((g) => { const f = gridFeature.get(g.gridId); return f ? [anyProps(f)] : []; }) };
  };

  // ---------------------------------------------------------------------------------------------
  // Selection, drill-down, breadcrumbs, detail card

  function scopeName(s: Sel): string {
    switch (s.level) {
      case 'district': return district.name;
      case 'subdistrict': case 'community': return divFeature.get(s.code)?.properties.name ?? s.code;
      case 'grid': return shortGridName(gridFeature.get(s.gridId)?.properties.name, 2);
      case 'building': return buildingFeature.get(s.buildingId)?.properties.name ?? `楼栋 ${s.buildingId}`;
    }
  }
  function chain(s: Sel): Sel[] {
    const out: Sel[] = [{ level: 'district' }];
    let grid: number | null = null;
    let com: string | null = null;
    if (s.level === 'building') grid = s.gridId;
    if (s.level === 'grid') grid = s.gridId;
    if (grid != null) com = communityOf.get(grid) ?? null;
    if (s.level === 'community') com = s.code;
    const sub = s.level === 'subdistrict' ? s.code : com ? subOf.get(com) ?? null : null;
    if (sub && divFeature.has(sub)) out.push({ level: 'subdistrict', code: sub });
    if (com && divFeature.has(com)) out.push({ level: 'community', code: com });
    if (grid != null) out.push({ level: 'grid', gridId: grid });
    if (s.level === 'building') out.push(s);
    return out;
  }
  function targetOf(s: Sel): FlyTarget {
    switch (s.level) {
      case 'district': return { bbox: scopeBbox };
      case 'subdistrict': case 'community': { const f = divFeature.get(s.code); return f ? { bbox: bboxOf(f.geometry) } : { bbox: scopeBbox }; }
      case 'grid': { const f = gridFeature.get(s.gridId); return f ? { bbox: bboxOf(f.geometry) } : { bbox: scopeBbox }; }
      case 'building': {
        const f = buildingFeature.get(s.buildingId);
        const b = f ? bboxOf(f.geometry) : scopeBbox;
        return { center: [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2], zoom: 17.3 };
      }
    }
  }
  function featuresOf(s: Sel): Feature<Polygon | MultiPolygon, Record<string, unknown>>[] {
    switch (s.level) {
      case 'district': return [];
      case 'subdistrict': case 'community': { const f = divFeature.get(s.code); return f ? [anyProps(f)] : []; }
      case 'grid': { const f = gridFeature.get(s.gridId); return f ? [anyProps(f)] : []; }
      case 'building': { const f = buildingFeature.get(s.buildingId); return f ? [anyProps(f)] : []; }
    }
  }

  const renderCrumbs = () => {
    const items = chain(state.sel);
    const nodes: (HTMLElement | string)[] = [];
    items.forEach((s, i) => {
      if (i) nodes.push(h('span', { class: 'sep' }, '›'));
      const b = h('button', { type: 'button', class: i === items.length - 1 ? 'on' : '', 'data-sel': selKey(s) }, `${LEVEL_NAMES[s.level]} · ${scopeName(s)}`);
      b.addEventListener('click', () => { touched(); select(s, true); });
      nodes.push(b);
    });
    $('#crumbs').replaceChildren(...nodes);
  };

  const gridsIn = (s: Sel): GridMetric[] => {
    const all = [...metricOf.values()];
    switch (s.level) {
      case 'district': return all;
      case 'subdistrict': return all.filter((g) => subOf.get(g.communityCode) === s.code);
      case 'community': return all.filter((g) => g.communityCode === s.code);
      case 'grid': return all.filter((g) => g.gridId === s.gridId);
      case 'building': return all.filter((g) => g.gridId === s.gridId);
    }
  };

  const renderDetail = () => {
    const s = state.sel;
    const el = $('#detail');
    if (s.level === 'district' && state.partyNode == null) {
      el.hidden = true;
      return;
    }
    if (state.partyNode != null) {
      const n = findParty(party.roots, state.partyNode);
      if (n) {
        panel.detail(el, `党组织 · ${n.levelName}`, n.name, [
          { label: '所在社区', value: n.communityName },
          ...(n.gridName ? [{ label: '所在网格', value: shortGridName(n.gridName, 2) }] : []),
          ...(n.buildingName ? [{ label: '所在楼栋', value: n.buildingName }] : []),
          { label: n.level === 'member_household' ? '党员' : '党员人数', value: `${int(n.members)} 名` },
          ...(n.level === 'community_committee' ? [{ label: '下设', value: `${n.counts.grid_branch} 个网格党支部 · ${n.counts.building_group} 个楼栋党小组 · ${n.counts.member_household} 户党员中心户` }] : []),
          ...(n.level === 'grid_branch' ? [{ label: '下设', value: `${n.counts.building_group} 个楼栋党小组 · ${n.counts.member_household} 户党员中心户` }] : []),
          { label: '覆盖网格', value: `${n.gridIds.length} 个` },
          { label: '数据', value: n.synthetic ? '合成（演示）' : '真实' },
        ]);
        return;
      }
    }
    const gs = gridsIn(s);
    const sum = (f: (g: GridMetric) => number) => gs.reduce((a, g) => a + f(g), 0);
    const hh = sum((g) => g.households);
    const rows: panel.DetailRow[] = [];
    if (s.level === 'building') {
      const b = buildingFeature.get(s.buildingId)?.properties;
      if (b) {
        rows.push({ label: '高度', value: `${b.heightM.toFixed(0)} 米${b.levels ? ` · ${b.levels} 层` : ''}` });
        rows.push({ label: '住户（估算）', value: b.residential ? `${int(b.households)} 户 · ${int(b.residents)} 人` : '非住宅' });
        const orgs = partyNodes(party.roots).filter((n) => n.buildingId === b.id);
        rows.push({ label: '楼栋党组织', value: orgs.length ? orgs.map((n) => n.levelName).join('、') : '无', tone: orgs.length ? 'good' : undefined });
      }
    }
    const g = s.level === 'grid' || s.level === 'building' ? gs[0] : undefined;
    if (g) {
      rows.push({ label: '所属网格', value: shortGridName(g.name, 2) });
      rows.push({ label: '住户', value: `${int(g.households)} 户` });
      rows.push({ label: '未结 / 超期', value: `${int(g.open)} / ${int(g.overdue)} 件`, tone: g.overdue ? 'bad' : undefined });
      rows.push({ label: '近 30 日千户发案', value: g.per1000 == null ? '—' : `${g.per1000.toFixed(1)} 件/千户` });
      rows.push({ label: '网格党支部', value: g.partyBranch ? `已建 · ${g.partyMembers} 名党员 · ${g.memberHouseholds} 户中心户` : '未建立', tone: g.partyBranch ? 'good' : 'bad' });
      const missing = ['grid_worker', 'community_worker', 'property_manager'].filter((r) => !g.staffRoles.includes(r));
      rows.push({ label: '一格三员', value: missing.length ? `缺 ${missing.map((r) => STAFF_ROLE_NAMES[r]).join('、')}` : '三员配齐', tone: missing.length ? 'bad' : 'good' });
      rows.push({ label: '15分钟生活圈', value: g.serviceCoverage == null ? '—' : `${pct(g.serviceCoverage, 0)}%`, tone: g.serviceCoverage == null ? undefined : coverageTone(g.serviceCoverage) === 'good' ? 'good' : g.serviceCoverage < 0.3 ? 'bad' : undefined });
    } else {
      const covered = gs.filter((x) => x.partyBranch).length;
      const staffed = gs.filter((x) => x.staffingComplete).length;
      rows.push({ label: '网格 / 住户', value: `${gs.length} 个 · ${int(hh)} 户` });
      rows.push({ label: '未结 / 超期', value: `${int(sum((x) => x.open))} / ${int(sum((x) => x.overdue))} 件`, tone: sum((x) => x.overdue) ? 'bad' : undefined });
      rows.push({ label: '近 30 日千户发案', value: hh ? `${((sum((x) => x.recent) * 1000) / hh).toFixed(1)} 件/千户` : '—' });
      rows.push({ label: '党支部覆盖', value: `${covered}/${gs.length} 个网格（${pct(gs.length ? covered / gs.length : null, 0)}%）`, tone: covered === gs.length ? 'good' : 'bad' });
      rows.push({ label: '一格三员配齐', value: `${staffed}/${gs.length} 个网格`, tone: staffed === gs.length ? 'good' : undefined });
    }
    panel.detail(el, LEVEL_NAMES[s.level], scopeName(s), rows);
  };

  const partyNodes = (roots: PartyNode[]): PartyNode[] => roots.flatMap((n) => [n, ...partyNodes(n.children)]);
  const findParty = (roots: PartyNode[], id: number) => partyNodes(roots).find((n) => n.id === id);

  function select(s: Sel, fly: boolean, opts: { keepParty?: boolean; highlight?: number[] } = {}): void {
    const changed = selKey(s) !== selKey(state.sel);
    state.sel = s;
    if (!opts.keepParty) state.partyNode = null;
    hooks.selection = selKey(s);
    const feats = opts.highlight ? opts.highlight.flatMap((id) => { const f = gridFeature.get(id); return f ? [anyProps(f)] : []; }) : featuresOf(s);
    highlightFc = { type: 'FeatureCollection', features: feats };
    renderCrumbs();
    renderDetail();
    scheduleRender();
    if (changed) {
      state.scoped = null;
      renderKpis();
      refreshMetrics(0);
    }
    if (fly) void fx.flyToAsync(targetOf(s), { duration: Math.max(1, params.flight), heading: 15, pitch: s.level === 'building' ? -35 : -42, rangeScale: s.level === 'building' ? 1 : rangeScale() });
  }

  function selectPartyNode(n: PartyNode): void {
    state.partyNode = n.id;
    const sel: Sel = n.gridId != null ? { level: 'grid', gridId: n.gridId } : { level: 'community', code: n.communityCode };
    select(sel, false, { keepParty: true, highlight: n.gridIds });
    const target: FlyTarget = n.level === 'member_household' || n.level === 'building_group'
      ? { center: n.bbox ? [(n.bbox[0] + n.bbox[2]) / 2, (n.bbox[1] + n.bbox[3]) / 2] : [district.center[0], district.center[1]], zoom: 17.2 }
      : { bbox: n.bbox ?? scopeBbox };
    void fx.flyToAsync(target, { duration: Math.max(1, params.flight), heading: 15, pitch: -42, rangeScale: 'bbox' in target ? rangeScale() : 1 });
    for (const el of document.querySelectorAll('#party-tree .pn.on')) el.classList.remove('on');
    document.querySelector(`#party-tree .pn[data-id="${n.id}"]`)?.classList.add('on');
  }

  // Drill-down by click or touch: each click goes one level deeper where it lands.
  view.onClick((e) => {
    touched();
    const g = e.hits.find((x) => x.layerId === 'grids');
    const b = e.hits.find((x) => x.layerId === 'buildings');
    const gid = g ? Number(g.id) : b ? hitProps<BuildingProps>(b).gridId : null;
    if (gid == null) return;
    const com = communityOf.get(gid);
    const sub = com ? subOf.get(com) : undefined;
    const s = state.sel;
    let next: Sel;
    if (s.level === 'district' && sub && divFeature.has(sub)) next = { level: 'subdistrict', code: sub };
    else if ((s.level === 'district' || s.level === 'subdistrict') && com && divFeature.has(com)) next = { level: 'community', code: com };
    else if (s.level === 'district' || s.level === 'subdistrict' || s.level === 'community') next = { level: 'grid', gridId: gid };
    else if (b) next = { level: 'building', buildingId: Number(b.id), gridId: gid };
    else next = { level: 'grid', gridId: gid };
    select(next, true);
  });

  // ---------------------------------------------------------------------------------------------
  // Metrics

  let metricsSeq = 0;
  let metricsTimer: ReturnType<typeof setTimeout> | null = null;
  const loadMetrics = async () => {
    metricsTimer = null;
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
      metricOf.clear();
      for (const g of all.grids) metricOf.set(g.gridId, g);
      recolor();
      renderKpis();
      renderRanking();
      renderDetail();
      renderLegend();
      scheduleRender();
    } catch (e) {
      hooks.errors++;
      console.warn('[wall] metrics failed', e);
    }
  };
  let metricsDue = 0;
  /** Fetch the figures within `delay` ms (an earlier request is never pushed back: a busy stream still refreshes). */
  function refreshMetrics(delay = 800): void {
    const due = Date.now() + delay;
    if (metricsTimer && metricsDue <= due) return;
    if (metricsTimer) clearTimeout(metricsTimer);
    metricsDue = due;
    metricsTimer = setTimeout(() => void loadMetrics(), delay);
  }
  setInterval(() => refreshMetrics(0), 30_000);

  function setMetric(m: MetricId): void {
    state.metric = m;
    hooks.metric = m;
    recolor();
    syncChips();
    renderLegend();
    scheduleRender();
  }
  function setWindow(w: WindowId): void {
    state.window = w;
    hooks.window = w;
    if (!state.heatVisible) setHeatVisible(true);
    syncChips();
    requestHeat(0);
  }
  function setHeatVisible(on: boolean): void {
    state.heatVisible = on;
    hooks.heat.visible = on;
    syncChips();
    renderLegend();
    scheduleRender();
  }

  // ---------------------------------------------------------------------------------------------
  // Live cases: ticker, pulses, heat points, KPI bumps, alerts

  let live: WallLive | null = null;
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
  const pulseCase = (c: IncidentView) => {
    if (c.lon == null || c.lat == null) return;
    const urgent = isUrgent(c);
    fx.pulse([c.lon, c.lat], urgent ? [255, 70, 85, 255] : hexToRgba(categoryColor(c.category)), { sizePx: Math.round((urgent ? 150 : 110) * scale), rings: 3, durationMs: urgent ? 6000 : 4200 });
    hooks.pulses = fx.pulseCount;
    hooks.lastPulse = { id: c.id, at: Date.now() };
  };
  let alertsOn = true;
  const raiseAlert = (c: IncidentView, kind: WallAlert['kind']) => {
    if (c.lon == null || c.lat == null || !alertsOn) return;
    tour.interrupt({ key: `${kind}:${c.id}`, incident: c, kind, priority: kind === 'urgent' ? 1 : 0 });
  };

  let tickerTimer: ReturnType<typeof setTimeout> | null = null;
  const renderTicker = () => {
    tickerTimer = null;
    if (!live) return;
    const list = live.store.list().slice(0, layout === 'ultrawide' ? 12 : 9);
    const now = Date.now();
    panel.ticker($('#ticker'), list, {
      categories: categoryNames,
      isUrgent,
      isNew: (c) => { const at = live!.store.arrivedAt(c.id); return at !== undefined && now - at < 4000; },
      onSelect: (c) => { touched(); if (c.gridId != null) select({ level: 'grid', gridId: c.gridId }, false); if (c.lon != null && c.lat != null) { void fx.flyToAsync({ center: [c.lon, c.lat], zoom: 17 }, { duration: 2, pitch: -42, rangeScale: 1 }); pulseCase(c); } },
    });
    $('#ticker-note').textContent = `今日 ${int(state.all?.totals.today)} 件`;
  };
  const refreshRecent = () => {
    const since = Date.now() / 1000 - 86_400;
    const pts: PointDatum<{ category: string }>[] = [];
    for (let i = 0; i < liveStore.n; i++) {
      if (liveStore.t[i]! < since || !liveStore.open[i]) continue;
      pts.push({ id: liveStore.id[i]!, position: [liveStore.lon[i]!, liveStore.lat[i]!], properties: { category: liveStore.categories[liveStore.cat[i]!]! } });
    }
    recentPoints = pts;
  };

  // ---------------------------------------------------------------------------------------------
  // Tour

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
      select(s.sel, false);
      await fx.flyToAsync(s.target, { duration: params.flight, heading: s.heading, pitch: 'center' in s.target ? -44 : -40, rangeScale: 'center' in s.target ? 1 : rangeScale() });
    },
    flyAlert: async (a) => {
      const c = a.incident;
      fx.beacon([c.lon!, c.lat!], a.kind === 'urgent' ? [255, 60, 80, 255] : [255, 170, 40, 255], { sizePx: Math.round(180 * scale), rings: 3 });
      if (c.gridId != null) select({ level: 'grid', gridId: c.gridId }, false);
      showAlert(a);
      await fx.flyToAsync({ center: [c.lon!, c.lat!], zoom: 16.4 }, { duration: params.flight, heading: 20, pitch: -45, rangeScale: 1 });
    },
    onChange: (st, stop, index, count, alert) => {
      hooks.tour = { state: st, index, count, stop: stop?.key ?? null, advanced: tour.advanced, alerts: tour.alertsShown };
      hooks.alert = alert ? { id: alert.incident.id, kind: alert.kind } : null;
      if (st !== 'alert') {
        alertEl.hidden = true;
        fx.clearBeacon();
      }
      fx.setOrbit(st === 'dwell' && params.orbit ? 1.2 : 0);
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

  function showAlert(a: WallAlert): void {
    const c = a.incident;
    $('#alert-kicker').textContent = a.kind === 'urgent' ? '⚠ 紧急事件' : '⏰ 超期预警';
    $('#alert-title').textContent = `${categoryNames.get(c.category) ?? c.category} · ${c.description || '（无描述）'}`;
    $('#alert-meta').textContent = `${shortGridName(c.gridName, 2)} · ${SOURCE_NAMES[c.source] ?? c.source} · ${panel.timeOf(c.createdAt)}${c.synthetic ? ' · 模拟' : ''}`;
    alertEl.hidden = false;
    const bar = $('#alert-progress');
    bar.style.transition = 'none';
    bar.style.width = '100%';
    void bar.offsetWidth;
    bar.style.transition = `width ${params.alert + params.flight}s linear`;
    bar.style.width = '0%';
  }

  /** Someone used the screen: hold the tour (it resumes after params.idle seconds). */
  function touched(): void {
    tour.userActivity();
  }
  const globe = $('#globe');
  globe.addEventListener('wheel', touched, { passive: true });
  globe.addEventListener('pointerdown', touched);

  // ---------------------------------------------------------------------------------------------
  // Replay of a past day

  const replayEl = $('#replay');
  const replaySlider = $('#replay-slider') as HTMLInputElement;
  const replayDay = $('#replay-day') as HTMLSelectElement;
  const replaySpeed = $('#replay-speed') as HTMLSelectElement;
  const replayPlay = $('#replay-play');
  const today = beijingDate(Date.now());
  replayDay.replaceChildren(...Array.from({ length: 7 }, (_, i) => {
    const d = beijingDate(Date.now() - (i + 1) * 86_400_000);
    return h('option', { value: d }, i === 0 ? `${d}（昨日）` : d);
  }));
  if (![...replaySpeed.options].some((o) => Number(o.value) === params.speed)) replaySpeed.append(h('option', { value: params.speed }, `${params.speed}×`));
  replaySpeed.value = String(params.speed);

  const replayTimeLabel = () => {
    const mins = Math.floor((replay.cursor - replay.start) / 60_000);
    $('#replay-time').textContent = `${String(Math.floor(mins / 60)).padStart(2, '0')}:${String(mins % 60).padStart(2, '0')}`;
    replaySlider.value = String(Math.min(1440, mins));
    let reported = 0;
    let resolved = 0;
    const tc = replay.cursor / 1000;
    for (let i = 0; i < replay.store.n; i++) {
      if (replay.store.t[i]! <= tc) reported++;
      if (replay.store.r[i]! && replay.store.r[i]! <= tc) resolved++;
    }
    $('#replay-count').textContent = `截至此刻上报 ${reported} 件 · 办结 ${resolved} 件`;
    hooks.replay = { active: replay.active, day: replay.day, cursor: replay.cursor, points: replay.store.n, loops: replay.loops };
  };
  const replayTick = () => {
    if (!replay.active) return;
    const now = performance.now();
    const dt = now - replay.lastFrame;
    replay.lastFrame = now;
    if (!replay.playing) return;
    const prev = replay.cursor;
    replay.cursor = Math.min(replay.start + 86_400_000, replay.cursor + dt * replay.speed);
    // Cases landing in this step pulse (a few at most per step at high speed).
    let shown = 0;
    for (let i = 0; i < replay.store.n && shown < 4; i++) {
      const t = replay.store.t[i]! * 1000;
      if (t > prev && t <= replay.cursor) {
        shown++;
        fx.pulse([replay.store.lon[i]!, replay.store.lat[i]!], hexToRgba(categoryColor(replay.store.categories[replay.store.cat[i]!]!)), { sizePx: Math.round(80 * scale), rings: 2, durationMs: 2500 });
      }
    }
    hooks.pulses = fx.pulseCount;
    if (replay.cursor >= replay.start + 86_400_000) {
      replay.loops++;
      replay.cursor = replay.start; // loop: an unattended wall keeps replaying
    }
    replayTimeLabel();
    requestHeat(200);
  };

  async function startReplay(day: string, speed = replay.speed): Promise<void> {
    const start = beijingMidnight(day);
    const data = await wallApi.points(new Date(start), new Date(start + 86_400_000));
    replay.store.clear();
    replay.store.merge(data);
    Object.assign(replay, { active: true, day, start, cursor: start, speed, playing: true, lastFrame: performance.now(), loops: 0 });
    replayDay.value = day;
    if (![...replaySpeed.options].some((o) => Number(o.value) === speed)) replaySpeed.append(h('option', { value: speed }, `${speed}×`));
    replaySpeed.value = String(speed);
    replayEl.hidden = false;
    body.classList.add('replaying');
    $('#replay-btn').classList.add('on');
    replayPlay.textContent = '❚❚';
    clearInterval(replay.timer);
    replay.timer = setInterval(replayTick, 100);
    replayTimeLabel();
    renderKpis();
    requestHeat(0);
  }
  function stopReplay(): void {
    replay.active = false;
    replay.playing = false;
    clearInterval(replay.timer);
    replay.store.clear();
    replayEl.hidden = true;
    body.classList.remove('replaying');
    $('#replay-btn').classList.remove('on');
    hooks.replay = { active: false, day: null, cursor: 0, points: 0, loops: replay.loops };
    renderKpis();
    requestHeat(0);
  }
  $('#replay-btn').addEventListener('click', () => { touched(); if (replay.active) stopReplay(); else void startReplay(replayDay.value || beijingDate(Date.now() - 86_400_000)); });
  $('#replay-exit').addEventListener('click', () => { touched(); stopReplay(); });
  replayPlay.addEventListener('click', () => {
    touched();
    replay.playing = !replay.playing;
    replay.lastFrame = performance.now();
    replayPlay.textContent = replay.playing ? '❚❚' : '▶';
  });
  replayDay.addEventListener('change', () => { touched(); void startReplay(replayDay.value); });
  replaySpeed.addEventListener('change', () => { touched(); replay.speed = Number(replaySpeed.value); });
  replaySlider.addEventListener('input', () => {
    touched();
    replay.cursor = replay.start + Number(replaySlider.value) * 60_000;
    replayTimeLabel();
    requestHeat(100);
  });

  // ---------------------------------------------------------------------------------------------
  // Keyboard for operators: n next stop, r replay, h heat, 1–6 metrics.
  addEventListener('keydown', (e) => {
    if ((e.target as HTMLElement)?.tagName === 'SELECT' || (e.target as HTMLElement)?.tagName === 'INPUT') return;
    if (e.key === 'n') tour.next();
    else if (e.key === 'r') { if (replay.active) stopReplay(); else void startReplay(replayDay.value); }
    else if (e.key === 'h') setHeatVisible(!state.heatVisible);
    else if (/^[1-9]$/.test(e.key) && Number(e.key) <= METRICS.length) setMetric(METRICS[Number(e.key) - 1]!);
  });

  // ---------------------------------------------------------------------------------------------
  // Clock

  const dateFmt = new Intl.DateTimeFormat('zh-CN', { year: 'numeric', month: 'long', day: 'numeric', weekday: 'long', timeZone: 'Asia/Shanghai' });
  const timeFmt = new Intl.DateTimeFormat('zh-CN', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZone: 'Asia/Shanghai' });
  const tick = () => {
    $('#clock').textContent = timeFmt.format(new Date());
    $('#date').textContent = dateFmt.format(new Date());
  };
  tick();
  setInterval(tick, 1000);

  // ---------------------------------------------------------------------------------------------
  // Start: figures, heat, layers, live, tour

  syncChips();
  renderParty();
  await loadMetrics();
  const pts = await wallApi.points(new Date(Date.now() - 7 * 86_400_000));
  liveStore.merge(pts);
  refreshRecent();
  computeHeat();
  select(startStop().sel, false);
  await fx.flyToAsync(startStop().target, { duration: 0, heading: 15, pitch: -40, rangeScale: rangeScale() });
  render();

  // A grid layout was published (grid editor): reload the grids, their lookups, labels, colours and figures.
  const reloadGrids = async () => {
    grids = await wallApi.grids(scopeBbox);
    gridFeature.clear();
    communityOf.clear();
    for (const f of grids.features) { gridFeature.set(f.properties.id, f); communityOf.set(f.properties.id, f.properties.communityCode); }
    hooks.gridCount = grids.features.length;
    colorSig = '';
    recolor();
    buildLabels();
    refreshMetrics(0);
    render();
  };
  live = startLive({ divisions: [rootCode], onStatus: (s: LiveStatus) => {
    hooks.live = s;
    const el = $('#live');
    el.className = `wall-live ${s}`;
    el.querySelector('span')!.textContent = s === 'live' ? '实时' : s === 'connecting' ? '连接中' : s === 'polling' ? '定时刷新' : '离线';
    hooks.reconnects = live?.reconnects ?? 0;
  } });
  live.socket.on('grids:changed', () => { reloadGrids().catch((e) => { hooks.errors++; console.warn('[wall] grid reload failed', e); }); });
  live.store.subscribe((diff, store, isLive) => {
    hooks.incidentCount = store.size;
    const recentCut = Date.now() - 10 * 60_000;
    let pointsChanged = false;
    for (const c of [...diff.add, ...diff.update]) {
      if (liveStore.upsert(pointOf(c))) pointsChanged = true;
    }
    for (const c of diff.add) {
      const fresh = isLive || Date.parse(c.createdAt) > recentCut;
      if (c.overdue && isOpen(c)) {
        if (!seenOverdue.has(c.id) && fresh && hooks.ready) raiseAlert(c, 'overdue');
        seenOverdue.add(c.id);
      }
      if (!fresh || !hooks.ready) continue;
      pulseCase(c);
      if (isUrgent(c) && isOpen(c)) raiseAlert(c, 'urgent');
      if (inSel(c) && state.scoped) {
        // Bump the numbers at once; the refresh below brings the server's figures.
        state.scoped.totals.today++;
        state.scoped.totals.open++;
        renderKpis();
      }
    }
    for (const c of diff.update) {
      if (c.overdue && isOpen(c) && !seenOverdue.has(c.id)) {
        seenOverdue.add(c.id);
        if (isLive && hooks.ready) raiseAlert(c, 'overdue');
      }
    }
    if (pointsChanged) {
      refreshRecent();
      requestHeat(isLive ? 150 : 400);
    }
    if (!tickerTimer) tickerTimer = setTimeout(renderTicker, isLive ? 50 : 200);
    if (hooks.ready && (diff.add.length || diff.update.length)) refreshMetrics(isLive ? 300 : 1000);
  });
  await live.initial.catch((e) => console.warn('[wall] incidents load failed', e));
  renderTicker();

  // The heat window slides with the clock; old cases leave the columns.
  setInterval(() => {
    if (!replay.active) requestHeat(0);
    liveStore.trimBefore(Date.now() / 1000 - 7 * 86_400 - 3600);
    refreshRecent();
  }, 30_000);

  // Base map: roads and water arrive when the tiles are decoded (not needed for readiness).
  void fetchTileFeatures('base', scopeBbox, 15, ['roads', 'water'], undefined, authHeaders()).then((base) => {
    roads = { type: 'FeatureCollection', features: (base.roads ?? []).filter((f) => (f.geometry.type === 'LineString' || f.geometry.type === 'MultiLineString') && !SKIP_ROADS.has(String(f.properties?.kind))) as Feature<LineString | MultiLineString, Record<string, unknown>>[] };
    water = { type: 'FeatureCollection', features: (base.water ?? []).filter((f) => f.geometry.type === 'Polygon' || f.geometry.type === 'MultiPolygon') as Feature<Polygon | MultiPolygon, Record<string, unknown>>[] };
    render();
  }).catch((e) => console.warn('[wall] base tiles failed', e));

  addEventListener('resize', () => {
    if (!applyLayout()) return;
    hooks.layout = layout;
    hooks.scale = scale;
    buildLabels();
    renderRanking();
    highlightFc = { ...highlightFc };
    uncoveredFc = { ...uncoveredFc };
    render();
    renderTicker();
    void fx.flyToAsync(targetOf(state.sel), { duration: 0, heading: 15, pitch: -40, rangeScale: rangeScale() });
  });

  await view.rendered();
  hooks.ready = true;
  hooks.layout = layout;
  hooks.scale = scale;
  body.dataset.ready = 'true';

  // Operator and test controls.
  Object.assign(window, { __wall: {
    setMetric, setWindow, setHeatVisible,
    tourNext: () => tour.next(),
    tourStart: () => tour.start(),
    tourStop: () => tour.stopTour(),
    /** Operators and tests: hold alerts back (a wall always shows them). */
    setAlerts: (on: boolean) => { alertsOn = on; },
    setTiming: (t: { dwell?: number; alert?: number; idle?: number }) => tour.setTiming({
      ...(t.dwell ? { dwellMs: t.dwell * 1000 } : {}), ...(t.alert ? { alertMs: t.alert * 1000 } : {}), ...(t.idle ? { idleMs: t.idle * 1000 } : {}),
    }),
    startReplay: (day?: string, speed?: number) => startReplay(day ?? beijingDate(Date.now() - 86_400_000), speed),
    stopReplay,
    select: (level: string, id: string | number) => select(level === 'district' ? { level: 'district' } : level === 'grid' ? { level: 'grid', gridId: Number(id) } : { level: level as 'subdistrict', code: String(id) }, true),
    rendered: () => view.rendered(),
    /** Drop or restore the live connection (tests: what was missed arrives after a reconnect). */
    socket: (action: 'disconnect' | 'connect') => { if (action === 'disconnect') live?.socket.disconnect(); else live?.socket.connect(); },
    tickerIds: () => [...document.querySelectorAll<HTMLElement>('#ticker li')].map((li) => Number(li.dataset.id)),
    stores: () => ({ live: liveStore.n, liveBytes: liveStore.bytes(), replay: replay.store.n, cases: live?.store.size ?? 0 }),
    today,
  } });
  if (params.replay) void startReplay(params.replay === 'yesterday' ? beijingDate(Date.now() - 86_400_000) : params.replay);
  if (params.tour.length > 0) tour.start();
  else tour.start(); // a one-stop "tour" holds the start view and returns to it after alerts and touches
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
