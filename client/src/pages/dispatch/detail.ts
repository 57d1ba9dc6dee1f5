// The desk's case panel: the case, its deadline, photos, suspected duplicates (合并), the actions
// the signed-in person may take, and the trail. For the district command centre, 定位落图 on an
// unlocated hotline case: a point picked on the map (the page's map, through `locate`) or a grid.
import { lonLatOf } from '../../../../core/types.js';
import { ApiError } from '../../api/http.js';
import { h } from '../../shell/dom.js';
import { SOURCE_NAMES } from '../../shell/labels.js';
import { renderActionPanel } from '../../ui/cases/actions.js';
import { caseApi, type Department, type Duplicates } from '../../ui/cases/case-api.js';
import { refusalMessage, stateColor, type CaseDetail, type CaseItem } from '../../ui/cases/model.js';
import { fmtWhen, photoStrip, renderTrail } from '../../ui/cases/trail.js';
import { gazetteerSearch, PRECISION_NAMES } from './gazetteer.js';

export interface DetailOptions {
  role: string;
  departments: Department[];
  catName: (code: string) => string;
  onClose: () => void;
  /** After an action or a merge: the changed cases, and what to say. */
  onChanged: (cases: CaseItem[], message: string, tone?: 'ok' | 'warn') => void;
  onSelect: (id: number) => void;
  /** 定位落图: the page's grids, and picking a point on its map. */
  locate?: LocateHooks;
}

/** A place picked for 定位落图: a map point (with the grid under it, if any) or a grid. */
export interface LocatePick {
  lonLat: [number, number] | null;
  gridId: number | null;
  gridName: string | null;
}
export interface LocateHooks {
  grids: { id: number; name: string }[];
  /** The next click on the map calls `cb` (until stopPick). */
  startPick: (cb: (p: LocatePick) => void) => void;
  stopPick: () => void;
  /** Mark the chosen point on the map (null: none). */
  show: (p: LocatePick | null) => void;
  /** The grid under a point, if any (the server locates it again). */
  gridAt: (lonLat: [number, number]) => Promise<{ id: number; name: string } | null>;
}


const lastPart = (name: string | null | undefined) => (name ? name.split(/[・·•]/).slice(-2).join(' · ') : null);

