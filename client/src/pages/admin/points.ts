// 积分规则 tab (admins): the reporter-points rules (随手拍 积分: points per verified valid report, the
// photo bonus, the daily cap), edited through PUT /api/public/points/rules (validated, audited on
// the server); a resident's points adjusted by hand with a required reason (POST
// /api/public/points/adjust, never below zero); the latest resident reports (award one the automatic
// path missed, or pick its resident to adjust); and the latest rows of the points ledger. A rule
// change applies to awards from now on: the ledger is never rewritten (every change of a balance is
// a row with its reason).
import { LEDGER_REASON_TEXT, pointsRulesSchema, type PointsRules } from '../../../../core/points.js';
import type { Role } from '../../../../core/permissions.js';
import type { LedgerEntry } from '../../../../core/public-contract.js';
import { api } from '../../api/http.js';
import { h } from '../../shell/dom.js';
import { errorMessage } from '../../shell/errors.js';
import { flash } from '../../shell/header.js';
import { actionButton, fmtDateTime, table, type CommunityRef } from './common.js';
import { pointsRefusal, residentReportList } from './resident-reports.js';
import './desk.css';

type Rules = PointsRules & { updatedAt: string | null; updatedBy: string | null };
const FIELDS: { key: keyof PointsRules; label: string; hint: string; max: number }[] = [
  { key: 'perValidReport', label: '每件有效随手拍', hint: '案件核查有效后给首报居民的积分（重复件合并只计一次）', max: 1000 },
  { key: 'photoBonus', label: '附照片加分', hint: '首报附有照片时另加', max: 1000 },
  { key: 'dailyCap', label: '每人每日上限', hint: '一位居民一天最多获得的积分，0 表示不设上限', max: 100_000 },
];

/** The adjustment form's bounds (the server's: server/public/schema.ts adjustSchema). */
const MAX_DELTA = 10_000;
const MAX_NOTE = 500;

