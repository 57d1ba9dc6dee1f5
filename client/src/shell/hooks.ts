// Test hooks shared by the map pages (browser tests rely on these names — keep them exact):
//   document.body.dataset.ready = 'true' once the map has rendered with grid polygons drawn;
//   window.__gc = { ready, gridCount, incidentCount, view, live } kept current (+ project(lon, lat) on 2D).

export interface GcHooks {
  ready: boolean;
  gridCount: number;
  incidentCount: number;
  view: 'map' | '3d' | (string & {});
  /** true once the live socket is subscribed (set by the header's setLive). */
  live?: boolean;
  /** 2D page: the jurisdiction's true case count (the page loads at most 300); absent until known or without case access. */
  caseTotal?: number;
  /** 2D, 3D and dispatch pages: true while the view holds more grids than the server sends at once (none drawn, a notice shown). */
  gridsTruncated?: boolean;
  /** 2D, 3D and dispatch pages: resolves once no grid request for the view is waiting or in flight. */
  gridsIdle?: () => Promise<void>;
  /** 3D page: buildings on the page (the district's, or the view's in a district larger than MAX_FEATURES). */
  buildingCount?: number;
  /** 3D page: resolves once no building request for the view is waiting or in flight. */
  buildingsIdle?: () => Promise<void>;
  /** 2D page: lon/lat → CSS pixels relative to the top-left corner of the map canvas. */
  project?: (lon: number, lat: number) => [number, number];
}

declare global {
  interface Window {
    __gc?: GcHooks;
  }
}

export function initHooks(view: GcHooks['view'], target: { __gc?: GcHooks } = window): GcHooks {
  const hooks: GcHooks = { ready: false, gridCount: 0, incidentCount: 0, view };
  target.__gc = hooks;
  return hooks;
}

export function markReady(hooks: GcHooks, body: HTMLElement = document.body): void {
  hooks.ready = true;
  body.dataset.ready = 'true';
}
