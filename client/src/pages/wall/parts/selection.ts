// Selection: drill-down by click or touch (district › subdistrict › community › grid › building),
// the breadcrumbs, the detail card (a grid's with its 一格三员 by duty, parts/staff.ts), a Party
// organisation picked in the tree, and the camera target of each selection.
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import type { BuildingProps } from '../../../../../core/types.js';
import type { GridMetric, PartyNode } from '../../../../../core/wall.js';
import { hitProps, type BBox, type FlyTarget } from '../../../map/map-view.js';
import { $, h } from '../../../shell/dom.js';
import { anyProps, bboxOf, LEVEL_NAMES, selKey, type Sel, type WallContext } from '../context.js';
import { coverageTone, STAFF_ROLE_NAMES } from '../metrics.js';
import * as panel from '../panels.js';
import { int, pct, shortGridName } from '../panels.js';
import { gridStaff } from './staff.js';

const partyNodes = (roots: PartyNode[]): PartyNode[] => roots.flatMap((n) => [n, ...partyNodes(n.children)]);
const findParty = (roots: PartyNode[], id: number) => partyNodes(roots).find((n) => n.id === id);

/**
 * A camera target that shows a place with its street and grid context: the grid around it (and the
 * place itself), framed like a grid selection; without a grid, a wider view centred on the place.
 */
export function contextTarget(ctx: WallContext, at: [number, number] | null, gridId: number | null, extra: BBox | null = null): { target: FlyTarget; rangeScale: number } {
  const f = gridId != null ? ctx.data.gridFeature.get(gridId) : undefined;
  const boxes: BBox[] = [];
  if (f) boxes.push(bboxOf(f.geometry));
  if (extra) boxes.push(extra);
  if (boxes.length) {
    const b: BBox = [Math.min(...boxes.map((x) => x[0])), Math.min(...boxes.map((x) => x[1])), Math.max(...boxes.map((x) => x[2])), Math.max(...boxes.map((x) => x[3]))];
    if (at) b.splice(0, 4, Math.min(b[0], at[0]), Math.min(b[1], at[1]), Math.max(b[2], at[0]), Math.max(b[3], at[1]));
    return { target: { bbox: b }, rangeScale: ctx.act.rangeScale() };
  }
  return { target: { center: at ?? [ctx.data.district.center[0], ctx.data.district.center[1]], zoom: 15.6 }, rangeScale: 1 };
}

