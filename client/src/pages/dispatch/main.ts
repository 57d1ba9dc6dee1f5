// 中屏干 (dispatch.html): the community / subdistrict desk. The jurisdiction's cases (the server
// scopes them) in tabs by state (待受理, 处置中, 待核查, 已办结, 超期) with ticking deadlines; a map
// of open cases coloured by state (overdue red); a case panel with trail, duplicates and actions.
// Live over socket.io: cases appear and change without a reload.
// For the district command centre (区指挥中心) a 未定位 tab lists the hotline cases kept at the
// district desk; 定位落图 picks a point on the map (or a grid) and sends the case down the ladder.
import '../../styles/app.css';
import '../../ui/cases/cases.css';
import './dispatch.css';
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { api, ApiError, emptyFc, ownRequestHeaders, withQuery, type DivisionCollection, type DivisionFeatureProps } from '../../api/http.js';
import { IncidentStore } from '../../api/incident-store.js';
import { can, type Role } from '../../../../core/permissions.js';
import type { GridCollection, GridProps, IncidentCategory } from '../../../../core/types.js';
import { lonLatOf, OSM_ATTRIBUTION } from '../../../../core/types.js';
import { pointInGeometry } from '../../map/geo.js';
import type { LayerSpec, PointDatum, RGBA } from '../../map/map-view.js';
import { MaplibreView } from '../../map/maplibre/maplibre-view.js';
import { handleAuthError } from '../../shell/auth.js';
import { startGridViewport, type GridViewport } from '../../shell/grid-viewport.js';
import { $, fmtInt, fmtTime, h, showError } from '../../shell/dom.js';
import { mountHeader } from '../../shell/header.js';
import { initHooks, markReady } from '../../shell/hooks.js';
import { caseApi, type Department, type Me } from '../../ui/cases/case-api.js';
import { startCaseFeed } from '../../ui/cases/live.js';
import {
  CLOSED_STATES, DESK_TABS, deskTab, FIXED_STATES, isOverdue, matchesQuery, OPEN_STATES, OVERDUE_COLOR, queueOrder, ServerClock,
  levelOfRole, stateColor, STATE_NAMES, type CaseItem, type DeskTab,
} from '../../ui/cases/model.js';
import { paintCountdowns, startTicker } from '../../ui/cases/ticker.js';
import { renderDetail, type LocateHooks, type LocatePick } from './detail.js';
import { renderHotlineForm } from './hotline.js';
import { mountWarnings } from './warnings.js';

const header = mountHeader('dispatch');
const hooks = initHooks('dispatch');
const clock = new ServerClock();
const store = new IncidentStore();
const body = document.body;
const hexRgba = (hex: string, a = 255): RGBA => [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16), a];

let me: Me | null = null;
let categories: IncidentCategory[] = [];
let departments: Department[] = [];
const catName = (code: string) => categories.find((c) => c.code === code)?.name ?? code;
const myLevel = () => levelOfRole(me?.role);

/** The desk's tabs; the district command centre also has 未定位 (cases at the district desk). */
type TabId = DeskTab['id'] | 'unlocated';
interface Tab extends Omit<DeskTab, 'id'> { id: TabId }
const UNLOCATED_TAB: Tab = {
  id: 'unlocated', name: '未定位', hint: '12345/8890 热线无法落图的来件（区外坐标或仅有地址），由区指挥中心定位落图后派至网格',
  match: (c) => !!c.unlocated && c.statusType === 'open',
};
const isCenter = () => me?.role === 'district_center';
const tabs = (): Tab[] => (isCenter() ? [UNLOCATED_TAB, ...DESK_TABS] : DESK_TABS);
const tabOf = (id: TabId): Tab => tabs().find((t) => t.id === id) ?? (id === 'unlocated' ? tabs()[0]! : deskTab(id));

const state = {
  tab: (new URLSearchParams(location.search).get('tab') ?? '') as TabId,
  query: '',
  selected: Number(new URLSearchParams(location.search).get('case')) || null as number | null,
};

// ---------------------------------------------------------------------------------------------
// Toast

