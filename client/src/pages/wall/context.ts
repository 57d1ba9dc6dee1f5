// The one object the wall's parts share (parts/*.ts): the page's data, state, map and effects, the
// test hooks, and the actions each part offers the others. main.ts builds it and wires the parts;
// a part reads what it needs from here and registers its actions in `act` when it is set up.
import type { Feature, FeatureCollection, Geometry, MultiPolygon, Polygon, Position } from 'geojson';
import type { BuildingCollection, DivisionCollection, DivisionFeatureProps, IncidentView } from '../../../../core/contract.js';
import type { DistrictInfo, GridCollection } from '../../../../core/types.js';
import type { GridMetric, PartyNode, PartyTree, WallMetrics } from '../../../../core/wall.js';
import type { BBox, FlyTarget, MapView, WallEffects } from '../../map/map-view.js';
import type { WallLive } from './live.js';
import type { LayoutId, MetricId, WallParams, WindowId } from './params.js';
import type { PointStore } from './points.js';
import type { Tour, TourAlert, TourState, TourStop } from './tour.js';

/** The map the wall draws on: a MapView that can also tell where a place is on the screen. */
export interface WallMapView extends MapView {
  project(lon: number, lat: number): [number, number] | null;
}

export type Sel =
  | { level: 'district' }
  | { level: 'subdistrict' | 'community'; code: string }
  | { level: 'grid'; gridId: number }
  | { level: 'building'; buildingId: number; gridId: number | null };
export const selKey = (s: Sel) => (s.level === 'district' ? 'district' : s.level === 'grid' ? `grid:${s.gridId}` : s.level === 'building' ? `building:${s.buildingId}` : `${s.level}:${s.code}`);
export const LEVEL_NAMES = { district: '全区', subdistrict: '街道', community: '社区', grid: '网格', building: '楼栋' } as const;
export const WINDOW_LABELS: Record<WindowId, string> = { '1h': '近 1 小时', '24h': '近 24 小时', '7d': '近 7 天' };

export interface WallStop extends TourStop {
  target: FlyTarget;
  sel: Sel;
  heading: number;
}
export interface WallAlert extends TourAlert {
  incident: IncidentView;
  kind: 'urgent' | 'overdue';
}

/** Test and diagnostics hooks (window.__gc; browser tests rely on these names). */
export interface WallHooks {
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
  /** Milliseconds from navigation start: panels filled, 2D layers drawn (first useful picture), 3D city drawn. */
  timing: { panelsMs: number | null; pictureMs: number | null; completeMs: number | null };
  project?: (lon: number, lat: number) => [number, number] | null;
}

/** The district's divisions, grids, buildings and Party tree, with lookups between them. */
export interface WallData {
  district: DistrictInfo;
  scopeBbox: BBox;
  rootCode: string;
  subFc: DivisionCollection;
  comFc: DivisionCollection;
  /** Replaced when a grid layout is published (socket grids:changed). */
  grids: GridCollection;
  categoryNames: Map<string, string>;
  party: PartyTree;
  buildings: BuildingCollection;
  gridFeature: Map<number, GridCollection['features'][number]>;
  communityOf: Map<number, string>;
  subOf: Map<string, string>;
  divFeature: Map<string, Feature<Polygon | MultiPolygon, DivisionFeatureProps>>;
  buildingFeature: Map<number, BuildingCollection['features'][number]>;
}

export interface WallState {
  metric: MetricId;
  window: WindowId;
  heatVisible: boolean;
  sel: Sel;
  /** Figures district-wide (grid colours, ranking) and for the selection (KPIs). */
  all: WallMetrics | null;
  scoped: WallMetrics | null;
  rankTab: 'subdistricts' | 'communities';
  rankPinned: boolean;
  partyNode: number | null;
  alertsOn: boolean;
  /** While a past day plays: the figures at the replayed moment (district-wide and for the selection). */
  replayed: { all: WallMetrics; scoped: WallMetrics } | null;
  /** What the signed-in role may see: without case access the wall shows no case panels and asks for no cases. */
  cases: boolean;
}

