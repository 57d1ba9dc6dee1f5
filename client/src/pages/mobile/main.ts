// 小屏办 (mobile.html): the grid worker's phone page. My grid on a map; report in three taps
// (location, category, submit) through the offline outbox; my queue of cases waiting for me with
// deadline countdowns; act on a case (受理, 开始处置, 办结, 自办自结, 上报上级 …) with note and photo.
import '../../styles/app.css';
import '../../ui/cases/cases.css';
import './mobile.css';
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { api, ApiError, currentAccount, getCsrfToken, ownRequestHeaders, setCsrfToken, type DistrictInfoEx } from '../../api/http.js';
import { IncidentStore } from '../../api/incident-store.js';
import type { LiveStatus } from '../../api/socket.js';
import { can, type Role } from '../../../../core/permissions.js';
import type { GridProps, IncidentCategory } from '../../../../core/types.js';
import { lonLatOf, OSM_ATTRIBUTION } from '../../../../core/types.js';
import { pointInGeometry } from '../../map/geo.js';
import type { LayerSpec, PointDatum, RGBA } from '../../map/map-view.js';
import { MaplibreView } from '../../map/maplibre/maplibre-view.js';
import { handleAuthError, loginUrl } from '../../shell/auth.js';
import { $, fmtTime, h } from '../../shell/dom.js';
import { SOURCE_NAMES } from '../../shell/labels.js';
import { renderActionPanel } from '../../ui/cases/actions.js';
import { caseApi, type Department, type Me } from '../../ui/cases/case-api.js';
import { startCaseFeed } from '../../ui/cases/live.js';
import {
  FIXED_STATES, isOverdue, needsMe, OPEN_STATES, OVERDUE_COLOR, queueOrder, ServerClock, sortActions, stateColor,
  type CaseDetail, type CaseItem,
} from '../../ui/cases/model.js';
import { previewUrl, shrinkPhoto } from '../../ui/cases/photo.js';
import { paintCountdowns, startTicker } from '../../ui/cases/ticker.js';
import { fmtWhen, photoStrip, renderTrail } from '../../ui/cases/trail.js';
import { cached, isUnreachable, readCache, writeCache } from './cache.js';
import { deviceStorage } from './device-storage.js';
import { useBlobMapWorker } from '../../map/maplibre/blob-worker.js';
import { dataUrlsSeen, forgetAccount, paintOffline, prepareOffline, registerOfflineWorker, tellAccount, trackTiles } from './offline.js';
import { Outbox } from './outbox.js';
import { renderOutbox } from './outbox-view.js';
import { mountRoster } from './roster.js';
import { mountVisits } from './visits.js';

type Tab = 'report' | 'queue' | 'outbox';
type GridFC = FeatureCollection<Polygon | MultiPolygon, GridProps>;

const clock = new ServerClock();
const store = new IncidentStore();
const body = document.body;
const hexRgba = (hex: string, a = 255): RGBA => [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16), a];

// ---------------------------------------------------------------------------------------------
// Small page helpers

let toastTimer: ReturnType<typeof setTimeout> | undefined;
function toast(message: string, tone: 'ok' | 'warn' | 'bad' = 'ok', ms = 3200): void {
  const el = $('#toast');
  el.textContent = message;
  el.dataset.tone = tone;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, ms);
}

const online = () => navigator.onLine;
let liveStatus: LiveStatus = 'connecting';
function paintNet(): void {
  const el = $('#net');
  const state = !online() ? 'offline' : liveStatus === 'live' ? 'live' : liveStatus === 'polling' ? 'live' : 'online';
  el.dataset.state = state;
  el.querySelector('span')!.textContent = state === 'offline' ? '离线' : state === 'live' ? '实时' : '在线';
  el.title = state === 'offline' ? '网络已断开：上报会先保存在本机' : '已连接服务器';
}

function setTab(tab: Tab): void {
  for (const b of document.querySelectorAll<HTMLElement>('.gm-tabs [data-tab]')) b.setAttribute('aria-selected', String(b.dataset.tab === tab));
  for (const p of document.querySelectorAll<HTMLElement>('.gm-pane')) p.hidden = p.dataset.pane !== tab;
  body.dataset.tab = tab;
  refreshMap();
}
const activeTab = (): Tab => (body.dataset.tab as Tab) ?? 'report';

