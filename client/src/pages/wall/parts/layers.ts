// Layers: water and roads (base tiles), grids coloured by the chosen metric, the heat image (live
// or replay), division outlines and labels, the selection and uncovered-grid outlines, buildings
// and the last day's open cases as dots. Specs are rebuilt on demand; unchanged data keeps its
// object identity so the engine does not rebuild it.
import type { Feature, FeatureCollection, Geometry, LineString, MultiLineString, MultiPolygon, Polygon } from 'geojson';
import type { DivisionCollection } from '../../../../../core/contract.js';
import type { BuildingProps, GridProps } from '../../../../../core/types.js';
import type { GridMetric } from '../../../../../core/wall.js';
import { heatGridFor, HeatRenderer } from '../../../../../core/wall-prep.js';
import { authHeaders } from '../../../api/http.js';
import { fetchTileFeatures } from '../../../api/vector-tiles.js';
import { categoryColor, hexToRgba } from '../../../map/color.js';
import { labelPoint } from '../../../map/geo.js';
import type { HeatRaster, LabelDatum, LayerSpec, PointDatum, RGBA } from '../../../map/map-view.js';
import type { WallContext } from '../context.js';
import { METRIC_DEFS, type MetricClass } from '../metrics.js';
import { shortGridName } from '../panels.js';
import { WINDOW_SECONDS } from '../params.js';

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

export interface WallLayers {
  /** The current metric's classes (legend rows). */
  classes(): MetricClass[];
  /** Roads and water arrive when the base tiles are decoded (not needed for readiness). */
  loadBase(): void;
  /** A grid layout was published: forget the colour signature so the new grids get colours. */
  resetColors(): void;
}

