// MapLibre adapter: the 2D base map (self-hosted vector tiles) plus polygons/lines/points as native
// layers; labels and heat go to the deck.gl adapter, interleaved into the same WebGL canvas.
import {
  AttributionControl,
  Map as MlMap,
  NavigationControl,
  ScaleControl,
  setWorkerUrl,
  type ExpressionSpecification,
  type GeoJSONSource,
  type MapGeoJSONFeature,
  type MapMouseEvent,
} from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { DeckLayers, type DeckSpec } from '../deck/deck-layers.js';
import { rgbaToCss } from '../color.js';
import {
  resolveAccessor,
  type BBox,
  type FlyTarget,
  type LayerSpec,
  type LineLayerSpec,
  type MapClickEvent,
  type MapDragEvent,
  type MapView,
  type PointLayerSpec,
  type PolygonLayerSpec,
  type RGBA,
} from '../map-view.js';
import { buildBaseStyle } from './base-style.js';

setWorkerUrl(workerUrl);

export interface MaplibreViewOptions {
  container: HTMLElement;
  bbox: BBox;
  /** Base vector tiles template, e.g. "/tiles/base/{z}/{x}/{y}.pbf" (made absolute here). */
  tilesUrl: string;
  attribution: string;
  /** Optional external raster base map (off until setRasterVisible(true)). */
  rasterUrl?: string | null;
  /** Screen space kept free around fitted bounds (e.g. floating panels), in CSS pixels. */
  padding?: number | { top: number; bottom: number; left: number; right: number };
  /**
   * Headers for a request of the map (tiles, glyphs, sprites), or undefined for none: the page's
   * credentials for its own server (client/src/api/http.ts ownRequestHeaders). The view knows no
   * credentials itself.
   */
  requestHeaders?: (url: string) => Record<string, string> | undefined;
}

type NativeSpec = PolygonLayerSpec<any> | LineLayerSpec<any> | PointLayerSpec<any>;

interface NativeRecord {
  spec: NativeSpec;
  sourceId: string;
  layerIds: string[];
  /** Original properties by generated feature id. */
  props: unknown[];
  data: unknown;
  hover: number | null;
  /** The GeoJSON given to the source (points of a draggable layer move in it while dragged). */
  fc: FeatureCollection;
}

interface DragState {
  rec: NativeRecord;
  featureIndex: number;
  id: string | number;
  startPoint: { x: number; y: number };
  started: boolean;
}

const ZH_LOCALE: Record<string, string> = {
  'NavigationControl.ZoomIn': '放大',
  'NavigationControl.ZoomOut': '缩小',
  'NavigationControl.ResetBearing': '重置方向',
  'ScaleControl.Meters': '米',
  'ScaleControl.Kilometers': '千米',
  'AttributionControl.ToggleAttribution': '数据来源',
  'AttributionControl.MapFeedback': '地图反馈',
};

const css = (c: RGBA) => rgbaToCss(c);

function absoluteTileUrl(url: string): string {
  return /^https?:/.test(url) ? url : `${location.origin}${url.startsWith('/') ? '' : '/'}${url}`;
}

/**
 * deck.gl 9.4's MapboxOverlay reads `map.transform` (height, elevation, near/far planes); maplibre 6
 * moved the transform behind `map._camera`. Expose it again, read-only, if it is missing.
 */
function shimTransformForDeck(map: MlMap): void {
  if ((map as unknown as { transform?: unknown }).transform !== undefined) return;
  const camera = (map as unknown as { _camera?: { transform?: unknown } })._camera;
  if (!camera) return;
  Object.defineProperty(map, 'transform', { configurable: true, get: () => camera.transform });
}

export class MaplibreView implements MapView {
  readonly engine = 'maplibre' as const;
  readonly map: MlMap;
  private deck: DeckLayers | null = null;
  private native = new Map<string, NativeRecord>();
  private order: string[] = [];
  private clickHandlers = new Set<(e: MapClickEvent) => void>();
  private hoverHandlers = new Set<(e: MapClickEvent | null) => void>();
  private dragHandlers = new Set<(e: MapDragEvent) => void>();
  private baseCursor = '';
  private drag: DragState | null = null;
  /** A drag just ended: the click maplibre may fire for the same gesture is not a click. */
  private suppressClick = false;
  private readyPromise: Promise<void>;