// ---------------------------------------------------------------------------------------------
// Who, where, what

let me: Me | null = null;
let district: DistrictInfoEx | null = null;
let grids: GridFC = { type: 'FeatureCollection', features: [] };
let categories: IncidentCategory[] = [];
let departments: Department[] = [];
const catName = (code: string) => categories.find((c) => c.code === code)?.name ?? code;

/** Whether `me` came from the server (true) or from the phone's memory of the last login (false). */
let meVerified = false;

/** Who is signed in; the last known account when the server cannot be reached (offline reload). */
async function whoAmI(): Promise<Me | null> {
  try {
    const a = (await currentAccount()) as Me | null;
    meVerified = !!a;
    if (a) writeCache('me', { username: a.username, displayName: a.displayName, role: a.role, roleName: a.roleName, gridId: a.gridId ?? null, kind: a.kind, id: a.id });
    return a;
  } catch (e) {
    if (!isUnreachable(e)) throw e;
    return readCache<Me>('me');
  }
}

// ---------------------------------------------------------------------------------------------
// Outbox

let outbox: Outbox;
const sentRecent: { id: number; category: string; at: number; replayed: boolean; warning: string | null }[] = [];

async function startOutbox(owner: string): Promise<void> {
  const { storage, kind } = await deviceStorage();
  body.dataset.storage = kind;
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  outbox = new Outbox({
    storage,
    fetch: (input, init) => fetch(input, init),
    owner: () => owner,
    csrf: () => getCsrfToken(),
    refreshCsrf: async () => {
      setCsrfToken(null);
      await currentAccount(true);
      return getCsrfToken();
    },
    isOnline: online,
    exclusive: locks ? (fn) => locks.request('gridcommand-outbox', fn) as Promise<Awaited<ReturnType<typeof fn>>> : undefined,
  });
  outbox.subscribe((e) => {
    if (e.type === 'sent') {
      const inc = e.incident;
      sentRecent.unshift({ id: inc.id, category: e.item.body.category, at: Date.now(), replayed: e.replayed, warning: e.item.photoSkipped });
      sentRecent.splice(8);
      if (inc && typeof inc.id === 'number' && inc.status) store.merge([inc]);
      toast(`已上报 #${inc.id} · ${catName(e.item.body.category)}${e.item.photoSkipped ? `（${e.item.photoSkipped}）` : ''}`, e.item.photoSkipped ? 'warn' : 'ok');
      scheduleNeeds();
    } else if (e.type === 'failed') {
      toast(`上报未被受理：${e.item.lastError?.message ?? ''}`, 'bad', 6000);
    } else if (e.type === 'paused') {
      toast('登录已失效：请重新登录，待发送的上报会自动发出', 'warn', 8000);
    }
    void paintOutbox();
  });
  await paintOutbox();
  body.dataset.outbox = 'ready';
  void outbox.flush({ force: true });
}

async function paintOutbox(): Promise<void> {
  if (!outbox || !me) return;
  const items = (await outbox.items()).filter((i) => i.owner === me!.username);
  const pending = items.filter((i) => i.state === 'pending').length;
  const failed = items.filter((i) => i.state === 'failed').length;
  $('#pending-count').textContent = String(pending);
  $('#outbox-count').textContent = String(pending + failed);
  const chip = $('#outbox-chip');
  chip.dataset.count = String(pending);
  chip.classList.toggle('has', pending > 0);
  chip.classList.toggle('bad', failed > 0);
  body.dataset.pending = String(pending);
  renderOutbox($('#outbox'), items, {
    catName,
    online: online(),
    paused: outbox.isPaused,
    onRetry: (k) => void outbox.retry(k),
    onDiscard: (k) => {
      if (confirm('确定删除这条未发送的上报？删除后无法恢复。')) void outbox.discard(k);
    },
  });
  const sent = $('#sent');
  $('#sent-h').hidden = sentRecent.length === 0;
  sent.replaceChildren(...sentRecent.map((s) => h('li', { class: 'gm-sent', 'data-case-id': s.id },
    h('b', {}, `#${s.id}`), ` ${catName(s.category)}`, s.replayed ? h('span', { class: 'gw-chip' }, '补发确认') : null,
    s.warning ? h('span', { class: 'gw-chip warn' }, s.warning) : null, h('time', {}, fmtTime(new Date(s.at).toISOString())))));
}

