// 人房企数据池 (/residents, issue 14): people, houses and firms per grid with tags. The map shades
// the grids of one community by the count of the selected tag (never dots on homes); beside it the
// masked list, an audited full view for roles with read_full, the CSV/.xlsx import with its
// preview, and — for an admin — the tag list. Only roles with resident_pii reach it
// (core/permissions.ts); others are not offered the page and it makes no request for them.
//
// Bounded loading (issue 13): the page never asks for every grid of the jurisdiction. It shows one
// community at a time (/api/grids?division=<community>, /api/residents/by-grid?division=…), so a
// city of 30,000 grids costs what one community costs.
import '../../styles/app.css';
import './residents.css';
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { can, type Role } from '../../../../core/permissions.js';
import type { PoolKind } from '../../../../core/resident-import.js';
import type { ResidentTagView, TagCountsByGrid } from '../../../../core/resident-pool.js';
import { OSM_ATTRIBUTION, type DivisionNode } from '../../../../core/types.js';
import { api, ownRequestHeaders, withQuery } from '../../api/http.js';
import { geometryBBox, labelPoint } from '../../map/geo.js';
import type { LabelDatum, LayerSpec, RGBA } from '../../map/map-view.js';
import { MaplibreView } from '../../map/maplibre/maplibre-view.js';
import { handleAuthError } from '../../shell/auth.js';
import { $, fmtInt, h, showError } from '../../shell/dom.js';
import { errorMessage } from '../../shell/errors.js';
import { mountHeader } from '../../shell/header.js';
import { initHooks, markReady, type GcHooks } from '../../shell/hooks.js';
import { button, pool, KIND_ZH } from './api.js';
import { mountImport } from './import-panel.js';
import { mountTagAdmin } from './tags-panel.js';

/** Light to dark: counts per grid in five steps of the largest. */
const RAMP: RGBA[] = [[254, 240, 217, 150], [253, 204, 138, 165], [252, 141, 89, 180], [227, 74, 51, 195], [179, 0, 0, 210]];

type GridFc = FeatureCollection<Polygon | MultiPolygon, { id: number; name: string }>;

interface ResidentHooks extends GcHooks {
  residents: {
    grids: number; listed: number; total: number; tag: string; group: string; maxCount: number; community: string;
    /** Grids the page asked the server for (one community's; never the whole jurisdiction). */
    gridsRequested: number; fullViews: number; imported: number;
  };
}
const hooks = initHooks('residents') as ResidentHooks;
hooks.residents = { grids: 0, listed: 0, total: 0, tag: '', group: '', maxCount: 0, community: '', gridsRequested: 0, fullViews: 0, imported: 0 };
const header = mountHeader('residents');

/** 外滩街道・中山东一路社区・第01网格 → 第01网格 (the community is chosen above the list). */
const shortGrid = (name: string) => name.split(/[・·•]/).pop() ?? name;

function communitiesOf(node: DivisionNode): DivisionNode[] {
  if (node.level === 'community') return [node];
  return node.children.flatMap(communitiesOf);
}

