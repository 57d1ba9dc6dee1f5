// 二维地图 (map.html): self-hosted vector base map, grids coloured by households, community
// boundaries, facilities by service class, live incidents (socket diffs) and a grid info panel
// (households, 一格三员, Party branch, case figures: ui/info-panel.ts + ui/grid-summary.ts). Case
// dots by state in colours apart from the facility classes (ui/case-palette.ts, ui/map-legend.ts);
// case-count.ts puts the true count beside the capped load. A role that may not read cases (a
// planner) gets no case layer, feed, figure or socket — no refused request. ?grid=<id> opens a grid.
import '../../styles/app.css';
import type { FeatureCollection, MultiPolygon, Point, Polygon } from 'geojson';
import { api, ApiError, emptyFc, ownRequestHeaders, type DivisionCollection, type DivisionFeatureProps, type FacilityCollection } from '../../api/http.js';
import { IncidentStore } from '../../api/incident-store.js';
import { startLiveIncidents } from '../../api/socket.js';
import type { CaseItem } from '../../../../core/contract.js';
import type { GridSummary } from '../../../../core/grid-summary.js';
import type { Role } from '../../../../core/permissions.js';
import type { FacilityProps, GridProps, Incident, ServiceClass } from '../../../../core/types.js';
import { lonLatOf, OSM_ATTRIBUTION } from '../../../../core/types.js';
import { categoryColor, hexToRgba, HOUSEHOLD_RAMP, quantileBreaks, rampColor } from '../../map/color.js';
import { labelPoint } from '../../map/geo.js';
import { hitProps, type LabelDatum, type LayerSpec, type PointDatum, type RGBA } from '../../map/map-view.js';
import { MaplibreView } from '../../map/maplibre/maplibre-view.js';
import { $, fmtInt, h, showError } from '../../shell/dom.js';
import { handleAuthError } from '../../shell/auth.js';
import { mountHeader } from '../../shell/header.js';
import { initHooks, markReady } from '../../shell/hooks.js';
import { startGridViewport } from '../../shell/grid-viewport.js';
import { openMapPage } from '../../shell/map-page.js';
import { IncidentFeed } from '../../ui/incident-feed.js';
import { InfoPanel } from '../../ui/info-panel.js';
import { CaseTotal, countLabel } from './case-count.js';
import { caseLegend, householdLegend } from '../../ui/map-legend.js';
import { casePhase, casePhaseColor } from '../../ui/case-palette.js';

const hooks = initHooks('map');
const header = mountHeader('map');

type ToggleKey = 'grids' | 'gridLabels' | 'communities' | 'facilities' | 'incidents' | 'heat' | 'raster';

interface State {
  on: Record<ToggleKey, boolean>;
  classesOn: Set<string>;
  selectedGridId: number | null;
}


async function settle<T>(p: Promise<T>, what: string, fallback: T): Promise<T> {
  try {
    return await p;
  } catch (e) {
    console.warn(`[gc] ${what} failed`, e);
    return fallback;
  }
}

/** Map padding so the district fits the part of the map not covered by the floating panels. */
function panelPadding(): { top: number; bottom: number; left: number; right: number } {
  const w = window.innerWidth;
  const left = document.querySelector<HTMLElement>('.gc-col.left');
  const right = document.querySelector<HTMLElement>('.gc-col.right');
  const vis = (el: HTMLElement | null) => !!el && getComputedStyle(el).display !== 'none';
  if (w < 700) return { top: 20, bottom: 20, left: 20, right: 20 };
  return {
    top: 24,
    bottom: 40,
    left: vis(left) ? left!.getBoundingClientRect().right + 12 : 24,
    right: vis(right) ? w - right!.getBoundingClientRect().left + 12 : 24,
  };
}

/** "外滩街道・河南南路社区・第04网格" → "第04网格" for map labels (the panel shows the full name). */
function shortGridName(name: string): string {
  const parts = name.split(/[・·•]/).map((x) => x.trim()).filter(Boolean);
  return parts[parts.length - 1] ?? name;
}

