// 党员中心户 on /party: every 中心户 of the branch's grid with the buildings whose households it
// serves (楼栋, 户数, the building's households and the resident pool's houses there), and, for
// those who may write the ledger, a form that links a 中心户 to a building of the grid — picked from
// the list or by clicking it on the map — with a number of households, and 解除 on every link.
// The server checks each link (server/party/ledger.ts linkHousehold) and answers a refusal in
// zh-CN, shown here as it is; nothing is saved then.
import type { BranchDetail, GridBuildingProps, GridBuildings } from '../../../../core/party-ledger.js';
import { api, ApiError } from '../../api/http.js';
import { fmtInt, h } from '../../shell/dom.js';
import { errorMessage } from '../../shell/errors.js';

/** GET /api/party/grids/:id/buildings. */
export type GridBuildingFc = GridBuildings;
export type { GridBuildingProps };

interface LinkResult { householdId: number; buildingId: number; households: number }

export const householdApi = {
  buildings: (gridId: number) => api.request<GridBuildingFc>(`/api/party/grids/${gridId}/buildings`),
  link: (householdId: number, body: { buildingId: number; households: number }) =>
    api.send<LinkResult>('POST', `/api/party/households/${householdId}/buildings`, body),
  unlink: (householdId: number, buildingId: number) => api.send<LinkResult>('DELETE', `/api/party/households/${householdId}/buildings/${buildingId}`),
};

/** The link routes answer refusals (and unknown ids) in zh-CN: shown as they are; anything else by its code. */
function linkError(e: unknown): string {
  if (e instanceof ApiError && (e.code === 'invalid_request' || e.code === 'not_found')) return e.message;
  return errorMessage(e);
}

const collator = new Intl.Collator('zh-CN', { numeric: true });

export interface HouseholdsPanel {
  /** Draw the branch's 中心户 and (with `buildings`, null while unknown) the link form. */
  render(d: BranchDetail, buildings: GridBuildingFc | null): void;
  /** A building clicked on the map: chosen in the form if it is one of the grid's. */
  pick(buildingId: number): boolean;
  /** The building chosen in the form (highlighted on the map), if any. */
  picked(): number | null;
}