// ---------------------------------------------------------------------------------------------
// Report in three taps: location, category, submit

const pick: { lonLat: [number, number] | null; accuracy: number | null; inside: boolean; category: string | null; photo: Blob | null } = {
  lonLat: null, accuracy: null, inside: false, category: null, photo: null,
};
let photoRevoke: (() => void) | null = null;

function gridAt(p: [number, number]) {
  return grids.features.find((f) => pointInGeometry(p, f.geometry));
}

function setLocation(lonLat: [number, number], accuracy: number | null, how: 'gps' | 'map'): void {
  pick.lonLat = lonLat;
  pick.accuracy = accuracy;
  const g = gridAt(lonLat);
  pick.inside = !!g;
  const state = $('#loc-state');
  state.textContent = g ? '已选' : '不在辖区';
  state.dataset.ok = String(!!g);
  const where = g ? g.properties.name.split(/[・·•]/).pop() : '不在您的网格内，请重新选点';
  $('#loc-text').replaceChildren(
    h('b', { class: g ? '' : 'gm-bad' }, where ?? ''),
    h('span', { class: 'gm-coord' }, ` ${lonLat[0].toFixed(6)}, ${lonLat[1].toFixed(6)}`),
    h('span', { class: 'gm-sub' }, how === 'gps' ? ` · GPS${accuracy != null ? ` ±${Math.round(accuracy)} 米` : ''}` : ' · 地图选点'),
  );
  $('#step-location').classList.toggle('done', pick.inside);
  paintSubmit();
  refreshMap();
  if (how === 'gps' && view) view.flyTo({ center: lonLat, zoom: 17 });
}

function locate(): void {
  const btn = $('#btn-gps') as HTMLButtonElement;
  if (!('geolocation' in navigator)) {
    toast('此设备不支持定位，请在地图上点选', 'warn');
    return;
  }
  btn.disabled = true;
  btn.classList.add('busy');
  $('#loc-text').textContent = '正在定位…';
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      btn.disabled = false;
      btn.classList.remove('busy');
      setLocation([pos.coords.longitude, pos.coords.latitude], pos.coords.accuracy, 'gps');
    },
    (err) => {
      btn.disabled = false;
      btn.classList.remove('busy');
      const why = err.code === err.PERMISSION_DENIED ? '未获得定位权限' : err.code === err.TIMEOUT ? '定位超时' : '无法定位';
      $('#loc-text').textContent = `${why}：请在上方地图上点选事发位置`;
      toast(`${why}，请在地图上点选`, 'warn');
    },
    { enableHighAccuracy: true, timeout: 15_000, maximumAge: 30_000 },
  );
}

function paintCategories(): void {
  const box = $('#categories');
  box.replaceChildren(...categories.map((c) => {
    const b = h('button', { type: 'button', class: 'gm-cat', role: 'radio', 'aria-checked': 'false', 'data-category': c.code }, c.name);
    b.addEventListener('click', () => {
      pick.category = pick.category === c.code ? null : c.code;
      for (const x of box.querySelectorAll<HTMLElement>('.gm-cat')) x.setAttribute('aria-checked', String(x.dataset.category === pick.category));
      $('#cat-state').textContent = pick.category ? catName(pick.category) : '未选';
      $('#step-category').classList.toggle('done', !!pick.category);
      paintSubmit();
    });
    return b;
  }));
  if (!categories.length) box.replaceChildren(h('div', { class: 'gm-empty' }, '类别加载失败，请联网后重试'));
}

function paintSubmit(): void {
  const btn = $('#btn-submit') as HTMLButtonElement;
  const ready = !!pick.lonLat && pick.inside && !!pick.category && !!me;
  btn.disabled = !ready;
  btn.textContent = !pick.lonLat ? '请先选择位置' : !pick.inside ? '位置不在辖区内' : !pick.category ? '请选择类别' : online() ? '提交上报' : '保存到本机（离线）';
}

function resetPhoto(): void {
  photoRevoke?.();
  photoRevoke = null;
  pick.photo = null;
  ($('#photo-input') as HTMLInputElement).value = '';
  $('#photo-label').style.backgroundImage = '';
  $('#photo-label').classList.remove('has');
  $('#photo-text').textContent = '拍照';
}