  constructor(private readonly opts: MaplibreViewOptions) {
    const [minLon, minLat, maxLon, maxLat] = opts.bbox;
    this.map = new MlMap({
      container: opts.container,
      style: buildBaseStyle({ tilesUrl: absoluteTileUrl(opts.tilesUrl), attribution: opts.attribution, rasterUrl: opts.rasterUrl }),
      bounds: [minLon, minLat, maxLon, maxLat],
      fitBoundsOptions: { padding: opts.padding ?? 24 },
      minZoom: 9,
      maxZoom: 20,
      maxPitch: 60,
      attributionControl: false,
      maplibreLogo: false,
      locale: ZH_LOCALE,
      canvasContextAttributes: { preserveDrawingBuffer: true, antialias: true },
      fadeDuration: 0,
      // Own tiles carry the headers the page gives (a kiosk token; cookie sessions need nothing).
      transformRequest: (url) => {
        const headers = opts.requestHeaders?.(url);
        return headers ? { url, headers } : { url };
      },
    });
    this.map.addControl(new NavigationControl({ visualizePitch: true }), 'top-right');
    this.map.addControl(new AttributionControl({ compact: false }), 'bottom-right');
    this.map.addControl(new ScaleControl({ unit: 'metric', maxWidth: 120 }), 'bottom-right');

    this.readyPromise = new Promise<void>((resolve) => {
      this.map.once('load', () => {
        shimTransformForDeck(this.map);
        this.deck = new DeckLayers(this.map, { interleaved: true });
        this.deck.setZoom(this.map.getZoom());
        resolve();
      });
    });
    this.map.on('zoom', () => this.deck?.setZoom(this.map.getZoom()));
    this.map.on('click', (e) => this.handleClick(e));
    this.map.on('mousemove', (e) => this.handleHover(e));
    this.map.on('mouseout', () => {
      this.clearHover();
      for (const h of this.hoverHandlers) h(null);
    });
    this.map.on('mousedown', (e) => this.handleDragStart(e));
  }

  ready(): Promise<void> {
    return this.readyPromise;
  }

  setRasterVisible(on: boolean): void {
    if (this.map.getLayer('external-raster')) this.map.setLayoutProperty('external-raster', 'visibility', on ? 'visible' : 'none');
  }

  setLayers(specs: LayerSpec[]): void {
    const deckSpecs: DeckSpec[] = [];
    const keep = new Set<string>();
    for (const spec of specs) {
      if (spec.kind === 'labels' || spec.kind === 'heat') {
        deckSpecs.push(spec);
        continue;
      }
      keep.add(spec.id);
      this.upsertNative(spec);
    }
    for (const [id, rec] of this.native) {
      if (keep.has(id)) continue;
      for (const l of rec.layerIds) if (this.map.getLayer(l)) this.map.removeLayer(l);
      if (this.map.getSource(rec.sourceId)) this.map.removeSource(rec.sourceId);
      this.native.delete(id);
    }
    // Keep native layers stacked in spec order, above the base map.
    const newOrder = specs.filter((s) => keep.has(s.id)).map((s) => s.id);
    if (newOrder.join('|') !== this.order.join('|')) {
      for (const id of newOrder) for (const l of this.native.get(id)!.layerIds) this.map.moveLayer(l);
      this.order = newOrder;
    }
    this.deck?.setSpecs(deckSpecs);
  }