export function renderDetail(root: HTMLElement, d: CaseDetail, o: DetailOptions): void {
  const c = d.incident;
  const close = h('button', { type: 'button', class: 'gd-close', title: '关闭', 'aria-label': '关闭' }, '×');
  close.addEventListener('click', o.onClose);
  const dupBox = h('section', { class: 'gd-sec gd-dups', hidden: true });
  const reporters = d.reporters.map((r) => r.reportedBy ?? SOURCE_NAMES[r.source] ?? r.source);
  const photos = (d.photos ?? []).map((p) => p.url);
  const canLocate = d.allowedActions.some((a) => a.action === 'locate');

  root.replaceChildren(
    h('div', { class: 'gd-d', 'data-case-id': c.id, 'data-status': c.status },
      h('header', { class: 'gd-d-h' },
        h('div', { class: 'gd-d-kicker' }, `案件 #${c.id}`, c.synthetic ? ' · 示意' : ''),
        h('div', { class: 'gd-d-title' }, h('h2', {}, o.catName(c.category)), close),
        h('div', { class: 'gd-d-chips' },
          h('span', { class: 'gw-state big', style: `--c:${stateColor(c.status)}` }, c.statusName),
          h('span', { class: 'gw-chip' }, `${c.levelName}${c.departmentName ? ` · ${c.departmentName}` : ''}`),
          c.overdue ? h('span', { class: 'gw-chip bad' }, '超期件') : null,
          c.escalations ? h('span', { class: 'gw-chip warn' }, `上报 ${c.escalations} 次`) : null,
          c.unlocated ? h('span', { class: 'gw-chip warn' }, '未定位') : null,
          c.rating ? h('span', { class: 'gw-chip ok' }, { satisfied: '满意', basically_satisfied: '基本满意', dissatisfied: '不满意' }[c.rating] ?? c.rating) : null,
        ),
      ),
      h('section', { class: 'gd-sec gd-deadline' },
        h('div', {}, h('span', { class: 'gd-label' }, '办理时限'), h('b', {}, c.deadlineAt ? fmtWhen(c.deadlineAt) : '—')),
        h('span', { class: 'gw-cd big', 'data-cd-label': '', 'data-deadline': c.deadlineAt ?? '', 'data-state-type': c.statusType, 'data-empty': c.statusType === 'open' ? '' : '计时已停止' }),
      ),
      h('section', { class: 'gd-sec' },
        h('p', { class: 'gd-desc' }, c.description || '（无描述）'),
        h('dl', { class: 'gd-kv' },
          h('dt', {}, '位置'), h('dd', {}, lastPart(c.gridName) ?? c.address ?? '未定位'),
          c.address && c.gridName ? h('dt', {}, '地址') : null, c.address && c.gridName ? h('dd', {}, c.address) : null,
          h('dt', {}, '来源'), h('dd', {}, SOURCE_NAMES[c.source] ?? c.source),
          h('dt', {}, '上报'), h('dd', {}, `${fmtWhen(c.createdAt)}${reporters.length ? ` · ${[...new Set(reporters)].join('、')}` : ''}`),
          c.caller ? h('dt', {}, '来电人') : null,
          c.caller ? h('dd', {}, [c.caller.name, c.caller.phone].filter(Boolean).join(' · ') || '—') : null,
          c.reporters > 1 ? h('dt', {}, '来件') : null, c.reporters > 1 ? h('dd', {}, `${c.reporters} 次上报（含合并）`) : null,
          c.resolvedBy ? h('dt', {}, '办结') : null, c.resolvedBy ? h('dd', {}, `${c.resolvedBy} · ${fmtWhen(c.resolvedAt)}`) : null,
          c.verifiedBy ? h('dt', {}, '核查') : null, c.verifiedBy ? h('dd', {}, `${c.verifiedBy} · ${fmtWhen(c.verifiedAt)}`) : null,
          c.mergedInto ? h('dt', {}, '并入') : null, c.mergedInto ? h('dd', {}, linkTo(c.mergedInto, o)) : null,
        ),
        photos.length ? photoStrip(photos, 'gw-photos big') : null,
      ),
      dupBox,
      canLocate && o.locate ? locateSection(c, o.locate, o) : null,
      h('section', { class: 'gd-sec' }, h('h3', {}, '办理'),
        renderActionPanel({
          detail: canLocate ? { ...d, allowedActions: d.allowedActions.filter((a) => a.action !== 'locate') } : d, role: o.role, departments: o.departments, grids: o.locate?.grids, variant: 'desk',
          onDone: (updated, action, warning) => {
            const name = d.allowedActions.find((a) => a.action === action)?.name ?? action;
            o.onChanged([updated], `#${updated.id} 已${name}${warning ? `（${warning}）` : ''}`, warning ? 'warn' : 'ok');
          },
        })),
      h('section', { class: 'gd-sec' }, h('h3', {}, `办理轨迹（${d.events.length}）`),
        renderTrail(d.events, new Map(o.departments.map((x) => [x.code, x.name])), d.photos ?? [])),
    ),
  );

  if (c.statusType === 'open') void loadDuplicates(dupBox, c, o);
}

/** zh-CN for the refusals of 定位落图 (the server's words in brackets). */
function locateRefusal(code: string, message: string): string {
  const zh: Record<string, string> = {
    outside_district: '所选位置不在本区范围内，请重新选择',
    forbidden: '所选位置不在您的辖区（属于其他区），不能落图',
    not_found: '网格或案件不存在，或不在您的辖区',
    invalid_crs: '坐标无效（须为经纬度）',
    invalid_transition: '本案已定位或已不在办理中，请刷新',
  };
  return zh[code] ? `${zh[code]}（服务器：${message}）` : refusalMessage(code, message);
}