export function householdsPanel(opts: {
  list: HTMLElement;
  form: HTMLElement;
  /** After a link or unlink was saved: reload the branch (and redraw this panel). */
  saved: (what: 'linked' | 'unlinked') => Promise<void>;
  /** The chosen building changed (the map highlights it). */
  chosen: (buildingId: number | null) => void;
}): HouseholdsPanel {
  let householdId: number | null = null;
  let buildingId: number | null = null;
  let buildings = new Map<number, GridBuildingProps>();
  let building: HTMLSelectElement | null = null;
  let count: HTMLInputElement | null = null;
  let hint: HTMLElement | null = null;
  const error = h('div', { class: 'pt-error', id: 'hh-error', role: 'alert' });
  const status = h('div', { class: 'pt-sub', id: 'hh-status', role: 'status' });

  function describe(b: GridBuildingProps): string {
    return `${b.label}：住户 ${fmtInt(b.households)} 户${b.householdsSynthetic ? '（估算）' : ''}${b.houses ? `，数据池登记房屋 ${fmtInt(b.houses)} 套` : ''}`;
  }

  function choose(id: number | null) {
    buildingId = id !== null && buildings.has(id) ? id : null;
    if (building) building.value = buildingId === null ? '' : String(buildingId);
    const b = buildingId === null ? null : buildings.get(buildingId)!;
    if (count) count.max = String(Math.min(500, Math.max(1, b?.households ?? 500)));
    if (hint) hint.textContent = b ? describe(b) : '在列表中选择楼栋，或在地图上点击楼栋';
    opts.chosen(buildingId);
  }

  async function act(run: () => Promise<unknown>, what: 'linked' | 'unlinked', done: string, buttons: HTMLButtonElement[]) {
    error.textContent = '';
    status.textContent = '';
    for (const b of buttons) b.disabled = true;
    try {
      await run();
      await opts.saved(what);
      status.textContent = done;
    } catch (e) {
      error.textContent = `未保存：${linkError(e)}`;
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  }

  function renderList(d: BranchDetail) {
    if (!d.households.length) {
      opts.list.replaceChildren(h('li', { class: 'pt-sub' }, '本网格无党员中心户'));
      return;
    }
    opts.list.replaceChildren(...d.households.map((x) => h('li', { 'data-id': x.id, 'data-links': x.serves.length },
      h('b', {}, x.name),
      x.serves.length
        ? h('ul', { class: 'pt-serves' }, ...x.serves.map((s) => {
          const b = buildings.get(s.buildingId);
          const unlink = d.canWrite
            ? h('button', { class: 'btn sm hh-unlink', type: 'button', title: `解除与${s.buildingName}的联系`, 'data-household': x.id, 'data-building': s.buildingId }, '解除')
            : null;
          unlink?.addEventListener('click', () => void act(() => householdApi.unlink(x.id, s.buildingId), 'unlinked', `已解除：${x.name} 不再联系 ${s.buildingName}`, [unlink]));
          return h('li', { 'data-building-id': s.buildingId, 'data-households': s.households },
            h('span', { class: 'hh-building' }, s.buildingName), ' ', h('span', { class: 'hh-count' }, `${fmtInt(s.households)} 户`),
            b ? h('span', { class: 'meta' }, `（楼栋住户 ${fmtInt(b.households)} 户${b.houses ? `，数据池房屋 ${fmtInt(b.houses)} 套` : ''}）`) : '',
            unlink ? ' ' : '', unlink ?? '');
        }))
        : h('div', { class: 'meta' }, '未关联服务户'))));
  }

  function renderForm(d: BranchDetail, fc: GridBuildingFc | null) {
    building = count = hint = null;
    if (!d.canWrite || !d.households.length) {
      opts.form.replaceChildren();
      return;
    }
    if (!fc || !fc.features.length) {
      // 解除 in the list still answers here.
      opts.form.replaceChildren(h('div', { class: 'pt-sub' }, fc ? '本网格没有登记住户的楼栋，无法关联服务户。' : '楼栋列表未能加载，暂不能关联服务户。'), error, status);
      return;
    }
    if (householdId === null || !d.households.some((x) => x.id === householdId)) householdId = d.households[0]!.id;
    const who = h('select', { id: 'hh-household', 'aria-label': '党员中心户' },
      ...d.households.map((x) => h('option', { value: String(x.id) }, x.name)));
    who.value = String(householdId);
    who.addEventListener('change', () => { householdId = Number(who.value); });
    const sorted = [...buildings.values()].sort((a, b) => collator.compare(a.label, b.label) || a.id - b.id);
    building = h('select', { id: 'hh-building', 'aria-label': '楼栋' }, h('option', { value: '' }, '— 选择楼栋 —'),
      ...sorted.map((b) => h('option', { value: String(b.id) }, `${b.label}（${fmtInt(b.households)} 户${b.houses ? `，房屋 ${fmtInt(b.houses)} 套` : ''}）`)));
    building.addEventListener('change', () => choose(building!.value ? Number(building!.value) : null));
    count = h('input', { id: 'hh-count', type: 'number', min: '1', max: '500', step: '1', inputmode: 'numeric', placeholder: '户数', 'aria-label': '服务户数' });
    hint = h('div', { class: 'pt-sub', id: 'hh-hint' });
    const save = h('button', { class: 'btn sm primary', type: 'button', id: 'hh-link' }, '关联');
    save.addEventListener('click', () => {
      const hid = householdId!;
      const bid = buildingId;
      const name = d.households.find((x) => x.id === hid)?.name ?? '';
      // Checked by the server only (the page sends what is typed): its zh-CN refusal is what is shown.
      const n = count!.value.trim() === '' ? 0 : Number(count!.value);
      if (bid === null) { error.textContent = '未保存：请先选择楼栋（列表或地图）'; return; }
      void act(() => householdApi.link(hid, { buildingId: bid, households: n }), 'linked',
        `已关联：${name} 联系 ${buildings.get(bid)?.label ?? ''} ${fmtInt(n)} 户`, [save]);
    });
    opts.form.replaceChildren(h('div', { class: 'pt-form pt-link-form' },
      h('div', { class: 'pt-sub' }, '关联服务户：选择中心户和楼栋（或在地图上点击楼栋），填写联系服务的户数。再次关联同一楼栋即修改户数。'),
      h('label', { class: 'pt-row' }, '中心户 ', who),
      h('label', { class: 'pt-row' }, '楼栋 ', building),
      hint,
      h('div', { class: 'pt-row' }, h('label', { class: 'pt-row' }, '户数 ', count), save),
      error, status));
    choose(buildingId);
  }

  return {
    render(d, fc) {
      buildings = new Map((fc?.features ?? []).map((f) => [f.properties.id, f.properties]));
      error.textContent = '';
      status.textContent = '';
      renderList(d);
      renderForm(d, fc);
    },
    pick(id) {
      if (!building || !buildings.has(id)) return false;
      choose(id);
      return true;
    },
    picked: () => buildingId,
  };
}
