// The drawing surface of the grid editor (网格划分): a MapView that can also draw lines and
// polygons (with a page-supplied snapping function), show vertex handles and report drags. The
// /grids page talks only to this interface; client/src/map/maplibre/grid-editor-view.ts implements
// it with maplibre-gl and terra-draw.
import type { LonLat, MapView } from './map-view.js';

/** What a pointer gesture on the map does. */
export type SurfaceMode = 'idle' | 'line' | 'polygon' | 'handles';

export interface EditHandle {
  /** Stable id the page understands (e.g. "v:12" for vertex 12, "e:3,4" for the edge 3–4). */
  id: string;
  position: LonLat;
  kind: 'vertex' | 'midpoint';
  /** Used by more than one grid (drawn larger). */
  shared?: boolean;
}

/** Snaps a pointer position; `metresPerPixel` turns a pixel tolerance into metres. Null = no snap. */
export type SnapFn = (p: LonLat, metresPerPixel: number) => LonLat | null;

export interface GridEditorSurface extends MapView {
  setMode(mode: SurfaceMode): void;
  /** Abandon a line or polygon being drawn. */
  cancelDrawing(): void;
  setSnap(fn: SnapFn | null): void;
  setHandles(handles: readonly EditHandle[]): void;
  /** The line/polygon being drawn changed (null when drawing stops). */
  onDrawing(cb: (coords: LonLat[] | null) => void): void;
  /** A line (mode 'line') or a polygon ring (mode 'polygon', open ring) was finished. */
  onDrawn(cb: (coords: LonLat[], mode: 'line' | 'polygon') => void): void;
  onHandleDrag(cb: { move(id: string, p: LonLat): void; end(id: string, p: LonLat): void; cancel?(id: string): void }): void;
  /** lon/lat → CSS pixels within the canvas. */
  project(p: LonLat): { x: number; y: number };
}