export interface ReplayState {
  active: boolean;
  day: string;
  start: number;
  cursor: number;
  speed: number;
  playing: boolean;
  store: PointStore;
  lastFrame: number;
  loops: number;
  timer: ReturnType<typeof setInterval> | undefined;
}

export type AnyPolygons = FeatureCollection<Polygon | MultiPolygon, Record<string, unknown>>;

/** What the parts offer each other (registered by each part when main.ts sets it up). */
export interface WallActions {
  render(): void;
  scheduleRender(): void;
  recolor(): void;
  buildLabels(): void;
  refreshRecent(): void;
  requestHeat(minMs?: number): void;
  computeHeat(): void;
  renderLegend(): void;
  renderKpis(): void;
  renderRanking(): void;
  renderParty(): void;
  syncChips(): void;
  renderTicker(): void;
  renderDetail(): void;
  select(s: Sel, fly: boolean, opts?: { keepParty?: boolean; highlight?: number[] }): void;
  selectPartyNode(n: PartyNode): void;
  scopeName(s: Sel): string;
  targetOf(s: Sel): FlyTarget;
  refreshMetrics(delay?: number): void;
  loadMetrics(): Promise<void>;
  /** Colour the grids by these figures and redraw every panel that shows figures (live or replayed). */
  showFigures(grids: readonly GridMetric[], opts?: { ticker?: boolean }): void;
  setMetric(m: MetricId): void;
  setWindow(w: WindowId): void;
  setHeatVisible(on: boolean): void;
  pulseCase(c: IncidentView): void;
  raiseAlert(c: IncidentView, kind: WallAlert['kind']): void;
  startReplay(day: string, speed?: number): Promise<void>;
  stopReplay(): void;
  /** Recompute the replayed figures and redraw the panels and grid colours (replay only). */
  refreshReplay(): void;
  /** Pause the replay at `minutes` after the replayed midnight (operators' slider; tests). */
  seekReplay(minutes: number): void;
  /** The header badge: 实时 / 连接中 / … live, 回放 with the replayed time in a replay. */
  renderBadge(): void;
  /** Someone used the screen: hold the tour (it resumes after params.idle seconds). */
  touched(): void;
  /** How much farther the camera stands so a target fits the part of the screen the panels leave free. */
  rangeScale(): number;
}

export interface WallContext {
  params: WallParams;
  hooks: WallHooks;
  /** Root font scale and layout (layout part). */
  ui: { scale: number; layout: LayoutId };
  data: WallData;
  view: WallMapView;
  fx: WallEffects;
  state: WallState;
  metricOf: Map<number, GridMetric>;
  /** Located cases of the last 7 days (heat, recent dots, hotspots). */
  liveStore: PointStore;
  replay: ReplayState;
  live: WallLive | null;
  tour: Tour<WallStop, WallAlert> | null;
  /** Outlines drawn over the grids: the selection, and grids without a Party branch. */
  overlay: { highlight: AnyPolygons; uncovered: AnyPolygons };
  act: WallActions;
}

/** Actions not registered yet fail loudly (a part used before main.ts wired it). */
export function unwiredActions(): WallActions {
  return new Proxy({} as WallActions, {
    get: (target, key) => (key in target ? target[key as keyof WallActions] : () => { throw new Error(`wall: action ${String(key)} used before it was wired`); }),
  });
}

// ---------------------------------------------------------------------------------------------
// Geometry helpers

export function bboxOf(g: Geometry): BBox {
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
/** A division, grid or building outline as a highlight layer's feature (its typed properties read as a record). */
export const anyProps = (f: Feature<Polygon | MultiPolygon, object>) => f as Feature<Polygon | MultiPolygon, Record<string, unknown>>;

const URGENT_CATEGORIES = new Set(['safety_hazard']);
/** Urgent: a safety hazard (the responsibility list gives it the shortest deadlines). */
export const isUrgent = (c: IncidentView) => URGENT_CATEGORIES.has(c.category);
export const isOpen = (c: IncidentView) => (c.statusType ?? 'open') === 'open';
