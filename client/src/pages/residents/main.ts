// 重点人群 (/residents, issue 17): the special-care residents of /api/residents (低保, 空巢, 残疾, …;
// synthetic data, labelled 合成数据) as counts per grid on the map — grids shaded by count and
// labelled — beside the masked list. Only roles with resident_pii reach it (core/permissions.ts);
// others are not offered the page and it makes no request for them.
import '../../styles/app.css';
import './residents.css';
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { can, type Role } from '../../../../core/permissions.js';
import { OSM_ATTRIBUTION } from '../../../../core/types.js';
import { api, ownRequestHeaders, withQuery } from '../../api/http.js';
import { labelPoint } from '../../map/geo.js';
import type { LabelDatum, LayerSpec, RGBA } from '../../map/map-view.js';
import { MaplibreView } from '../../map/maplibre/maplibre-view.js';
import { handleAuthError } from '../../shell/auth.js';
import { $, fmtInt, h, showError } from '../../shell/dom.js';
import { errorMessage } from '../../shell/errors.js';
import { mountHeader } from '../../shell/header.js';
import { initHooks, markReady, type GcHooks } from '../../shell/hooks.js';

const GROUPS: Record<string, string> = {
  dibao: '低保', empty_nest_elderly: '空巢老人', disabled: '残疾人', veteran: '退役军人', left_behind_child: '留守儿童',
};
/** Light to dark: counts per grid in five steps of the largest. */
const RAMP: RGBA[] = [[254, 240, 217, 150], [253, 204, 138, 165], [252, 141, 89, 180], [227, 74, 51, 195], [179, 0, 0, 210]];

interface ByGrid { grids: { gridId: number; gridName: string; communityCode: string; households: number; groups: Record<string, number>; total: number }[]; synthetic: boolean }
interface Resident { id: number; gridId: number; gridName: string; name: string; phone: string; careGroup: string; masked: boolean }
type GridFc = FeatureCollection<Polygon | MultiPolygon, { id: number; name: string }>;

interface ResidentHooks extends GcHooks { residents: { grids: number; listed: number; total: number; group: string; maxCount: number } }
const hooks = initHooks('residents') as ResidentHooks;
hooks.residents = { grids: 0, listed: 0, total: 0, group: '', maxCount: 0 };
const header = mountHeader('residents');

async function main() {
  const account = await header.account;
  const role = (account?.role ?? null) as Role | null;
  if (!role || !can(role, 'read', 'resident_pii')) {
    showError('当前角色无权查看重点人群（需要 区领导、指挥中心、街道、社区、网格员 或 管理员 账号）。');
    return;
  }
  const district = await api.district();
  header.setDistrict(district);
  const view = new MaplibreView({
    container: $('#map'), bbox: district.bbox, tilesUrl: '/tiles/base/{z}/{x}/{y}.pbf',
    attribution: district.attribution || OSM_ATTRIBUTION, rasterUrl: district.basemapUrl ?? null, padding: 40,
    requestHeaders: ownRequestHeaders,
  });
  const [grids, by] = await Promise.all([
    api.request<GridFc>('/api/grids'),
    api.request<ByGrid>('/api/residents/by-grid'),
  ]);
  const counts = new Map(by.grids.map((g) => [g.gridId, g]));
  const select = $('#group') as HTMLSelectElement;
  select.replaceChildren(h('option', { value: '' }, '全部人群'), ...Object.entries(GROUPS).map(([k, v]) => h('option', { value: k }, v)));

  const countOf = (gridId: number, group: string) => {
    const g = counts.get(gridId);
    return g ? (group ? g.groups[group] ?? 0 : g.total) : 0;
  };

  function renderMap(group: string) {
    const max = Math.max(0, ...by.grids.map((g) => countOf(g.gridId, group)));
    const colour = (n: number): RGBA => (n <= 0 || max === 0 ? [148, 163, 184, 40] : RAMP[Math.min(4, Math.floor((n / max) * 5 - 1e-9))]!);
    const labels: LabelDatum[] = grids.features.flatMap((f) => {
      const p = labelPoint(f.geometry);
      return p ? [{ position: p, text: `${fmtInt(countOf(f.properties.id, group))}` }] : [];
    });
    const specs: LayerSpec[] = [
      {
        kind: 'polygons', id: 'resident-grids', data: grids, pickable: true, colorKey: group,
        fillColor: (p: { id: number }) => colour(countOf(p.id, group)), lineColor: [30, 41, 59, 220], lineWidth: 1,
        idOf: (p: { id: number }) => p.id,
      },
      { kind: 'labels', id: 'resident-counts', data: labels, size: 13, color: [15, 23, 42, 255], haloColor: [255, 255, 255, 230], minZoom: 13 },
    ];
    view.setLayers(specs);
    hooks.residents.maxCount = max;
    $('#legend').replaceChildren(h('span', {}, '0'), ...RAMP.map((c) => h('i', { style: `background: rgba(${c[0]},${c[1]},${c[2]},${c[3] / 255})` })), h('span', {}, fmtInt(max)));
  }

  async function renderList(group: string) {
    const { residents } = await api.request<{ residents: Resident[] }>(withQuery('/api/residents', { careGroup: group || undefined, limit: 500 }));
    const tbody = $('#list tbody');
    tbody.replaceChildren(...residents.map((r) => h('tr', { 'data-id': r.id },
      h('td', { class: 'name' }, r.name), h('td', { class: 'phone' }, r.phone), h('td', {}, GROUPS[r.careGroup] ?? r.careGroup), h('td', {}, r.gridName))));
    const total = by.grids.reduce((n, g) => n + countOf(g.gridId, group), 0);
    $('#list-count').textContent = residents.length < total ? `前 ${fmtInt(residents.length)} 人 / 共 ${fmtInt(total)} 人` : `${fmtInt(total)} 人`;
    $('#kpi').replaceChildren(h('div', {}, `${group ? GROUPS[group] : '重点人群'}：`, h('b', { id: 'kpi-total' }, fmtInt(total)), ` 人，分布在 ${fmtInt(by.grids.filter((g) => countOf(g.gridId, group) > 0).length)} 个网格（合成数据）`));
    hooks.residents.listed = residents.length;
    hooks.residents.total = total;
    hooks.residents.group = group;
  }

  select.addEventListener('change', () => {
    renderMap(select.value);
    void renderList(select.value).catch((e) => showError(errorMessage(e)));
  });
  await view.ready();
  renderMap('');
  await renderList('');
  hooks.residents.grids = grids.features.length;
  hooks.gridCount = grids.features.length;
  await view.rendered();
  markReady(hooks);
}

main().catch(async (e) => {
  if (await handleAuthError(e)) return;
  console.error(e);
  showError(`页面初始化失败：${errorMessage(e)}`);
});
