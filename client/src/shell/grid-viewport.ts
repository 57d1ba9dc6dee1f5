// The grids of a map page (/map, /3d) in a district of any size. The page asks for the district's
// grids first; when the server sends them complete, that is all. When MAX_FEATURES truncates them
// (a city-sized district), the page keeps to the view (map/viewport.ts): it asks for the view's box
// as the view moves, draws none while even the view holds too many and shows a notice to zoom in;
// the district's totals then come from the division tree. Test hooks: window.__gc.gridsTruncated
// and __gc.gridsIdle().
import { api } from '../api/http.js';
import type { BBox } from '../../../core/bbox.js';
import type { GridCollection } from '../../../core/types.js';
import type { MapView } from '../map/map-view.js';
import { ViewportLoader } from '../map/viewport.js';
import type { GcHooks } from './hooks.js';

export const ZOOM_IN_NOTICE = '当前视野内网格过多，请放大地图查看网格';

export interface GridViewport {
  /** The grids to draw now (empty while the view holds too many). */
  readonly shown: GridCollection;
  /** false when only part of the district is on the page. */
  readonly whole: boolean;
  /** The district's grid count and households (summed when whole, else the division tree's; null until known). */
  totals(): { grids: number; households: number } | null;
  /** A grid layout was published: ask again for what is shown. */
  reload(): void;
}

export function startGridViewport(o: {
  view: Pick<MapView, 'onViewChange'>;
  districtBbox: BBox;
  first: GridCollection;
  notice: HTMLElement;
  hooks: GcHooks;
  /** New grids are on the page (also when the totals become known). */
  onChange: () => void;
}): GridViewport {
  let loaded = o.first;
  let whole = !o.first.truncated;
  let tree: { grids: number; households: number } | null = null;
  let treeAsked = false;
  const shownOf = (fc: GridCollection): GridCollection => (fc.truncated ? { ...fc, features: [] } : fc);
  let shown = shownOf(loaded);
  const show = () => {
    o.notice.hidden = !loaded.truncated;
    o.notice.textContent = loaded.truncated ? ZOOM_IN_NOTICE : '';
    o.hooks.gridCount = shown.features.length;
    o.hooks.gridsTruncated = Boolean(loaded.truncated);
  };
  const set = (fc: GridCollection, isWhole: boolean) => {
    loaded = fc;
    whole = isWhole;
    shown = shownOf(fc);
    show();
    o.onChange();
  };
  const loader = new ViewportLoader<GridCollection>({
    limits: o.districtBbox,
    fetch: (bbox, signal) => api.grids(bbox, undefined, signal),
    onData: (fc, area) => set(fc, area.bbox === null && !fc.truncated),
    onEmpty: () => set({ ...loaded, truncated: false, features: [] }, false),
    onError: (e) => console.warn('[gc] grids for the view failed', e),
  }, o.first);
  o.hooks.gridsIdle = () => loader.idle();
  show();
  o.view.onViewChange?.(({ bbox }) => loader.viewChanged(bbox));
  return {
    get shown() { return shown; },
    get whole() { return whole; },
    totals() {
      if (whole) return { grids: shown.features.length, households: shown.features.reduce((s, f) => s + (f.properties.households || 0), 0) };
      if (!tree && !treeAsked) {
        treeAsked = true;
        api.divisions().then(({ tree: t }) => {
          tree = { grids: t.gridCount, households: t.households };
          o.onChange();
        }).catch((e) => {
          treeAsked = false;
          console.warn('[gc] division totals failed', e);
        });
      }
      return tree;
    },
    reload() {
      tree = null;
      treeAsked = false;
      loader.reload();
    },
  };
}