let toastTimer: ReturnType<typeof setTimeout> | undefined;
function toast(message: string, tone: 'ok' | 'warn' | 'bad' = 'ok'): void {
  let el = document.getElementById('gd-toast');
  if (!el) {
    el = h('div', { id: 'gd-toast', class: 'gd-toast', role: 'status' });
    body.append(el);
  }
  el.textContent = message;
  el.dataset.tone = tone;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el!.hidden = true; }, 3500);
}

// ---------------------------------------------------------------------------------------------
// Queue

const FRESH_MS = 15_000;
const all = () => store.list() as CaseItem[];

function paintTabs(): void {
  const now = clock.now();
  const cases = all();
  $('#tabs').replaceChildren(...tabs().map((t) => {
    const n = cases.filter((c) => t.match(c, now, myLevel())).length;
    const b = h('button', { type: 'button', role: 'tab', 'data-tab': t.id, 'aria-selected': String(t.id === state.tab), title: t.hint, class: t.id === 'overdue' && n ? 'hot' : null },
      t.name, h('span', { class: 'gd-n' }, fmtInt(n)));
    b.addEventListener('click', () => {
      state.tab = t.id;
      syncUrl();
      paintAll();
    });
    return b;
  }));
  const startOfDay = new Date(now);
  startOfDay.setHours(0, 0, 0, 0);
  $('#k-open').textContent = fmtInt(cases.filter((c) => c.statusType === 'open').length);
  $('#k-overdue').textContent = fmtInt(cases.filter((c) => isOverdue(c, now)).length);
  $('#k-check').textContent = fmtInt(cases.filter((c) => c.status === 'resolved').length);
  $('#k-today').textContent = fmtInt(cases.filter((c) => Date.parse(c.createdAt) >= startOfDay.getTime()).length);
}

function item(c: CaseItem, now: number): HTMLLIElement {
  const arrived = store.arrivedAt(c.id);
  const fresh = arrived !== undefined && Date.now() - arrived < FRESH_MS;
  const over = isOverdue(c, now);
  const li = h('li', {
    class: `gd-item${c.id === state.selected ? ' selected' : ''}${over ? ' over' : ''}${fresh ? ' fresh' : ''}`,
    'data-case-id': c.id, 'data-status': c.status, tabindex: 0, style: `--c:${over ? OVERDUE_COLOR : stateColor(c.status)}`,
  },
  h('div', { class: 'gd-item-l1' },
    h('b', {}, catName(c.category)),
    h('span', { class: 'gw-state', style: `--c:${stateColor(c.status)}` }, c.statusName),
    fresh ? h('span', { class: 'gd-new' }, '新') : null,
    h('span', { class: 'gw-cd', 'data-cd-label': '', 'data-deadline': c.deadlineAt ?? '', 'data-state-type': c.statusType, 'data-empty': '' }),
  ),
  c.description ? h('div', { class: 'gd-item-desc' }, c.description) : null,
  c.unlocated ? unlocatedMeta(c) : null,
  h('div', { class: 'gd-item-meta' },
    h('span', { class: 'gd-id' }, `#${c.id}`),
    ` ${c.gridName?.split(/[・·•]/).pop() ?? (c.address || '未定位')} · ${c.levelName}${c.departmentName ? `（${c.departmentName}）` : ''} · ${fmtTime(c.updatedAt)}`),
  );
  // Painted now, not at the ticker's next second: a repainted list never shows a blank countdown.
  paintCountdowns(li, now);
  li.addEventListener('click', () => select(c.id));
  li.addEventListener('keydown', (e) => { if (e.key === 'Enter') select(c.id); });
  return li;
}

/** What the desk knows of an unlocated case: the address as given, the caller's point, the caller (masked). */
function unlocatedMeta(c: CaseItem): HTMLElement {
  return h('div', { class: 'gd-item-unloc' },
    h('span', { class: 'gd-unloc-tag' }, '未定位'),
    h('span', { class: 'gd-unloc-addr' }, c.address ? `地址：${c.address}` : '无地址'),
    c.lon != null && c.lat != null ? h('span', {}, `原始坐标 ${c.lon.toFixed(5)}, ${c.lat.toFixed(5)}（区外）`) : null,
    c.caller?.phone || c.caller?.name ? h('span', {}, `来电人 ${[c.caller.name, c.caller.phone].filter(Boolean).join(' ')}`) : null,
  );
}