function wireReport(): void {
  $('#btn-gps').addEventListener('click', locate);
  $('#map-locate').addEventListener('click', () => {
    setTab('report');
    locate();
  });
  const input = $('#photo-input') as HTMLInputElement;
  input.addEventListener('change', async () => {
    const f = input.files?.[0];
    if (!f) return resetPhoto();
    pick.photo = await shrinkPhoto(f);
    photoRevoke?.();
    const p = previewUrl(pick.photo);
    photoRevoke = p.revoke;
    $('#photo-label').style.backgroundImage = `url("${p.url}")`;
    $('#photo-label').classList.add('has');
    $('#photo-text').textContent = '重拍';
  });
  ($('#report-form') as HTMLFormElement).addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!pick.lonLat || !pick.inside || !pick.category) return;
    const btn = $('#btn-submit') as HTMLButtonElement;
    btn.disabled = true;
    const note = ($('#note') as HTMLTextAreaElement).value.trim();
    try {
      await outbox.add({
        lon: +pick.lonLat[0].toFixed(7), lat: +pick.lonLat[1].toFixed(7), crs: 'wgs84', category: pick.category, description: note,
        source: 'patrol',
      }, pick.photo);
    } catch (e) {
      toast(`保存失败：${(e as Error).message}`, 'bad');
      paintSubmit();
      return;
    }
    if (!online()) toast('已保存到本机（离线），联网后自动发送', 'warn');
    else toast('正在发送…');
    // Ready for the next report: new place, new category.
    pick.lonLat = null;
    pick.inside = false;
    pick.category = null;
    resetPhoto();
    ($('#note') as HTMLTextAreaElement).value = '';
    for (const x of document.querySelectorAll<HTMLElement>('.gm-cat')) x.setAttribute('aria-checked', 'false');
    $('#loc-state').textContent = '未选';
    $('#cat-state').textContent = '未选';
    $('#loc-text').textContent = '或在上方地图上点选事发位置';
    for (const s of document.querySelectorAll('.gm-step')) s.classList.remove('done');
    paintSubmit();
    refreshMap();
  });
}

// ---------------------------------------------------------------------------------------------
// My queue: cases in my grid with an action for me (from each case's allowedActions)

const needs = new Map<number, { updatedAt: string; actions: { action: string; name: string }[] }>();
const ACTIVE = new Set([...OPEN_STATES, ...FIXED_STATES, 'closed']);
let needsTimer: ReturnType<typeof setTimeout> | undefined;
let needsBusy = false;

function scheduleNeeds(): void {
  clearTimeout(needsTimer);
  needsTimer = setTimeout(() => void fetchNeeds(), 250);
}

async function fetchNeeds(): Promise<void> {
  if (needsBusy) return scheduleNeeds();
  // Offline, the service worker answers from the phone's cache; without one there is nothing to ask.
  if (!online() && !navigator.serviceWorker?.controller) return;
  needsBusy = true;
  try {
    // The most urgent first, and a bounded number per round (a grid has a handful; a community desk on a phone more).
    const todo = (store.list() as CaseItem[]).filter((c) => ACTIVE.has(c.status) && needs.get(c.id)?.updatedAt !== c.updatedAt)
      .sort(queueOrder(clock.now())).slice(0, 150);
    for (const c of store.list() as CaseItem[]) if (!ACTIVE.has(c.status)) needs.delete(c.id);
    const workers = Array.from({ length: 3 }, async () => {
      for (let c = todo.shift(); c; c = todo.shift()) {
        try {
          const d = await caseApi.detail(c.id);
          needs.set(c.id, { updatedAt: d.incident.updatedAt, actions: d.allowedActions });
          if (d.incident.updatedAt !== c.updatedAt) store.merge([d.incident]);
        } catch (e) {
          if (e instanceof ApiError && e.status === 404) needs.set(c.id, { updatedAt: c.updatedAt, actions: [] });
        }
      }
    });
    await Promise.all(workers);
  } finally {
    needsBusy = false;
  }
  paintQueue();
}