const fmtLonLat = ([lon, lat]: [number, number]) => `${lon.toFixed(5)}, ${lat.toFixed(5)}`;

/** 定位落图: pick a point on the map or a grid, confirm; the case goes to that grid (or community/subdistrict). */
function locateSection(c: CaseItem, hooks: LocateHooks, o: DetailOptions): HTMLElement {
  let pick: LocatePick | null = null;
  const chosen = h('div', { class: 'gd-locate-chosen', 'data-locate-chosen': '' }, '尚未选择位置');
  const err = h('div', { class: 'gw-act-error', role: 'alert', hidden: true });
  const note = h('textarea', { class: 'gd-locate-note', rows: 2, maxlength: 2000, placeholder: '备注（可选），如：按来电人描述定位' }) as HTMLTextAreaElement;
  const confirmBtn = h('button', { type: 'button', class: 'gw-btn primary gd-locate-confirm', 'data-locate-confirm': '', disabled: true }, '确认落图') as HTMLButtonElement;
  const pickBtn = h('button', { type: 'button', class: 'gw-btn gd-locate-pick', 'data-locate-pick': '' }, '在地图上点选位置') as HTMLButtonElement;
  const gridSel = h('select', { class: 'gd-locate-grid', 'data-locate-grid': '', 'aria-label': '选择网格' },
    h('option', { value: '' }, '或直接选择网格…'),
    ...hooks.grids.map((g) => h('option', { value: String(g.id) }, g.name))) as HTMLSelectElement;

  const set = (p: LocatePick | null) => {
    pick = p;
    hooks.show(p);
    confirmBtn.disabled = !p;
    if (!p) chosen.textContent = '尚未选择位置';
    else if (p.lonLat) chosen.textContent = `地图点选：${p.gridName ?? '不在任何网格内（将落到所在社区或街道）'} · ${fmtLonLat(p.lonLat)}`;
    else chosen.textContent = `网格：${p.gridName ?? p.gridId}`;
    chosen.dataset.gridId = p?.gridId != null ? String(p.gridId) : '';
  };
  const stop = () => {
    hooks.stopPick();
    pickBtn.textContent = '在地图上点选位置';
    pickBtn.classList.remove('on');
  };
  pickBtn.addEventListener('click', () => {
    if (pickBtn.classList.contains('on')) return stop();
    pickBtn.classList.add('on');
    pickBtn.textContent = '请在地图上点击案发位置…（再次点击取消）';
    hooks.startPick((p) => {
      gridSel.value = '';
      set(p);
      stop();
    });
  });
  // 按地址查找 from the caller's address; a candidate picks its point.
  const search = gazetteerSearch(c.address ?? '', (k) => {
    stop();
    gridSel.value = '';
    const at: [number, number] = [k.lon, k.lat];
    const label = `地址匹配：${k.label}（${PRECISION_NAMES[k.precision]}）`;
    set({ lonLat: at, gridId: null, gridName: null });
    chosen.textContent = `${label} → 正在查找所在网格… · ${fmtLonLat(at)}`;
    const mine = pick;
    void hooks.gridAt(at).then((g) => {
      if (pick !== mine) return; // another place was chosen meanwhile
      set({ lonLat: at, gridId: g?.id ?? null, gridName: g?.name ?? null });
      chosen.textContent = `${label} → ${g?.name ?? '不在任何网格内（将落到所在社区或街道）'} · ${fmtLonLat(at)}`;
    });
  });

  gridSel.addEventListener('change', () => {
    stop();
    const id = Number(gridSel.value);
    set(id ? { lonLat: null, gridId: id, gridName: hooks.grids.find((g) => g.id === id)?.name ?? null } : null);
  });
  confirmBtn.addEventListener('click', async () => {
    if (!pick) return;
    confirmBtn.disabled = true;
    err.hidden = true;
    const where = pick.lonLat ? { lon: pick.lonLat[0], lat: pick.lonLat[1], crs: 'wgs84' } : { gridId: pick.gridId! };
    try {
      const updated = await caseApi.act(c.id, { action: 'locate', ...where, ...(note.value.trim() ? { note: note.value.trim() } : {}) });
      hooks.show(null);
      o.onChanged([updated], `#${updated.id} 已定位落图：${updated.gridName ?? updated.levelName}，已派至${updated.levelName}`);
    } catch (e) {
      err.textContent = e instanceof ApiError ? locateRefusal(e.code, e.message) : String(e);
      err.dataset.code = e instanceof ApiError ? e.code : '';
      err.hidden = false;
      confirmBtn.disabled = false;
    }
  });

  return h('section', { class: 'gd-sec gd-locate', 'data-locate': '' },
    h('h3', {}, '定位落图'),
    h('p', { class: 'gd-sub' }, '热线来件无法自动落图。请按地址查找，或根据来电描述在地图上点选位置、选择网格；确认后按责任清单派至首个责任层级并开始计时。'),
    h('dl', { class: 'gd-kv' },
      h('dt', {}, '来电地址'), h('dd', {}, c.address ?? '—'),
      h('dt', {}, '原始坐标'), h('dd', {}, lonLatOf(c) ? `${fmtLonLat(lonLatOf(c)!)}（区外）` : '无'),
    ),
    search.row,
    search.list,
    h('div', { class: 'gd-locate-row' }, pickBtn, gridSel),
    chosen, note, confirmBtn, err,
  );
}