export function setupSelection(ctx: WallContext): void {
  const { data, state, hooks, params } = ctx;
  const { district, scopeBbox, divFeature, gridFeature, buildingFeature, communityOf, subOf } = data;
  const touched = () => ctx.act.touched();
  const staff = gridStaff(ctx);

  ctx.act.scopeName = (s: Sel): string => {
    switch (s.level) {
      case 'district': return district.name;
      case 'subdistrict': case 'community': return divFeature.get(s.code)?.properties.name ?? s.code;
      case 'grid': return shortGridName(gridFeature.get(s.gridId)?.properties.name, 2);
      case 'building': return buildingFeature.get(s.buildingId)?.properties.name ?? `楼栋 ${s.buildingId}`;
    }
  };
  const scopeName = ctx.act.scopeName;
  function chain(s: Sel): Sel[] {
    const out: Sel[] = [{ level: 'district' }];
    let grid: number | null = null;
    let com: string | null = null;
    if (s.level === 'building') grid = s.gridId;
    if (s.level === 'grid') grid = s.gridId;
    if (grid != null) com = communityOf.get(grid) ?? null;
    if (s.level === 'community') com = s.code;
    const sub = s.level === 'subdistrict' ? s.code : com ? subOf.get(com) ?? null : null;
    if (sub && divFeature.has(sub)) out.push({ level: 'subdistrict', code: sub });
    if (com && divFeature.has(com)) out.push({ level: 'community', code: com });
    if (grid != null) out.push({ level: 'grid', gridId: grid });
    if (s.level === 'building') out.push(s);
    return out;
  }
  ctx.act.targetOf = (s: Sel): FlyTarget => {
    switch (s.level) {
      case 'district': return { bbox: scopeBbox };
      case 'subdistrict': case 'community': { const f = divFeature.get(s.code); return f ? { bbox: bboxOf(f.geometry) } : { bbox: scopeBbox }; }
      case 'grid': { const f = gridFeature.get(s.gridId); return f ? { bbox: bboxOf(f.geometry) } : { bbox: scopeBbox }; }
      case 'building': {
        const f = buildingFeature.get(s.buildingId);
        const b = f ? bboxOf(f.geometry) : scopeBbox;
        return { center: [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2], zoom: 17.3 };
      }
    }
  };
  function featuresOf(s: Sel): Feature<Polygon | MultiPolygon, Record<string, unknown>>[] {
    switch (s.level) {
      case 'district': return [];
      case 'subdistrict': case 'community': { const f = divFeature.get(s.code); return f ? [anyProps(f)] : []; }
      case 'grid': { const f = gridFeature.get(s.gridId); return f ? [anyProps(f)] : []; }
      case 'building': { const f = buildingFeature.get(s.buildingId); return f ? [anyProps(f)] : []; }
    }
  }

  const renderCrumbs = () => {
    const items = chain(state.sel);
    const nodes: (HTMLElement | string)[] = [];
    items.forEach((s, i) => {
      if (i) nodes.push(h('span', { class: 'sep' }, '›'));
      const b = h('button', { type: 'button', class: i === items.length - 1 ? 'on' : '', 'data-sel': selKey(s) }, `${LEVEL_NAMES[s.level]} · ${scopeName(s)}`);
      b.addEventListener('click', () => { touched(); ctx.act.select(s, true); });
      nodes.push(b);
    });
    $('#crumbs').replaceChildren(...nodes);
  };

  const gridsIn = (s: Sel): GridMetric[] => {
    const all = [...ctx.metricOf.values()];
    switch (s.level) {
      case 'district': return all;
      case 'subdistrict': return all.filter((g) => subOf.get(g.communityCode) === s.code);
      case 'community': return all.filter((g) => g.communityCode === s.code);
      case 'grid': return all.filter((g) => g.gridId === s.gridId);
      case 'building': return all.filter((g) => g.gridId === s.gridId);
    }
  };

  ctx.act.renderDetail = () => {
    const s = state.sel;
    const party = data.party;
    const el = $('#detail');
    if (s.level === 'district' && state.partyNode == null) {
      el.hidden = true;
      return;
    }
    if (state.partyNode != null) {
      const n = findParty(party.roots, state.partyNode);
      if (n) {
        panel.detail(el, `党组织 · ${n.levelName}`, n.name, [
          { label: '所在社区', value: n.communityName },
          ...(n.gridName ? [{ label: '所在网格', value: shortGridName(n.gridName, 2) }] : []),
          ...(n.buildingName ? [{ label: '所在楼栋', value: n.buildingName }] : []),
          { label: n.level === 'member_household' ? '党员' : '党员人数', value: `${int(n.members)} 名` },
          ...(n.level === 'community_committee' ? [{ label: '下设', value: `${n.counts.grid_branch} 个网格党支部 · ${n.counts.building_group} 个楼栋党小组 · ${n.counts.member_household} 户党员中心户` }] : []),
          ...(n.level === 'grid_branch' ? [{ label: '下设', value: `${n.counts.building_group} 个楼栋党小组 · ${n.counts.member_household} 户党员中心户` }] : []),
          { label: '覆盖网格', value: `${n.gridIds.length} 个` },
          { label: '数据', value: n.synthetic ? '合成（演示）' : '真实' },
        ]);
        return;
      }
    }
    const gs = gridsIn(s);
    const sum = (f: (g: GridMetric) => number) => gs.reduce((a, g) => a + f(g), 0);
    const hh = sum((g) => g.households);
    const rows: panel.DetailRow[] = [];
    if (s.level === 'building') {
      const b = buildingFeature.get(s.buildingId)?.properties;
      if (b) {
        rows.push({ label: '高度', value: `${b.heightM.toFixed(0)} 米${b.levels ? ` · ${b.levels} 层` : ''}` });
        rows.push({ label: '住户（估算）', value: b.residential ? `${int(b.households)} 户 · ${int(b.residents)} 人` : '非住宅' });
        const orgs = partyNodes(party.roots).filter((n) => n.buildingId === b.id);
        rows.push({ label: '楼栋党组织', value: orgs.length ? orgs.map((n) => n.levelName).join('、') : '无', tone: orgs.length ? 'good' : undefined });
      }
    }
    const g = s.level === 'grid' || s.level === 'building' ? gs[0] : undefined;
    if (g) {
      rows.push({ label: '所属网格', value: shortGridName(g.name, 2) });
      rows.push({ label: '住户', value: `${int(g.households)} 户` });
      rows.push({ label: '未结 / 超期', value: `${int(g.open)} / ${int(g.overdue)} 件`, tone: g.overdue ? 'bad' : undefined });
      rows.push({ label: '近 30 日千户发案', value: g.per1000 == null ? '—' : `${g.per1000.toFixed(1)} 件/千户` });
      rows.push({ label: '网格党支部', value: g.partyBranch ? `已建 · ${g.partyMembers} 名党员 · ${g.memberHouseholds} 户中心户` : '未建立', tone: g.partyBranch ? 'good' : 'bad' });
      const missing = ['grid_worker', 'community_worker', 'property_manager'].filter((r) => !g.staffRoles.includes(r));
      rows.push({ label: '一格三员', value: missing.length ? `缺 ${missing.map((r) => STAFF_ROLE_NAMES[r]).join('、')}` : '三员配齐', tone: missing.length ? 'bad' : 'good' });
      rows.push({ label: '15分钟生活圈', value: g.serviceCoverage == null ? '—' : `${pct(g.serviceCoverage, 0)}%`, tone: g.serviceCoverage == null ? undefined : coverageTone(g.serviceCoverage) === 'good' ? 'good' : g.serviceCoverage < 0.3 ? 'bad' : undefined });
    } else {
      const covered = gs.filter((x) => x.partyBranch).length;
      const staffed = gs.filter((x) => x.staffingComplete).length;
      rows.push({ label: '网格 / 住户', value: `${gs.length} 个 · ${int(hh)} 户` });
      rows.push({ label: '未结 / 超期', value: `${int(sum((x) => x.open))} / ${int(sum((x) => x.overdue))} 件`, tone: sum((x) => x.overdue) ? 'bad' : undefined });
      rows.push({ label: '近 30 日千户发案', value: hh ? `${((sum((x) => x.recent) * 1000) / hh).toFixed(1)} 件/千户` : '—' });
      rows.push({ label: '党支部覆盖', value: `${covered}/${gs.length} 个网格（${pct(gs.length ? covered / gs.length : null, 0)}%）`, tone: covered === gs.length ? 'good' : 'bad' });
      rows.push({ label: '一格三员配齐', value: `${staffed}/${gs.length} 个网格`, tone: staffed === gs.length ? 'good' : undefined });
    }
    panel.detail(el, LEVEL_NAMES[s.level], scopeName(s), rows);
    // Who they are, by duty, numbers masked (also for roles without the case figures behind `g`).
    const gridId = s.level === 'grid' ? s.gridId : s.level === 'building' ? s.gridId : null;
    if (gridId != null) el.append(staff.block(gridId));
  };

  ctx.act.select = (s, fly, opts = {}) => {
    const changed = selKey(s) !== selKey(state.sel);
    state.sel = s;
    if (!opts.keepParty) state.partyNode = null;
    hooks.selection = selKey(s);
    const feats = opts.highlight ? opts.highlight.flatMap((id) => { const f = gridFeature.get(id); return f ? [anyProps(f)] : []; }) : featuresOf(s);
    ctx.overlay.highlight = { type: 'FeatureCollection', features: feats };
    renderCrumbs();
    ctx.act.renderDetail();
    ctx.act.scheduleRender();
    if (changed) {
      state.scoped = null;
      ctx.act.renderKpis();
      ctx.act.refreshMetrics(0);
    }
    if (fly) void ctx.fx.flyToAsync(ctx.act.targetOf(s), { duration: Math.max(1, params.flight), heading: 15, pitch: s.level === 'building' ? -35 : -42, rangeScale: s.level === 'building' ? 1 : ctx.act.rangeScale() });
  };

  ctx.act.selectPartyNode = (n: PartyNode) => {
    state.partyNode = n.id;
    const sel: Sel = n.gridId != null ? { level: 'grid', gridId: n.gridId } : { level: 'community', code: n.communityCode };
    ctx.act.select(sel, false, { keepParty: true, highlight: n.gridIds });
    // A building's group or a member household: its grid around it (street and grid context).
    const small = n.level === 'member_household' || n.level === 'building_group';
    const fly = small ? contextTarget(ctx, n.bbox ? [(n.bbox[0] + n.bbox[2]) / 2, (n.bbox[1] + n.bbox[3]) / 2] : null, n.gridId, n.bbox)
      : { target: { bbox: n.bbox ?? scopeBbox } as FlyTarget, rangeScale: ctx.act.rangeScale() };
    void ctx.fx.flyToAsync(fly.target, { duration: Math.max(1, params.flight), heading: 15, pitch: -42, rangeScale: fly.rangeScale });
    for (const el of document.querySelectorAll('#party-tree .pn.on')) el.classList.remove('on');
    document.querySelector(`#party-tree .pn[data-id="${n.id}"]`)?.classList.add('on');
  };

  // Drill-down by click or touch: each click goes one level deeper where it lands.
  ctx.view.onClick((e) => {
    touched();
    const g = e.hits.find((x) => x.layerId === 'grids');
    const b = e.hits.find((x) => x.layerId === 'buildings');
    const gid = g ? Number(g.id) : b ? hitProps<BuildingProps>(b).gridId : null;
    if (gid == null) return;
    const com = communityOf.get(gid);
    const sub = com ? subOf.get(com) : undefined;
    const s = state.sel;
    let next: Sel;
    if (s.level === 'district' && sub && divFeature.has(sub)) next = { level: 'subdistrict', code: sub };
    else if ((s.level === 'district' || s.level === 'subdistrict') && com && divFeature.has(com)) next = { level: 'community', code: com };
    else if (s.level === 'district' || s.level === 'subdistrict' || s.level === 'community') next = { level: 'grid', gridId: gid };
    else if (b) next = { level: 'building', buildingId: Number(b.id), gridId: gid };
    else next = { level: 'grid', gridId: gid };
    ctx.act.select(next, true);
  });
}
