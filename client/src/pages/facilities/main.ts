// 设施编辑 (/facilities, issue 17): planners and admins correct the facilities of the 16 service
// classes the 15-minute analysis counts. Click the map to add, drag a point to move it, pick one to
// retag or delete it, import a CSV (all rows or none; problems listed per row). Facilities from OSM
// keep their attribution; hand-added ones are marked 手工添加. The class's covered households (from
// /api/coverage/summary) follow each change.
import '../../styles/app.css';
import './facilities.css';
import { can, type Role } from '../../../../core/permissions.js';
import { OSM_ATTRIBUTION } from '../../../../core/types.js';
import { api, ApiError, ownRequestHeaders } from '../../api/http.js';
import type { LayerSpec, PointDatum, RGBA } from '../../map/map-view.js';
import { MaplibreView } from '../../map/maplibre/maplibre-view.js';
import { handleAuthError } from '../../shell/auth.js';
import { $, fmtInt, h, showError } from '../../shell/dom.js';
import { errorMessage } from '../../shell/errors.js';
import { mountHeader } from '../../shell/header.js';
import { initHooks, markReady, type GcHooks } from '../../shell/hooks.js';
import { CSV_ERRORS, FIELD_NAMES, facilityApi, importCsv, type EditorFacilityProps, type ServiceClassRow } from './api.js';

interface FacilityHooks extends GcHooks {
  mapMoving?: () => boolean;
  /** Centre the map on a point (tests click by project()). */
  flyTo?: (lon: number, lat: number, zoom?: number) => void;
  facilities: { count: number; cls: string; selected: number | null; covered: number | null; busy: number; importErrors: number; lastError: string | null; saved: number };
}

const hooks = initHooks('facilities') as FacilityHooks;
hooks.facilities = { count: 0, cls: '', selected: null, covered: null, busy: 0, importErrors: 0, lastError: null, saved: 0 };
const header = mountHeader('facilities');

const ERRORS: Record<string, string> = {
  outside_district: '位置在本区之外',
  forbidden: '位置不在您的辖区内，或当前账号无权编辑设施',
  unknown_service_class: '未知的服务类别',
  not_found: '设施不存在或已被删除',
  invalid_crs: '坐标不是有效的经纬度',
  payload_too_large: '文件过大：每次最多导入 2000 行',
};
const message = (e: unknown) => (e instanceof ApiError && ERRORS[e.code]) || errorMessage(e);

function hexRgba(hex: string, a = 255): RGBA {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex);
  const n = m ? parseInt(m[1]!, 16) : 0x22d3ee;
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255, a];
}