function caseCard(c: CaseItem, actions: { action: string; name: string }[], compact = false): HTMLElement {
  const now = clock.now();
  const over = isOverdue(c, now);
  const li = h(
    'li',
    { class: `gm-case${over ? ' over' : ''}`, 'data-case-id': c.id, 'data-status': c.status, tabindex: 0 },
    h('div', { class: 'gm-case-l1' },
      h('span', { class: 'gm-case-cat' }, catName(c.category)),
      h('span', { class: 'gw-state', style: `--c:${stateColor(c.status)}` }, c.statusName),
      h('span', { class: 'gm-case-id' }, `#${c.id}`),
      h('span', { class: 'gw-cd', 'data-deadline': c.deadlineAt ?? '', 'data-state-type': c.statusType, 'data-empty': c.statusType === 'open' ? '' : '' }),
    ),
    compact ? null : h('div', { class: 'gm-case-desc' }, c.description || '（无描述）'),
    h('div', { class: 'gm-case-meta' }, `${c.levelName} · ${SOURCE_NAMES[c.source] ?? c.source} · ${fmtTime(c.createdAt)}`, over ? h('b', { class: 'gm-bad' }, ' · 超期') : null),
    !compact && actions.length ? h('div', { class: 'gm-case-acts' }, ...sortActions(actions.filter((a) => a.action !== 'merge')).slice(0, 3).map((a) =>
      h('button', { type: 'button', class: 'gm-chip-btn', 'data-open-action': a.action }, a.name))) : null,
  );
  paintCountdowns(li, now); // not blank until the next tick
  li.addEventListener('click', (ev) => {
    const act = (ev.target as HTMLElement).closest<HTMLElement>('[data-open-action]')?.dataset.openAction ?? null;
    void openCase(c.id, act);
  });
  return li;
}

function paintQueue(): void {
  const now = clock.now();
  const cases = (store.list() as CaseItem[]).filter((c) => ACTIVE.has(c.status)).sort(queueOrder(now));
  const mine = cases.filter((c) => needsMe(needs.get(c.id)?.actions ?? []));
  const others = cases.filter((c) => !mine.includes(c) && c.statusType !== 'closed');
  $('#queue').replaceChildren(...(mine.length ? mine.map((c) => caseCard(c, needs.get(c.id)!.actions)) : [h('li', { class: 'gm-empty' }, '暂无待办事项')]));
  $('#queue-count').textContent = String(mine.length);
  $('#queue-count').classList.toggle('hot', mine.some((c) => isOverdue(c, now)));
  $('#queue-sub').textContent = mine.length ? `${mine.length} 件 · 超期 ${mine.filter((c) => isOverdue(c, now)).length} 件` : '';
  $('#others-wrap').hidden = others.length === 0;
  $('#others-count').textContent = String(others.length);
  $('#others').replaceChildren(...others.map((c) => caseCard(c, [], true)));
  body.dataset.queue = mine.map((c) => c.id).join(',');
  refreshMap();
}

// ---------------------------------------------------------------------------------------------
// One case: details, actions, trail

let sheetCase: number | null = null;
let sheetUpdatedAt: string | null = null;

/** The open case changed elsewhere (desk, escalation clock): show it, unless an action form is open. */
function sheetChanged(): void {
  if (sheetCase === null) return;
  const c = store.get(sheetCase) as CaseItem | undefined;
  if (!c || c.updatedAt === sheetUpdatedAt || document.querySelector('#sheet-body .gw-act-form')) return;
  const id = sheetCase;
  sheetUpdatedAt = c.updatedAt;
  void caseApi.detail(id).then((d) => {
    if (sheetCase === id && !document.querySelector('#sheet-body .gw-act-form')) renderSheet(d, null);
  }).catch(() => undefined);
}

async function openCase(id: number, action: string | null = null): Promise<void> {
  sheetCase = id;
  const sheet = $('#case-sheet');
  const bodyEl = $('#sheet-body');
  sheet.hidden = false;
  body.classList.add('gm-sheet-open');
  const known = store.get(id) as CaseItem | undefined;
  $('#sheet-title').textContent = known ? `#${id} ${catName(known.category)}` : `#${id}`;
  bodyEl.replaceChildren(h('div', { class: 'gm-empty' }, '加载中…'));
  let d: CaseDetail;
  try {
    d = await caseApi.detail(id);
  } catch (e) {
    bodyEl.replaceChildren(h('div', { class: 'gm-empty gm-bad' }, e instanceof ApiError && e.status === 0 ? '离线：无法加载案件详情' : `加载失败：${(e as Error).message}`));
    return;
  }
  if (sheetCase !== id) return;
  sheetUpdatedAt = d.incident.updatedAt;
  store.merge([d.incident]);
  needs.set(id, { updatedAt: d.incident.updatedAt, actions: d.allowedActions });
  renderSheet(d, action);
  const at = lonLatOf(d.incident);
  if (view && at) view.flyTo({ center: at, zoom: 17 });
}

