// The latest resident reports (随手拍) in the caller's jurisdiction (GET /api/public/reports): each
// with its case and state, whether staff found it invalid (and why), and the points its resident
// holds for it. What a row offers follows the server's permissions:
// - 判定无效 (update on incident: the staff who handle cases): POST /api/public/reports/:id/invalid
//   with a required reason; the report never earns, and points it earned are reversed on the ledger;
// - 计分 (update on workflow: the admin), on a report without points whose (surviving) case is
//   verified valid: POST /api/public/points/award, settling what the automatic award missed; its
//   refusals (already_awarded: a merged group earns once; not_awardable: e.g. the daily cap) are
//   named in zh-CN;
// - 调整积分 (the admin): hands the resident to the 积分规则 tab's adjustment form.
// Used by the 积分规则 tab (admin) and the 随手拍核查 tab (desk staff).
import { isVerifiedValid, type AwardRefusal } from '../../../../core/points.js';
import { can, type Role } from '../../../../core/permissions.js';
import type { StaffReportView } from '../../../../core/public-contract.js';
import { ApiError, api } from '../../api/http.js';
import { h } from '../../shell/dom.js';
import { errorMessage } from '../../shell/errors.js';
import { flash } from '../../shell/header.js';
import { actionButton, fmtDateTime, pill, table } from './common.js';
import './desk.css';

/** GET /api/public/reports, one row. */
export type StaffReport = StaffReportView;

/** Why a case earns no points, as the admin reads it (core/points.ts decides). */
export const AWARD_REFUSAL_ZH: Record<AwardRefusal, string> = {
  not_verified: '案件尚未核查通过，核查有效后才计分',
  rejected: '该举报已判定为无效，不计分',
  already_awarded: '该案件（含合并的重复件）已计过积分，不再重复计分',
  no_resident_report: '该案件不是居民随手拍上报的',
  daily_cap: '该居民今日所得积分已达上限',
};