  private upsertNative(spec: NativeSpec): void {
    const existing = this.native.get(spec.id);
    const sourceId = `gc-${spec.id}`;
    if (!existing || existing.data !== spec.data || existing.spec.kind !== spec.kind || this.stylingChanged(existing.spec, spec)) {
      const { fc, props } = this.toFeatures(spec);
      if (existing && existing.spec.kind === spec.kind) {
        (this.map.getSource(sourceId) as GeoJSONSource).setData(fc);
        existing.fc = fc;
        existing.props = props;
        existing.data = spec.data;
        existing.spec = spec;
        existing.hover = null;
      } else {
        if (existing) {
          for (const l of existing.layerIds) if (this.map.getLayer(l)) this.map.removeLayer(l);
          this.map.removeSource(sourceId);
        }
        this.map.addSource(sourceId, { type: 'geojson', data: fc, attribution: '' });
        const layerIds = this.addNativeLayers(spec, sourceId);
        this.native.set(spec.id, { spec, sourceId, layerIds, props, data: spec.data, hover: null, fc });
        this.order = []; // force restack
      }
    }
    const rec = this.native.get(spec.id)!;
    rec.spec = spec;
    const vis = spec.visible === false ? 'none' : 'visible';
    for (const l of rec.layerIds) {
      if (this.map.getLayoutProperty(l, 'visibility') !== vis) this.map.setLayoutProperty(l, 'visibility', vis);
      this.map.setLayerZoomRange(l, spec.minZoom ?? 0, spec.maxZoom ?? 24);
    }
    if (spec.kind === 'polygons' && this.map.getLayer(`${sourceId}-hl`)) {
      const hid = spec.highlightId ?? null;
      this.map.setFilter(`${sourceId}-hl`, hid === null ? ['==', ['get', '_id'], '__none__'] : ['==', ['get', '_id'], hid]);
      // The highlight colour may change between renders too (e.g. a pick in progress vs a selection).
      this.map.setPaintProperty(`${sourceId}-hl`, 'line-color', css(spec.highlightColor ?? [0, 229, 255, 255]));
    }
  }

  /** Styling that is baked into feature properties needs a data refresh when its accessors change. */
  private stylingChanged(a: NativeSpec, b: NativeSpec): boolean {
    if (a.kind === 'polygons' && b.kind === 'polygons') return a.fillColor !== b.fillColor || a.lineColor !== b.lineColor;
    if (a.kind === 'points' && b.kind === 'points') return a.color !== b.color || a.radius !== b.radius;
    if (a.kind === 'lines' && b.kind === 'lines') return a.color !== b.color || a.width !== b.width;
    return false;
  }

  private toFeatures(spec: NativeSpec): { fc: FeatureCollection; props: unknown[] } {
    const props: unknown[] = [];
    const features: Feature[] = [];
    if (spec.kind === 'points') {
      spec.data.forEach((d, i) => {
        props.push(d.properties);
        const c = resolveAccessor(spec.color, d);
        features.push({
          type: 'Feature',
          id: i,
          geometry: { type: 'Point', coordinates: d.position },
          properties: { _id: d.id, _fill: css(c), _r: resolveAccessor(spec.radius, d) },
        });
      });
    } else {
      spec.data.features.forEach((f: Feature<Geometry, any>, i: number) => {
        props.push(f.properties);
        const p = f.properties ?? {};
        const out: Record<string, unknown> = { _id: spec.kind === 'polygons' && spec.idOf ? spec.idOf(p) : i };
        if (spec.kind === 'polygons') {
          out._fill = css(resolveAccessor(spec.fillColor, p));
          out._line = css(resolveAccessor(spec.lineColor ?? [255, 255, 255, 160], p));
          if (spec.extrude) {
            out._h = spec.extrude.height(p);
            out._b = spec.extrude.base?.(p) ?? 0;
          }
        } else {
          out._line = css(resolveAccessor(spec.color, p));
          out._w = resolveAccessor(spec.width, p);
        }
        features.push({ type: 'Feature', id: i, geometry: f.geometry, properties: out });
      });
    }
    return { fc: { type: 'FeatureCollection', features }, props };
  }

