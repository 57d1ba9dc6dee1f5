// The one small interface every map renderer implements. Pages talk to a MapView with
// engine-agnostic layer specs; only client/src/map/<engine>/ imports maplibre, deck.gl or Cesium.
import type { FeatureCollection, LineString, MultiLineString, MultiPolygon, Polygon } from 'geojson';
import type { BBox } from '../../../core/bbox.js';

/** [r, g, b, a], each 0–255. */
export type RGBA = [number, number, number, number];
export type LonLat = [number, number];
export type { BBox };

/** A constant or a per-item accessor. Accessors are plain functions, so any engine can evaluate them. */
export type Accessor<T, V> = V | ((item: T) => V);

export function resolveAccessor<T, V>(a: Accessor<T, V>, item: T): V {
  return typeof a === 'function' ? (a as (item: T) => V)(item) : a;
}

interface BaseLayerSpec {
  /** Stable id: a spec with the same id updates the existing layer in place. */
  id: string;
  visible?: boolean;
  /** Clicks on this layer are reported to onClick handlers. */
  pickable?: boolean;
  /** Zoom range (web-mercator zoom; 3D engines map it to camera height). */
  minZoom?: number;
  maxZoom?: number;
}

/** Areas: grids, divisions, buildings. `extrude` turns them into 3D blocks where the engine can. */
export interface PolygonLayerSpec<P = Record<string, unknown>> extends BaseLayerSpec {
  kind: 'polygons';
  data: FeatureCollection<Polygon | MultiPolygon, P>;
  fillColor: Accessor<P, RGBA>;
  lineColor?: Accessor<P, RGBA>;
  /** Outline width in pixels (0 = none). */
  lineWidth?: number;
  /** Dashed outline (e.g. synthetic boundaries). */
  dashed?: boolean;
  extrude?: { height: (p: P) => number; base?: (p: P) => number };
  /** Feature id used for picking and highlighting. */
  idOf?: (p: P) => string | number;
  /** Id of the feature drawn highlighted (selected), if any. */
  highlightId?: string | number | null;
  highlightColor?: RGBA;
  /**
   * Optional: when a new spec keeps the same `data` and only `colorKey` (and fillColor) changed,
   * engines that can recolour features in place do so instead of rebuilding the layer.
   */
  colorKey?: string | number;
}

export interface LineLayerSpec<P = Record<string, unknown>> extends BaseLayerSpec {
  kind: 'lines';
  data: FeatureCollection<LineString | MultiLineString, P>;
  color: Accessor<P, RGBA>;
  /** Width in pixels. */
  width: Accessor<P, number>;
}

export interface PointDatum<P = Record<string, unknown>> {
  id: string | number;
  position: LonLat;
  properties: P;
}

export interface PointLayerSpec<P = Record<string, unknown>> extends BaseLayerSpec {
  kind: 'points';
  data: PointDatum<P>[];
  color: Accessor<PointDatum<P>, RGBA>;
  /** Radius in pixels. */
  radius: Accessor<PointDatum<P>, number>;
  strokeColor?: RGBA;
  strokeWidth?: number;
  /** Points may be dragged (engines that support it report MapDragEvents; see MapView.onDrag). */
  draggable?: boolean;
}

export interface LabelDatum {
  position: LonLat;
  text: string;
  /** Pixels. */
  size?: number;
  color?: RGBA;
}

export interface LabelLayerSpec extends BaseLayerSpec {
  kind: 'labels';
  data: LabelDatum[];
  color?: RGBA;
  haloColor?: RGBA;
  size?: number;
  /** Optional plate behind each label (engines that support it). */
  background?: RGBA;
  /** Font weight (default 600). */
  weight?: number;
  /** Label height above ground in metres (3D). */
  height?: number;
}

/** A pre-computed heat image: RGBA with straight alpha, row 0 at the north edge of `bbox`. */
export interface HeatRaster {
  bbox: BBox;
  width: number;
  height: number;
  pixels: Uint8ClampedArray;
  /** Bump when `pixels` changed in place (the same array is reused between frames). */
  version: number;
}

export interface HeatLayerSpec extends BaseLayerSpec {
  kind: 'heat';
  data: { position: LonLat; weight: number }[];
  radiusPixels?: number;
  intensity?: number;
  /**
   * Optional pre-computed image. 3D engines drape it on the ground (`data` may then be empty);
   * 2D engines draw `data` as before.
   */
  raster?: HeatRaster;
}