export function setupLayers(ctx: WallContext): WallLayers {
  const { data, state, metricOf } = ctx;
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
  ctx.act.recolor = () => {
    const def = METRIC_DEFS[state.metric];
    classes = def.classes([...metricOf.values()]);
    const sig = `${state.metric}|${data.grids.features.map((f) => { const m = metricOf.get(f.properties.id); return m ? classes.classOf(m) : -1; }).join(',')}|${classes.classes.map((c) => c.color.join('.')).join(',')}`;
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
  const heatGrid = heatGridFor(data.scopeBbox, 512);
  const heat = new HeatRenderer(heatGrid, { sigmaM: 50 });
  const raster: HeatRaster = { bbox: heatGrid.bbox, width: heatGrid.width, height: heatGrid.height, pixels: heat.rgba, version: 0 };

  let labelSets = { sub: [] as LabelDatum[], com: [] as LabelDatum[], grid: [] as LabelDatum[] };
  // Outline widths follow the UI scale; new wrapper objects make the engine rebuild them on resize.
  let subView = { ...data.subFc };
  let comView = { ...data.comFc };
  ctx.act.buildLabels = () => {
    subView = { ...data.subFc };
    comView = { ...data.comFc };
    const at = (g: Geometry) => labelPoint(g);
    labelSets = {
      sub: data.subFc.features.flatMap((f) => { const p = at(f.geometry); return p ? [{ position: p, text: f.properties.name }] : []; }),
      com: data.comFc.features.flatMap((f) => { const p = at(f.geometry); return p ? [{ position: p, text: f.properties.name }] : []; }),
      grid: data.grids.features.flatMap((f) => { const p = at(f.geometry); return p ? [{ position: p, text: shortGridName(f.properties.name) }] : []; }),
    };
  };
  ctx.act.buildLabels();
  let recentPoints: PointDatum<{ category: string }>[] = [];
  const recentColor = (d: PointDatum<{ category: string }>) => hexToRgba(categoryColor(d.properties.category));
  const recentRadius = () => Math.round(4 * ctx.ui.scale);

  function specs(): LayerSpec[] {
    const s = ctx.ui.scale;
    return [
      { kind: 'polygons', id: 'water', data: water, fillColor: WATER, lineWidth: 0 },
      { kind: 'lines', id: 'roads', data: roads, color: roadColor, width: roadWidth },
      { kind: 'polygons', id: 'grids', data: data.grids, pickable: true, fillColor: gridFill, lineColor: GRID_LINE, lineWidth: 1, idOf: gridId, colorKey },
      { kind: 'heat', id: 'heat', data: EMPTY_HEAT, raster, visible: state.heatVisible },
      { kind: 'polygons', id: 'communities', data: comView as DivisionCollection, fillColor: NO_FILL, lineColor: COMMUNITY_LINE, lineWidth: Math.max(1.5, 2 * s) },
      { kind: 'polygons', id: 'subdistricts', data: subView as DivisionCollection, fillColor: NO_FILL, lineColor: SUBDISTRICT_LINE, lineWidth: Math.max(2, 3.5 * s) },
      { kind: 'polygons', id: 'uncovered', data: ctx.overlay.uncovered, visible: state.metric === 'party', fillColor: NO_FILL, lineColor: UNCOVERED_LINE, lineWidth: Math.max(2, 3 * s) },
      { kind: 'polygons', id: 'highlight', data: ctx.overlay.highlight, fillColor: NO_FILL, lineColor: HIGHLIGHT_LINE, lineWidth: Math.max(2.5, 4 * s) },
      { kind: 'polygons', id: 'buildings', data: data.buildings, pickable: true, fillColor: buildingColor, extrude: { height: buildingHeight, base: buildingBase }, idOf: buildingId },
      { kind: 'points', id: 'recent', data: recentPoints, minZoom: 14.5, color: recentColor, radius: recentRadius, strokeColor: [255, 255, 255, 220], strokeWidth: 1 },
      { kind: 'labels', id: 'grid-labels', data: labelSets.grid, size: Math.round(12 * s), color: [200, 225, 255, 235], minZoom: 14.8, height: 40 },
      { kind: 'labels', id: 'community-labels', data: labelSets.com, size: Math.round(15 * s), color: [125, 225, 252, 255], minZoom: 12.6, height: 60, background: [4, 14, 30, 170] },
      { kind: 'labels', id: 'subdistrict-labels', data: labelSets.sub, size: Math.round(22 * s), weight: 800, color: [255, 214, 107, 255], height: 90, background: [30, 18, 2, 175], maxZoom: 16.5 },
    ];
  }

  let renderTimer: ReturnType<typeof setTimeout> | null = null;
  ctx.act.render = () => {
    if (renderTimer) clearTimeout(renderTimer);
    renderTimer = null;
    ctx.view.setLayers(specs());
  };
  ctx.act.scheduleRender = () => {
    if (!renderTimer) renderTimer = setTimeout(ctx.act.render, 60);
  };

  // Heat (live or replay)
  let heatTimer: ReturnType<typeof setTimeout> | null = null;
  let heatDue = 0;
  ctx.act.computeHeat = () => {
    heatTimer = null;
    heatDue = performance.now();
    const t0 = performance.now();
    const { replay, liveStore } = ctx;
    const win = WINDOW_SECONDS[state.window];
    const store = replay.active ? replay.store : liveStore;
    const to = (replay.active ? replay.cursor : Date.now() + 60_000) / 1000;
    const from = Math.max(replay.active ? replay.start / 1000 : 0, to - win);
    const ts = store.t;
    const r = heat.render({ n: store.n, lon: store.lon, lat: store.lat, keep: (i) => ts[i]! >= from && ts[i]! <= to },
      { minCasesForFull: state.window === '1h' ? 3 : state.window === '24h' ? 6 : 12, smooth: replay.active });
    raster.version++;
    ctx.hooks.heat = { visible: state.heatVisible, points: store.n, counted: r.counted, version: raster.version, ms: Math.round(performance.now() - t0) };
    ctx.act.renderLegend();
    ctx.act.scheduleRender();
  };
  /** Recompute the heat soon (at most every `minMs`). */
  ctx.act.requestHeat = (minMs = 400) => {
    if (heatTimer) return;
    const wait = Math.max(0, heatDue + minMs - performance.now());
    heatTimer = setTimeout(ctx.act.computeHeat, wait);
  };

  ctx.act.refreshRecent = () => {
    const { liveStore } = ctx;
    const since = Date.now() / 1000 - 86_400;
    const pts: PointDatum<{ category: string }>[] = [];
    for (let i = 0; i < liveStore.n; i++) {
      if (liveStore.t[i]! < since || !liveStore.open[i]) continue;
      pts.push({ id: liveStore.id[i]!, position: [liveStore.lon[i]!, liveStore.lat[i]!], properties: { category: liveStore.categories[liveStore.cat[i]!]! } });
    }
    recentPoints = pts;
  };

  return {
    classes: () => classes.classes,
    loadBase: () => {
      void fetchTileFeatures('base', data.scopeBbox, 15, ['roads', 'water'], undefined, authHeaders()).then((base) => {
        roads = { type: 'FeatureCollection', features: (base.roads ?? []).filter((f) => (f.geometry.type === 'LineString' || f.geometry.type === 'MultiLineString') && !SKIP_ROADS.has(String(f.properties?.kind))) as Feature<LineString | MultiLineString, Record<string, unknown>>[] };
        water = { type: 'FeatureCollection', features: (base.water ?? []).filter((f) => f.geometry.type === 'Polygon' || f.geometry.type === 'MultiPolygon') as Feature<Polygon | MultiPolygon, Record<string, unknown>>[] };
        ctx.act.render();
      }).catch((e) => console.warn('[wall] base tiles failed', e));
    },
    resetColors: () => { colorSig = ''; },
  } satisfies WallLayers;
}
