// 15分钟生活圈 (/coverage): the planner's checklist of communities × the 16 service classes beside a
// map. A cell drills to the map: buildings coloured by walking minutes to the nearest facility of
// the class, gap polygons, the class's facilities, the community outlined. Tools: an isochrone from
// any point (5/10/15 min), what-if (add / drag / remove facilities → figures and colours update
// from POST /api/coverage/what-if, nothing saved), scenarios (save, compare), suggested sites, exports.
import '../../styles/app.css';
import './coverage.css';
import type { FeatureCollection, MultiLineString, MultiPolygon, Polygon } from 'geojson';
import {
  DEFAULT_BANDS,
  GAPS_METHOD,
  SUGGEST_METHOD,
  WALK_LIMITS,
  type BuildingCoverageProps,
  type CoverageArea,
  type CoverageBuildings,
  type CoverageCell,
  type CoverageClass,
  type CoverageGaps,
  type CoverageSummary,
  type GapProps,
  type Isochrone,
  type IsochroneBandProps,
  type Scenario,
  type SuggestResult,
  type WalkLimit,
  type WhatIfResult,
} from '../../../../core/coverage/contract.js';
import { can, type Role } from '../../../../core/permissions.js';
import { OSM_ATTRIBUTION } from '../../../../core/types.js';
import { api, ApiError, emptyFc, ownRequestHeaders, type DivisionCollection, type DivisionFeatureProps } from '../../api/http.js';
import { geometryBBox, labelPoint } from '../../map/geo.js';
import { hitProps, type BBox, type LabelDatum, type LayerSpec, type MapClickEvent, type PointDatum, type RGBA } from '../../map/map-view.js';
import { MaplibreView } from '../../map/maplibre/maplibre-view.js';
import { handleAuthError } from '../../shell/auth.js';
import { $, fmtInt, h, showError } from '../../shell/dom.js';
import { errorMessage } from '../../shell/errors.js';
import { flash, mountHeader } from '../../shell/header.js';
import { initHooks, markReady, type GcHooks } from '../../shell/hooks.js';
import { coverageApi, exportUrls, type LimitChoice } from './api.js';
import { renderMatrix, whatIfShare } from './matrix.js';
import {
  classLimit, deltaPoints, fmtDelta, fmtMinutes, hexRgba, minuteBin, minuteBins, pct, SHARE_CLASSES, shareColor, sortAreas,
  uncoveredHouseholds, WhatIfChanges, type FacilityBase, type MinuteBin, type SortKey, type WhatIfFacility,
} from './model.js';
import { openCompareDialog, openSaveDialog } from './scenarios.js';

type Tool = 'select' | 'isochrone' | 'add';

/** Test hooks (docs/TESTING.md): the shared ones plus what the coverage test reads. */
interface CoverageHooks extends GcHooks {
  /** The map is flying or being panned (tests wait for it to settle before clicking). */
  mapMoving?: () => boolean;
  coverage: {
    community: string | null;
    cls: string | null;
    gapCount: number | null;
    buildings: number;
    share: number | null;
    shareAfter: number | null;
    pending: number;
    whatIfBusy: boolean;
    isochroneBands: number;
  };
}

const hooks = initHooks('coverage') as CoverageHooks;
hooks.coverage = { community: null, cls: null, gapCount: null, buildings: 0, share: null, shareAfter: null, pending: 0, whatIfBusy: false, isochroneBands: 0 };
const header = mountHeader('coverage');

const ERRORS: Record<string, string> = {
  unreachable: '此处 300 米内没有可步行的道路，无法计算等时圈',
  unknown_service_class: '服务类别不存在',
  forbidden: '当前账号无权使用 15 分钟生活圈分析',
};
const message = (e: unknown) => (e instanceof ApiError && ERRORS[e.code]) || errorMessage(e);

const BAND_COLORS: Record<number, RGBA> = { 5: [34, 211, 238, 120], 10: [59, 130, 246, 92], 15: [139, 92, 246, 70], 20: [236, 72, 153, 60] };
const bandColor = (m: number): RGBA => BAND_COLORS[m] ?? [148, 163, 184, 60];
const GAP_FILL: RGBA = [255, 45, 85, 80];
const GAP_LINE: RGBA = [255, 77, 106, 255];
const SUGGEST_COLOR: RGBA = [251, 191, 36, 255];

/** Screen space of the map kept free of the floating panels (toolbar, side panel, legend). */
function mapPadding(): { top: number; bottom: number; left: number; right: number } {
  const wrap = document.getElementById('mapwrap');
  const side = document.getElementById('side');
  const w = wrap?.clientWidth ?? window.innerWidth;
  const sideW = side && side.childElementCount > 0 ? side.getBoundingClientRect().width + 70 : 60;
  const right = Math.min(sideW, Math.max(40, w - 240));
  return { top: 64, bottom: 40, left: 40, right };
}

function readUrl(): { limit: LimitChoice; cls: string | null; community: string | null } {
  const q = new URLSearchParams(location.search);
  const l = Number(q.get('limit'));
  const limit = (WALK_LIMITS as readonly number[]).includes(l) ? (l as WalkLimit) : null;
  const code = (v: string | null) => (v && /^[A-Za-z0-9_-]{1,64}$/.test(v) ? v : null);
  return { limit, cls: code(q.get('class')), community: code(q.get('community')) };
}

