// 一格三员 by duty in the wall's detail card (issue 14): a selected grid's (or building's grid's)
// staff — 网格员, 社区工作者, 物业管理员, 社区民警, 法律顾问, 城管/执法, 志愿者 — with names and
// contact numbers as the grid card on /map gets them (GET /api/grids/:id/summary, the roster's rows):
// names masked for roles that do not see people's data, numbers always masked and left out for roles
// that may not read staff contacts; a required duty nobody holds reads 未配备. A wall never shows a
// full number: should one arrive unmasked, it is masked here. Answers are kept a few minutes per grid;
// the detail card is redrawn when one arrives for the grid still selected.
import './staff.css';
import { REQUIRED_STAFF_ROLES, STAFF_ROLE_NAMES, type GridSummary } from '../../../../../core/grid-summary.js';
import { maskPhone } from '../../../../../core/permissions.js';
import { api } from '../../../api/http.js';
import { h } from '../../../shell/dom.js';
import type { WallContext } from '../context.js';

const FRESH_MS = 3 * 60_000;
const RETRY_MS = 30_000;
const KEPT = 64;

interface Entry { at: number; summary: GridSummary | null; loading: boolean }

/** A number as the wall shows it: masked (138****5678), whatever the server sent. */
export const wallPhone = (phone: string | null): string | null => (phone == null ? null : phone.includes('*') ? phone : maskPhone(phone));

export function gridStaff(ctx: WallContext): { block(gridId: number): HTMLElement } {
  const cache = new Map<number, Entry>();
  const selectedGrid = () => {
    const s = ctx.state.sel;
    return ctx.state.partyNode == null && (s.level === 'grid' || s.level === 'building') ? s.gridId : null;
  };

  const fetchGrid = (gridId: number, entry: Entry | undefined) => {
    const e: Entry = entry ?? { at: 0, summary: null, loading: false };
    e.loading = true;
    cache.delete(gridId);
    cache.set(gridId, e); // most recent last
    while (cache.size > KEPT) cache.delete(cache.keys().next().value!);
    api.request<GridSummary>(`/api/grids/${gridId}/summary`)
      .then((s) => { e.summary = s; e.at = Date.now(); })
      .catch((err) => { console.warn('[wall] grid staff failed', err); e.at = Date.now() - FRESH_MS + RETRY_MS; })
      .finally(() => {
        e.loading = false;
        if (selectedGrid() === gridId) ctx.act.renderDetail();
      });
  };

  const block = (gridId: number): HTMLElement => {
    const e = cache.get(gridId);
    if (!e || (!e.loading && Date.now() - e.at > FRESH_MS)) fetchGrid(gridId, e);
    const s = cache.get(gridId)!.summary;
    if (!s) {
      const failed = !cache.get(gridId)!.loading;
      return h('div', { class: 'wall-staff', 'data-grid-id': gridId, 'data-state': failed ? 'failed' : 'loading' },
        h('div', { class: 't' }, failed ? '一格三员加载失败，稍后重试' : '一格三员加载中…'));
    }
    const missing = REQUIRED_STAFF_ROLES.filter((r) => s.staffMissing.includes(r));
    return h('div', { class: 'wall-staff', 'data-grid-id': gridId, 'data-state': 'ready', 'data-staff': s.staff.length },
      h('div', { class: 't' }, '一格三员 · 按岗位', s.staffMasked ? h('small', {}, '姓名已脱敏') : null, s.staff.some((m) => m.synthetic) ? h('small', { title: '一格三员姓名与电话为演示用合成数据' }, '合成数据') : null),
      h('ul', {},
        ...s.staff.map((m) => {
          const phone = wallPhone(m.phone);
          return h('li', { 'data-duty': m.role, ...(phone ? { 'data-phone': phone } : {}) },
            h('span', { class: 'duty' }, STAFF_ROLE_NAMES[m.role]), h('span', { class: 'nm' }, m.name), h('span', { class: 'ph' }, phone ?? ''));
        }),
        ...missing.map((r) => h('li', { class: 'missing', 'data-duty': r }, h('span', { class: 'duty' }, STAFF_ROLE_NAMES[r]), h('span', { class: 'nm' }, '未配备')))));
  };
  return { block };
}