function renderSheet(d: CaseDetail, action: string | null): void {
  const c = d.incident;
  sheetUpdatedAt = c.updatedAt;
  const over = isOverdue(c, clock.now());
  $('#sheet-title').textContent = `#${c.id} ${catName(c.category)}`;
  const photos = (d.photos ?? []).map((p) => p.url);
  $('#sheet-body').replaceChildren(
    h('div', { class: 'gm-detail', 'data-case-id': c.id, 'data-status': c.status },
      h('div', { class: 'gm-detail-l1' },
        h('span', { class: 'gw-state big', style: `--c:${stateColor(c.status)}` }, c.statusName),
        h('span', { class: 'gw-chip' }, c.levelName),
        c.overdue ? h('span', { class: 'gw-chip bad' }, '超期件') : null,
        h('span', { class: 'gw-cd big', 'data-deadline': c.deadlineAt ?? '', 'data-state-type': c.statusType, 'data-empty': c.statusType === 'open' ? '' : '计时已停止' }),
      ),
      over ? h('div', { class: 'gm-alert' }, '已超过办理时限，请尽快处置或上报上级') : null,
      h('p', { class: 'gm-detail-desc' }, c.description || '（无描述）'),
      h('dl', { class: 'gm-kv' },
        h('dt', {}, '位置'), h('dd', {}, c.gridName?.split(/[・·•]/).pop() ?? (c.address || '未定位')),
        h('dt', {}, '来源'), h('dd', {}, SOURCE_NAMES[c.source] ?? c.source),
        h('dt', {}, '上报'), h('dd', {}, fmtWhen(c.createdAt)),
        c.deadlineAt ? h('dt', {}, '时限') : null, c.deadlineAt ? h('dd', {}, fmtWhen(c.deadlineAt)) : null,
        c.reporters > 1 ? h('dt', {}, '来件') : null, c.reporters > 1 ? h('dd', {}, `${c.reporters} 次上报（已合并）`) : null,
      ),
      photos.length ? photoStrip(photos, 'gw-photos big') : null,
    ),
    h('h3', { class: 'gm-h3' }, '办理'),
    renderActionPanel({
      detail: d, role: me?.role ?? '', departments, variant: 'phone', open: action, showLocked: false,
      blocked: () => (online() ? null : '当前离线：办理操作需联网后提交'),
      onDone: async (updated, act, warning) => {
        store.merge([updated]);
        toast(`已${d.allowedActions.find((a) => a.action === act)?.name ?? '提交'}${warning ? `（${warning}）` : ''}`, warning ? 'warn' : 'ok');
        scheduleNeeds();
        try {
          const fresh = await caseApi.detail(updated.id);
          if (sheetCase === updated.id) renderSheet(fresh, null);
        } catch {
          // the list still has the change
        }
      },
    }),
    h('details', { class: 'gm-trail-wrap', open: true }, h('summary', {}, `办理轨迹（${d.events.length}）`), renderTrail(d.events, new Map(departments.map((x) => [x.code, x.name])), d.photos ?? [])),
  );
}

function closeSheet(): void {
  sheetCase = null;
  $('#case-sheet').hidden = true;
  body.classList.remove('gm-sheet-open');
}

// ---------------------------------------------------------------------------------------------
// Map

let view: MaplibreView | null = null;
let mapReady = false;
let renderTimer: ReturnType<typeof setTimeout> | undefined;

function refreshMap(): void {
  if (!view || !mapReady) return;
  clearTimeout(renderTimer);
  renderTimer = setTimeout(() => view?.setLayers(layers()), 30);
}