export type LayerSpec =
  | PolygonLayerSpec<any>
  | LineLayerSpec<any>
  | PointLayerSpec<any>
  | LabelLayerSpec
  | HeatLayerSpec;

export interface MapClickEvent {
  lngLat: LonLat;
  /** Pickable features under the cursor, topmost first. */
  hits: MapHit[];
}

/** One picked feature: the layer it belongs to, its id, and the properties the page gave that layer's data. */
export interface MapHit {
  layerId: string;
  id: string | number | null;
  properties: Record<string, unknown>;
}

/**
 * A hit's properties as the type of the layer's data (`P`): every engine hands back the very
 * properties the page drew, so the page names the type of the layer it picked from.
 */
export function hitProps<P extends object>(hit: MapHit): P {
  return hit.properties as P;
}

/** A point of a `draggable` layer being dragged: 'start' once it has moved a few pixels, then 'move', then 'end'. */
export interface MapDragEvent {
  layerId: string;
  id: string | number;
  lngLat: LonLat;
  phase: 'start' | 'move' | 'end';
}

/** Padding in CSS pixels: one for every side, or per side (e.g. to keep clear of floating panels). */
export type Padding = number | { top: number; bottom: number; left: number; right: number };

export type FlyTarget = { bbox: BBox; padding?: Padding } | { center: LonLat; zoom?: number };

export interface MapView {
  readonly engine: 'maplibre' | 'cesium';
  /** Resolves once the base map is set up and setLayers may be called. */
  ready(): Promise<void>;
  /** Replace the data layers (by id; unchanged data is not re-uploaded). Order = bottom to top. */
  setLayers(specs: LayerSpec[]): void;
  flyTo(target: FlyTarget, options?: { animate?: boolean }): void;
  onClick(handler: (e: MapClickEvent) => void): () => void;
  /** Optional: pickable features under the pointer as it moves (null when it leaves the map). */
  onHover?(handler: (e: MapClickEvent | null) => void): () => void;
  /** Optional: drags of points in `draggable` point layers (the map does not pan meanwhile). */
  onDrag?(handler: (e: MapDragEvent) => void): () => void;
  /**
   * Optional: the view settled after a pan, zoom or flight (not on every frame): its box
   * [minLon, minLat, maxLon, maxLat] and zoom (web-mercator zoom or its equivalent).
   */
  onViewChange?(handler: (view: { bbox: BBox; zoom: number }) => void): () => void;
  /** Optional: the pointer's cursor over the map when it is over nothing pickable (null = default). */
  setCursor?(cursor: string | null): void;
  /** Resolves after the current layers have been drawn at least once (tiles and data loaded). */
  rendered(): Promise<void>;
  getCanvas(): HTMLCanvasElement;
  destroy(): void;
}

export interface PulseOptions {
  durationMs?: number;
  /** Rings one after another. */
  rings?: number;
  /** Ring size in CSS pixels at its widest. */
  sizePx?: number;
}

export interface FlyOptions {
  /** Seconds (0 = jump). */
  duration?: number;
  /** Degrees clockwise from north. */
  heading?: number;
  /** Degrees below the horizon (negative). */
  pitch?: number;
  /** Multiply the distance that fits the target (e.g. > 1 when panels cover part of the screen). */
  rangeScale?: number;
}

/**
 * What a command-centre wall adds to a 3D view, beside MapView: flights it can await, a slow orbit,
 * pulses where cases land and a beacon on an alert. Optional: an engine offers it as its own
 * module (client/src/map/cesium/wall-effects.ts); pages call only this interface.
 */
export interface WallEffects {
  /** Fly (or jump, duration 0) to a target; resolves on arrival or when cancelled. */
  flyToAsync(target: FlyTarget, o?: FlyOptions): Promise<void>;
  /** Slowly circle the last fly-to target (degrees per second; 0 = stop). */
  setOrbit(degPerSec: number): void;
  /** Expanding rings where a case lands, gone after `durationMs`. */
  pulse(lonLat: LonLat, rgba: RGBA, o?: PulseOptions): void;
  /** A pulse that repeats, with a light beam, until clearBeacon (an alert's location). */
  beacon(lonLat: LonLat, rgba: RGBA, o?: PulseOptions): void;
  clearBeacon(): void;
  /** Active pulses and beacons (for tests). */
  readonly activePulses: number;
  /** Pulses started since the effects were created (for tests and diagnostics). */
  readonly pulseCount: number;
}
