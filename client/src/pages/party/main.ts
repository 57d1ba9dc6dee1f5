// 支部台账 · 一格三员 (/party, issue 14): choose a community and a grid branch; its members, its
// activity log with a form to record one (kind, date, place, attendees, note, photos), its monthly
// counts, its 党员中心户 with the buildings they serve (linked and unlinked here: households.ts), and
// the grid's roster by duty with masked numbers (a full number on request, audited by the server).
// The map shades the community's grids by branch activity in the last 30 days and flags grids with
// none; clicking a grid picks its branch. The branch's grid's buildings with households are drawn
// too (gold: served by a 中心户); clicking one chooses it in the link form. Only roles with read
// on `party` reach it (core/permissions.ts).
import '../../styles/app.css';
import './party.css';
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { ACTIVITY_KINDS, ACTIVITY_KIND_CODES, beijingDate, STAFF_DUTIES, type ActivityKind, type BranchDetail, type BranchSummary, type GridActivityView } from '../../../../core/party-ledger.js';
import { can, type Role } from '../../../../core/permissions.js';
import { OSM_ATTRIBUTION, type DivisionNode } from '../../../../core/types.js';
import { api, ApiError, isAuthError, ownRequestHeaders, withQuery } from '../../api/http.js';
import { partyApi } from '../../api/party.js';
import { caseApi } from '../../ui/cases/case-api.js';
import { geometryBBox, labelPoint } from '../../map/geo.js';
import { hitProps, type LabelDatum, type RGBA } from '../../map/map-view.js';
import { MaplibreView } from '../../map/maplibre/maplibre-view.js';
import { handleAuthError } from '../../shell/auth.js';
import { $, fmtInt, h, showError } from '../../shell/dom.js';
import { errorMessage } from '../../shell/errors.js';
import { mountHeader } from '../../shell/header.js';
import { initHooks, markReady, type GcHooks } from '../../shell/hooks.js';
import { householdApi, householdsPanel, type GridBuildingFc, type GridBuildingProps } from './households.js';

type GridFc = FeatureCollection<Polygon | MultiPolygon, { id: number; name: string }>;

interface PartyHooks extends GcHooks {
  party: {
    community: string; branchId: number; branches: number; activities: number; recent: number; monthTotal: number;
    flagged: number; roster: number; recorded: number; fullViews: number;
    /** 党员中心户 of the branch's grid, their links, the grid's buildings listed for linking, links saved / ended here. */
    households: number; links: number; buildings: number; linked: number; unlinked: number;
  };
}
const hooks = initHooks('party') as PartyHooks;
hooks.party = {
  community: '', branchId: 0, branches: 0, activities: 0, recent: 0, monthTotal: 0, flagged: 0, roster: 0, recorded: 0, fullViews: 0,
  households: 0, links: 0, buildings: 0, linked: 0, unlinked: 0,
};
const header = mountHeader('party');

const ACTIVE: RGBA = [47, 196, 141, 150];
const QUIET: RGBA = [229, 56, 79, 170];
const NO_BRANCH: RGBA = [148, 163, 184, 90];
const SERVED: RGBA = [255, 196, 0, 210];
const UNSERVED: RGBA = [226, 232, 240, 160];
const shortGrid = (name: string) => name.split(/[・·•]/).pop() ?? name;

function communitiesOf(node: DivisionNode): DivisionNode[] {
  if (node.level === 'community') return [node];
  return node.children.flatMap(communitiesOf);
}

function button(label: string, cls: string, onClick: () => void, attrs: Record<string, string> = {}): HTMLButtonElement {
  const b = h('button', { class: cls, type: 'button', ...attrs }, label);
  b.addEventListener('click', onClick);
  return b;
}