async function main() {
  const account = await header.account;
  const role = (account?.role ?? null) as Role | null;
  if (!role || !can(role, 'read', 'resident_pii')) {
    showError('当前角色无权查看人房企数据（需要 区领导、指挥中心、街道、社区、网格员 或 管理员 账号）。');
    return;
  }
  const [district, tree, tagList] = await Promise.all([api.district(), api.divisions(), pool.tags()]);
  header.setDistrict(district);
  let tags: ResidentTagView[] = tagList.tags;
  const communities = communitiesOf(tree.tree).filter((c) => c.gridCount > 0);
  const view = new MaplibreView({
    container: $('#map'), bbox: district.bbox, tilesUrl: '/tiles/base/{z}/{x}/{y}.pbf',
    attribution: district.attribution || OSM_ATTRIBUTION, rasterUrl: district.basemapUrl ?? null, padding: 40,
    requestHeaders: ownRequestHeaders,
  });

  const comSelect = $('#community') as HTMLSelectElement;
  comSelect.replaceChildren(...communities.map((c) => h('option', { value: c.code }, `${c.name}（${fmtInt(c.gridCount)} 个网格）`)));
  const tagSelect = $('#tag') as HTMLSelectElement;
  const fillTags = () => {
    const keep = tagSelect.value;
    const group = (k: PoolKind) => h('optgroup', { label: `${KIND_ZH[k]}（${k === 'person' ? '人员' : k === 'house' ? '房屋' : '企业'}标签）` },
      ...tags.filter((t) => t.appliesTo === k).map((t) => h('option', { value: t.code }, `${t.name}${t.sensitive ? '（敏感）' : ''}`)));
    tagSelect.replaceChildren(h('option', { value: '' }, '全部人员'), group('person'), group('house'), group('firm'));
    tagSelect.value = tags.some((t) => t.code === keep) ? keep : '';
  };
  fillTags();
  const tagOf = (code: string) => tags.find((t) => t.code === code);

  let grids: GridFc = { type: 'FeatureCollection', features: [] };
  let by: TagCountsByGrid = { grids: [], tags: [], synthetic: true };
  const countOf = (gridId: number, tag: string) => {
    const g = by.grids.find((x) => x.gridId === gridId);
    return g ? (tag ? g.tags[tag] ?? 0 : g.total) : 0;
  };

  function renderMap(tag: string) {
    const max = Math.max(0, ...by.grids.map((g) => countOf(g.gridId, tag)));
    const colour = (n: number): RGBA => (n <= 0 || max === 0 ? [148, 163, 184, 40] : RAMP[Math.min(4, Math.floor((n / max) * 5 - 1e-9))]!);
    const labels: LabelDatum[] = grids.features.flatMap((f) => {
      const p = labelPoint(f.geometry);
      return p ? [{ position: p, text: `${fmtInt(countOf(f.properties.id, tag))}` }] : [];
    });
    const specs: LayerSpec[] = [
      {
        kind: 'polygons', id: 'resident-grids', data: grids, pickable: true, colorKey: `${hooks.residents.community}:${tag}:${max}`,
        fillColor: (p: { id: number }) => colour(countOf(p.id, tag)), lineColor: [30, 41, 59, 220], lineWidth: 1,
        idOf: (p: { id: number }) => p.id,
      },
      { kind: 'labels', id: 'resident-counts', data: labels, size: 13, color: [15, 23, 42, 255], haloColor: [255, 255, 255, 230], minZoom: 12 },
    ];
    view.setLayers(specs);
    hooks.residents.maxCount = max;
    $('#legend').replaceChildren(h('span', {}, '0'), ...RAMP.map((c) => h('i', { style: `background: rgba(${c[0]},${c[1]},${c[2]},${c[3] / 255})` })), h('span', {}, fmtInt(max)));
  }

  const canFull = can(role, 'read_full', 'resident_pii');
  async function showFull(id: number) {
    const p = await pool.full(id);
    hooks.residents.fullViews++;
    $('#detail').hidden = false;
    $('#detail').replaceChildren(
      h('div', { class: 'rs-detail-head' }, h('b', { id: 'detail-name' }, p.name), ` · ${shortGrid(p.gridName)}`, button('关闭', 'btn sm', () => { $('#detail').hidden = true; })),
      h('div', {}, '电话：', h('span', { id: 'detail-phone' }, p.phone)),
      h('div', {}, '身份证号：', p.idNumber ?? '—'),
      h('div', {}, '标签：', p.tags.map((t) => tagOf(t)?.name ?? t).join('、') || '—'),
      h('div', {}, '最近走访：', p.lastVisit ?? '从未'),
      h('div', { class: 'rs-note' }, '完整信息查看已记入审计日志。'),
    );
    if (canEdit) $('#detail').append(tagEditor(p.id, p.tags));
  }

  /** A person's tags as checkboxes with 保存标签 (PUT /api/residents/:id/tags; audited on the server). */
  const canEdit = can(role, 'update', 'resident_pii');
  function tagEditor(id: number, current: string[]): HTMLElement {
    const boxes = tags.filter((t) => t.appliesTo === 'person').map((t) => {
      const box = h('input', { type: 'checkbox', value: t.code, 'data-tag': t.code });
      box.checked = current.includes(t.code);
      return h('label', { class: 'rs-tagbox' }, box, t.name);
    });
    const status = h('span', { class: 'rs-note', id: 'detail-tags-status' });
    const save = button('保存标签', 'btn sm', () => {
      const chosen = boxes.map((b) => b.querySelector('input')!).filter((b) => b.checked).map((b) => b.value);
      save.disabled = true;
      pool.setTags(id, chosen)
        .then(async () => { status.textContent = '已保存'; await loadCommunity(comSelect.value, false); })
        .catch((e: unknown) => { status.textContent = errorMessage(e); })
        .finally(() => { save.disabled = false; });
    }, { id: 'detail-save-tags' });
    return h('div', { class: 'rs-tagedit' }, ...boxes, h('div', { class: 'rs-row' }, save, status));
  }

  async function renderList(tag: string) {
    const code = hooks.residents.community;
    const kind: PoolKind = tag ? tagOf(tag)?.appliesTo ?? 'person' : 'person';
    const tbody = $('#list tbody');
    let rows: HTMLElement[];
    if (kind === 'person') {
      const { residents } = await pool.people(code, tag || undefined);
      $('#list thead').replaceChildren(h('tr', {}, h('th', {}, '姓名'), h('th', {}, '电话'), h('th', {}, '标签'), h('th', {}, '网格'), h('th', {}, '')));
      rows = residents.map((r) => h('tr', { 'data-id': r.id },
        h('td', { class: 'name' }, r.name), h('td', { class: 'phone' }, r.phone), h('td', { class: 'tags' }, r.tags.map((t) => tagOf(t)?.name ?? t).join('、')),
        h('td', {}, shortGrid(r.gridName)),
        h('td', {}, canFull ? button('查看', 'btn sm full', () => void showFull(r.id).catch((e) => showError(errorMessage(e)))) : '')));
    } else if (kind === 'house') {
      const { houses } = await pool.houses(code, tag);
      $('#list thead').replaceChildren(h('tr', {}, h('th', {}, '房号'), h('th', {}, '户主'), h('th', {}, '电话'), h('th', {}, '网格')));
      rows = houses.map((x) => h('tr', { 'data-id': x.id }, h('td', {}, x.unit), h('td', { class: 'name' }, x.owner ?? '—'), h('td', { class: 'phone' }, x.phone ?? '—'), h('td', {}, shortGrid(x.gridName))));
    } else {
      const { firms } = await pool.firms(code, tag);
      $('#list thead').replaceChildren(h('tr', {}, h('th', {}, '名称'), h('th', {}, '联系人'), h('th', {}, '电话'), h('th', {}, '网格')));
      rows = firms.map((x) => h('tr', { 'data-id': x.id }, h('td', {}, x.name), h('td', { class: 'name' }, x.contact ?? '—'), h('td', { class: 'phone' }, x.phone ?? '—'), h('td', {}, shortGrid(x.gridName))));
    }
    tbody.replaceChildren(...rows);
    const total = by.grids.reduce((n, g) => n + countOf(g.gridId, tag), 0);
    $('#list-count').textContent = rows.length < total ? `前 ${fmtInt(rows.length)} 条 / 共 ${fmtInt(total)} 条` : `${fmtInt(total)} 条`;
    const what = tag ? tagOf(tag)?.name ?? tag : '人员';
    $('#kpi').replaceChildren(h('div', {}, `${what}：`, h('b', { id: 'kpi-total' }, fmtInt(total)), ` ${kind === 'person' ? '人' : kind === 'house' ? '户' : '家'}，`,
      `分布在 ${fmtInt(by.grids.filter((g) => countOf(g.gridId, tag) > 0).length)} / ${fmtInt(by.grids.length)} 个网格`, by.synthetic ? '（含合成数据）' : ''));
    hooks.residents.listed = rows.length;
    hooks.residents.total = total;
    hooks.residents.tag = tag;
    hooks.residents.group = tag;
  }

  async function loadCommunity(code: string, fly: boolean) {
    hooks.residents.community = code;
    const [g, b] = await Promise.all([
      api.request<GridFc>(withQuery('/api/grids', { division: code, limit: 2000 })),
      pool.byGrid(code),
    ]);
    grids = g;
    by = b;
    hooks.residents.gridsRequested = g.features.length;
    hooks.residents.grids = g.features.length;
    hooks.gridCount = g.features.length;
    if (fly && g.features.length) {
      const boxes = g.features.map((f) => geometryBBox(f.geometry));
      view.flyTo({ bbox: [Math.min(...boxes.map((x) => x[0])), Math.min(...boxes.map((x) => x[1])), Math.max(...boxes.map((x) => x[2])), Math.max(...boxes.map((x) => x[3]))] }, { animate: false });
    }
    renderMap(tagSelect.value);
    await renderList(tagSelect.value);
  }

  comSelect.addEventListener('change', () => void loadCommunity(comSelect.value, true).catch((e) => showError(errorMessage(e))));
  tagSelect.addEventListener('change', () => {
    renderMap(tagSelect.value);
    void renderList(tagSelect.value).catch((e) => showError(errorMessage(e)));
  });

  const refresh = async () => {
    tags = (await pool.tags()).tags;
    fillTags();
    await loadCommunity(comSelect.value, false);
  };
  if (can(role, 'create', 'resident_pii')) {
    mountImport($('#import'), { onImported: async (n) => { hooks.residents.imported += n; await refresh(); } });
  } else $('#import').remove();
  if (can(role, 'create', 'resident_tag')) mountTagAdmin($('#tag-admin'), () => tags, refresh);
  else $('#tag-admin').remove();

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