export function pointsTab(role: Role, communities: CommunityRef[]): { el: HTMLElement; load(): Promise<void> } {
  const inputs = Object.fromEntries(FIELDS.map((f) => [f.key, h('input', {
    type: 'number', name: f.key, min: 0, max: f.max, step: 1, required: true, inputmode: 'numeric', 'data-rule': f.key,
  })])) as Record<keyof PointsRules, HTMLInputElement>;
  const err = h('div', { class: 'gc-form-error', role: 'alert', id: 'points-error', hidden: true });
  const stamp = h('div', { class: 'gc-muted small', id: 'points-updated' });
  const submit = h('button', { type: 'submit', class: 'gc-btn primary', id: 'points-save' }, '保存规则');
  const form = h('form', { class: 'gc-points-form', id: 'points-form', novalidate: true },
    h('div', { class: 'gc-form-grid' }, ...FIELDS.map((f) => h('label', { class: 'gc-field' }, h('span', {}, f.label), inputs[f.key], h('small', {}, f.hint)))),
    err,
    h('div', { class: 'gc-form-actions' }, stamp, submit));
  const ledger = h('div', { class: 'gc-tab-body', id: 'points-ledger' }, h('div', { class: 'gc-muted' }, '加载中…'));

  // ---- adjusting a resident's points by hand (a ledger row with its reason) ----
  const adjResident = h('input', { type: 'number', name: 'residentId', min: 1, step: 1, required: true, inputmode: 'numeric', placeholder: '居民编号' });
  const adjWho = h('small', { id: 'points-adjust-who' }, '在下方随手拍或积分流水中点“调整积分”选取居民，或直接填写居民编号');
  const adjCommunity = h('select', { name: 'communityCode', required: true },
    h('option', { value: '' }, '请选择…'), ...communities.map((c) => h('option', { value: c.code }, c.label)));
  const adjDelta = h('input', { type: 'number', name: 'delta', min: -MAX_DELTA, max: MAX_DELTA, step: 1, required: true, inputmode: 'numeric', placeholder: '如 5 或 -5' });
  const adjNote = h('input', { name: 'note', maxlength: MAX_NOTE, required: true, autocomplete: 'off', placeholder: '如 参加社区志愿活动奖励' });
  const adjErr = h('div', { class: 'gc-form-error', role: 'alert', id: 'points-adjust-error', hidden: true });
  const adjSubmit = h('button', { type: 'submit', class: 'gc-btn primary', id: 'points-adjust-save' }, '记入积分流水');
  const adjForm = h('form', { class: 'gc-points-form', id: 'points-adjust-form', novalidate: true },
    h('div', { class: 'gc-form-grid' },
      h('label', { class: 'gc-field' }, h('span', {}, '居民编号'), adjResident, adjWho),
      h('label', { class: 'gc-field' }, h('span', {}, '计入社区'), adjCommunity, h('small', {}, '这笔积分计入哪个社区的积分榜')),
      h('label', { class: 'gc-field' }, h('span', {}, '积分变动'), adjDelta, h('small', {}, `正数为增加，负数为扣减（±${MAX_DELTA} 以内的非零整数；余额不能为负）`)),
      h('label', { class: 'gc-field' }, h('span', {}, '原因（必填）'), adjNote, h('small', {}, '记入积分流水，居民与审计均可见其原因'))),
    adjErr,
    h('div', { class: 'gc-form-actions' }, h('span', { class: 'gc-muted small' }, '积分是流水账：调整不改写已有记录，而是新增一笔带原因的记录。'), adjSubmit));

  const pick = (p: { residentId: number; phone: string; communityCode: string | null }) => {
    adjResident.value = String(p.residentId);
    adjWho.textContent = `居民${p.phone || `#${p.residentId}`}（编号 ${p.residentId}）`;
    if (p.communityCode && communities.some((c) => c.code === p.communityCode)) adjCommunity.value = p.communityCode;
    adjErr.hidden = true;
    adjForm.scrollIntoView({ block: 'center' });
    adjDelta.focus();
  };
  const adjFail = (text: string) => {
    adjErr.textContent = text;
    adjErr.hidden = false;
  };
  adjForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    adjErr.hidden = true;
    const residentId = Number(adjResident.value);
    const delta = Number(adjDelta.value);
    if (!Number.isInteger(residentId) || residentId <= 0) return adjFail('请选择或填写居民编号');
    if (!adjCommunity.value) return adjFail('请选择计入的社区');
    if (adjDelta.value.trim() === '' || !Number.isInteger(delta) || delta === 0 || Math.abs(delta) > MAX_DELTA) {
      return adjFail(`积分变动须为 ±${MAX_DELTA} 以内的非零整数`);
    }
    if (!adjNote.value.trim()) {
      adjNote.focus();
      return adjFail('请填写调整原因（每一笔积分变动都须有原因）');
    }
    adjSubmit.disabled = true;
    try {
      const row = await api.send<LedgerEntry>('POST', '/api/public/points/adjust', { residentId, communityCode: adjCommunity.value, delta, note: adjNote.value.trim() });
      flash(`已记入积分流水：居民${row.phone} ${row.delta > 0 ? '+' : ''}${row.delta}`);
      adjDelta.value = '';
      adjNote.value = '';
      await Promise.all([loadLedger(), reports.load()]);
    } catch (e) {
      adjFail(pointsRefusal(e));
    } finally {
      adjSubmit.disabled = false;
    }
  });

  const reports = residentReportList({ id: 'points-reports', role, onAdjust: pick, onChange: () => loadLedger() });
  const el = h('section', { class: 'gc-tab-panel', id: 'panel-points' },
    h('div', { class: 'gc-toolbar' }, h('div', {}, h('h2', {}, '随手拍积分规则'),
      h('span', { class: 'gc-muted' }, '规则修改只影响此后的积分；已记入积分流水的每一笔保持不变（积分是流水账，每笔有原因）。'))),
    form,
    h('h3', {}, '调整居民积分'),
    adjForm,
    h('h3', {}, '最近居民随手拍'),
    h('p', { class: 'gc-muted' }, '核查有效的随手拍自动计分；核查有效而未计分的可在此补记（重复件合并后只计一次，超出每日上限的不计）。判定无效举报由办理案件的工作人员在“随手拍核查”中进行。'),
    reports.el,
    h('h3', {}, '最近积分流水'),
    ledger);

  const show = (r: Rules) => {
    for (const f of FIELDS) inputs[f.key].value = String(r[f.key]);
    stamp.textContent = r.updatedAt ? `最近修改：${fmtDateTime(r.updatedAt)}（${r.updatedBy ?? '—'}）` : '当前为默认规则';
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    // The same schema the server validates with: a bad value is named here, and the server refuses it anyway.
    const body = Object.fromEntries(FIELDS.map((f) => [f.key, inputs[f.key].value.trim() === '' ? NaN : Number(inputs[f.key].value)]));
    const parsed = pointsRulesSchema.safeParse(body);
    if (!parsed.success) {
      const bad = FIELDS.find((f) => parsed.error.issues.some((i) => i.path[0] === f.key));
      err.textContent = `请输入有效的整数：${bad?.label ?? ''}（0–${bad?.max ?? ''}）`;
      err.hidden = false;
      return;
    }
    submit.disabled = true;
    try {
      show(await api.send<Rules>('PUT', '/api/public/points/rules', parsed.data));
      flash('积分规则已保存');
    } catch (e) {
      err.textContent = errorMessage(e);
      err.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });

  async function loadLedger() {
    const entries = await api.request<{ entries: LedgerEntry[] }>('/api/public/points/ledger?limit=50').then((r) => r.entries).catch(() => [] as LedgerEntry[]);
    ledger.replaceChildren(table('points-ledger', ['时间', '居民', '社区', '积分', '原因', '说明', '经办', ''], entries.map((e) => h('tr', { 'data-ledger-id': e.id, 'data-reason': e.reason },
      h('td', { class: 'time' }, fmtDateTime(e.at)), h('td', { class: 'mono' }, e.phone || `#${e.residentId}`), h('td', {}, e.communityCode ?? '—'),
      h('td', { class: e.delta < 0 ? 'neg' : 'pos' }, e.delta > 0 ? `+${e.delta}` : String(e.delta)),
      h('td', {}, LEDGER_REASON_TEXT[e.reason]), h('td', { class: 'note' }, e.note), h('td', {}, e.actor),
      h('td', {}, actionButton('调整积分', () => pick(e), { action: 'adjust' })))), '暂无积分流水'));
  }

  async function load() {
    const [rules] = await Promise.all([api.request<Rules>('/api/public/points/rules'), loadLedger(), reports.load()]);
    show(rules);
  }

  return { el, load };
}