function linkTo(id: number, o: DetailOptions): HTMLElement {
  const a = h('a', { href: `?case=${id}` }, `#${id}`);
  a.addEventListener('click', (e) => {
    e.preventDefault();
    o.onSelect(id);
  });
  return a;
}

async function loadDuplicates(box: HTMLElement, c: CaseItem, o: DetailOptions): Promise<void> {
  let dups: Duplicates;
  try {
    dups = await caseApi.duplicates(c.id);
  } catch {
    return; // optional
  }
  if (!dups.duplicates.length || !box.isConnected) return;
  const err = h('div', { class: 'gw-act-error', role: 'alert', hidden: true });
  box.replaceChildren(
    h('h3', {}, `疑似重复（${dups.duplicates.length}）`, h('span', { class: 'gd-sub' }, ` ${dups.radiusM} 米、${dups.windowHours} 小时内同类在办`)),
    h('ul', { class: 'gd-dup-list' }, ...dups.duplicates.map((x) => {
      // The newer report goes into the older case, which keeps both reporters.
      const intoOther = Date.parse(x.createdAt) < Date.parse(c.createdAt) || (x.createdAt === c.createdAt && x.id < c.id);
      const [from, into] = intoOther ? [c.id, x.id] : [x.id, c.id];
      const btn = h('button', { type: 'button', class: 'gw-btn gd-merge', 'data-merge-from': from, 'data-merge-into': into },
        intoOther ? `合并：本案并入 #${x.id}` : `合并：#${x.id} 并入本案`);
      btn.addEventListener('click', async () => {
        if (!confirm(`确认将 #${from} 合并到 #${into}？#${from} 将标记为重复件，上报人并入 #${into}。`)) return;
        btn.disabled = true;
        err.hidden = true;
        try {
          const out = await caseApi.merge(from, into);
          o.onChanged([out.merged, out.into], `已将 #${from} 合并到 #${into}`);
        } catch (e) {
          err.textContent = e instanceof ApiError ? refusalMessage(e.code, e.message) : String(e);
          err.hidden = false;
          btn.disabled = false;
        }
      });
      return h('li', { 'data-case-id': x.id },
        h('div', { class: 'gd-dup-l1' }, linkTo(x.id, o), h('b', {}, o.catName(x.category)),
          h('span', { class: 'gw-state', style: `--c:${stateColor(x.status)}` }, x.statusName), h('span', { class: 'gd-sub' }, `${Math.round(x.distanceM)} 米`)),
        x.description ? h('div', { class: 'gd-dup-desc' }, x.description) : null,
        btn);
    })),
    err,
  );
  box.hidden = false;
}