async function main() {
  // Cases only for roles that may read them (the server would refuse the list and the socket).
  const { district, account, showCases } = await openMapPage(header);

  const view = new MaplibreView({
    container: $('#map'),
    bbox: district.bbox,
    tilesUrl: '/tiles/base/{z}/{x}/{y}.pbf',
    attribution: district.attribution || OSM_ATTRIBUTION,
    rasterUrl: district.basemapUrl ?? null,
    padding: panelPadding(),
    requestHeaders: ownRequestHeaders,
  });

  // Data for the district (grids are the one layer the page cannot do without).
  const [gridsAtStart, communities, districtFc, facilities, classes, categories] = await Promise.all([
    api.grids(district.bbox),
    settle(api.divisionsGeojson('community'), 'communities', emptyFc<Polygon | MultiPolygon, DivisionFeatureProps>() as DivisionCollection),
    settle(api.divisionsGeojson('district'), 'district outline', emptyFc<Polygon | MultiPolygon, DivisionFeatureProps>() as DivisionCollection),
    settle(api.facilities(district.bbox), 'facilities', emptyFc<Point, FacilityProps>() as FacilityCollection),
    settle(api.serviceClasses(), 'service classes', [] as ServiceClass[]),
    settle(api.incidentCategories(), 'incident categories', []),
  ]);
  performance.mark('gc:data');
  // The grids on the page: the whole district, or the view's in a district larger than the server
  // sends at once (shell/grid-viewport.ts). Replaced as the view moves and when a layout is published.
  let onGridsChanged = () => {}; // set once the layers below exist
  const gridView = startGridViewport({
    view, districtBbox: district.bbox, first: gridsAtStart, notice: $('#map-notice'), hooks, onChange: () => onGridsChanged(),
  });
  let grids = gridView.shown;
  if (new URLSearchParams(location.search).has('debug')) Object.assign(window, { __gcView: view });
  await view.ready();
  performance.mark('gc:map-load');
  hooks.project = (lon, lat) => {
    const p = view.project([lon, lat]);
    return [p.x, p.y];
  };

  const classByCode = new Map(classes.map((c) => [c.code, c]));
  const categoryNames = new Map(categories.map((c) => [c.code, c.name]));

  // ---- summary ----
  // District totals: summed from the grids when all are on the page, else the division tree's.
  const showSummary = () => {
    const total = gridView.totals();
    $('#sum-grids').textContent = total ? fmtInt(total.grids) : '—';
    $('#sum-hh').textContent = total ? fmtInt(total.households) : '—';
    $('#district-sub').textContent = `${communities.features.length || '—'} 个社区 · ${total ? fmtInt(total.grids) : '—'} 个网格`;
  };
  showSummary();

  // ---- legend (households per grid) ----
  // Breaks from the first grids the page gets (the district, or the first view of a large one), then kept.
  let breaks: number[] = [];
  const setBreaks = () => {
    if (breaks.length || !grids.features.length) return;
    breaks = quantileBreaks(grids.features.map((f) => f.properties.households), 5, 10);
    $('#legend').replaceChildren(...householdLegend(breaks));
  };
  setBreaks();
  if (showCases) $('#case-legend').replaceChildren(...caseLegend(true));
  const gridFill = (p: GridProps): RGBA => hexToRgba(rampColor(p.households, breaks, HOUSEHOLD_RAMP), 118);
  const gridLine: RGBA = [235, 242, 255, 170];

  const store = new IncidentStore();
  // The jurisdiction's true case count (the map loads the latest 300).
  const caseTotal = new CaseTotal(district.code, () => showCount());
  const showCount = () => {
    const label = countLabel(store.size, caseTotal.total);
    $('#sum-inc').textContent = fmtInt(caseTotal.total ?? store.size);
    $('#feed-count').textContent = label;
    $('#feed-count').title = '地图加载最新的案件（上限 300 件），总数为辖区内全部案件';
    const el = countEls.get('incidents');
    if (el) el.textContent = label;
    hooks.caseTotal = caseTotal.total ?? undefined;
  };

  // ---- state & toggles ----
  const state: State = {
    on: { grids: true, gridLabels: true, communities: true, facilities: true, incidents: true, heat: false, raster: false },
    classesOn: new Set(classes.map((c) => c.code)),
    selectedGridId: null,
  };

  const facilityCounts = new Map<string, number>();
  for (const f of facilities.features) facilityCounts.set(f.properties.serviceClass, (facilityCounts.get(f.properties.serviceClass) ?? 0) + 1);

  const toggles: { key: ToggleKey; label: string; swatch?: string; round?: boolean; count?: () => string }[] = [
    { key: 'grids', label: '网格（按户数）', swatch: HOUSEHOLD_RAMP[2], count: () => fmtInt(grids.features.length) },
    { key: 'gridLabels', label: '网格名称' },
    { key: 'communities', label: '社区边界', swatch: '#38bdf8', count: () => fmtInt(communities.features.length) },
    { key: 'facilities', label: '生活圈设施', swatch: '#59a14f', round: true, count: () => fmtInt(facilities.features.length) },
    ...(showCases
      ? [
          { key: 'incidents' as const, label: '事件（按状态）', swatch: '#ff2bd6', round: true, count: () => countLabel(store.size, caseTotal.total) },
          { key: 'heat' as const, label: '事件热力' },
        ]
      : []),
  ];
  if (district.basemapUrl) toggles.push({ key: 'raster', label: '外部底图' });

  const countEls = new Map<ToggleKey, HTMLElement>();
  $('#layer-toggles').replaceChildren(
    ...toggles.map((t) => {
      const input = h('input', { type: 'checkbox', 'data-layer': t.key, checked: state.on[t.key] });
      input.addEventListener('change', () => {
        state.on[t.key] = input.checked;
        if (t.key === 'raster') view.setRasterVisible(input.checked);
        render();
      });
      const count = h('span', { class: 'count' }, t.count?.() ?? '');
      countEls.set(t.key, count);
      return h(
        'li',
        {},
        h('label', {}, input, t.swatch ? h('span', { class: `swatch${t.round ? ' round' : ''}`, style: `background:${t.swatch}` }) : h('span', { class: 'swatch', style: 'visibility:hidden' }), t.label, count),
      );
    }),
  );

  const classInputs: HTMLInputElement[] = [];
  $('#class-toggles').replaceChildren(
    ...(classes.length
      ? classes.map((c) => {
          const input = h('input', { type: 'checkbox', 'data-class': c.code, checked: true });
          classInputs.push(input);
          input.addEventListener('change', () => {
            if (input.checked) state.classesOn.add(c.code);
            else state.classesOn.delete(c.code);
            refreshFacilities();
          });
          return h(
            'li',
            {},
            h(
              'label',
              { title: `步行 ${c.walkMinutes} 分钟可达` },
              input,
              h('span', { class: 'swatch round', style: `background:${c.color}` }),
              c.name,
              h('span', { class: 'count' }, fmtInt(facilityCounts.get(c.code) ?? 0)),
            ),
          );
        })
      : [h('li', { class: 'count' }, '暂无设施分类')]),
  );
  const setAllClasses = (on: boolean) => {
    for (const i of classInputs) i.checked = on;
    state.classesOn = new Set(on ? classes.map((c) => c.code) : []);
    refreshFacilities();
  };
  $('#classes-all').addEventListener('click', () => setAllClasses(true));
  $('#classes-none').addEventListener('click', () => setAllClasses(false));

  // ---- derived layer data (recomputed only when inputs change, so the map does not re-upload) ----
  const labelsOf = (fc: typeof grids): LabelDatum[] => fc.features.flatMap((f) => {
    const p = labelPoint(f.geometry);
    return p ? [{ position: p, text: shortGridName(f.properties.name) }] : [];
  });
  let gridLabels = labelsOf(grids);
  const communityLabels: LabelDatum[] = communities.features.flatMap((f) => {
    const p = labelPoint(f.geometry);
    return p ? [{ position: p, text: f.properties.name }] : [];
  });

  let facilityPoints: PointDatum<FacilityProps>[] = [];
  function refreshFacilities() {
    facilityPoints = facilities.features
      .filter((f) => state.classesOn.has(f.properties.serviceClass))
      .map((f) => ({ id: f.properties.id, position: [f.geometry.coordinates[0]!, f.geometry.coordinates[1]!], properties: f.properties }));
    render();
  }
  const facilityColor = (d: PointDatum<FacilityProps>): RGBA => hexToRgba(classByCode.get(d.properties.serviceClass)?.color ?? '#9ca3af');

  let incidentPoints: PointDatum<CaseItem>[] = [];
  let heatPoints: { position: [number, number]; weight: number }[] = [];
  const NEW_MS = 60_000;
  const isNew = (id: number) => {
    const t = store.arrivedAt(id);
    return t !== undefined && Date.now() - t < NEW_MS;
  };
  function refreshIncidents() {
    const list = store.list();
    incidentPoints = list
      .slice()
      .reverse() // newest drawn last = on top
      .flatMap((i) => { const p = lonLatOf(i); return p ? [{ id: i.id, position: p, properties: i }] : []; });
    heatPoints = list.flatMap((i) => { const p = lonLatOf(i); return p ? [{ position: p, weight: 1 }] : []; });
  }
  // Cases by state in colours no facility class uses (ui/case-palette.ts), larger and white-ringed.
  const incidentColor = (d: PointDatum<CaseItem>): RGBA => casePhaseColor(casePhase(d.properties, Date.now()));
  const incidentRadius = (d: PointDatum<CaseItem>) => (isNew(d.id as number) ? 10 : 7);

  // ---- specs ----
  function specs(): LayerSpec[] {
    return [
      {
        kind: 'polygons',
        id: 'grids',
        data: grids,
        visible: state.on.grids,
        pickable: true,
        fillColor: gridFill,
        lineColor: gridLine,
        lineWidth: 1,
        idOf: (p: GridProps) => p.id,
        highlightId: state.selectedGridId,
        highlightColor: [34, 211, 238, 255],
      },
      {
        kind: 'polygons',
        id: 'communities',
        data: communities as FeatureCollection<Polygon | MultiPolygon, DivisionFeatureProps>,
        visible: state.on.communities,
        fillColor: [0, 0, 0, 0],
        lineColor: [56, 189, 248, 230],
        lineWidth: 2.2,
        dashed: true,
        idOf: (p: DivisionFeatureProps) => p.code,
      },
      {
        kind: 'polygons',
        id: 'district',
        data: districtFc as FeatureCollection<Polygon | MultiPolygon, DivisionFeatureProps>,
        fillColor: [0, 0, 0, 0],
        lineColor: [215, 38, 61, 230],
        lineWidth: 3,
      },
      { kind: 'heat', id: 'incident-heat', data: heatPoints, visible: showCases && state.on.heat, radiusPixels: 45, intensity: 1.2 },
      {
        kind: 'points',
        id: 'facilities',
        data: facilityPoints,
        visible: state.on.facilities,
        pickable: true,
        color: facilityColor,
        radius: 3.5,
        strokeColor: [8, 14, 26, 230],
        strokeWidth: 1,
        minZoom: 13,
      },
      {
        kind: 'points',
        id: 'incidents',
        data: incidentPoints,
        visible: showCases && state.on.incidents,
        pickable: true,
        color: incidentColor,
        radius: incidentRadius,
        strokeColor: [255, 255, 255, 240],
        strokeWidth: 2,
      },
      {
        kind: 'labels',
        id: 'community-labels',
        data: communityLabels,
        visible: state.on.communities,
        size: 14,
        color: [125, 211, 252, 255],
        maxZoom: 15.6,
      },
      {
        kind: 'labels',
        id: 'grid-labels',
        data: gridLabels,
        visible: state.on.gridLabels && state.on.grids,
        size: 12.5,
        color: [255, 244, 220, 255],
        minZoom: 15.6,
      },
    ];
  }

  let renderTimer: ReturnType<typeof setTimeout> | null = null;
  function render() {
    if (renderTimer) {
      clearTimeout(renderTimer);
      renderTimer = null;
    }
    view.setLayers(specs());
  }
  /** Coalesce bursts of socket diffs into one map update (well under a second). */
  function scheduleRender() {
    if (!renderTimer) renderTimer = setTimeout(render, 60);
  }

  // ---- info panel & clicks ----
  const info = new InfoPanel(
    $('#info-panel'),
    () => {
      state.selectedGridId = null;
      render();
    },
    (id) => api.request<GridSummary>(`/api/grids/${id}/summary`),
  );
  view.onClick((e) => {
    const grid = e.hits.find((x) => x.layerId === 'grids');
    const fac = e.hits.find((x) => x.layerId === 'facilities');
    const inc = e.hits.find((x) => x.layerId === 'incidents');
    const extras = {
      facility: fac ? { ...hitProps<FacilityProps>(fac), className: classByCode.get(String(fac.properties.serviceClass))?.name } : undefined,
      incident: inc ? { ...hitProps<Incident>(inc), categoryName: categoryNames.get(String(inc.properties.category)) } : undefined,
    };
    if (grid) {
      const props = hitProps<GridProps>(grid);
      state.selectedGridId = props.id;
      info.showGrid(props, extras);
    } else if (fac || inc) {
      state.selectedGridId = null;
      info.showOther(extras);
    } else {
      state.selectedGridId = null;
      info.hide();
    }
    render();
  });

  // ---- incident feed + live socket ----
  const feed = new IncidentFeed($('#incident-feed') as HTMLUListElement, {
    categories: categoryNames,
    colorOf: categoryColor,
    onSelect: (i) => {
      const p = lonLatOf(i);
      if (p) view.flyTo({ center: p, zoom: 17 });
      const g = grids.features.find((f) => f.properties.id === i.gridId);
      const extras = { incident: { ...i, categoryName: categoryNames.get(i.category) } };
      if (g) {
        state.selectedGridId = g.properties.id;
        info.showGrid(g.properties, extras);
      } else info.showOther(extras);
      render();
    },
  });
  store.subscribe((diff, s, live) => {
    feed.apply(diff, s, live);
    hooks.incidentCount = s.size;
    showCount();
    if (diff.add.length && caseTotal.total != null) caseTotal.refresh();
    refreshIncidents();
    scheduleRender();
    // Shrink "new" markers back after they stop being new.
    if (live && diff.add.length) setTimeout(() => {
      refreshIncidents();
      scheduleRender();
    }, NEW_MS + 100);
  });

  // ---- grids by viewport (only when the district is too large to send at once) ----
  onGridsChanged = () => {
    grids = gridView.shown;
    gridLabels = labelsOf(grids);
    setBreaks();
    showSummary();
    const gridCount = countEls.get('grids');
    if (gridCount) gridCount.textContent = fmtInt(grids.features.length);
    if (state.selectedGridId !== null && !grids.features.some((f) => f.properties.id === state.selectedGridId)) {
      state.selectedGridId = null;
      info.hide();
    }
    render();
  };

  refreshFacilities(); // also renders
  // /map.html?grid=<id> (the portal's division tree): open that grid's card and frame it.
  const asked = Number(new URLSearchParams(location.search).get('grid'));
  // In a district too large for the page, the grid may not be loaded yet: ask for it alone.
  const askedGrid = !asked ? undefined : grids.features.find((f) => f.properties.id === asked)
    ?? (gridView.whole ? undefined : await api.grid(asked).catch(() => undefined));
  if (askedGrid) {
    state.selectedGridId = askedGrid.properties.id;
    info.showGrid(askedGrid.properties);
    const p = labelPoint(askedGrid.geometry);
    if (p) view.flyTo({ center: p, zoom: 16 });
    render();
  }
  if (!showCases) {
    // No socket either: the server admits to it only principals that may read cases.
    performance.mark('gc:layers-set');
    await view.rendered();
    hooks.gridCount = grids.features.length;
    markReady(hooks);
    return;
  }
  void caseTotal.load();
  const live = startLiveIncidents({ api, store, divisions: [district.code], onStatus: (s) => header.setLive(s) });
  live.initial.catch((e) => console.warn('[gc] incidents load failed', e));
  // A grid layout was published (grid editor): reload the grids, their labels and the summary.
  live.socket.on('grids:changed', () => {
    gridView.reload();
  });

  // ---- ready: the map has drawn the grid polygons ----
  performance.mark('gc:layers-set');
  await view.rendered();
  performance.mark('gc:rendered');
  hooks.gridCount = grids.features.length;
  markReady(hooks);
}

main().catch(async (e) => {
  if (await handleAuthError(e)) return;
  console.error(e);
  showError(e instanceof ApiError ? `数据加载失败：${e.message}` : `页面初始化失败：${(e as Error).message}`);
});