const callerAsked = new Set<number>();
async function withCaller(id: number): Promise<void> {
  if (callerAsked.has(id)) return;
  callerAsked.add(id);
  try {
    const d = await caseApi.detail(id);
    store.merge([d.incident]);
  } catch {
    // optional: the queue shows the case without its caller
  }
}

function paintList(): void {
  const now = clock.now();
  const tab = tabOf(state.tab);
  const list = all().filter((c) => tab.match(c, now, myLevel()) && matchesQuery(c, state.query, catName(c.category)));
  list.sort(tab.id === 'done' ? (a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt) : queueOrder(now));
  const ul = $('#case-list');
  ul.replaceChildren(...(list.length ? list.slice(0, 400).map((c) => item(c, now))
    : [h('li', { class: 'gd-list-empty' }, state.query ? '没有符合搜索条件的案件' : `「${tab.name}」暂无案件`)]));
  body.dataset.cases = String(store.size);
}

function paintAll(): void {
  paintTabs();
  paintList();
  refreshMap();
}

let paintTimer: ReturnType<typeof setTimeout> | undefined;
function schedulePaint(): void {
  clearTimeout(paintTimer);
  paintTimer = setTimeout(paintAll, 80);
}

function syncUrl(): void {
  const q = new URLSearchParams(location.search);
  q.set('tab', state.tab);
  if (state.selected) q.set('case', String(state.selected));
  else q.delete('case');
  history.replaceState(history.state, '', `${location.pathname}?${q}`);
}

// ---------------------------------------------------------------------------------------------
// Selected case

let detailSeq = 0;
let shownUpdatedAt: string | null = null;

type GridChoice = { id: number; name: string };
const choicesOf = (fs: { properties: GridProps }[]): GridChoice[] =>
  fs.map((f) => ({ id: f.properties.id, name: f.properties.name })).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
const communityChoices = new Map<string, Promise<GridChoice[]>>();

/**
 * The grids a case may be located or dispatched to: every grid of the district when the page holds
 * them all; in a district too large for that (grids loaded by viewport), the grids of the case's
 * community (asked once per community), else those in view.
 */
async function gridChoices(c?: { communityCode: string | null }): Promise<GridChoice[]> {
  if (!gridView || gridView.whole || !c?.communityCode) return choicesOf(shownGrids().features);
  const code = c.communityCode;
  let p = communityChoices.get(code);
  if (!p) {
    p = api.request<GridCollection>(withQuery('/api/grids', { division: code, limit: 2000 })).then((fc) => choicesOf(fc.features));
    p.catch(() => communityChoices.delete(code));
    communityChoices.set(code, p);
  }
  return p.catch(() => choicesOf(shownGrids().features));
}

/**
 * The grid under a point: from the grids on the page, else (grids loaded by viewport, the point
 * not among them) the server's grids at that point. The server locates the case again either way.
 */
async function gridAt(lonLat: [number, number]): Promise<GridChoice | null> {
  const g = shownGrids().features.find((f) => pointInGeometry(lonLat, f.geometry));
  if (g) return { id: g.properties.id, name: g.properties.name };
  if (!gridView || gridView.whole) return null;
  const e = 1e-5; // ~1 m: the box is sent with 6 decimals
  const fc = await api.grids([lonLat[0] - e, lonLat[1] - e, lonLat[0] + e, lonLat[1] + e]).catch(() => null);
  const hit = fc?.features.find((f) => pointInGeometry(lonLat, f.geometry));
  return hit ? { id: hit.properties.id, name: hit.properties.name } : null;
}