/** A refusal of the points and report routes in zh-CN, with the server's code. */
export function pointsRefusal(e: unknown): string {
  if (!(e instanceof ApiError)) return errorMessage(e);
  const reason = (e.details as { reason?: string } | undefined)?.reason as AwardRefusal | undefined;
  const text = e.code === 'already_awarded' ? AWARD_REFUSAL_ZH.already_awarded
    : e.code === 'not_awardable' ? (reason && Object.hasOwn(AWARD_REFUSAL_ZH, reason) ? AWARD_REFUSAL_ZH[reason] : '该案件不符合计分条件')
    : e.code === 'conflict' && /marked invalid already/.test(e.message) ? '该举报已判定为无效，无需重复判定'
    : e.code === 'not_found' && /incident|report/.test(e.message) ? '案件不存在、不在本辖区或不是居民上报的'
    : e.code === 'not_found' && /resident/.test(e.message) ? '居民不存在'
    : e.code === 'invalid_request' && /below zero/.test(e.message) ? `积分余额不能为负${/\((-?\d+) /.exec(e.message) ? `（当前余额 ${/\((-?\d+) /.exec(e.message)![1]} 分）` : ''}`
    : errorMessage(e);
  return `${text}（${e.code}）`;
}

const short = (s: string, n = 24) => (s.length > n ? `${s.slice(0, n)}…` : s);

export interface ReportListOptions {
  /** Element ids start with this ("points-reports", "reports"). */
  id: string;
  role: Role;
  /** The admin's 调整积分: the resident (and community) go to the adjustment form. */
  onAdjust?: (r: StaffReport) => void;
  /** After a change of points (a reversal or an award): e.g. the ledger is read again. */
  onChange?: () => Promise<void> | void;
  limit?: number;
}

export function residentReportList(o: ReportListOptions): { el: HTMLElement; load(): Promise<void> } {
  const mayInvalidate = can(o.role, 'update', 'incident');
  const mayAward = can(o.role, 'update', 'workflow');
  const err = h('div', { class: 'gc-form-error', role: 'alert', id: `${o.id}-error`, hidden: true });
  const body = h('div', { id: `${o.id}-list` }, h('div', { class: 'gc-muted' }, '加载中…'));
  const el = h('div', { class: 'gc-desk-block', id: `${o.id}-block` }, err, body);

  const fail = (e: unknown) => {
    err.textContent = pointsRefusal(e);
    err.dataset.code = e instanceof ApiError ? e.code : '';
    err.hidden = false;
  };
  const changed = async () => {
    await load();
    await o.onChange?.();
  };

  /** The inline form under a row: the reason is required (it goes on the report and, if points are reversed, on the ledger). */
  function invalidForm(r: StaffReport, tr: HTMLTableRowElement) {
    tr.parentElement?.querySelector(`tr[data-invalid-form]`)?.remove();
    const note = h('input', { name: 'note', maxlength: 500, required: true, placeholder: '判定无效的原因（必填），如 现场核实无此问题', autocomplete: 'off', size: 40 });
    const ok = h('button', { type: 'submit', class: 'gc-btn primary small', 'data-act': 'confirm-invalid' }, '确认判定无效');
    const cancel = h('button', { type: 'button', class: 'gc-btn small' }, '取消');
    const form = h('form', { class: 'gc-inline-form', novalidate: true }, note,
      h('span', { class: 'gc-muted' }, r.points > 0 ? `将撤销该居民因此获得的 ${r.points} 分` : '此举报此后不再计分'), ok, cancel);
    const row = h('tr', { 'data-invalid-form': r.caseId }, h('td', { colspan: 8 }, form));
    tr.after(row);
    note.focus();
    cancel.addEventListener('click', () => row.remove());
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      err.hidden = true;
      if (!note.value.trim()) {
        err.textContent = '请填写判定无效的原因（每次判定都须有原因）';
        err.dataset.code = '';
        err.hidden = false;
        note.focus();
        return;
      }
      ok.disabled = true;
      try {
        const out = await api.send<{ reversed: { delta: number } | null }>('POST', `/api/public/reports/${r.caseId}/invalid`, { note: note.value.trim() });
        flash(out.reversed ? `已判定为无效举报，撤销积分 ${out.reversed.delta}` : '已判定为无效举报');
        await changed();
      } catch (e) {
        fail(e);
        ok.disabled = false;
      }
    });
  }

  async function award(r: StaffReport) {
    err.hidden = true;
    try {
      const out = await api.send<{ delta: number }>('POST', '/api/public/points/award', { incidentId: r.caseId });
      flash(`已计分 +${out.delta}`);
      await changed();
    } catch (e) {
      fail(e);
    }
  }

  function row(r: StaffReport): HTMLTableRowElement {
    const merged = r.mergedInto !== null ? h('div', { class: 'gc-muted small' }, `已合并至 #${r.mergedInto}`) : null;
    const verdict = r.rejectedAt
      ? h('td', { class: 'verdict' }, pill('无效举报', 'bad'), h('div', { class: 'gc-muted small' }, `${short(r.rejectedNote ?? '', 30)} · ${fmtDateTime(r.rejectedAt)}`))
      : h('td', { class: 'verdict' }, pill('有效', 'ok'));
    const actions = h('td', { class: 'actions' });
    const tr = h('tr', { 'data-case-id': r.caseId, 'data-resident-id': r.residentId, 'data-state': r.rejectedAt ? 'invalid' : 'valid', 'data-points': r.points },
      h('td', { class: 'time' }, fmtDateTime(r.reportedAt)),
      h('td', {}, h('span', { class: 'mono' }, `#${r.caseId}`), ' ', r.categoryName, h('div', { class: 'gc-muted small', title: r.description }, short(r.description))),
      h('td', {}, r.communityName ?? r.communityCode ?? '—'),
      h('td', { class: 'mono' }, `居民${r.phone}`, h('div', { class: 'gc-muted small' }, `编号 ${r.residentId}`)),
      h('td', { class: 'status' }, r.statusName, merged),
      verdict,
      h('td', { class: r.points < 0 ? 'neg' : r.points > 0 ? 'pos' : '' }, r.points > 0 ? `+${r.points}` : String(r.points)),
      actions);
    if (mayInvalidate && !r.rejectedAt) actions.append(actionButton('判定无效', () => invalidForm(r, tr), { danger: true, action: 'invalid' }));
    if (mayAward && !r.rejectedAt && r.points === 0 && isVerifiedValid(r.survivorStatus)) actions.append(actionButton('计分', () => void award(r), { action: 'award' }));
    if (o.onAdjust) actions.append(actionButton('调整积分', () => o.onAdjust!(r), { action: 'adjust' }));
    return tr;
  }

  async function load() {
    const rows = (await api.request<{ reports: StaffReport[] }>(`/api/public/reports?limit=${o.limit ?? 50}`)).reports;
    body.replaceChildren(table(`${o.id}-table resident-reports`, ['上报时间', '案件', '社区', '居民', '案件状态', '举报判定', '积分', '操作'], rows.map(row),
      '辖区内暂无居民随手拍上报'));
  }
  return { el, load };
}

/** 随手拍核查 tab (desk staff who handle cases): the list with 判定无效. */
export function reportsTab(role: Role): { el: HTMLElement; load(): Promise<void> } {
  const list = residentReportList({ id: 'reports', role, limit: 100 });
  const el = h('section', { class: 'gc-tab-panel', id: 'panel-reports' },
    h('div', { class: 'gc-toolbar' }, h('div', {}, h('h2', {}, '随手拍核查'),
      h('span', { class: 'gc-muted' }, '居民随手拍上报的案件。经核实为无效举报的，填写原因后判定无效：此后不再计分，已得积分自动撤销并记入积分流水。'))),
    list.el);
  return { el, load: list.load };
}
