// 积分规则 tab (admins): the reporter-points rules (随手拍 积分: points per verified valid report, the
// photo bonus, the daily cap), edited through PUT /api/public/points/rules (validated, audited on
// the server); and the latest rows of the points ledger. A rule change applies to awards from now
// on: the ledger is never rewritten (every change of a balance is a row with its reason).
import { LEDGER_REASON_TEXT, pointsRulesSchema, type PointsRules } from '../../../../core/points.js';
import type { LedgerEntry } from '../../../../core/public-contract.js';
import { api } from '../../api/http.js';
import { h } from '../../shell/dom.js';
import { errorMessage } from '../../shell/errors.js';
import { flash } from '../../shell/header.js';
import { fmtDateTime, table } from './common.js';
import './desk.css';

type Rules = PointsRules & { updatedAt: string | null; updatedBy: string | null };
const FIELDS: { key: keyof PointsRules; label: string; hint: string; max: number }[] = [
  { key: 'perValidReport', label: '每件有效随手拍', hint: '案件核查有效后给首报居民的积分（重复件合并只计一次）', max: 1000 },
  { key: 'photoBonus', label: '附照片加分', hint: '首报附有照片时另加', max: 1000 },
  { key: 'dailyCap', label: '每人每日上限', hint: '一位居民一天最多获得的积分，0 表示不设上限', max: 100_000 },
];

export function pointsTab(): { el: HTMLElement; load(): Promise<void> } {
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
  const el = h('section', { class: 'gc-tab-panel', id: 'panel-points' },
    h('div', { class: 'gc-toolbar' }, h('div', {}, h('h2', {}, '随手拍积分规则'),
      h('span', { class: 'gc-muted' }, '规则修改只影响此后的积分；已记入积分流水的每一笔保持不变（积分是流水账，每笔有原因）。'))),
    form,
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

  async function load() {
    const [rules, entries] = await Promise.all([
      api.request<Rules>('/api/public/points/rules'),
      api.request<{ entries: LedgerEntry[] }>('/api/public/points/ledger?limit=50').then((r) => r.entries).catch(() => [] as LedgerEntry[]),
    ]);
    show(rules);
    ledger.replaceChildren(table('points-ledger', ['时间', '居民', '社区', '积分', '原因', '说明', '经办'], entries.map((e) => h('tr', { 'data-ledger-id': e.id },
      h('td', { class: 'time' }, fmtDateTime(e.at)), h('td', { class: 'mono' }, e.phone || `#${e.residentId}`), h('td', {}, e.communityCode ?? '—'),
      h('td', { class: e.delta < 0 ? 'neg' : 'pos' }, e.delta > 0 ? `+${e.delta}` : String(e.delta)),
      h('td', {}, LEDGER_REASON_TEXT[e.reason]), h('td', {}, e.note), h('td', {}, e.actor))), '暂无积分流水'));
  }

  return { el, load };
}