async function main() {
  const account = await header.account;
  const role = (account?.role ?? null) as Role | null;
  if (!role || !can(role, 'read', 'party')) {
    showError('当前角色无权查看支部台账（需要 区领导、指挥中心、街道、社区、网格员、分析员 或 管理员 账号）。');
    return;
  }
  const [district, tree] = await Promise.all([api.district(), api.divisions()]);
  header.setDistrict(district);
  const communities = communitiesOf(tree.tree).filter((c) => c.gridCount > 0);
  const view = new MaplibreView({
    container: $('#map'), bbox: district.bbox, tilesUrl: '/tiles/base/{z}/{x}/{y}.pbf',
    attribution: district.attribution || OSM_ATTRIBUTION, rasterUrl: district.basemapUrl ?? null, padding: 40,
    requestHeaders: ownRequestHeaders,
  });
  $('#legend').replaceChildren(
    h('span', {}, h('i', { style: `background: rgba(${ACTIVE.slice(0, 3).join(',')},0.8)` }), '近30天有活动'),
    h('span', {}, h('i', { style: `background: rgba(${QUIET.slice(0, 3).join(',')},0.8)` }), '近30天无活动'),
    h('span', {}, h('i', { style: `background: rgba(${NO_BRANCH.slice(0, 3).join(',')},0.8)` }), '未建支部'),
  );

  const comSelect = $('#community') as HTMLSelectElement;
  comSelect.replaceChildren(...communities.map((c) => h('option', { value: c.code }, `${c.name}（${fmtInt(c.gridCount)} 个网格）`)));
  const branchSelect = $('#branch') as HTMLSelectElement;

  let grids: GridFc = { type: 'FeatureCollection', features: [] };
  let branches: BranchSummary[] = [];
  let activity: GridActivityView[] = [];
  let detail: BranchDetail | null = null;
  let buildings: GridBuildingFc | null = null;
  const households = householdsPanel({
    list: $('#households'), form: $('#household-link'),
    saved: async (what) => {
      await loadBranch(detail!.branch.id);
      hooks.party[what]++;
    },
    chosen: () => renderMap(),
  });

  function renderMap() {
    const by = new Map(activity.map((a) => [a.gridId, a]));
    const colour = (id: number): RGBA => {
      const a = by.get(id);
      return !a?.hasBranch ? NO_BRANCH : a.noActivity ? QUIET : ACTIVE;
    };
    const selectedGrid = detail?.branch.gridId ?? -1;
    const labels: LabelDatum[] = grids.features.flatMap((f) => {
      const p = labelPoint(f.geometry);
      const a = by.get(f.properties.id);
      return p ? [{ position: p, text: a?.hasBranch ? `${fmtInt(a.recent)} 次` : '无支部' }] : [];
    });
    view.setLayers([
      {
        kind: 'polygons', id: 'party-grids', data: grids, pickable: true,
        colorKey: `${hooks.party.community}:${activity.map((a) => a.recent).join(',')}:${selectedGrid}`,
        fillColor: (p: { id: number }) => colour(p.id),
        lineColor: (p: { id: number }) => (p.id === selectedGrid ? [255, 231, 166, 255] : [30, 41, 59, 220]),
        lineWidth: 2,
        idOf: (p: { id: number }) => p.id,
      },
      ...(buildings && detail && buildings.gridId === detail.branch.gridId ? [buildingLayer(buildings, detail)] : []),
      { kind: 'labels', id: 'party-counts', data: labels, size: 13, color: [15, 23, 42, 255], haloColor: [255, 255, 255, 230], minZoom: 12 },
    ]);
    hooks.party.flagged = activity.filter((a) => a.noActivity).length;
  }

  /** The branch's grid's buildings with households: gold when a 中心户 of the branch serves them; the one chosen for linking outlined. */
  function buildingLayer(fc: GridBuildingFc, d: BranchDetail) {
    const served = new Set(d.households.flatMap((x) => x.serves.map((s) => s.buildingId)));
    const picked = households.picked();
    return {
      kind: 'polygons' as const, id: 'party-buildings', data: fc, pickable: true,
      colorKey: `${fc.gridId}:${[...served].join(',')}:${picked}`,
      fillColor: (p: GridBuildingProps) => (served.has(p.id) ? SERVED : UNSERVED),
      lineColor: [15, 23, 42, 200] as RGBA, lineWidth: 1,
      idOf: (p: GridBuildingProps) => p.id, highlightId: picked, highlightColor: [200, 16, 46, 255] as RGBA,
    };
  }

  async function showContact(kind: 'staff' | 'member', id: number) {
    const c = await partyApi.contact(kind, id);
    hooks.party.fullViews++;
    const box = $('#contact');
    box.hidden = false;
    box.replaceChildren(h('b', { id: 'contact-name' }, c.name), '：', h('span', { id: 'contact-phone' }, c.phone ?? '未登记'), ' ',
      h('span', { class: 'pt-sub' }, '（已记入审计日志）'), ' ', button('关闭', 'btn sm', () => { box.hidden = true; }));
  }

  function renderForm(d: BranchDetail) {
    const box = $('#record');
    if (!d.canWrite) {
      box.replaceChildren(h('h2', {}, '记录活动'), h('div', { class: 'pt-sub' }, '当前角色只能查看台账。'));
      return;
    }
    const today = beijingDate(Date.now());
    const kind = h('select', { id: 'act-kind', 'aria-label': '活动类型' }, ...ACTIVITY_KIND_CODES.map((k) => h('option', { value: k }, ACTIVITY_KINDS[k])));
    const date = h('input', { id: 'act-date', type: 'date', value: today, max: today, 'aria-label': '日期' });
    const place = h('input', { id: 'act-place', type: 'text', maxlength: '100', placeholder: '如：社区党群服务中心', 'aria-label': '地点' });
    const note = h('textarea', { id: 'act-note', maxlength: '500', placeholder: '内容摘要（选填）', 'aria-label': '备注' });
    const photos = h('input', { id: 'act-photos', type: 'file', accept: 'image/jpeg,image/png,image/webp', multiple: '', 'aria-label': '照片' });
    const attendees = h('div', { class: 'pt-attendees', id: 'act-attendees', role: 'group', 'aria-label': '参加党员' },
      ...d.members.map((m) => h('label', {}, h('input', { type: 'checkbox', value: String(m.id) }), m.name)));
    const error = h('div', { class: 'pt-error', id: 'act-error', role: 'alert' });
    const submit = button('保存活动', 'btn primary', () => void save(), { id: 'act-save' });
    async function save() {
      error.textContent = '';
      submit.disabled = true;
      try {
        const attendeeIds = [...attendees.querySelectorAll<HTMLInputElement>('input:checked')].map((x) => Number(x.value));
        const photoIds: number[] = [];
        for (const f of [...(photos.files ?? [])]) {
          const up = await caseApi.uploadPhoto(f);
          if (up) photoIds.push(up.id);
        }
        await partyApi.record(d.branch.id, {
          kind: kind.value as ActivityKind, heldOn: date.value, place: place.value, note: note.value, attendeeIds, photoIds,
        });
        await loadActivity();
        await loadBranch(d.branch.id);
        hooks.party.recorded++;
      } catch (e) {
        // The ledger's rules answer in zh-CN (core/party-ledger.ts activityProblems): shown as they are.
        error.textContent = `未保存：${e instanceof ApiError && e.code === 'invalid_activity' ? e.message : errorMessage(e)}`;
      } finally {
        submit.disabled = false;
      }
    }
    box.replaceChildren(h('h2', {}, '记录活动'), h('div', { class: 'pt-form' },
      h('label', { class: 'pt-row' }, '类型 ', kind), h('label', { class: 'pt-row' }, '日期 ', date), h('label', { class: 'pt-row' }, '地点 ', place),
      h('div', {}, '参加党员：'), attendees, note, h('label', { class: 'pt-row' }, '照片 ', photos), error, submit));
  }

  /** 新增党员: name, phone, date joined (or transferred in); the server checks and stores it. */
  function memberForm(branchId: number): HTMLElement {
    const name = h('input', { id: 'mem-name', type: 'text', maxlength: '40', placeholder: '姓名', 'aria-label': '党员姓名' });
    const phone = h('input', { id: 'mem-phone', type: 'tel', maxlength: '20', placeholder: '手机号（选填）', 'aria-label': '手机号' });
    const joined = h('input', { id: 'mem-joined', type: 'date', max: beijingDate(Date.now()), 'aria-label': '入党/转入日期' });
    const error = h('span', { class: 'pt-error', id: 'mem-error', role: 'alert' });
    const add = button('新增党员', 'btn sm', () => {
      error.textContent = '';
      add.disabled = true;
      partyApi.addMember(branchId, { name: name.value.trim(), ...(phone.value.trim() ? { phone: phone.value.trim() } : {}), ...(joined.value ? { joinedOn: joined.value } : {}) })
        .then(() => loadBranch(branchId))
        .catch((e: unknown) => { error.textContent = `未保存：${errorMessage(e)}`; add.disabled = false; });
    }, { id: 'mem-add' });
    return h('div', { class: 'pt-row pt-member-form' }, name, phone, joined, add, error);
  }

  function renderBranch(d: BranchDetail) {
    const b = d.branch;
    $('#kpi').replaceChildren(
      h('span', {}, '党员 ', h('b', { id: 'kpi-members' }, fmtInt(b.members)), ` 名（在册 ${fmtInt(b.membersDeclared)}）`),
      h('span', {}, '近30天活动 ', h('b', { id: 'kpi-recent', class: b.noActivity ? 'bad' : '' }, fmtInt(b.recent)), ' 次'),
      h('span', {}, '最近一次 ', h('b', {}, b.lastActivity ?? '无')),
      b.noActivity ? h('span', { class: 'bad', id: 'kpi-flag' }, '⚠ 近30天无活动') : '',
      b.synthetic ? h('span', { class: 'pt-sub' }, '含合成数据') : '',
    );
    renderForm(d);
    const max = Math.max(1, ...d.months.map((m) => m.total));
    $('#months').replaceChildren(...d.months.map((m) => h('div', {
      class: 'm', 'data-month': m.month, 'data-total': String(m.total),
      title: `${m.month}：${ACTIVITY_KIND_CODES.map((k) => `${ACTIVITY_KINDS[k]} ${m.byKind[k]}`).join('，')}`,
    }, h('span', { class: 'n' }, String(m.total)), h('div', { class: 'bar', style: `height: ${(m.total / max) * 60}px` }), h('span', {}, `${Number(m.month.slice(5))}月`))));
    $('#activity-count').textContent = `（${fmtInt(d.activities.length)} 条）`;
    $('#activities').replaceChildren(...d.activities.map((a) => h('li', { 'data-id': a.id, 'data-kind': a.kind },
      h('b', {}, `${a.heldOn} ${a.kindName}`), ` · ${a.place}`,
      h('div', { class: 'meta' }, `参加 ${a.attendees.length} 人：${a.attendees.map((x) => x.name).join('、')}`, a.note ? ` · ${a.note}` : '', ` · 记录人 ${a.createdBy}`),
      a.photos.length ? h('div', {}, ...a.photos.map((p) => h('img', { src: p.thumbUrl, alt: '活动照片', loading: 'lazy' }))) : '')));
    $('#member-count').textContent = `（${fmtInt(d.members.length)} 名）`;
    const full = can(role!, 'read_full', 'staff_contact');
    $('#members').replaceChildren(...d.members.map((m) => h('span', { 'data-id': m.id }, m.name, ' ', h('span', { class: 'phone' }, m.phone ?? ''),
      full && m.phone ? button('查看', 'btn sm', () => void showContact('member', m.id).catch((e) => showError(errorMessage(e)))) : '')));
    if (d.canWrite) $('#members').append(memberForm(d.branch.id));
    households.render(d, buildings);
    $('#roster-grid').textContent = `· ${shortGrid(d.roster.gridName)}`;
    $('#roster tbody').replaceChildren(
      ...d.roster.staff.map((s) => h('tr', { 'data-id': s.id, 'data-duty': s.duty }, h('td', {}, s.dutyName), h('td', { class: 'name' }, s.name),
        h('td', { class: 'phone' }, s.phone ?? '—'),
        h('td', {}, d.roster.canSeeFull && s.phone ? button('查看', 'btn sm', () => void showContact('staff', s.id).catch((e) => showError(errorMessage(e)))) : ''))),
      ...d.roster.missing.map((m) => h('tr', { 'data-duty': m }, h('td', {}, STAFF_DUTIES[m]), h('td', { class: 'missing', colspan: '3' }, '未配备'))),
    );
    hooks.party.branchId = b.id;
    hooks.party.activities = d.activities.length;
    hooks.party.recent = b.recent;
    hooks.party.monthTotal = d.months.at(-1)?.total ?? 0;
    hooks.party.roster = d.roster.staff.length;
    hooks.party.households = d.households.length;
    hooks.party.links = d.households.reduce((n, x) => n + x.serves.length, 0);
    hooks.party.buildings = buildings?.features.length ?? 0;
  }

  /** The grid's buildings for the 中心户 links; a failure leaves the ledger usable (the form says so). */
  const gridBuildings = (gridId: number) => householdApi.buildings(gridId).catch((e: unknown) => {
    if (isAuthError(e)) throw e;
    console.warn('party: the grid\'s buildings did not load', e);
    return null;
  });

  async function loadBranch(id: number) {
    const gridId = branches.find((b) => b.id === id)?.gridId;
    const [d, fc] = await Promise.all([partyApi.branch(id), gridId === undefined ? null : gridBuildings(gridId)]);
    detail = d;
    buildings = gridId === d.branch.gridId ? fc : await gridBuildings(d.branch.gridId);
    branchSelect.value = String(id);
    renderBranch(detail);
    renderMap();
  }

  async function loadActivity() {
    activity = (await partyApi.gridActivity(hooks.party.community)).grids;
    branches = (await partyApi.branches(hooks.party.community)).branches;
    renderMap();
  }

  async function loadCommunity(code: string, fly: boolean) {
    hooks.party.community = code;
    const [g] = await Promise.all([api.request<GridFc>(withQuery('/api/grids', { division: code, limit: 2000 })), loadActivity()]);
    grids = g;
    hooks.gridCount = g.features.length;
    hooks.party.branches = branches.length;
    branchSelect.replaceChildren(...branches.map((b) => h('option', { value: String(b.id) },
      `${shortGrid(b.gridName)} · ${b.name}${b.noActivity ? '（近30天无活动）' : ''}`)));
    if (fly && g.features.length) {
      const boxes = g.features.map((f) => geometryBBox(f.geometry));
      view.flyTo({ bbox: [Math.min(...boxes.map((x) => x[0])), Math.min(...boxes.map((x) => x[1])), Math.max(...boxes.map((x) => x[2])), Math.max(...boxes.map((x) => x[3]))] }, { animate: false });
    }
    if (branches.length) await loadBranch(branches[0]!.id);
    else {
      detail = null;
      buildings = null;
      $('#kpi').replaceChildren(h('span', { class: 'bad' }, '本社区（辖区内）没有网格党支部'));
      renderMap();
    }
  }

  const fail = (e: unknown) => showError(errorMessage(e));
  comSelect.addEventListener('change', () => void loadCommunity(comSelect.value, true).catch(fail));
  branchSelect.addEventListener('change', () => void loadBranch(Number(branchSelect.value)).catch(fail));
  view.onClick((e) => {
    // A building of the branch's grid: chosen in the 中心户 link form (it is in the branch shown already).
    const building = e.hits.find((x) => x.layerId === 'party-buildings');
    if (building) {
      households.pick(hitProps<GridBuildingProps>(building).id);
      return;
    }
    const hit = e.hits.find((x) => x.layerId === 'party-grids');
    if (!hit) return;
    const gridId = hitProps<{ id: number }>(hit).id;
    const b = branches.find((x) => x.gridId === gridId);
    if (b) void loadBranch(b.id).catch(fail);
  });

  hooks.project = (lon, lat) => { const p = view.project([lon, lat]); return [p.x, p.y]; };

  await view.ready();
  if (communities.length === 0) {
    showError('辖区内没有网格。');
    return;
  }
  await loadCommunity(communities[0]!.code, true);
  await view.rendered();
  markReady(hooks);
}

main().catch(async (e) => {
  if (await handleAuthError(e)) return;
  console.error(e);
  showError(`页面初始化失败：${errorMessage(e)}`);
});