  private addNativeLayers(spec: NativeSpec, source: string): string[] {
    const ids: string[] = [];
    if (spec.kind === 'polygons') {
      if (spec.extrude) {
        // Heights are baked per feature via the accessor at data time.
        this.map.addLayer({
          id: `${source}-fill`,
          type: 'fill-extrusion',
          source,
          paint: {
            'fill-extrusion-color': ['get', '_fill'],
            'fill-extrusion-height': ['coalesce', ['get', '_h'], 10],
            'fill-extrusion-base': ['coalesce', ['get', '_b'], 0],
            'fill-extrusion-opacity': 0.9,
          },
        });
        ids.push(`${source}-fill`);
        return ids;
      }
      this.map.addLayer({
        id: `${source}-fill`,
        type: 'fill',
        source,
        paint: {
          'fill-color': ['get', '_fill'],
          // Lighter when zoomed in, so buildings and streets under the fill stay legible.
          'fill-opacity': [
            'interpolate',
            ['linear'],
            ['zoom'],
            13,
            ['case', ['boolean', ['feature-state', 'hover'], false], 1, 0.85],
            17,
            ['case', ['boolean', ['feature-state', 'hover'], false], 0.75, 0.45],
          ],
        },
      });
      ids.push(`${source}-fill`);
      if ((spec.lineWidth ?? 1) > 0) {
        const w = spec.lineWidth ?? 1;
        this.map.addLayer({
          id: `${source}-line`,
          type: 'line',
          source,
          layout: { 'line-join': 'round' },
          paint: {
            'line-color': ['get', '_line'],
            'line-width': ['case', ['boolean', ['feature-state', 'hover'], false], w + 1.5, w],
            ...(spec.dashed ? { 'line-dasharray': [3, 2] } : {}),
          },
        });
        ids.push(`${source}-line`);
      }
      this.map.addLayer({
        id: `${source}-hl`,
        type: 'line',
        source,
        filter: ['==', ['get', '_id'], '__none__'],
        layout: { 'line-join': 'round' },
        paint: { 'line-color': css(spec.highlightColor ?? [0, 229, 255, 255]), 'line-width': (spec.lineWidth ?? 1) + 2.5 },
      });
      ids.push(`${source}-hl`);
    } else if (spec.kind === 'lines') {
      this.map.addLayer({
        id: `${source}-line`,
        type: 'line',
        source,
        layout: { 'line-join': 'round', 'line-cap': 'round' },
        paint: { 'line-color': ['get', '_line'], 'line-width': ['get', '_w'] },
      });
      ids.push(`${source}-line`);
    } else {
      const r: ExpressionSpecification = ['get', '_r'];
      this.map.addLayer({
        id: `${source}-circle`,
        type: 'circle',
        source,
        paint: {
          'circle-color': ['get', '_fill'],
          // Radii are for zoom 15; smaller when zoomed out, larger when zoomed in.
          'circle-radius': [
            'interpolate',
            ['linear'],
            ['zoom'],
            12,
            ['*', r, 0.55],
            15,
            ['case', ['boolean', ['feature-state', 'hover'], false], ['+', r, 2], r],
            18,
            ['*', r, 1.5],
          ],
          'circle-stroke-color': css(spec.strokeColor ?? [255, 255, 255, 220]),
          'circle-stroke-width': spec.strokeWidth ?? 1,
          'circle-pitch-alignment': 'map',
        },
      });
      ids.push(`${source}-circle`);
    }
    return ids;
  }

  private pickableLayerIds(): string[] {
    const out: string[] = [];
    for (const rec of this.native.values()) {
      if (!rec.spec.pickable || rec.spec.visible === false) continue;
      // Highlight layers are filtered and never the primary pick target.
      for (const l of rec.layerIds) {
        if (rec.spec.kind === 'lines' || (!l.endsWith('-hl') && !l.endsWith('-line'))) out.push(l);
      }
    }
    return out.filter((l) => this.map.getLayer(l));
  }

  private recordForLayer(layerId: string): NativeRecord | undefined {
    for (const rec of this.native.values()) if (rec.layerIds.includes(layerId)) return rec;
    return undefined;
  }