/** 定位落图 and 热线受理 pick points on the page's map and find the grid under them. */
function locateHooks(choices: GridChoice[]): LocateHooks {
  return {
    grids: choices,
    startPick: (cb) => {
      picking = cb;
      body.classList.add('gd-picking');
      refreshMap();
    },
    stopPick: () => {
      picking = null;
      body.classList.remove('gd-picking');
      refreshMap();
    },
    gridAt,
    show: (p) => {
      candidate = p;
      refreshMap();
    },
  };
}

/** 热线受理: the operator's form in the case panel; a located case opens once stored. */
async function openHotline(): Promise<void> {
  void select(null);
  const panel = $('#detail');
  panel.classList.add('open');
  body.classList.add('gd-has-detail');
  const holder = h('div', { class: 'gd-d gd-hl' });
  panel.replaceChildren(holder);
  renderHotlineForm(holder, {
    categories, locate: locateHooks(await gridChoices()),
    onClose: () => void select(null),
    onCreated: (c, message, tone) => {
      toast(message, tone);
      // An unlocated call is with the district desk, outside a street or community desk's view.
      if (c.unlocated && !isCenter()) return void select(null);
      store.merge([c]);
      void select(c.id);
    },
  });
}

async function select(id: number | null, { fly = true } = {}): Promise<void> {
  // Leaving a case ends a 定位落图 pick in progress.
  picking = null;
  candidate = null;
  body.classList.remove('gd-picking');
  state.selected = id;
  syncUrl();
  for (const li of document.querySelectorAll<HTMLElement>('.gd-item')) li.classList.toggle('selected', Number(li.dataset.caseId) === id);
  refreshMap();
  const panel = $('#detail');
  body.classList.toggle('gd-has-detail', id !== null);
  if (id === null) {
    panel.querySelector('.gd-d')?.remove();
    panel.classList.remove('open');
    return;
  }
  panel.classList.add('open');
  const seq = ++detailSeq;
  if (!panel.querySelector('.gd-d')) panel.replaceChildren(h('div', { class: 'gd-d gd-loading-d' }, '加载中…'));
  try {
    const d = await caseApi.detail(id);
    if (seq !== detailSeq) return;
    shownUpdatedAt = d.incident.updatedAt; // before the merge: the store's listener compares with it
    store.merge([d.incident]);
    const choices = await gridChoices(d.incident);
    if (seq !== detailSeq) return;
    renderDetail(panel, d, {
      role: me?.role ?? '', departments, catName,
      onClose: () => void select(null),
      onSelect: (x) => void select(x),
      locate: locateHooks(choices),
      onChanged: (cases, message, tone) => {
        store.merge(cases);
        toast(message, tone);
        void select(state.selected, { fly: false });
      },
    });
    const c = d.incident;
    const at = lonLatOf(c);
    if (fly && view && at) view.flyTo({ center: at, zoom: 16 });
  } catch (e) {
    if (seq !== detailSeq) return;
    panel.replaceChildren(h('div', { class: 'gd-d gd-loading-d' }, e instanceof ApiError && e.status === 404 ? `案件 #${id} 不存在或不在您的辖区` : `加载失败：${(e as Error).message}`));
  }
}

/** The selected case changed elsewhere: reload its panel, unless the user is filling in an action form. */
function selectedChanged(): void {
  if (state.selected === null) return;
  const c = store.get(state.selected) as CaseItem | undefined;
  if (!c || c.updatedAt === shownUpdatedAt) return;
  if (document.querySelector('#detail .gw-act-form')) {
    let note = document.querySelector<HTMLElement>('#detail .gd-stale');
    if (!note) {
      note = h('button', { type: 'button', class: 'gd-stale' }, '本案已被更新，点击刷新');
      note.addEventListener('click', () => void select(state.selected, { fly: false }));
      document.querySelector('#detail .gd-d-h')?.append(note);
    }
    return;
  }
  void select(state.selected, { fly: false });
}

// ---------------------------------------------------------------------------------------------
// Map

