// The grid editor's drawing surface on maplibre: the 2D map of MaplibreView plus terra-draw for
// drawing lines (分割) and polygons (绘制) with the page's snapping, and own vertex/midpoint handles
// for topological reshaping (修改): the page decides what a drag means, this only reports it.
import type { GeoJSONSource, MapMouseEvent } from 'maplibre-gl';
import { TerraDraw, TerraDrawLineStringMode, TerraDrawPolygonMode, type HexColor } from 'terra-draw';
import { TerraDrawMapLibreGLAdapter } from 'terra-draw-maplibre-gl-adapter';
import type { EditHandle, GridEditorSurface, SnapFn, SurfaceMode } from '../grid-editor.js';
import type { LayerSpec, LonLat } from '../map-view.js';
import { MaplibreView, type MaplibreViewOptions } from './maplibre-view.js';

const TD_PREFIX = 'gc-td';
const HANDLE_SOURCE = 'gc-edit-handles';
const HANDLE_PICK_PX = 10;
const DRAW_COLOR = '#ffd23f' as HexColor;
const SNAP_COLOR = '#22d3ee' as HexColor;

function metresPerPixel(zoom: number, lat: number): number {
  return (156543.03392 * Math.cos((lat * Math.PI) / 180)) / 2 ** zoom;
}

export class GridEditorView extends MaplibreView implements GridEditorSurface {
  private draw: TerraDraw | null = null;
  private mode: SurfaceMode = 'idle';
  private snapFn: SnapFn | null = null;
  private handles: readonly EditHandle[] = [];
  private drawingCb: ((c: LonLat[] | null) => void) | null = null;
  private drawnCb: ((c: LonLat[], mode: 'line' | 'polygon') => void) | null = null;
  private dragCb: { move(id: string, p: LonLat): void; end(id: string, p: LonLat): void; cancel?(id: string): void } | null = null;
  private dragging: { id: string; moved: boolean } | null = null;
  private editorReady: Promise<void>;

  constructor(opts: MaplibreViewOptions) {
    super(opts);
    this.editorReady = super.ready().then(() => this.setUpEditor());
  }

  override ready(): Promise<void> {
    return this.editorReady;
  }

  private snapped(p: LonLat): LonLat {
    if (!this.snapFn) return p;
    return this.snapFn(p, metresPerPixel(this.map.getZoom(), p[1])) ?? p;
  }