function layers(): LayerSpec[] {
  const now = clock.now();
  const cases: PointDatum<CaseItem>[] = (store.list() as CaseItem[])
    .filter((c) => c.lon != null && c.statusType !== 'closed')
    .map((c) => ({ id: c.id, position: [c.lon, c.lat] as [number, number], properties: c }))
    .reverse();
  const picked: PointDatum<{ k: string }>[] = pick.lonLat ? [{ id: 'pick', position: pick.lonLat, properties: { k: 'pick' } }] : [];
  return [
    {
      kind: 'polygons', id: 'grids', data: grids, fillColor: [34, 211, 238, 46], lineColor: [34, 211, 238, 230], lineWidth: 2.5,
      idOf: (p: GridProps) => p.id,
    },
    {
      kind: 'points', id: 'cases', data: cases, pickable: activeTab() !== 'report',
      color: (d: PointDatum<CaseItem>) => (isOverdue(d.properties, now) ? hexRgba(OVERDUE_COLOR) : hexRgba(stateColor(d.properties.status))),
      radius: (d: PointDatum<CaseItem>) => (needsMe(needs.get(d.id as number)?.actions ?? []) ? 8 : 6),
      strokeColor: [8, 14, 26, 255], strokeWidth: 2,
    },
    {
      kind: 'points', id: 'pick', data: picked, color: pick.inside ? [34, 211, 238, 255] : [239, 68, 68, 255], radius: 11,
      strokeColor: [255, 255, 255, 255], strokeWidth: 3,
    },
  ];
}

const BASE_TILES = '/tiles/base/{z}/{x}/{y}.pbf';
let tiles: { urls(): string[] } = { urls: () => [] };

async function startMap(d: DistrictInfoEx): Promise<void> {
  const bbox = grids.features.length ? gridsBBox(grids) : d.bbox;
  await useBlobMapWorker();
  view = new MaplibreView({
    container: $('#map'), bbox, tilesUrl: BASE_TILES, attribution: d.attribution || OSM_ATTRIBUTION,
    rasterUrl: null, padding: 18, requestHeaders: ownRequestHeaders,
  });
  tiles = trackTiles(view.map, 'base', `${location.origin}${BASE_TILES}`);
  view.onClick((e) => {
    const hit = e.hits.find((x) => x.layerId === 'cases');
    if (activeTab() === 'report') {
      setLocation(e.lngLat, null, 'map');
      return;
    }
    if (hit) void openCase(Number(hit.id));
  });
  await view.ready();
  mapReady = true;
  view.setLayers(layers());
  await view.rendered();
  body.dataset.ready = 'true';
  Object.assign(window, { __gcMobile: { view, project: (lon: number, lat: number) => { const p = view!.project([lon, lat]); return [p.x, p.y]; } } });
}

function gridsBBox(fc: GridFC): [number, number, number, number] {
  let [a, b, c, d] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const f of fc.features) {
    const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    for (const p of polys) for (const [x, y] of p[0] ?? []) {
      a = Math.min(a, x!); b = Math.min(b, y!); c = Math.max(c, x!); d = Math.max(d, y!);
    }
  }
  return [a, b, c, d];
}

// ---------------------------------------------------------------------------------------------
// Account menu

function wireMenu(): void {
  const btn = $('#who-btn');
  const menu = $('#menu');
  const show = (on: boolean) => {
    menu.hidden = !on;
    btn.setAttribute('aria-expanded', String(on));
  };
  btn.addEventListener('click', (e) => {
    e.stopPropagation();
    show(menu.hidden);
  });
  document.addEventListener('click', (e) => { if (!menu.contains(e.target as Node)) show(false); });
  $('#menu-logout').addEventListener('click', async () => {
    const n = Number(body.dataset.pending ?? 0);
    if (n > 0 && !confirm(`还有 ${n} 条上报待发送。退出后，需本人重新登录才会继续发送。确定退出？`)) return;
    writeCache('me', null);
    await forgetAccount().catch(() => undefined);
    try {
      await api.logout();
    } catch {
      // offline or already gone: leave anyway
    }
    location.assign(loginUrl('/mobile'));
  });
}

function paintMenu(a: Me, where: string): void {
  $('#menu-who').replaceChildren(h('b', {}, a.displayName || a.username), h('br'), `${a.roleName} · ${where}`);
  $('#menu-desk').hidden = !can(a.role as Role, 'update', 'incident') || a.role === 'grid_worker';
  $('#menu-reports').hidden = !can(a.role as Role, 'read', 'report');
}

// ---------------------------------------------------------------------------------------------
// Boot