let view: MaplibreView | null = null;
/** The grids on the page: the district's, or (a district larger than MAX_FEATURES) those in view. */
let gridView: GridViewport | null = null;
const NO_GRIDS: GridCollection = { type: 'FeatureCollection', features: [] };
/** The grids drawn now (none before the first answer). */
const shownGrids = (): GridCollection => gridView?.shown ?? NO_GRIDS;
let communities: DivisionCollection = emptyFc() as DivisionCollection;
let mapTimer: ReturnType<typeof setTimeout> | undefined;
/** 定位落图: waiting for a click on the map, and the point chosen so far. */
let picking: ((p: LocatePick) => void) | null = null;
let candidate: LocatePick | null = null;

function refreshMap(): void {
  if (!view) return;
  clearTimeout(mapTimer);
  mapTimer = setTimeout(() => view?.setLayers(layers()), 40);
}

function layers(): LayerSpec[] {
  const now = clock.now();
  const tab = tabOf(state.tab);
  // Open and fixed cases; closed ones only in the 已办结 tab.
  const shown = all().filter((c) => c.lon != null && (c.statusType !== 'closed' || tab.id === 'done'));
  const inTab = new Set(shown.filter((c) => tab.match(c, now, myLevel())).map((c) => c.id));
  const points: PointDatum<CaseItem>[] = shown
    .sort((a, b) => Number(inTab.has(a.id)) - Number(inTab.has(b.id)))
    .map((c) => ({ id: c.id, position: [c.lon, c.lat] as [number, number], properties: c }));
  const sel = state.selected ? (store.get(state.selected) as CaseItem | undefined) : undefined;
  return [
    {
      kind: 'polygons', id: 'grids', data: shownGrids(), fillColor: picking ? [250, 204, 21, 40] : [56, 189, 248, 26], lineColor: [125, 211, 252, 120],
      lineWidth: 1, idOf: (p: GridProps) => p.id,
    },
    {
      kind: 'polygons', id: 'communities', data: communities as FeatureCollection<Polygon | MultiPolygon, DivisionFeatureProps>,
      fillColor: [0, 0, 0, 0], lineColor: [56, 189, 248, 220], lineWidth: 2, dashed: true,
    },
    {
      kind: 'points', id: 'cases', data: points, pickable: true,
      color: (d: PointDatum<CaseItem>) => {
        const c = d.properties;
        const rgba = isOverdue(c, now) ? hexRgba(OVERDUE_COLOR) : hexRgba(stateColor(c.status));
        return inTab.has(c.id) ? rgba : [rgba[0], rgba[1], rgba[2], 90];
      },
      radius: (d: PointDatum<CaseItem>) => (inTab.has(d.id as number) ? 7 : 4.5),
      strokeColor: [6, 10, 18, 255], strokeWidth: 1.5,
    },
    {
      kind: 'points', id: 'selected', data: sel && sel.lon != null ? [{ id: sel.id, position: [sel.lon, sel.lat] as [number, number], properties: {} }] : [],
      color: [255, 255, 255, 0], radius: 14, strokeColor: [34, 211, 238, 255], strokeWidth: 3,
    },
    {
      kind: 'points', id: 'locate-pick', data: candidate?.lonLat ? [{ id: 'pick', position: candidate.lonLat, properties: {} }] : [],
      color: [250, 204, 21, 255], radius: 8, strokeColor: [6, 10, 18, 255], strokeWidth: 2,
    },
  ];
}

function paintLegend(): void {
  const keys = ['reported', 'accepted', 'dispatched', 'in_progress', 'returned', 'resolved', 'verified', 'closed'];
  $('#legend').replaceChildren(
    h('div', { class: 'gd-legend-t' }, '案件状态'),
    ...keys.map((k) => h('div', { class: 'gd-legend-r' }, h('i', { style: `background:${stateColor(k)}` }), STATE_NAMES[k] ?? k)),
    h('div', { class: 'gd-legend-r' }, h('i', { style: `background:${OVERDUE_COLOR}` }), '超期'),
  );
}

// ---------------------------------------------------------------------------------------------
// Boot