  private setUpEditor(): void {
    const map = this.map;
    map.addSource(HANDLE_SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    map.addLayer({
      id: `${HANDLE_SOURCE}-circle`,
      type: 'circle',
      source: HANDLE_SOURCE,
      paint: {
        'circle-radius': ['case', ['==', ['get', 'kind'], 'midpoint'], 3.5, ['get', 'shared'], 6, 5],
        'circle-color': ['case', ['==', ['get', 'kind'], 'midpoint'], 'rgba(255,255,255,0.55)', ['get', 'shared'], '#22d3ee', '#ffffff'],
        'circle-stroke-color': '#0b1220',
        'circle-stroke-width': 1.5,
      },
    });
    const toCustom = (e: { lng: number; lat: number }) => {
      if (!this.snapFn) return undefined;
      const s = this.snapFn([e.lng, e.lat], metresPerPixel(map.getZoom(), e.lat));
      return s ? [s[0], s[1]] : undefined;
    };
    const lineStyles = {
      lineStringColor: DRAW_COLOR,
      lineStringWidth: 3,
      closingPointColor: DRAW_COLOR,
      closingPointWidth: 5,
      closingPointOutlineColor: '#0b1220' as HexColor,
      closingPointOutlineWidth: 1.5,
      snappingPointColor: SNAP_COLOR,
      snappingPointWidth: 6,
    };
    const adapter = new TerraDrawMapLibreGLAdapter({ map, prefixId: TD_PREFIX, coordinatePrecision: 9 });
    this.draw = new TerraDraw({
      adapter,
      modes: [
        new TerraDrawLineStringMode({ snapping: { toCustom }, keyEvents: { cancel: 'Escape', finish: 'Enter' }, styles: lineStyles }),
        new TerraDrawPolygonMode({
          snapping: { toCustom },
          keyEvents: { cancel: 'Escape', finish: 'Enter' },
          styles: {
            fillColor: DRAW_COLOR,
            fillOpacity: 0.18,
            outlineColor: DRAW_COLOR,
            outlineWidth: 3,
            closingPointColor: DRAW_COLOR,
            closingPointWidth: 5,
            closingPointOutlineColor: '#0b1220' as HexColor,
            closingPointOutlineWidth: 1.5,
            snappingPointColor: SNAP_COLOR,
            snappingPointWidth: 6,
          },
        }),
      ],
    });
    this.draw.start();
    this.draw.setMode('static');
    this.draw.on('change', (ids) => {
      if (!this.drawingCb || !this.draw || (this.mode !== 'line' && this.mode !== 'polygon')) return;
      for (const id of ids) {
        const f = this.draw.getSnapshotFeature(id);
        if (!f) continue;
        if (f.geometry.type === 'LineString') this.drawingCb(f.geometry.coordinates.map((c) => [c[0]!, c[1]!] as LonLat));
        else if (f.geometry.type === 'Polygon') this.drawingCb((f.geometry.coordinates[0] ?? []).slice(0, -1).map((c) => [c[0]!, c[1]!] as LonLat));
      }
    });
    this.draw.on('finish', (id) => {
      const f = this.draw?.getSnapshotFeature(id);
      this.draw?.clear();
      this.drawingCb?.(null);
      if (!f) return;
      if (f.geometry.type === 'LineString') this.drawnCb?.(f.geometry.coordinates.map((c) => [c[0]!, c[1]!] as LonLat), 'line');
      else if (f.geometry.type === 'Polygon') this.drawnCb?.((f.geometry.coordinates[0] ?? []).slice(0, -1).map((c) => [c[0]!, c[1]!] as LonLat), 'polygon');
    });

    map.on('mousedown', (e) => this.dragStart(e));
    map.on('mousemove', (e) => this.dragMove(e));
    map.on('mouseup', (e) => this.dragEnd(e));
    window.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.dragging) {
        const id = this.dragging.id;
        this.dragging = null;
        map.dragPan.enable();
        this.dragCb?.cancel?.(id);
      }
    });
    this.raise();
  }

  override setLayers(specs: LayerSpec[]): void {
    super.setLayers(specs);
    this.raise();
  }

  /** Keep the drawing and handle layers above the data layers. */
  private raise(): void {
    const style = this.map.getStyle();
    if (!style) return;
    const ids = style.layers.map((l) => l.id);
    const top = [...ids.filter((id) => id.startsWith(TD_PREFIX)), `${HANDLE_SOURCE}-circle`].filter((id) => this.map.getLayer(id));
    const last = ids.slice(-top.length);
    if (top.join('|') === last.join('|')) return;
    for (const id of top) this.map.moveLayer(id);
  }

  setMode(mode: SurfaceMode): void {
    this.mode = mode;
    if (this.draw) {
      this.draw.clear();
      this.draw.setMode(mode === 'line' ? 'linestring' : mode === 'polygon' ? 'polygon' : 'static');
    }
    this.drawingCb?.(null);
    if (mode !== 'handles') this.setHandles([]);
    this.map.getCanvas().style.cursor = mode === 'line' || mode === 'polygon' ? 'crosshair' : '';
  }

  cancelDrawing(): void {
    if (!this.draw) return;
    this.draw.clear();
    this.drawingCb?.(null);
  }

  setSnap(fn: SnapFn | null): void {
    this.snapFn = fn;
  }

  setHandles(handles: readonly EditHandle[]): void {
    this.handles = handles;
    const src = this.map.getSource(HANDLE_SOURCE) as GeoJSONSource | undefined;
    src?.setData({
      type: 'FeatureCollection',
      features: handles.map((h) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: h.position }, properties: { id: h.id, kind: h.kind, shared: !!h.shared } })),
    });
  }

  onDrawing(cb: (coords: LonLat[] | null) => void): void {
    this.drawingCb = cb;
  }

  onDrawn(cb: (coords: LonLat[], mode: 'line' | 'polygon') => void): void {
    this.drawnCb = cb;
  }

  onHandleDrag(cb: { move(id: string, p: LonLat): void; end(id: string, p: LonLat): void; cancel?(id: string): void }): void {
    this.dragCb = cb;
  }

  private handleAt(e: MapMouseEvent): EditHandle | null {
    let best: EditHandle | null = null, bd = HANDLE_PICK_PX;
    for (const h of this.handles) {
      const p = this.map.project(h.position);
      const d = Math.hypot(p.x - e.point.x, p.y - e.point.y);
      // Vertices win over midpoints at the same distance.
      if (d < bd || (d === bd && best?.kind === 'midpoint' && h.kind === 'vertex')) { bd = d; best = h; }
    }
    return best;
  }

  private dragStart(e: MapMouseEvent): void {
    if (this.mode !== 'handles' || e.originalEvent.button !== 0) return;
    const h = this.handleAt(e);
    if (!h) return;
    e.preventDefault();
    this.map.dragPan.disable();
    this.dragging = { id: h.id, moved: false };
    this.map.getCanvas().style.cursor = 'grabbing';
  }

  private dragMove(e: MapMouseEvent): void {
    if (this.mode !== 'handles') return;
    if (!this.dragging) {
      this.map.getCanvas().style.cursor = this.handleAt(e) ? 'grab' : '';
      return;
    }
    this.dragging.moved = true;
    this.dragCb?.move(this.dragging.id, this.snapped([e.lngLat.lng, e.lngLat.lat]));
  }

  private dragEnd(e: MapMouseEvent): void {
    if (!this.dragging) return;
    const { id, moved } = this.dragging;
    this.dragging = null;
    this.map.dragPan.enable();
    this.map.getCanvas().style.cursor = '';
    if (moved) this.dragCb?.end(id, this.snapped([e.lngLat.lng, e.lngLat.lat]));
    else this.dragCb?.cancel?.(id);
  }

  override destroy(): void {
    try {
      this.draw?.stop();
    } catch {
      // the map is going away anyway
    }
    super.destroy();
  }
}
