// 预警阈值 tab (roles that may update governance rules: the admin): the trend early-warning
// thresholds, one card per kind of warning (类别上升, 同一地点重复发生, 按期率下降), read from
// GET /api/warnings/thresholds and saved one kind at a time through PUT /api/warnings/thresholds/:kind
// (validated and audited on the server; core/trend/thresholds.ts has the schemas). The page does not
// judge the values itself: what the server refuses is shown with its error code, and the stored
// thresholds stay as they were. A change applies from the next scan; warnings raised stay.
import { ApiError, api } from '../../api/http.js';
import { h } from '../../shell/dom.js';
import { errorMessage } from '../../shell/errors.js';
import { flash } from '../../shell/header.js';
import { DEFAULT_THRESHOLDS, WARNING_KIND_NAMES, WARNING_KINDS, type Thresholds, type WarningKind } from '../../../../core/trend/thresholds.js';
import { fieldRules, fromInput, namedFields, THRESHOLD_FORMS, toInput } from './thresholds-model.js';
import './thresholds.css';

/**
 * What the server said, in zh-CN with its stable code: the fields it named (by their labels and
 * allowed ranges) and its own message, e.g. "alpha: Too big: expected number to be <=0.2".
 */
export function refusalText(kind: WarningKind, e: unknown): { text: string; code: string | null; detail: string | null } {
  if (!(e instanceof ApiError)) return { text: `未保存：${errorMessage(e)}`, code: null, detail: null };
  const named = e.code === 'invalid_request' ? namedFields(kind, e.message) : [];
  const what = named.length ? fieldRules(named) : errorMessage(e);
  return { text: `未保存（${e.code}）：${what}。已生效的阈值未改变。`, code: e.code, detail: e.message };
}

export function thresholdsTab(): { el: HTMLElement; load(): Promise<void> } {
  let stored: Thresholds | null = null;
  const cards = WARNING_KINDS.map((kind) => kindCard(kind, () => stored?.[kind] ?? null, (params) => {
    if (stored) stored = { ...stored, [kind]: params } as Thresholds;
  }));
  const el = h('section', { class: 'gc-tab-panel', id: 'panel-thresholds' },
    h('div', { class: 'gc-toolbar' }, h('div', {}, h('h2', {}, '趋势预警阈值'),
      h('span', { class: 'gc-muted' }, '预警扫描按以下阈值发现趋势；每类单独保存，从下一次扫描起生效，已产生的预警不变。每次修改记入审计日志。'))),
    h('div', { class: 'gc-thresholds' }, ...cards.map((c) => c.el)));

  async function load() {
    stored = (await api.request<{ thresholds: Thresholds }>('/api/warnings/thresholds')).thresholds;
    for (const c of cards) c.show();
  }
  return { el, load };
}

function kindCard(kind: WarningKind, current: () => Thresholds[WarningKind] | null, saved: (p: Thresholds[WarningKind]) => void) {
  const { explain, fields } = THRESHOLD_FORMS[kind];
  const inputs = new Map<string, HTMLInputElement>();
  const rows = fields.map((f) => {
    if (f.type === 'flag') {
      const box = h('input', { type: 'checkbox', name: f.key, 'data-field': f.key });
      inputs.set(f.key, box);
      return h('label', { class: 'gc-threshold-flag' }, box, h('span', {}, f.label), h('small', {}, f.hint));
    }
    const input = h('input', {
      type: 'number', name: f.key, 'data-field': f.key, min: f.min, max: f.max, step: f.step, required: true,
      inputmode: f.step < 1 ? 'decimal' : 'numeric', 'aria-label': f.label,
    });
    inputs.set(f.key, input);
    return h('label', { class: 'gc-field' }, h('span', {}, f.label),
      h('div', { class: 'gc-threshold-input' }, input, f.unit ? h('em', {}, f.unit) : null),
      h('small', {}, `${f.hint}；范围 ${f.range}`));
  });
  const err = h('div', { class: 'gc-form-error', role: 'alert', id: `thresholds-error-${kind}`, hidden: true });
  const save = h('button', { type: 'submit', class: 'gc-btn primary', 'data-act': 'save' }, '保存');
  const revert = h('button', { type: 'button', class: 'gc-btn', 'data-act': 'revert' }, '还原为已保存值');
  const defaults = h('button', { type: 'button', class: 'gc-btn', 'data-act': 'defaults' }, '填入默认值');
  const form = h('form', { class: 'gc-threshold-card', 'data-kind': kind, id: `thresholds-${kind}`, novalidate: true },
    h('h3', {}, WARNING_KIND_NAMES[kind]),
    h('p', { class: 'gc-muted' }, explain),
    h('div', { class: 'gc-form-grid' }, ...rows),
    err,
    h('div', { class: 'gc-form-actions' }, h('div', { class: 'gc-toolbar-actions' }, revert, defaults), save));

  const fill = (p: Record<string, unknown>) => {
    for (const f of fields) {
      const input = inputs.get(f.key)!;
      if (f.type === 'flag') input.checked = p[f.key] === true;
      else input.value = typeof p[f.key] === 'number' ? toInput(p[f.key] as number, f.scale) : '';
    }
  };
  const show = () => {
    const p = current();
    if (p) fill(p as unknown as Record<string, unknown>);
    err.hidden = true;
    delete form.dataset.refused;
  };
  /** The form as the API takes it; an empty or unreadable number goes as null (the server names it). */
  const body = () => Object.fromEntries(fields.map((f) => {
    const input = inputs.get(f.key)!;
    return [f.key, f.type === 'flag' ? input.checked : fromInput(input.value, f.scale)];
  }));

  revert.addEventListener('click', show);
  defaults.addEventListener('click', () => {
    fill(DEFAULT_THRESHOLDS[kind] as unknown as Record<string, unknown>);
    err.hidden = true;
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    delete form.dataset.refused;
    save.disabled = true;
    try {
      const r = await api.send<{ kind: WarningKind; params: Thresholds[WarningKind] }>('PUT', `/api/warnings/thresholds/${kind}`, body());
      saved(r.params);
      show();
      flash(`已保存：${WARNING_KIND_NAMES[kind]}阈值`);
    } catch (e) {
      const r = refusalText(kind, e);
      err.replaceChildren(r.text, r.detail ? h('small', { class: 'mono gc-threshold-detail' }, r.detail) : '');
      if (r.code) form.dataset.refused = r.code;
      err.hidden = false;
    } finally {
      save.disabled = false;
    }
  });
  return { el: form, show };
}