async function main(): Promise<void> {
  me = (await caseApi.me()) as Me | null;
  if (!me) {
    await handleAuthError(new ApiError(401, 'unauthorized', 'log in'));
    return;
  }
  const role = me.role as Role;
  if (!tabs().some((t) => t.id === state.tab)) state.tab = isCenter() ? 'unlocated' : 'new';
  if (isCenter()) $('#juris').textContent = '区指挥中心：热线未定位案件定位落图，全区案件查看与合并';
  $('#link-reports').hidden = !can(role, 'read', 'report');
  // Hotline operators sit at the district centre and the street and community desks.
  const hotlineBtn = $('#hotline-open');
  hotlineBtn.hidden = !(can(role, 'create', 'incident') && ['district_center', 'subdistrict_staff', 'community_staff'].includes(role));
  hotlineBtn.addEventListener('click', () => void openHotline());
  if (!can(role, 'update', 'incident')) $('#juris').textContent = '只读：您的角色可以查看案件，不能办理';

  const district = await api.district();
  header.setDistrict(district);
  const [cats, deps] = await Promise.all([api.incidentCategories(), caseApi.departments().catch(() => [] as Department[])]);
  categories = cats;
  departments = deps;

  $('#search').addEventListener('input', (e) => {
    state.query = (e.target as HTMLInputElement).value;
    paintList();
  });
  startTicker(document, clock);
  // Overdue happens by the clock too: re-sort the tabs every 30 s.
  setInterval(paintTabs, 30_000);
  store.subscribe((diff) => {
    schedulePaint();
    // Live diffs carry no personal data: fetch the (masked) caller of a new unlocated case for the 未定位 queue.
    if (isCenter()) for (const c of [...diff.add, ...diff.update] as CaseItem[]) if (c.unlocated && c.caller === undefined) void withCaller(c.id);
    if (state.selected !== null && [...diff.add, ...diff.update].some((c) => c.id === state.selected)) selectedChanged();
  });

  const feed = startCaseFeed({
    store, clock, district: district.code,
    loads: [
      { state: [...OPEN_STATES, ...FIXED_STATES], limit: 5000 },
      { state: CLOSED_STATES, limit: 300 },
    ],
    onStatus: (s) => header.setLive(s),
  });
  mountWarnings({ anchor: $('.gd-kpis'), socket: feed.socket, role, toast });
  paintLegend();
  paintAll();

  view = new MaplibreView({
    container: $('#map'), bbox: district.bbox, tilesUrl: '/tiles/base/{z}/{x}/{y}.pbf', attribution: district.attribution || OSM_ATTRIBUTION,
    rasterUrl: null, padding: 30, requestHeaders: ownRequestHeaders,
  });
  if (new URLSearchParams(location.search).has('debug')) Object.assign(window, { __gcView: view });
  hooks.project = (lon, lat) => {
    const p = view!.project([lon, lat]);
    return [p.x, p.y];
  };
  view.onClick((e) => {
    if (picking) {
      // 定位落图: the point clicked, and the grid under it (if any; the server locates it again).
      const cb = picking;
      void gridAt(e.lngLat).then((g) => cb({ lonLat: e.lngLat, gridId: g?.id ?? null, gridName: g?.name ?? null }));
      return;
    }
    const hit = e.hits.find((x) => x.layerId === 'cases');
    if (hit) void select(Number(hit.id));
  });
  const [g, comm] = await Promise.all([
    api.grids(district.bbox).catch(() => NO_GRIDS),
    api.divisionsGeojson('community').catch(() => emptyFc() as DivisionCollection),
  ]);
  communities = comm;
  gridView = startGridViewport({ view, districtBbox: district.bbox, first: g, notice: $('#map-notice'), hooks, onChange: refreshMap });
  await feed.initial.catch((e) => {
    showError(`案件加载失败：${(e as Error).message}`);
  });
  paintAll();
  if (state.selected) void select(state.selected);
  await view.ready();
  view.setLayers(layers());
  await view.rendered();
  hooks.incidentCount = store.size;
  markReady(hooks);
}

main().catch(async (e) => {
  if (await handleAuthError(e)) return;
  console.error(e);
  showError(e instanceof ApiError ? `数据加载失败：${e.message}` : `页面初始化失败：${(e as Error).message}`);
});