async function main() {
  const district = await api.district();
  header.setDistrict(district);
  const account = await header.account;
  const role = (account?.role ?? null) as Role | null;
  if (role && !can(role, 'read', 'coverage')) {
    showError('当前角色无权使用 15 分钟生活圈分析（需要 规划员、区领导、分析员 或 街道/社区 账号）。');
    return;
  }
  const canSave = role === null || can(role, 'create', 'coverage');

  const layout = $('#layout');
  const mapwrap = $('#mapwrap');
  const view = new MaplibreView({
    container: $('#map'),
    bbox: district.bbox,
    tilesUrl: '/tiles/base/{z}/{x}/{y}.pbf',
    attribution: district.attribution || OSM_ATTRIBUTION,
    rasterUrl: district.basemapUrl ?? null,
    padding: mapPadding(),
    requestHeaders: ownRequestHeaders,
  });

  if (new URLSearchParams(location.search).has('debug')) Object.assign(window, { __gcView: view });
  const url = readUrl();
  const [communities, districtFc] = await Promise.all([
    api.divisionsGeojson('community').catch(() => emptyFc<Polygon | MultiPolygon, DivisionFeatureProps>() as DivisionCollection),
    api.divisionsGeojson('district').catch(() => emptyFc<Polygon | MultiPolygon, DivisionFeatureProps>() as DivisionCollection),
  ]);
  const communityBBox = new Map<string, BBox>(communities.features.map((f) => [f.properties.code, geometryBBox(f.geometry)]));
  const communityLabels: LabelDatum[] = communities.features.flatMap((f) => {
    const p = labelPoint(f.geometry);
    return p ? [{ position: p, text: f.properties.name }] : [];
  });

  // ---------------------------------------------------------------------------------------------
  // State

  const changes = new WhatIfChanges();
  const state = {
    limit: url.limit as LimitChoice,
    summary: null as CoverageSummary | null,
    sort: { by: 'score' } as SortKey,
    desc: false,
    community: null as string | null,
    cls: null as string | null,
    tool: 'select' as Tool,
    buildings: null as CoverageBuildings | null,
    gaps: null as CoverageGaps | null,
    facilities: [] as FacilityBase[],
    whatIf: null as WhatIfResult | null,
    whatIfBusy: false,
    whatIfError: null as string | null,
    iso: null as { fc: Isochrone; title: string; polygons: FeatureCollection<MultiPolygon, IsochroneBandProps> } | null,
    /** The isochrone's origin being dragged: the reached streets follow it (shape=lines). */
    isoDrag: null as { at: [number, number]; bands: number[]; lines: FeatureCollection<MultiLineString, IsochroneBandProps> | null } | null,
    isoError: null as string | null,
    suggest: null as SuggestResult | null,
    suggestBusy: false,
    focusFacility: null as number | null,
    loadError: null as string | null,
  };
  /** Walking minutes after the what-if, by building id (only buildings whose minutes changed). */
  let overrides = new Map<number, number | null>();

  const classOf = (code: string | null): CoverageClass | undefined => state.summary?.classes.find((c) => c.code === code);
  const classMap = () => new Map((state.summary?.classes ?? []).map((c) => [c.code, c]));
  const limitOf = (c: CoverageClass | undefined) => (c ? c.limitMinutes ?? classLimit(c.walkMinutes, state.limit) : state.limit ?? 15);
  const areaOf = (code: string | null): CoverageArea | undefined =>
    code === null ? state.summary?.district : state.summary?.communities.find((a) => a.code === code);

  function syncUrl() {
    const q = new URLSearchParams();
    if (state.limit) q.set('limit', String(state.limit));
    if (state.cls) q.set('class', state.cls);
    if (state.community) q.set('community', state.community);
    const s = q.toString();
    history.replaceState(history.state, '', `${location.pathname}${s ? `?${s}` : ''}`);
  }

  // ---------------------------------------------------------------------------------------------
  // Data (cached per class and limit; a newer request wins)

  const buildingCache = new Map<string, Promise<CoverageBuildings>>();
  const gapCache = new Map<string, Promise<CoverageGaps>>();
  const facilityCache = new Map<string, Promise<FacilityBase[]>>();
  const key = (...p: (string | number | null)[]) => p.map((x) => x ?? '').join('|');

  const loadBuildings = (cls: string) => {
    const k = key(cls, state.limit);
    let p = buildingCache.get(k);
    if (!p) {
      p = coverageApi.buildings({ class: cls, limit: state.limit });
      p.catch(() => buildingCache.delete(k));
      buildingCache.set(k, p);
    }
    return p;
  };
  const loadGaps = (cls: string, community: string | null) => {
    const k = key(cls, state.limit, community);
    let p = gapCache.get(k);
    if (!p) {
      p = coverageApi.gaps({ class: cls, limit: state.limit, community });
      p.catch(() => gapCache.delete(k));
      gapCache.set(k, p);
    }
    return p;
  };
  const loadFacilities = (cls: string) => {
    let p = facilityCache.get(cls);
    if (!p) {
      p = api.facilities(district.bbox, cls).then((fc) =>
        fc.features
          .filter((f) => f.properties.serviceClass === cls)
          .map((f) => ({ id: f.properties.id, name: f.properties.name, lon: f.geometry.coordinates[0]!, lat: f.geometry.coordinates[1]! })),
      );
      p.catch(() => facilityCache.delete(cls));
      facilityCache.set(cls, p);
    }
    return p;
  };

  let summarySeq = 0;
  async function loadSummary() {
    const seq = ++summarySeq;
    const s = await coverageApi.summary(state.limit);
    if (seq !== summarySeq) return;
    state.summary = s;
    state.loadError = null;
  }

  let selectSeq = 0;
  /** Select a cell (class and community), a community row (class kept), or nothing (overview). */
  async function select(community: string | null, cls: string | null, opts: { fly?: boolean } = {}) {
    const seq = ++selectSeq;
    const classChanged = cls !== state.cls;
    state.community = community;
    state.cls = cls;
    state.focusFacility = null;
    if (classChanged) {
      state.suggest = null;
      state.whatIf = null;
      overrides = new Map();
      state.buildings = null;
      state.facilities = [];
      if (state.tool === 'add' && !cls) setTool('select');
    }
    state.gaps = null;
    syncUrl();
    if (opts.fly !== false) flyToSelection();
    renderAll();
    if (!cls) return;
    try {
      const [b, g, f] = await Promise.all([loadBuildings(cls), loadGaps(cls, community), loadFacilities(cls)]);
      if (seq !== selectSeq) return;
      state.buildings = b;
      state.gaps = g;
      state.facilities = f;
      state.loadError = null;
    } catch (e) {
      if (seq !== selectSeq) return;
      state.loadError = message(e);
    }
    refreshBuildingStyle();
    renderAll();
    if (classChanged && changes.count(cls) > 0) scheduleWhatIf(0);
  }

  /** Fit the selection into the part of the map that no panel covers. */
  function flyToSelection() {
    const b = state.community ? communityBBox.get(state.community) : null;
    view.flyTo({ bbox: b ?? district.bbox, padding: mapPadding() });
  }

  // ---------------------------------------------------------------------------------------------
  // What-if

  let whatIfSeq = 0;
  let whatIfTimer: ReturnType<typeof setTimeout> | null = null;
  function scheduleWhatIf(delay = 120) {
    if (whatIfTimer) clearTimeout(whatIfTimer);
    whatIfTimer = setTimeout(() => void runWhatIf(), delay);
  }
  async function runWhatIf() {
    whatIfTimer = null;
    const cls = state.cls;
    if (!cls) return;
    const seq = ++whatIfSeq;
    if (changes.count(cls) === 0) {
      state.whatIf = null;
      state.whatIfError = null;
      overrides = new Map();
      state.whatIfBusy = false;
      refreshBuildingStyle();
      renderAll();
      return;
    }
    state.whatIfBusy = true;
    renderSide();
    try {
      const r = await coverageApi.whatIf(changes.changes(cls), state.limit);
      if (seq !== whatIfSeq || cls !== state.cls) return;
      state.whatIf = r;
      state.whatIfError = null;
      overrides = new Map(r.changed.map((c) => [c.buildingId, c.after]));
    } catch (e) {
      if (seq !== whatIfSeq) return;
      state.whatIfError = message(e);
    } finally {
      if (seq === whatIfSeq) state.whatIfBusy = false;
    }
    refreshBuildingStyle();
    renderAll();
  }

  function addFacility(lon: number, lat: number, name: string | null = null) {
    if (!state.cls) return;
    changes.add(state.cls, lon, lat, name);
    renderMapLayers();
    scheduleWhatIf(0);
  }

  // ---------------------------------------------------------------------------------------------
  // Isochrones

  let isoSeq = 0;
  /** `keep`: the current isochrone stays drawn until the new one arrives (after a drag). */
  async function showIsochrone(load: () => Promise<Isochrone>, title: string, keep = false) {
    const seq = ++isoSeq;
    state.isoError = null;
    if (!keep) {
      state.iso = null;
      renderSide();
    }
    try {
      const fc = await load();
      if (seq !== isoSeq) return;
      // Widest band first, so the nearer bands are drawn over it.
      const sorted = [...fc.features].sort((a, b) => b.properties.minutes - a.properties.minutes);
      state.iso = { fc, title, polygons: { type: 'FeatureCollection', features: sorted } };
    } catch (e) {
      if (seq !== isoSeq) return;
      state.iso = null;
      state.isoError = message(e);
    }
    state.isoDrag = null;
    renderAll();
  }
  function clearIsochrone() {
    isoSeq++;
    state.iso = null;
    state.isoDrag = null;
    state.isoError = null;
    renderAll();
  }

  /** While the origin is dragged: one request for reached street pieces at a time, the latest position wins. */
  let isoLinesBusy = false;
  let isoLinesAgain = false;
  async function followIsoDrag() {
    if (isoLinesBusy) {
      isoLinesAgain = true;
      return;
    }
    const d = state.isoDrag;
    if (!d) return;
    isoLinesBusy = true;
    try {
      const r = await coverageApi.isochroneLines(d.at[0], d.at[1], d.bands);
      if (state.isoDrag === d) {
        d.lines = { type: 'FeatureCollection', features: [...r.features].sort((a, b) => b.properties.minutes - a.properties.minutes) };
        renderMapLayers();
      }
    } catch {
      if (state.isoDrag === d) {
        d.lines = null; // off the network here: nothing reached
        renderMapLayers();
      }
    } finally {
      isoLinesBusy = false;
    }
    if (isoLinesAgain) {
      isoLinesAgain = false;
      void followIsoDrag();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Suggested sites

  async function runSuggest(k: number, community: string | null) {
    const cls = state.cls;
    if (!cls) return;
    state.suggestBusy = true;
    renderSide();
    try {
      const r = await coverageApi.suggest({ class: cls, k, community, limit: state.limit });
      if (cls === state.cls) state.suggest = r;
    } catch (e) {
      flash(message(e));
    } finally {
      state.suggestBusy = false;
    }
    renderAll();
  }

  // ---------------------------------------------------------------------------------------------
  // Map layers

  let bins: MinuteBin[] = minuteBins(15);
  let buildingFill: (p: BuildingCoverageProps) => RGBA = () => [0, 0, 0, 0];
  let buildingLine: (p: BuildingCoverageProps) => RGBA = () => [0, 0, 0, 0];
  const minutesOf = (p: BuildingCoverageProps) => (overrides.has(p.id) ? overrides.get(p.id)! : p.minutes);
  /** New accessors (so the engine recolours) whenever the colours' inputs change. */
  function refreshBuildingStyle() {
    bins = minuteBins(limitOf(classOf(state.cls)));
    const sel = state.community;
    const colors = new Map(bins.map((b) => [b, hexRgba(b.color, 235)]));
    const dim = new Map(bins.map((b) => [b, hexRgba(b.color, 90)]));
    buildingFill = (p) => {
      const bin = minuteBin(minutesOf(p), bins);
      return (sel && p.communityCode !== sel ? dim : colors).get(bin)!;
    };
    buildingLine = (p) => (overrides.has(p.id) ? [255, 255, 255, 255] : [8, 14, 26, 160]);
  }

  const communityFillOverview = (p: DivisionFeatureProps): RGBA => {
    const a = state.summary?.communities.find((c) => c.code === p.code);
    return hexRgba(shareColor(a?.score ?? null), 120);
  };
  const NO_FILL: RGBA = [0, 0, 0, 0];
  let communityFill: (p: DivisionFeatureProps) => RGBA = communityFillOverview;
  let communityFillKey = '';
  function communityStyle() {
    // Overview: communities by score. A class without a building layer yet: by the class's share.
    const k = `${state.cls ?? ''}|${state.buildings ? 1 : 0}|${state.summary?.computedAt ?? ''}|${state.limit}`;
    if (k !== communityFillKey) {
      communityFillKey = k;
      if (!state.cls) communityFill = communityFillOverview;
      else if (!state.buildings) {
        const cls = state.cls;
        communityFill = (p) => hexRgba(shareColor(state.summary?.communities.find((c) => c.code === p.code)?.cells[cls]?.householdsShare ?? null), 110);
      } else communityFill = () => NO_FILL;
    }
    return communityFill;
  }

  function facilityData(): (PointDatum<WhatIfFacility> & { properties: WhatIfFacility })[] {
    if (!state.cls) return [];
    return changes.facilities(state.cls, state.facilities).map((f) => ({ id: f.id, position: [f.lon, f.lat], properties: f }));
  }
  const unreachableFacilityIds = () => new Set((state.summary?.graph.unreachableFacilities ?? []).map((f) => f.id));
  const unreachableAdded = () => {
    const out = new Set<number>();
    if (!state.whatIf || !state.cls) return out;
    for (const u of state.whatIf.unreachable) {
      if (u.kind === 'add') {
        const id = changes.addedIdAt(state.cls, u.index);
        if (id !== null) out.add(id);
      } else if (u.id !== undefined) out.add(u.id);
    }
    return out;
  };

  const isoFill = (p: IsochroneBandProps) => bandColor(p.minutes);
  const isoLine = (p: IsochroneBandProps): RGBA => [...bandColor(p.minutes).slice(0, 3), 255] as RGBA;
  const isoWidth = (p: IsochroneBandProps) => (p.minutes <= 5 ? 4 : p.minutes <= 10 ? 3 : 2);

  function specs(): LayerSpec[] {
    const cls = classOf(state.cls);
    const color = cls ? hexRgba(cls.color) : ([148, 163, 184, 255] as RGBA);
    const facilities = facilityData();
    const badIds = new Set([...unreachableFacilityIds(), ...unreachableAdded()]);
    const moved = facilities.filter((f) => f.properties.state === 'moved' && f.properties.from);
    const out: LayerSpec[] = [
      {
        kind: 'polygons',
        id: 'communities',
        data: communities,
        pickable: !state.cls,
        fillColor: communityStyle(),
        lineColor: [125, 211, 252, 200],
        lineWidth: 1.4,
        dashed: true,
        idOf: (p: DivisionFeatureProps) => p.code,
        highlightId: state.community,
        highlightColor: [255, 255, 255, 255],
      },
      {
        kind: 'polygons',
        id: 'district',
        data: districtFc,
        fillColor: NO_FILL,
        lineColor: [215, 38, 61, 230],
        lineWidth: 2.5,
      },
    ];
    if (state.cls && state.buildings) {
      out.push({
        kind: 'polygons',
        id: 'buildings',
        data: state.buildings,
        pickable: true,
        fillColor: buildingFill,
        lineColor: buildingLine,
        lineWidth: 0.6,
        idOf: (p: BuildingCoverageProps) => p.id,
      });
    }
    if (state.cls && state.gaps) {
      out.push({
        kind: 'polygons',
        id: 'gaps',
        data: state.gaps,
        pickable: true,
        fillColor: state.whatIf ? [255, 45, 85, 28] : GAP_FILL,
        lineColor: GAP_LINE,
        lineWidth: 2,
        dashed: !!state.whatIf,
      });
    }
    if (state.iso && !state.isoDrag) {
      out.push({ kind: 'polygons', id: 'isochrone', data: state.iso.polygons, fillColor: isoFill, lineColor: isoLine, lineWidth: 1.5 });
    }
    if (state.isoDrag?.lines) {
      out.push({ kind: 'lines', id: 'isochrone-lines', data: state.isoDrag.lines, color: isoLine, width: isoWidth });
    }
    if (state.iso) {
      const at = state.isoDrag?.at ?? [state.iso.fc.origin.lon, state.iso.fc.origin.lat];
      out.push({
        kind: 'points',
        id: 'iso-origin',
        data: [{ id: 'origin', position: at, properties: {} }],
        pickable: true,
        draggable: true,
        color: [255, 255, 255, 255],
        radius: 7,
        strokeColor: [34, 211, 238, 255],
        strokeWidth: 3,
      });
    }
    if (moved.length) {
      out.push({
        kind: 'lines',
        id: 'moves',
        data: {
          type: 'FeatureCollection',
          features: moved.map((f) => ({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: [f.properties.from!, f.position] } })),
        },
        color: [255, 255, 255, 170],
        width: 1.5,
      });
      out.push({
        kind: 'points',
        id: 'moved-from',
        data: moved.map((f) => ({ id: f.id, position: f.properties.from!, properties: {} })),
        color: [148, 163, 184, 120],
        radius: 4,
        strokeColor: [255, 255, 255, 140],
        strokeWidth: 1,
      });
    }
    if (state.cls) {
      out.push({
        kind: 'points',
        id: 'facilities',
        data: facilities,
        pickable: true,
        draggable: true,
        color: (d: PointDatum<WhatIfFacility>) =>
          d.properties.state === 'removed' ? [100, 116, 139, 150] : d.properties.state === 'added' ? [255, 255, 255, 255] : color,
        radius: (d: PointDatum<WhatIfFacility>) => (d.properties.state === 'removed' ? 4 : d.properties.state === 'existing' ? 6 : 7.5),
        strokeColor: [8, 14, 26, 255],
        strokeWidth: 2,
      });
      const bad = facilities.filter((f) => badIds.has(Number(f.id)));
      if (bad.length) {
        out.push({
          kind: 'points',
          id: 'facilities-bad',
          data: bad.map((f) => ({ ...f, id: `bad-${f.id}` })),
          color: [245, 158, 11, 60],
          radius: 11,
          strokeColor: [245, 158, 11, 255],
          strokeWidth: 2,
        });
      }
      if (state.suggest?.sites.length) {
        out.push({
          kind: 'points',
          id: 'suggest',
          data: state.suggest.sites.map((s, i) => ({ id: `s${i}`, position: [s.lon, s.lat], properties: { ...s, rank: i + 1 } })),
          pickable: true,
          color: SUGGEST_COLOR,
          radius: 9,
          strokeColor: [28, 25, 23, 255],
          strokeWidth: 2,
        });
        out.push({
          kind: 'labels',
          id: 'suggest-labels',
          data: state.suggest.sites.map((s, i) => ({ position: [s.lon, s.lat], text: String(i + 1) })),
          size: 12,
          color: [28, 25, 23, 255],
          haloColor: [251, 191, 36, 255],
        });
      }
    }
    out.push({ kind: 'labels', id: 'community-labels', data: communityLabels, size: 13, color: [186, 230, 253, 255], maxZoom: 16.2 });
    return out;
  }

  function renderMapLayers() {
    view.setLayers(specs());
    renderMapLegend();
  }

  // ---------------------------------------------------------------------------------------------
  // Checklist (matrix, KPIs, limit, exports, unreachable)

  const limitSeg = $('#limit-seg');
  function renderLimit() {
    const choices: { v: LimitChoice; label: string; title: string }[] = [
      { v: null, label: '按标准', title: '每类按其标准步行时间（5/10/15 分钟，见列头）' },
      ...WALK_LIMITS.map((m) => ({ v: m as LimitChoice, label: `${m}`, title: `所有类别统一按步行 ${m} 分钟` })),
    ];
    limitSeg.replaceChildren(
      h('span', { class: 'cv-seg-label' }, '步行阈值'),
      ...choices.map((c) => {
        const b = h('button', { type: 'button', role: 'radio', 'aria-checked': String(state.limit === c.v), title: c.title, 'data-limit': c.v ?? 'standard' }, c.label);
        b.addEventListener('click', () => void setLimit(c.v));
        return b;
      }),
      h('span', { class: 'cv-seg-label', style: 'border-right:0' }, '分钟'),
    );
  }

  async function setLimit(l: LimitChoice) {
    if (l === state.limit) return;
    state.limit = l;
    renderLimit();
    syncUrl();
    try {
      await loadSummary();
    } catch (e) {
      showError(`覆盖数据加载失败：${message(e)}`);
      return;
    }
    state.suggest = null;
    await select(state.community, state.cls, { fly: false });
    if (state.cls && changes.count(state.cls) > 0) scheduleWhatIf(0);
  }

  function renderExports() {
    const cls = state.cls;
    const links: HTMLElement[] = [
      h('span', {}, '导出'),
      h('a', { href: exportUrls.csv(state.limit), download: 'coverage-matrix.csv', title: '社区 × 类别覆盖率（CSV）', 'data-export': 'csv' }, '清单 CSV'),
    ];
    if (cls) {
      links.push(
        h('a', { href: exportUrls.gaps(cls, state.limit, state.community), download: `coverage-gaps-${cls}.geojson`, title: `${classOf(cls)?.name ?? cls} 未覆盖区域（GeoJSON）`, 'data-export': 'gaps' }, '缺口 GeoJSON'),
        h('a', { href: exportUrls.isochrones(cls, state.limit), download: `isochrones-${cls}.geojson`, title: `${classOf(cls)?.name ?? cls} 各设施等时圈（GeoJSON）`, 'data-export': 'isochrones' }, '等时圈 GeoJSON'),
      );
    } else links.push(h('span', { title: '先在清单中选择一个类别' }, '· 选择类别后可导出缺口与等时圈'));
    $('#exports').replaceChildren(...links);
  }

  function renderKpis() {
    const s = state.summary;
    if (!s) return;
    const d = s.district;
    const cells = Object.values(d.cells);
    const hh = d.households;
    const lackingCells = s.communities.reduce((n, c) => n + c.lacks.length, 0);
    const full = s.classes.filter((c) => (d.cells[c.code]?.householdsShare ?? 0) >= 0.95).length;
    const minCls = s.classes.reduce<CoverageClass | null>((m, c) => (!m || (d.cells[c.code]?.householdsShare ?? 0) < (d.cells[m.code]?.householdsShare ?? 0) ? c : m), null);
    void cells;
    $('#kpis').replaceChildren(
      h('div', { class: 'cv-kpi', title: '16 类住户覆盖率的平均值' }, h('b', { 'data-kpi': 'score' }, pct(d.score)), h('span', { title: d.name }, '全辖区生活圈得分')),
      h('div', { class: 'cv-kpi', title: '住户数为合成估算' }, h('b', {}, fmtInt(hh)), h('span', {}, '住户（合成）')),
      h('div', { class: 'cv-kpi' }, h('b', {}, `${full}/${s.classes.length}`), h('span', {}, '类覆盖 ≥ 95%')),
      h('div', { class: `cv-kpi ${lackingCells ? 'bad' : ''}`, title: '社区 × 类别中无一户可达的格数' }, h('b', {}, fmtInt(lackingCells)), h('span', {}, '缺失（社区×类）')),
      h(
        'div',
        { class: 'cv-kpi', title: minCls ? `${minCls.name}：${pct(d.cells[minCls.code]?.householdsShare)}` : '' },
        h('b', {}, minCls ? pct(d.cells[minCls.code]?.householdsShare) : '—'),
        h('span', {}, `最弱：${minCls ? minCls.name.replace(/（.*）/, '') : '—'}`),
      ),
    );
    const recompute = canSave
      ? h('button', { type: 'button', class: 'gc-link-btn', title: '道路、建筑或设施导入后，重建步行路网并重算全部类别', 'data-action': 'recompute' }, '重新计算')
      : null;
    recompute?.addEventListener('click', async () => {
      recompute.disabled = true;
      recompute.textContent = '计算中…';
      try {
        const r = await coverageApi.recompute();
        buildingCache.clear();
        gapCache.clear();
        facilityCache.clear();
        await loadSummary();
        flash(`已重新计算：路网 ${fmtInt(r.graph.edges)} 段，${r.classes} 类，用时 ${fmtInt(r.ms)} 毫秒`);
        await select(state.community, state.cls, { fly: false });
        if (state.cls && changes.count(state.cls) > 0) scheduleWhatIf(0);
      } catch (e) {
        flash(message(e));
        renderKpis();
      }
    });
    $('#cv-sub').replaceChildren(
      `社区 × ${s.classes.length} 类服务 · 步行速度 ${s.speedMps} 米/秒（${Math.round(s.speedMps * 60 * 15)} 米/15 分钟）· 路网 ${fmtInt(s.graph.edges)} 段 · 计算于 ${new Date(s.computedAt).toLocaleString('zh-CN', { hour12: false })} `,
      recompute ?? '',
    );
  }

  function renderUnreachable() {
    const el = $('#unreachable');
    const g = state.summary?.graph;
    const nb = g?.unreachableBuildings.length ?? 0;
    const nf = g?.unreachableFacilities.length ?? 0;
    el.hidden = !g || nb + nf === 0;
    if (!g || el.hidden) return;
    const classes = classMap();
    el.replaceChildren(
      h(
        'details',
        {},
        h(
          'summary',
          { 'data-unreachable': `${nb},${nf}` },
          `不可达：${nb} 栋住宅、${nf} 处设施距可步行道路超过 300 米，未计入覆盖（已单列，未丢弃）`,
        ),
        h(
          'ul',
          {},
          ...g.unreachableBuildings.map((b) => h('li', {}, `住宅 ${b.name ?? `#${b.id}`} · ${fmtInt(b.households)} 户（合成）`)),
          ...g.unreachableFacilities.map((f) => h('li', {}, `设施 ${f.name ?? `#${f.id}`} · ${classes.get(f.class)?.name ?? f.class}`)),
        ),
      ),
    );
  }

  function renderShareLegend() {
    $('#share-legend').replaceChildren(
      h('span', {}, '住户覆盖率：'),
      ...SHARE_CLASSES.map((c, i) => h('span', {}, h('span', { class: `sw ${i === 0 ? 'lack' : ''}`, style: `background:${c.color}` }), c.label)),
      h('span', {}, h('span', { class: 'sw', style: 'background:#3a4457' }), '无住户'),
      h('span', {}, '· 斜纹 = 情景模拟后'),
    );
  }

  function renderChecklist() {
    const s = state.summary;
    if (!s) return;
    const rows = sortAreas(s.communities, state.sort, state.desc);
    renderMatrix($('#matrix') as HTMLTableElement, {
      summary: s,
      rows,
      sort: state.sort,
      descending: state.desc,
      selected: { community: state.community, cls: state.cls },
      whatIf: state.whatIf,
      onCell: (community, cls) => void select(community, cls),
      onRow: (community) => void select(community, state.cls),
      onSort: (k) => {
        const same = JSON.stringify(k) === JSON.stringify(state.sort);
        state.desc = same ? !state.desc : false;
        state.sort = k;
        renderChecklist();
      },
    });
    renderKpis();
    renderUnreachable();
    renderExports();
  }

  // ---------------------------------------------------------------------------------------------
  // Toolbar, hint, legend, tooltip

  const toolbar = $('#toolbar');
  function setTool(t: Tool) {
    state.tool = t;
    view.setCursor(t === 'select' ? null : 'crosshair');
    renderToolbar();
  }
  function renderToolbar() {
    const cls = classOf(state.cls);
    const btn = (t: Tool, label: string, title: string, disabled = false) => {
      const b = h('button', { type: 'button', 'aria-pressed': String(state.tool === t), title, disabled, 'data-tool': t }, label);
      b.addEventListener('click', () => setTool(state.tool === t ? 'select' : t));
      return b;
    };
    const overview = h('button', { type: 'button', title: '回到全区总览（清除选择）', 'data-tool': 'overview' }, '总览');
    overview.addEventListener('click', () => {
      setTool('select');
      void select(null, null);
    });
    toolbar.replaceChildren(
      btn('select', '选择', '点击设施查看等时圈；拖动设施模拟迁移'),
      btn('isochrone', '等时圈', '在地图任意位置点击，生成 5/10/15 分钟步行等时圈'),
      btn('add', '添加设施', cls ? `点击地图新增一处「${cls.name}」（情景模拟，不保存）` : '先在清单中选择一个类别', !cls),
      h('span', { class: 'sep' }),
      overview,
    );
    const hint = $('#hint');
    const text =
      state.tool === 'isochrone'
        ? '在地图任意位置点击：沿可步行路网生成 5 / 10 / 15 分钟等时圈'
        : state.tool === 'add' && cls
          ? `点击地图新增一处「${cls.name}」· 拖动设施可迁移 · 按 Esc 结束`
          : '';
    hint.textContent = text;
    hint.hidden = !text;
  }

  function renderMapLegend() {
    const el = $('#map-legend');
    const cls = classOf(state.cls);
    const parts: (HTMLElement | null)[] = [];
    if (!cls) {
      parts.push(
        h('h4', {}, '社区生活圈得分'),
        ...SHARE_CLASSES.map((c) => h('div', { class: 'row' }, h('span', { class: 'sw', style: `background:${c.color}` }), c.label)),
        h('div', { class: 'note' }, '16 类住户覆盖率的平均值 · 点击社区或清单单元格查看'),
      );
    } else if (!state.buildings) {
      parts.push(h('h4', {}, `${cls.name} · 社区覆盖率`), ...SHARE_CLASSES.map((c) => h('div', { class: 'row' }, h('span', { class: 'sw', style: `background:${c.color}` }), c.label)));
    } else {
      const limit = limitOf(cls);
      parts.push(h('h4', {}, `步行至最近的${cls.name.replace(/（.*）/, '')}`));
      let limitShown = false;
      for (const b of bins) {
        const first = !b.covered && !limitShown;
        if (first) limitShown = true;
        parts.push(
          h(
            'div',
            { class: `row ${first ? 'limit' : ''}`, title: first ? `阈值 ${limit} 分钟` : '' },
            h('span', { class: 'sw', style: `background:${b.color}` }),
            b.label,
            b.covered ? h('span', { class: 'ok' }, '达标') : null,
          ),
        );
      }
      parts.push(
        h('div', { class: 'row', style: 'margin-top:4px' }, h('span', { class: 'sw', style: 'background:rgba(255,45,85,.35);border:1.5px solid #ff4d6a' }), '未覆盖区域（缺口）'),
        h('div', { class: 'row' }, h('span', { class: 'sw dot', style: `background:${cls.color}` }), '现有设施（可拖动）'),
        changes.count(cls.code) ? h('div', { class: 'row' }, h('span', { class: 'sw dot', style: 'background:#fff' }), '情景新增') : null,
        state.suggest?.sites.length ? h('div', { class: 'row' }, h('span', { class: 'sw dot', style: 'background:#fbbf24' }), '建议选址（编号为顺序）') : null,
        h('div', { class: 'note' }, `住户为合成估算 · 阈值 ${limit} 分钟`),
      );
    }
    if (state.iso) {
      parts.push(
        h('h4', { style: 'margin-top:8px' }, '等时圈'),
        ...state.iso.polygons.features
          .slice()
          .reverse()
          .map((f) => h('div', { class: 'row' }, h('span', { class: 'sw', style: `background:rgba(${bandColor(f.properties.minutes).slice(0, 3).join(',')},.7)` }), `${f.properties.minutes} 分钟内`)),
      );
    }
    el.replaceChildren(...parts.filter((x): x is HTMLElement => !!x));
  }

  const tip = $('#tip');
  function showTip(e: MapClickEvent | null) {
    const top = e?.hits[0];
    if (!e || !top) {
      tip.hidden = true;
      return;
    }
    let body: (HTMLElement | string)[] = [];
    if (top.layerId === 'buildings') {
      const b = hitProps<BuildingCoverageProps>(top);
      const m = minutesOf(b);
      const changed = overrides.has(b.id);
      body = [
        h('b', {}, b.name ?? '住宅楼'),
        h('div', {}, `步行 ${fmtMinutes(m)}${changed ? `（现状 ${fmtMinutes(b.minutes)}）` : ''}`),
        h('div', { class: 'm' }, `${fmtInt(b.households)} 户 · ${fmtInt(b.residents)} 人（合成）${b.reachable ? '' : ' · 不可达：离道路超过 300 米'}`),
      ];
    } else if (top.layerId === 'gaps') {
      const g = hitProps<GapProps>(top);
      body = [h('b', {}, `未覆盖区域 · ${g.communityName}`), h('div', {}, `${fmtInt(g.households)} 户未覆盖（${fmtInt(g.buildings)} 栋）`)];
    } else if (top.layerId === 'facilities') {
      const f = hitProps<WhatIfFacility>(top);
      const st = { existing: '现有设施', added: '情景新增', moved: '情景迁移', removed: '情景撤除' }[f.state];
      body = [h('b', {}, f.name ?? classOf(state.cls)?.name ?? '设施'), h('div', { class: 'm' }, `${st} · 拖动可迁移 · 点击查看`)];
    } else if (top.layerId === 'suggest') {
      const s = hitProps<SuggestResult['sites'][number] & { rank: number }>(top);
      body = [h('b', {}, `建议选址 ${s.rank}：${s.name ?? `建筑 #${s.buildingId}`}`), h('div', {}, `新增覆盖 ${fmtInt(s.newlyCoveredHouseholds)} 户（累计 ${fmtInt(s.cumulative)}）`)];
    } else if (top.layerId === 'communities') {
      const c = hitProps<DivisionFeatureProps>(top);
      const a = areaOf(c.code);
      body = [h('b', {}, c.name), h('div', {}, `生活圈得分 ${pct(a?.score)} · 缺失 ${a?.lacks.length ?? 0} 类`)];
    } else {
      tip.hidden = true;
      return;
    }
    const pt = view.project(e.lngLat);
    tip.replaceChildren(...body);
    tip.style.left = `${pt.x}px`;
    tip.style.top = `${pt.y}px`;
    tip.hidden = false;
  }

  // ---------------------------------------------------------------------------------------------
  // Side panel

  const side = $('#side');
  function section(title: (string | HTMLElement | null)[], ...body: (HTMLElement | string | null | false)[]): HTMLElement {
    return h('section', { class: 'gc-section' }, h('h3', {}, ...title), ...body.filter((x): x is HTMLElement | string => !!x));
  }
  const fig = (label: string, value: HTMLElement | string, cls = '', attrs: Record<string, string> = {}) =>
    h('div', { class: `cv-fig ${cls}`, ...attrs }, typeof value === 'string' ? h('b', {}, value) : value, h('span', {}, label));

  function isoSection(): HTMLElement | null {
    if (!state.iso && !state.isoError) return null;
    const close = h('button', { type: 'button', class: 'cv-close', title: '关闭等时圈' }, '×');
    close.addEventListener('click', clearIsochrone);
    if (state.isoError) return section(['等时圈', close], h('p', { class: 'cv-note warn' }, state.isoError));
    const iso = state.iso!;
    const o = iso.fc.origin;
    return section(
      ['等时圈 · ', iso.title, close],
      h(
        'div',
        { class: 'cv-bands', 'data-isochrone-bands': String(iso.fc.features.length) },
        ...iso.polygons.features
          .slice()
          .reverse()
          .map((f) =>
            h(
              'div',
              { class: 'row' },
              h('span', { class: 'sw', style: `background:rgba(${bandColor(f.properties.minutes).slice(0, 3).join(',')},.8)` }),
              `${f.properties.minutes} 分钟`,
              h('span', { class: 'n' }, `路段 ${fmtInt(f.properties.reachedEdges)} · ${(f.properties.reachedLengthM / 1000).toFixed(1)} 公里`),
            ),
          ),
      ),
      h('p', { class: 'cv-note' }, `起点距最近可步行道路 ${Math.round(o.snapDistanceM)} 米 · 步速 ${iso.fc.speedMps} 米/秒 · 范围为沿路网可达街段两侧缓冲，不含跨河、铁路等阻隔的地块。拖动起点可实时查看可达街道。`),
    );
  }

  function overviewSide(): HTMLElement[] {
    const s = state.summary;
    if (!s) return [];
    // The cells that need attention: most households left uncovered, lacking classes first.
    const todo: { a: CoverageArea; c: CoverageClass; cell: CoverageCell }[] = [];
    for (const a of s.communities) for (const c of s.classes) {
      const cell = a.cells[c.code];
      if (cell && cell.householdsShare !== null && cell.householdsShare < 0.8) todo.push({ a, c, cell });
    }
    todo.sort((x, y) => uncoveredHouseholds(y.cell) - uncoveredHouseholds(x.cell));
    return [
      h(
        'section',
        { class: 'gc-section' },
        h('div', { class: 'cv-sel-title' }, h('h2', {}, `${s.district.name} · 生活圈总览`)),
        h('div', { class: 'cv-sel-sub' }, '地图按社区得分着色；在左侧清单中点击单元格，查看该社区该类服务的可达情况与缺口。'),
        h(
          'div',
          { class: 'cv-figs' },
          fig('生活圈得分', pct(s.district.score), 'big'),
          fig('社区', fmtInt(s.communities.length)),
          fig('缺失（社区×类）', fmtInt(s.communities.reduce((n, c) => n + c.lacks.length, 0)), 'bad'),
        ),
      ),
      section(
        ['最需关注（覆盖率 < 80%，按未覆盖户数）'],
        todo.length
          ? h(
              'ul',
              { class: 'cv-list' },
              ...todo.slice(0, 12).map((t) => {
                const li = h(
                  'li',
                  { style: 'cursor:pointer', title: '点击查看' },
                  h('span', { class: 'sw', style: `width:9px;height:9px;border-radius:50%;background:${t.c.color};flex:none` }),
                  `${t.a.name} · ${t.c.name.replace(/（.*）/, '')}`,
                  h('span', { class: 'n' }, `${pct(t.cell.householdsShare)} · 差 ${fmtInt(uncoveredHouseholds(t.cell))} 户`),
                );
                li.addEventListener('click', () => void select(t.a.code, t.c.code));
                return li;
              }),
            )
          : h('p', { class: 'cv-empty' }, '所有社区各类覆盖率均不低于 80%。'),
      ),
    ];
  }

  function whatIfSection(cls: CoverageClass): HTMLElement {
    const facilities = changes.facilities(cls.code, state.facilities).filter((f) => f.state !== 'existing');
    const bad = new Set([...unreachableAdded()]);
    const tag = { added: ['add', '新增'], moved: ['move', '迁移'], removed: ['remove', '撤除'], existing: ['', ''] } as const;
    const saveBtn = h('button', { type: 'button', class: 'gc-btn small primary', disabled: changes.count() === 0, 'data-action': 'save-scenario' }, '保存情景…');
    saveBtn.hidden = !canSave;
    saveBtn.addEventListener('click', async () => {
      const id = await openSaveDialog(changes.all(), classMap());
      if (id !== null) flash('情景已保存');
    });
    const compareBtn = h('button', { type: 'button', class: 'gc-btn small', 'data-action': 'compare' }, '情景对比…');
    compareBtn.addEventListener('click', () => void openCompareDialog(state.limit, classMap(), loadScenario));
    const clearBtn = h('button', { type: 'button', class: 'gc-btn small ghost', disabled: changes.count(cls.code) === 0 }, '清空本类');
    clearBtn.addEventListener('click', () => {
      changes.clear(cls.code);
      renderMapLayers();
      scheduleWhatIf(0);
    });
    const addBtn = h('button', { type: 'button', class: 'gc-btn small', 'aria-pressed': String(state.tool === 'add') }, state.tool === 'add' ? '结束添加' : '在地图上添加');
    addBtn.addEventListener('click', () => setTool(state.tool === 'add' ? 'select' : 'add'));
    return section(
      ['情景模拟 ', h('span', { class: 'badge' }, '不保存'), state.whatIfBusy ? h('span', { class: 'cv-empty', 'data-whatif-busy': '' }, '计算中…') : null],
      facilities.length
        ? h(
            'ul',
            { class: 'cv-list', 'data-whatif-list': '' },
            ...facilities.map((f) => {
              const undo = h('button', { type: 'button', class: 'gc-link-btn', title: '撤销此项' }, '撤销');
              undo.addEventListener('click', () => {
                changes.revert(cls.code, f.id);
                renderMapLayers();
                scheduleWhatIf(0);
              });
              const [tc, tl] = tag[f.state];
              return h(
                'li',
                {},
                h('span', { class: `tag ${tc}` }, tl),
                f.name ?? (f.id < 0 ? `新增点 ${-f.id}` : `设施 #${f.id}`),
                bad.has(f.id) ? h('span', { class: 'tag bad', title: '300 米内没有可步行道路，不覆盖任何住户' }, '不可达') : null,
                h('span', { class: 'n' }),
                undo,
              );
            }),
          )
        : h('p', { class: 'cv-empty' }, '点「在地图上添加」后点击地图新增设施；拖动设施可迁移；点击设施可撤除。数字与建筑颜色即时更新。'),
      state.whatIfError ? h('p', { class: 'cv-note warn' }, state.whatIfError) : null,
      state.whatIf ? h('p', { class: 'cv-note' }, `设施 ${state.whatIf.facilities.before} → ${state.whatIf.facilities.after} 处 · ${fmtInt(state.whatIf.changed.length)} 栋建筑步行时间改变 · 计算 ${Math.round(state.whatIf.ms)} 毫秒`) : null,
      changes.count() > changes.count(cls.code) ? h('p', { class: 'cv-note' }, `其他类别另有 ${changes.count() - changes.count(cls.code)} 项改动，保存时一并保存。`) : null,
      h('div', { class: 'cv-row' }, addBtn, clearBtn, saveBtn, compareBtn),
    );
  }

  function loadScenario(s: Scenario) {
    changes.clear();
    for (const c of s.changes) {
      for (const a of c.add) changes.add(c.class, a.lon, a.lat, null);
      for (const m of c.move) changes.move(c.class, m.id, m.lon, m.lat);
      for (const r of c.remove) changes.remove(c.class, r);
    }
    flash(`已载入情景「${s.name}」`);
    const first = s.changes[0]?.class ?? state.cls;
    if (first && first !== state.cls) void select(state.community, first);
    else {
      renderMapLayers();
      scheduleWhatIf(0);
    }
  }

  function suggestSection(cls: CoverageClass): HTMLElement {
    const k = h('input', { type: 'number', min: 1, max: 20, value: state.suggest?.sites.length || 3, 'aria-label': '建议数量', 'data-suggest-k': '' });
    const scope = h(
      'select',
      { 'aria-label': '范围', 'data-suggest-scope': '' },
      h('option', { value: '' }, '全区住户'),
      state.community ? h('option', { value: state.community, selected: true }, `仅${areaOf(state.community)?.name ?? '本社区'}`) : null,
    );
    const run = h('button', { type: 'button', class: 'gc-btn small primary', disabled: state.suggestBusy, 'data-action': 'suggest' }, state.suggestBusy ? '计算中…' : '计算选址');
    run.addEventListener('click', () => void runSuggest(Math.max(1, Math.min(20, Math.round(Number(k.value) || 3))), scope.value || null));
    const r = state.suggest;
    const list = r
      ? h(
          'div',
          {},
          r.sites.length
            ? h(
                'ul',
                { class: 'cv-list', 'data-suggest-list': '' },
                ...r.sites.map((s, i) => {
                  const li = h(
                    'li',
                    { style: 'cursor:pointer', title: '定位到此处' },
                    h('span', { class: 'rank' }, String(i + 1)),
                    s.name ?? `建筑 #${s.buildingId}`,
                    h('span', { class: 'n' }, `+${fmtInt(s.newlyCoveredHouseholds)} 户 · 累计 ${fmtInt(s.cumulative)}`),
                  );
                  li.addEventListener('click', () => view.flyTo({ center: [s.lon, s.lat], zoom: 17 }));
                  return li;
                }),
              )
            : h('p', { class: 'cv-empty' }, '没有能新增覆盖住户的候选点。'),
          h('p', { class: 'cv-note' }, `方法：贪心最大覆盖（${r.method === SUGGEST_METHOD ? 'greedy maximal covering' : r.method}），候选 ${fmtInt(r.candidateCount)} 处现有非住宅建筑。覆盖率 ${pct(r.before.householdsShare)} → ${pct(r.after.householdsShare)}。`),
        )
      : null;
    const addAll = h('button', { type: 'button', class: 'gc-btn small', 'data-action': 'suggest-add' }, '全部加入情景模拟');
    addAll.hidden = !r?.sites.length;
    addAll.addEventListener('click', () => {
      if (!r) return;
      for (const [i, s] of r.sites.entries()) changes.add(cls.code, s.lon, s.lat, `建议点 ${i + 1}${s.name ? ` · ${s.name}` : ''}`);
      state.suggest = null;
      renderMapLayers();
      scheduleWhatIf(0);
    });
    return section(['选址建议'], h('div', { class: 'cv-row' }, h('label', {}, '新增', k, '处'), scope, run), list, h('div', { class: 'cv-row' }, addAll));
  }

  function facilitySection(cls: CoverageClass): HTMLElement | null {
    if (state.focusFacility === null) return null;
    const f = changes.facilities(cls.code, state.facilities).find((x) => x.id === state.focusFacility);
    if (!f) return null;
    const close = h('button', { type: 'button', class: 'cv-close', title: '关闭' }, '×');
    close.addEventListener('click', () => {
      state.focusFacility = null;
      renderSide();
    });
    const iso = h('button', { type: 'button', class: 'gc-btn small' }, `${limitOf(cls)} 分钟等时圈`);
    iso.addEventListener('click', () => {
      const limit = limitOf(cls);
      if (f.id > 0 && f.state !== 'moved') void showIsochrone(() => coverageApi.facilityIsochrone(f.id, limit), f.name ?? cls.name);
      else void showIsochrone(() => coverageApi.isochrone(f.lon, f.lat, [limit]), f.name ?? `新增点 ${-f.id}`);
    });
    const remove = h('button', { type: 'button', class: 'gc-btn small danger', 'data-action': 'remove-facility' }, f.state === 'added' ? '删除新增点' : '模拟撤除');
    remove.hidden = f.state === 'removed';
    remove.addEventListener('click', () => {
      changes.remove(cls.code, f.id);
      state.focusFacility = null;
      renderMapLayers();
      scheduleWhatIf(0);
    });
    const revert = h('button', { type: 'button', class: 'gc-btn small ghost' }, '恢复现状');
    revert.hidden = f.state === 'existing' || f.state === 'added';
    revert.addEventListener('click', () => {
      changes.revert(cls.code, f.id);
      renderMapLayers();
      scheduleWhatIf(0);
    });
    const st = { existing: '现有', added: '情景新增', moved: '情景迁移', removed: '情景撤除' }[f.state];
    return section([`设施 · ${st}`, close], h('div', {}, f.name ?? (f.id < 0 ? `新增点 ${-f.id}` : `设施 #${f.id}`)), h('div', { class: 'cv-row' }, iso, remove, revert));
  }

  function classSide(cls: CoverageClass): HTMLElement[] {
    const area = areaOf(state.community);
    const base = area?.cells[cls.code];
    const w = whatIfShare(state.whatIf, cls.code, state.community ?? state.summary?.district.code ?? '', state.community === null);
    const wArea = state.whatIf ? (state.community === null ? state.whatIf.district : state.whatIf.communities.find((c) => c.code === state.community)) : undefined;
    const cell = wArea?.after ?? base;
    const d = w ? deltaPoints(w.before, w.after) : null;
    const shareFig = h(
      'b',
      { 'data-share': String(cell?.householdsShare ?? ''), class: w ? 'after' : '' },
      pct(cell?.householdsShare),
      d !== null && d !== 0 ? h('span', { class: d > 0 ? 'up' : 'down' }, `${fmtDelta(d)} 个百分点`) : null,
    );
    const gaps = state.gaps;
    const gapCount = gaps ? gaps.features.length : null;
    const gapHh = gaps ? gaps.features.reduce((n, f) => n + f.properties.households, 0) : null;
    const facilityCount = changes.facilities(cls.code, state.facilities).filter((f) => f.state !== 'removed').length;
    const limit = limitOf(cls);
    const title = h(
      'section',
      { class: 'gc-section', 'data-selection': `${state.community ?? ''}|${cls.code}` },
      h('div', { class: 'cv-sel-title' }, h('span', { class: 'sw', style: `background:${cls.color}` }), h('h2', {}, `${area?.name ?? ''} · ${cls.name}`)),
      h('div', { class: 'cv-sel-sub' }, `步行 ≤ ${limit} 分钟${state.limit === null ? '（本类标准）' : ''} · 住户为合成估算`),
      state.loadError ? h('p', { class: 'cv-note warn' }, state.loadError) : null,
      h(
        'div',
        { class: 'cv-figs' },
        fig(w ? '住户覆盖率（情景模拟后）' : '住户覆盖率', shareFig, 'big'),
        fig('可达住户', h('b', { 'data-covered': String(cell?.coveredHouseholds ?? '') }, `${fmtInt(cell?.coveredHouseholds)} / ${fmtInt(cell?.households)}`)),
        fig('未覆盖住户', fmtInt(uncoveredHouseholds(cell)), uncoveredHouseholds(cell) > 0 ? 'bad' : ''),
        fig(
          '缺口（未覆盖区域）',
          h('b', { 'data-gap-count': gapCount === null ? '' : String(gapCount) }, gapCount === null ? '…' : `${fmtInt(gapCount)} 处`),
          gapCount ? 'bad' : '',
          { title: `${GAPS_METHOD}${gapHh !== null ? ` · 共 ${fmtInt(gapHh)} 户` : ''}` },
        ),
        fig('本类设施（全区）', `${fmtInt(facilityCount)} 处`),
      ),
      state.whatIf && gapCount ? h('p', { class: 'cv-note' }, '虚线缺口为现状；情景模拟后的可达情况见建筑颜色。') : null,
    );
    const gapList =
      gaps && gaps.features.length
        ? section(
            ['未覆盖区域 ', h('span', { class: 'badge' }, `${fmtInt(gapHh)} 户`)],
            h(
              'ul',
              { class: 'cv-list' },
              ...[...gaps.features]
                .sort((a, b) => b.properties.households - a.properties.households)
                .slice(0, 8)
                .map((f, i) => {
                  const li = h('li', { style: 'cursor:pointer', title: '定位' }, `缺口 ${i + 1} · ${f.properties.communityName}`, h('span', { class: 'n' }, `${fmtInt(f.properties.households)} 户 · ${f.properties.buildings} 栋`));
                  li.addEventListener('click', () => view.flyTo({ bbox: geometryBBox(f.geometry), padding: 80 }));
                  return li;
                }),
            ),
          )
        : null;
    return [title, facilitySection(cls), whatIfSection(cls), suggestSection(cls), gapList].filter((x): x is HTMLElement => !!x);
  }

  function renderSide() {
    const cls = classOf(state.cls);
    const parts = [isoSection(), ...(cls ? classSide(cls) : overviewSide())].filter((x): x is HTMLElement => !!x);
    side.replaceChildren(...parts);
    updateHooks();
  }

  function updateHooks() {
    const cls = state.cls;
    const area = areaOf(state.community);
    const base = cls ? area?.cells[cls]?.householdsShare ?? null : null;
    const wArea = state.whatIf && cls === state.whatIf.class ? (state.community === null ? state.whatIf.district : state.whatIf.communities.find((c) => c.code === state.community)) : undefined;
    hooks.coverage = {
      community: state.community,
      cls,
      gapCount: state.gaps ? state.gaps.features.length : null,
      buildings: state.buildings?.features.length ?? 0,
      share: base,
      shareAfter: wArea ? wArea.after.householdsShare : null,
      pending: changes.count(),
      whatIfBusy: state.whatIfBusy || whatIfTimer !== null,
      isochroneBands: state.iso?.fc.features.length ?? 0,
    };
  }

  function renderAll() {
    renderChecklist();
    renderToolbar();
    renderSide();
    renderMapLayers();
  }

  // ---------------------------------------------------------------------------------------------
  // Map events

  view.onClick((e) => {
    const fac = e.hits.find((x) => x.layerId === 'facilities');
    const sug = e.hits.find((x) => x.layerId === 'suggest');
    if (state.tool === 'isochrone') {
      const [lon, lat] = e.lngLat;
      void showIsochrone(() => coverageApi.isochrone(lon, lat, DEFAULT_BANDS), `点击点（${lon.toFixed(5)}, ${lat.toFixed(5)}）`);
      return;
    }
    if (fac) {
      state.focusFacility = Number(fac.id);
      renderSide();
      return;
    }
    if (state.tool === 'add' && state.cls) {
      addFacility(e.lngLat[0], e.lngLat[1]);
      return;
    }
    if (sug) return;
    const gap = e.hits.find((x) => x.layerId === 'gaps');
    if (gap) return;
    const com = e.hits.find((x) => x.layerId === 'communities');
    if (com && !state.cls) {
      const code = String(com.id);
      const a = areaOf(code);
      // The community's weakest class: what a planner looks at first.
      const weakest = a && state.summary ? state.summary.classes.reduce((m, c) => ((a.cells[c.code]?.householdsShare ?? 1) < (a.cells[m.code]?.householdsShare ?? 1) ? c : m)) : null;
      void select(code, weakest?.code ?? null);
    }
  });
  view.onHover((e) => showTip(e));
  view.onDrag((e) => {
    if (e.layerId === 'iso-origin' && state.iso) {
      tip.hidden = true;
      if (e.phase === 'start') state.isoDrag = { at: e.lngLat, bands: state.iso.fc.features.map((f) => f.properties.minutes).sort((a, b) => a - b), lines: null };
      if (!state.isoDrag) return;
      state.isoDrag.at = e.lngLat;
      if (e.phase !== 'end') {
        void followIsoDrag();
        return;
      }
      const { bands } = state.isoDrag;
      const [lon, lat] = e.lngLat;
      void showIsochrone(() => coverageApi.isochrone(lon, lat, bands), `拖动点（${lon.toFixed(5)}, ${lat.toFixed(5)}）`, true);
      return;
    }
    if (e.layerId !== 'facilities' || !state.cls) return;
    tip.hidden = true;
    if (e.phase !== 'end') return;
    const id = Number(e.id);
    const f = changes.facilities(state.cls, state.facilities).find((x) => x.id === id);
    if (!f || f.state === 'removed') {
      renderMapLayers();
      return;
    }
    changes.move(state.cls, id, e.lngLat[0], e.lngLat[1]);
    renderMapLayers();
    scheduleWhatIf(0);
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !document.querySelector('dialog[open]')) {
      if (state.tool !== 'select') setTool('select');
      else if (state.iso) clearIsochrone();
    }
  });

  // Collapse / expand the checklist (the map resizes with its container).
  const collapse = $('#collapse');
  const expand = $('#expand');
  const setCollapsed = (on: boolean) => {
    document.body.classList.toggle('collapsed', on);
    collapse.setAttribute('aria-expanded', String(!on));
    expand.hidden = !on;
    requestAnimationFrame(() => view.map.resize());
  };
  collapse.addEventListener('click', () => setCollapsed(true));
  expand.addEventListener('click', () => setCollapsed(false));
  void layout;
  void mapwrap;

  // ---------------------------------------------------------------------------------------------
  // Start

  renderLimit();
  renderShareLegend();
  renderToolbar();
  await view.ready();
  hooks.project = (lon, lat) => {
    const p = view.project([lon, lat]);
    return [p.x, p.y];
  };
  hooks.mapMoving = () => view.map.isMoving();
  try {
    await loadSummary();
  } catch (e) {
    if (await handleAuthError(e)) return;
    showError(`覆盖数据加载失败：${message(e)}`);
    renderMapLayers();
    await view.rendered();
    markReady(hooks);
    return;
  }
  const s = state.summary!;
  const startCls = url.cls && s.classes.some((c) => c.code === url.cls) ? url.cls : null;
  const startCommunity = url.community && s.communities.some((c) => c.code === url.community) ? url.community : null;
  renderAll();
  if (startCls || startCommunity) await select(startCommunity, startCls, { fly: true });
  await view.rendered();
  hooks.gridCount = communities.features.length;
  markReady(hooks);
}

main().catch(async (e) => {
  if (await handleAuthError(e)) return;
  console.error(e);
  showError(e instanceof ApiError ? `数据加载失败：${message(e)}` : `页面初始化失败：${(e as Error).message}`);
});