async function main(): Promise<void> {
  for (const b of document.querySelectorAll<HTMLElement>('.gm-tabs [data-tab]')) b.addEventListener('click', () => setTab(b.dataset.tab as Tab));
  $('#outbox-chip').addEventListener('click', () => setTab('outbox'));
  $('#sheet-back').addEventListener('click', closeSheet);
  window.addEventListener('keydown', (e) => { if (e.key === 'Escape' && sheetCase !== null) closeSheet(); });
  body.dataset.tab = 'report';
  paintNet();
  wireReport();
  wireMenu();

  void registerOfflineWorker();
  me = await whoAmI();
  if (!me) {
    await handleAuthError(new ApiError(401, 'unauthorized', 'log in'));
    return;
  }
  // Before any data is asked for: the service worker caches and serves this account's answers only.
  await tellAccount(me.username, meVerified).catch(() => undefined);
  const mine = (k: string) => `${me!.username}:${k}`;
  $('#who').textContent = `${me.displayName || me.username} · ${me.roleName}`;
  await startOutbox(me.username);

  window.addEventListener('online', () => {
    paintNet();
    if (mapReady) scheduleOffline(1_000);
    paintSubmit();
    void outbox.flush({ force: true });
    void feed?.refresh().catch(() => undefined);
    scheduleNeeds();
    void paintOutbox();
  });
  window.addEventListener('offline', () => {
    paintNet();
    if (body.dataset.offline === 'ready') paintOffline('ready');
    paintSubmit();
    void paintOutbox();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void outbox.flush({ force: true });
  });

  const d = await cached(mine('district'), () => api.district());
  const [g, cats] = await Promise.all([
    cached(mine('grids'), async (): Promise<GridFC> => api.grids(d.value.bbox)),
    cached('categories', () => api.incidentCategories()),
  ]);
  district = d.value;
  grids = g.value;
  categories = cats.value;
  if (d.stale) toast('离线：显示上次保存的网格与类别', 'warn');
  const gridNames = grids.features.map((f) => f.properties.name.split(/[・·•]/).slice(-2).join(' · '));
  const where = gridNames.length === 1 ? gridNames[0]! : (me.roleName ?? '');
  $('#who').textContent = `${me.displayName || me.username} · ${where.split(' · ').pop()}`;
  paintMenu(me, where);
  if (can(me.role as Role, 'read', 'staff_contact')) {
    mountRoster({ grids: grids.features.map((f) => ({ id: f.properties.id, name: f.properties.name })), toast, select: (t) => setTab(t as Tab) }); // 一格三员 (issue 14)
  }
  if (can(me.role as Role, 'update', 'resident_pii')) mountVisits({ toast, select: (t) => setTab(t as Tab) }); // 走访 (issue 14)
  paintCategories();
  paintSubmit();
  void caseApi.departments().then((x) => { departments = x; }).catch(() => undefined);

  startTicker(document, clock);
  store.subscribe(() => {
    scheduleNeeds();
    paintQueue();
    sheetChanged();
  });
  feed = startCaseFeed({
    store, clock, district: district.code,
    loads: [{ state: [...OPEN_STATES, ...FIXED_STATES, 'closed'], limit: 1000 }],
    onStatus: (s) => {
      liveStatus = s;
      paintNet();
    },
  });
  feed.initial.catch((e) => {
    if (isUnreachable(e)) toast('离线：待办列表暂不可用，上报将保存在本机', 'warn');
  });
  await startMap(district);
  scheduleOffline(0);
  // Tiles seen while panning are kept too (a first visit's map worker is not yet controlled).
  view?.map.on('idle', () => scheduleOffline(3_000));
}

// ---------------------------------------------------------------------------------------------
// Offline use: the page, its grid data, queue and base map kept on the phone by a service worker

let offlineTimer: ReturnType<typeof setTimeout> | undefined;
let offlineBusy: Promise<unknown> = Promise.resolve();
function scheduleOffline(ms: number): void {
  clearTimeout(offlineTimer);
  offlineTimer = setTimeout(() => {
    if (!me) return;
    const account = me.username;
    offlineBusy = offlineBusy.then(() => prepareOffline({ account, verified: meVerified, urls: () => [...dataUrlsSeen(), ...tiles.urls()] }))
      .catch((e: unknown) => {
        console.warn('[offline]', e);
        paintOffline('error');
      });
  }, ms);
}

let feed: ReturnType<typeof startCaseFeed> | null = null;

main().catch(async (e) => {
  if (await handleAuthError(e)) return;
  console.error(e);
  toast(isUnreachable(e) ? '无法连接服务器：上报会先保存在本机' : `页面初始化失败：${(e as Error).message}`, 'bad', 10_000);
});