  private queryHits(point: { x: number; y: number }): { feature: MapGeoJSONFeature; rec: NativeRecord }[] {
    const layers = this.pickableLayerIds();
    if (layers.length === 0) return [];
    // A few pixels of slop so small points are easy to hit.
    const box: [[number, number], [number, number]] = [
      [point.x - 4, point.y - 4],
      [point.x + 4, point.y + 4],
    ];
    const out: { feature: MapGeoJSONFeature; rec: NativeRecord }[] = [];
    const seen = new Set<string>();
    for (const f of this.map.queryRenderedFeatures(box, { layers })) {
      const rec = this.recordForLayer(f.layer.id);
      if (!rec) continue;
      // Polygons must actually contain the click point; the slop box is for points.
      const key = `${rec.spec.id}:${f.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ feature: f, rec });
    }
    if (out.some((h) => h.rec.spec.kind === 'polygons')) {
      const exact = new Set(
        this.map.queryRenderedFeatures([point.x, point.y], { layers }).map((f) => `${this.recordForLayer(f.layer.id)?.spec.id}:${f.id}`),
      );
      return out.filter((h) => h.rec.spec.kind !== 'polygons' || exact.has(`${h.rec.spec.id}:${h.feature.id}`));
    }
    return out;
  }

  private toHits(found: { feature: MapGeoJSONFeature; rec: NativeRecord }[]): MapClickEvent['hits'] {
    return found.map(({ feature, rec }) => ({
      layerId: rec.spec.id,
      id: (feature.properties?._id as string | number | undefined) ?? null,
      properties: (rec.props[feature.id as number] ?? {}) as Record<string, unknown>,
    }));
  }

  private handleClick(e: MapMouseEvent): void {
    if (this.suppressClick) {
      this.suppressClick = false;
      return;
    }
    const hits = this.toHits(this.queryHits(e.point));
    const ev: MapClickEvent = { lngLat: [e.lngLat.lng, e.lngLat.lat], hits };
    for (const h of this.clickHandlers) h(ev);
  }

  private handleHover(e: MapMouseEvent): void {
    if (this.drag) return;
    const hits = this.queryHits(e.point);
    const draggable = hits.some((x) => x.rec.spec.kind === 'points' && x.rec.spec.draggable);
    this.map.getCanvas().style.cursor = draggable ? 'grab' : hits.length ? 'pointer' : this.baseCursor;
    if (this.hoverHandlers.size) {
      const ev: MapClickEvent = { lngLat: [e.lngLat.lng, e.lngLat.lat], hits: this.toHits(hits) };
      for (const h of this.hoverHandlers) h(ev);
    }
    const top = hits[0];
    for (const rec of this.native.values()) {
      const want = top && top.rec === rec ? (top.feature.id as number) : null;
      if (rec.hover === want) continue;
      if (rec.hover !== null) this.map.setFeatureState({ source: rec.sourceId, id: rec.hover }, { hover: false });
      if (want !== null) this.map.setFeatureState({ source: rec.sourceId, id: want }, { hover: true });
      rec.hover = want;
    }
  }

  /** A press on a point of a draggable layer: the map does not pan; the point follows the pointer. */
  private handleDragStart(e: MapMouseEvent): void {
    if (this.dragHandlers.size === 0 || e.originalEvent.button !== 0) return;
    const hit = this.queryHits(e.point).find((x) => x.rec.spec.kind === 'points' && x.rec.spec.draggable && x.rec.spec.visible !== false);
    if (!hit) return;
    e.preventDefault(); // no drag-pan for this gesture
    const featureIndex = hit.feature.id as number;
    const id = (hit.feature.properties?._id as string | number | undefined) ?? featureIndex;
    this.drag = { rec: hit.rec, featureIndex, id, startPoint: { x: e.point.x, y: e.point.y }, started: false };
    const emit = (phase: MapDragEvent['phase'], lngLat: [number, number]) => {
      for (const h of this.dragHandlers) h({ layerId: hit.rec.spec.id, id, lngLat, phase });
    };
    const onMove = (ev: MapMouseEvent) => {
      const d = this.drag;
      if (!d) return;
      if (!d.started) {
        if (Math.hypot(ev.point.x - d.startPoint.x, ev.point.y - d.startPoint.y) < 3) return;
        d.started = true;
        this.map.getCanvas().style.cursor = 'grabbing';
        emit('start', [ev.lngLat.lng, ev.lngLat.lat]);
      }
      const f = d.rec.fc.features[d.featureIndex];
      if (f && f.geometry.type === 'Point') {
        f.geometry.coordinates = [ev.lngLat.lng, ev.lngLat.lat];
        (this.map.getSource(d.rec.sourceId) as GeoJSONSource | undefined)?.setData(d.rec.fc);
      }
      emit('move', [ev.lngLat.lng, ev.lngLat.lat]);
    };
    const onUp = (ev: MapMouseEvent) => {
      this.map.off('mousemove', onMove);
      const d = this.drag;
      this.drag = null;
      if (!d?.started) return;
      this.suppressClick = true;
      setTimeout(() => (this.suppressClick = false), 0);
      this.map.getCanvas().style.cursor = this.baseCursor;
      emit('end', [ev.lngLat.lng, ev.lngLat.lat]);
    };
    this.map.on('mousemove', onMove);
    this.map.once('mouseup', onUp);
  }

  private clearHover(): void {
    for (const rec of this.native.values()) {
      if (rec.hover !== null && this.map.getSource(rec.sourceId)) this.map.setFeatureState({ source: rec.sourceId, id: rec.hover }, { hover: false });
      rec.hover = null;
    }
  }

  flyTo(target: FlyTarget, options: { animate?: boolean } = {}): void {
    const animate = options.animate ?? true;
    if ('bbox' in target) {
      const [a, b, c, d] = target.bbox;
      this.map.fitBounds(
        [
          [a, b],
          [c, d],
        ],
        { padding: target.padding ?? this.opts.padding ?? 24, animate, duration: animate ? 800 : 0 },
      );
    } else {
      const o = { center: target.center, zoom: target.zoom ?? Math.max(this.map.getZoom(), 16) };
      if (animate) this.map.flyTo({ ...o, speed: 1.6 });
      else this.map.jumpTo(o);
    }
  }

  onClick(handler: (e: MapClickEvent) => void): () => void {
    this.clickHandlers.add(handler);
    return () => this.clickHandlers.delete(handler);
  }

  onHover(handler: (e: MapClickEvent | null) => void): () => void {
    this.hoverHandlers.add(handler);
    return () => this.hoverHandlers.delete(handler);
  }

  onDrag(handler: (e: MapDragEvent) => void): () => void {
    this.dragHandlers.add(handler);
    return () => this.dragHandlers.delete(handler);
  }

  onViewChange(handler: (view: { bbox: BBox; zoom: number }) => void): () => void {
    const listener = () => handler({ bbox: this.getBounds(), zoom: this.map.getZoom() });
    this.map.on('moveend', listener);
    return () => this.map.off('moveend', listener);
  }

  setCursor(cursor: string | null): void {
    this.baseCursor = cursor ?? '';
    if (!this.drag) this.map.getCanvas().style.cursor = this.baseCursor;
  }

  rendered(): Promise<void> {
    return new Promise<void>((resolve) => {
      const check = () => {
        const sourcesLoaded = [...this.native.values()].every((r) => this.map.isSourceLoaded(r.sourceId));
        if (this.map.isStyleLoaded() && sourcesLoaded && this.map.areTilesLoaded() && this.map.loaded()) {
          this.map.off('idle', check);
          this.map.off('render', check);
          // One more frame so the canvas holds the finished picture.
          this.map.once('render', () => resolve());
          this.map.triggerRepaint();
        }
      };
      this.map.on('idle', check);
      this.map.on('render', check);
      this.map.triggerRepaint();
    });
  }

  getCanvas(): HTMLCanvasElement {
    return this.map.getCanvas();
  }

  /** Current view bounds as [minLon, minLat, maxLon, maxLat]. */
  getBounds(): BBox {
    const b = this.map.getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
  }

  /** Screen position of a lon/lat (for overlays and tests). */
  project(lonLat: [number, number]): { x: number; y: number } {
    const p = this.map.project(lonLat);
    return { x: p.x, y: p.y };
  }

  destroy(): void {
    if (this.deck) this.deck.destroy(this.map);
    this.map.remove();
  }
}