async function main() {
  const district = await api.district();
  header.setDistrict(district);
  const account = await header.account;
  const role = (account?.role ?? null) as Role | null;
  if (!role || !can(role, 'update', 'facility')) {
    showError('当前角色无权编辑设施（需要 规划员 或 管理员 账号）。');
    return;
  }
  const coverageOn = can(role, 'read', 'coverage');
  const classes: ServiceClassRow[] = await facilityApi.classes();
  const classOf = new Map(classes.map((c) => [c.code, c]));
  const q = new URLSearchParams(location.search).get('class');
  const state = {
    cls: q && classOf.has(q) ? q : classes[0]!.code,
    items: [] as PointDatum<EditorFacilityProps>[],
    selected: null as number | null,
    adding: false,
    covered: null as number | null,
    households: null as number | null,
  };

  const view = new MaplibreView({
    container: $('#map'), bbox: district.bbox, tilesUrl: '/tiles/base/{z}/{x}/{y}.pbf',
    attribution: district.attribution || OSM_ATTRIBUTION, rasterUrl: district.basemapUrl ?? null, padding: 40,
    requestHeaders: ownRequestHeaders,
  });

  const options = (sel: HTMLSelectElement, value: string) => {
    sel.replaceChildren(...classes.map((c) => h('option', { value: c.code }, c.name)));
    sel.value = value;
  };
  const filter = $('#class-filter') as HTMLSelectElement;
  const addClass = $('#add-class') as HTMLSelectElement;
  const editClass = $('#edit-class') as HTMLSelectElement;
  options(filter, state.cls);
  options(addClass, state.cls);
  options(editClass, state.cls);

  const busy = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    hooks.facilities.busy++;
    try {
      const v = await fn();
      hooks.facilities.lastError = null;
      return v;
    } catch (e) {
      if (await handleAuthError(e)) return undefined;
      hooks.facilities.lastError = e instanceof ApiError ? e.code : 'error';
      showError(message(e));
      return undefined;
    } finally {
      hooks.facilities.busy--;
    }
  };

  function renderMap() {
    const color = hexRgba(classOf.get(state.cls)?.color ?? '#22d3ee');
    const specs: LayerSpec[] = [
      {
        kind: 'points', id: 'facilities', data: state.items, pickable: true, draggable: true,
        color: (d: PointDatum<EditorFacilityProps>) => (d.id === state.selected ? [255, 255, 255, 255] : color),
        radius: (d: PointDatum<EditorFacilityProps>) => (d.id === state.selected ? 9 : 7),
        strokeColor: [15, 23, 42, 255], strokeWidth: 2,
      },
      {
        kind: 'labels', id: 'facility-labels', data: state.items.map((d) => ({ position: d.position, text: d.properties.name ?? '（未命名）' })),
        size: 12, minZoom: 14,
      },
    ];
    view.setLayers(specs);
  }

  function renderList() {
    const list = $('#list');
    list.replaceChildren(...state.items.map((d) => {
      const p = d.properties;
      const li = h('li', { class: d.id === state.selected ? 'sel' : null, 'data-id': d.id },
        h('span', {}, p.name ?? '（未命名）'),
        h('span', { class: 'src', title: p.source === 'import' ? (p.attribution ?? '') : `由 ${p.updatedBy ?? ''} 录入` },
          p.source === 'manual' ? '手工添加' : p.synthetic ? '导入（合成）' : 'OSM 导入'));
      li.addEventListener('click', () => select(Number(d.id), true));
      return li;
    }));
    $('#list-count').textContent = `${fmtInt(state.items.length)} 个`;
    const c = classOf.get(state.cls)!;
    $('#kpi').replaceChildren(...[
      h('div', {}, `${c.name}：`, h('b', { id: 'kpi-count' }, fmtInt(state.items.length)), ' 个设施'),
      coverageOn && state.covered !== null
        ? h('div', {}, `步行 ${c.walkMinutes} 分钟覆盖住户：`, h('b', { id: 'kpi-covered' }, fmtInt(state.covered)),
          state.households ? ` / ${fmtInt(state.households)} 户（合成估算）` : '')
        : null,
    ].filter((x) => x !== null));
  }

  function renderEdit() {
    const d = state.items.find((x) => x.id === state.selected);
    $('#edit').hidden = !d;
    if (!d) return;
    const p = d.properties;
    ($('#edit-name') as HTMLInputElement).value = p.name ?? '';
    editClass.value = p.serviceClass;
    $('#edit-info').replaceChildren(...[
      h('div', {}, `编号 ${p.id} · ${p.source === 'manual' ? '手工添加' : `导入${p.osmId ? `（OSM ${p.osmId}）` : ''}`}`),
      p.source === 'import' && p.attribution ? h('div', {}, `来源：${p.attribution}`) : null,
      p.updatedBy ? h('div', {}, `最近修改：${p.updatedBy}`) : null,
      h('div', {}, `位置：${d.position[0].toFixed(6)}, ${d.position[1].toFixed(6)}`),
    ].filter((x) => x !== null));
  }

  function select(id: number | null, fly = false) {
    state.selected = id;
    hooks.facilities.selected = id;
    const d = state.items.find((x) => x.id === id);
    if (fly && d) view.flyTo({ center: d.position, zoom: 16 });
    renderEdit();
    renderList();
    renderMap();
  }

  async function load() {
    const fc = await facilityApi.list(state.cls);
    state.items = fc.features.map((f) => ({ id: f.properties.id, position: f.geometry.coordinates as [number, number], properties: f.properties }));
    if (state.selected !== null && !state.items.some((x) => x.id === state.selected)) state.selected = null;
    if (coverageOn) {
      const s = await facilityApi.coveredHouseholds();
      state.covered = s.district.cells[state.cls]?.coveredHouseholds ?? 0;
      state.households = s.district.households;
    }
    hooks.facilities.count = state.items.length;
    hooks.facilities.cls = state.cls;
    hooks.facilities.covered = state.covered;
    renderList();
    renderEdit();
    renderMap();
  }

  const setAdding = (on: boolean) => {
    state.adding = on;
    $('#add-tool').setAttribute('aria-pressed', String(on));
    $('#add-tool').textContent = on ? '取消添加' : '在地图上点击添加';
    $('#hintbar').hidden = !on;
    view.setCursor?.(on ? 'crosshair' : null);
  };

  filter.addEventListener('change', () => {
    state.cls = filter.value;
    addClass.value = state.cls;
    state.selected = null;
    void busy(load);
  });
  $('#add-tool').addEventListener('click', () => setAdding(!state.adding));
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape') setAdding(false); });

  view.onClick((e) => {
    if (state.adding) {
      const name = ($('#add-name') as HTMLInputElement).value.trim();
      if (!name) { showError('请先填写设施名称'); return; }
      const [lon, lat] = e.lngLat;
      void busy(async () => {
        const f = await facilityApi.create({ name, serviceClass: addClass.value, lon, lat });
        setAdding(false);
        ($('#add-name') as HTMLInputElement).value = '';
        if (f.serviceClass !== state.cls) { state.cls = f.serviceClass; filter.value = f.serviceClass; }
        await load();
        hooks.facilities.saved++;
        select(f.id);
      });
      return;
    }
    const hit = e.hits.find((x) => x.layerId === 'facilities');
    select(hit ? Number(hit.id) : null);
  });
  view.onDrag?.((e) => {
    if (e.layerId !== 'facilities') return;
    const d = state.items.find((x) => x.id === e.id);
    if (!d) return;
    d.position = e.lngLat;
    if (e.phase !== 'end') { renderMap(); return; }
    void busy(async () => {
      try {
        await facilityApi.update(Number(e.id), { lon: e.lngLat[0], lat: e.lngLat[1] });
        hooks.facilities.saved++;
      } finally {
        await load(); // back to where the server has it when the move was refused
      }
      select(Number(e.id));
    });
  });

  $('#edit-save').addEventListener('click', () => {
    const id = state.selected;
    if (id === null) return;
    const name = ($('#edit-name') as HTMLInputElement).value.trim();
    void busy(async () => {
      const f = await facilityApi.update(id, { name, serviceClass: editClass.value });
      if (f.serviceClass !== state.cls) { state.cls = f.serviceClass; filter.value = f.serviceClass; }
      await load();
      hooks.facilities.saved++;
      select(id);
    });
  });
  $('#edit-delete').addEventListener('click', () => {
    const id = state.selected;
    if (id === null || !confirm('删除此设施？此操作会记入审计日志。')) return;
    void busy(async () => {
      await facilityApi.remove(id);
      state.selected = null;
      await load();
      hooks.facilities.saved++;
    });
  });

  ($('#csv-file') as HTMLInputElement).addEventListener('change', async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) ($('#csv-text') as HTMLTextAreaElement).value = await file.text();
  });
  $('#csv-import').addEventListener('click', () => {
    const csv = ($('#csv-text') as HTMLTextAreaElement).value;
    const out = $('#csv-result');
    if (!csv.trim()) { out.replaceChildren(h('p', { class: 'fe-bad' }, '请先选择文件或粘贴 CSV 内容')); return; }
    void busy(async () => {
      const r = await importCsv(csv, ($('#csv-crs') as HTMLSelectElement).value);
      if (r.ok) {
        hooks.facilities.importErrors = 0;
        out.replaceChildren(h('p', { class: 'fe-good' }, `已导入 ${fmtInt(r.imported)} 个设施`));
        await load();
        hooks.facilities.saved++;
        return;
      }
      hooks.facilities.importErrors = r.errors.length;
      out.replaceChildren(
        h('p', { class: 'fe-bad' }, `发现 ${fmtInt(r.total)} 处问题，未导入任何设施：`),
        h('table', { class: 'fe-errors', id: 'csv-errors' },
          h('thead', {}, h('tr', {}, h('th', {}, '行'), h('th', {}, '字段'), h('th', {}, '问题'))),
          h('tbody', {}, ...r.errors.map((x) => h('tr', { 'data-row': x.row },
            h('td', {}, x.row), h('td', {}, x.field ? FIELD_NAMES[x.field] ?? x.field : '—'), h('td', {}, CSV_ERRORS[x.code] ?? x.message))))),
      );
    });
  });

  await view.ready();
  hooks.project = (lon, lat) => { const p = view.project([lon, lat]); return [p.x, p.y]; };
  hooks.mapMoving = () => view.map.isMoving();
  hooks.flyTo = (lon, lat, zoom = 17) => view.flyTo({ center: [lon, lat], zoom }, { animate: false });
  await busy(load);
  await view.rendered();
  markReady(hooks);
}

main().catch(async (e) => {
  if (await handleAuthError(e)) return;
  console.error(e);
  showError(`页面初始化失败：${message(e)}`);
});
