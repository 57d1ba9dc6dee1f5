// The actions the signed-in person may take on a case (from GET /api/incidents/:id allowedActions),
// as buttons; each opens a small form (target level, department, rating, note, photo) and posts
// to /api/incidents/:id/actions. A refusal shows the server's reason; nothing is retried.
import { ApiError } from '../../api/http.js';
import { h } from '../../shell/dom.js';
import { caseApi, type ActionBody, type Department } from './case-api.js';
import {
  actionSpec, dispatchLevels, lockedActions, RATING_NAMES, refusalMessage, sortActions, type CaseDetail, type CaseItem,
} from './model.js';
import { previewUrl, shrinkPhoto } from './photo.js';

export interface ActionPanelOptions {
  detail: CaseDetail;
  role: string;
  departments: Department[];
  /** 派往指定网格: grids a dispatch to the grid level may name (the page's, in the jurisdiction); none = the case's own. */
  grids?: { id: number; name: string }[];
  variant: 'desk' | 'phone';
  onDone: (c: CaseItem, action: string, warning: string | null) => void;
  /** Open this action's form at once. */
  open?: string | null;
  /** Why actions cannot be sent right now (e.g. offline), or null. */
  blocked?: () => string | null;
  /** Also show the actions the server refuses this person in this state (核查 for the resolver), locked. Default true. */
  showLocked?: boolean;
}

function lockIcon(): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'gw-lock');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', 'M7 10V7a5 5 0 0 1 10 0v3h1a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1V11a1 1 0 0 1 1-1h1zm2 0h6V7a3 3 0 0 0-6 0v3z');
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}

export function renderActionPanel(o: ActionPanelOptions): HTMLElement {
  const c = o.detail.incident;
  const allowed = sortActions(o.detail.allowedActions.filter((a) => a.action !== 'merge'));
  const locked = o.showLocked === false ? [] : lockedActions(c.status, o.role, o.detail.allowedActions.map((a) => a.action));
  const root = h('div', { class: `gw-actions ${o.variant}` });
  const buttons = h('div', { class: 'gw-act-buttons' });
  const formSlot = h('div', { class: 'gw-act-slot' });
  let openAction: string | null = null;

  const choose = (action: string, isLocked: boolean) => {
    for (const b of buttons.querySelectorAll<HTMLElement>('button')) b.classList.toggle('on', b.dataset.action === action && openAction !== action);
    if (openAction === action) {
      openAction = null;
      formSlot.replaceChildren();
      return;
    }
    openAction = action;
    formSlot.replaceChildren(actionForm(action, isLocked));
    formSlot.querySelector<HTMLElement>('textarea, select')?.focus({ preventScroll: o.variant === 'phone' });
  };

  for (const a of allowed) {
    const s = actionSpec(a.action);
    const b = h('button', { type: 'button', class: `gw-act-btn ${s.tone}`, 'data-action': a.action }, a.name);
    b.addEventListener('click', () => choose(a.action, false));
    buttons.append(b);
  }
  for (const action of locked) {
    const s = actionSpec(action);
    const b = h('button', { type: 'button', class: 'gw-act-btn locked', 'data-action': action, 'data-locked': 'true', title: '您可能无权执行此操作，提交后由服务器判定' },
      lockIcon(), s.name);
    b.addEventListener('click', () => choose(action, true));
    buttons.append(b);
  }
  if (!allowed.length && !locked.length) {
    root.append(h('div', { class: 'gw-act-none' }, c.statusType === 'closed' ? '本案已办结，无需操作' : '本案当前不需要您处理'));
    return root;
  }
  root.append(buttons, formSlot);

  function actionForm(action: string, isLocked: boolean): HTMLFormElement {
    const s = actionSpec(action);
    const err = h('div', { class: 'gw-act-error', role: 'alert', hidden: true });
    const fields: HTMLElement[] = [];
    let levelSel: HTMLSelectElement | null = null;
    let depSel: HTMLSelectElement | null = null;
    let gridSel: HTMLSelectElement | null = null;
    if (s.needsLevel) {
      const grids = o.grids ?? [];
      const levels = dispatchLevels(o.role, c, { chooseGrid: grids.length > 0 });
      levelSel = h('select', { name: 'level', class: 'gw-input', required: true }, ...levels.map((l) => h('option', { value: l.code }, l.name)));
      fields.push(h('label', { class: 'gw-field' }, h('span', {}, '派往层级'), levelSel));
      if (grids.length) {
        // The case's own grid first (when it has one); a case in no grid must be given one.
        const own = grids.find((g) => g.id === c.gridId);
        gridSel = h('select', { name: 'gridId', class: 'gw-input' },
          own ? h('option', { value: String(own.id) }, `${own.name}（案件所在网格）`) : h('option', { value: '' }, '请选择网格'),
          ...grids.filter((g) => g !== own).map((g) => h('option', { value: String(g.id) }, g.name)));
        const gridField = h('label', { class: 'gw-field' }, h('span', {}, '派往网格'), gridSel);
        const sync = () => { gridField.hidden = levelSel!.value !== 'grid'; };
        levelSel.addEventListener('change', sync);
        sync();
        fields.push(gridField);
      }
    }
    if (s.needsDepartment) {
      depSel = h('select', { name: 'departmentCode', class: 'gw-input' }, h('option', { value: '' }, '按责任清单默认部门'),
        ...o.departments.map((d) => h('option', { value: d.code }, d.name)));
      fields.push(h('label', { class: 'gw-field' }, h('span', {}, '职能部门'), depSel));
    }
    if (s.needsRating) {
      fields.push(h('fieldset', { class: 'gw-field gw-rating' }, h('legend', {}, '评价'),
        ...Object.entries(RATING_NAMES).map(([code, name], i) =>
          h('label', { class: 'gw-rate' }, h('input', { type: 'radio', name: 'rating', value: code, checked: i === 0 }), h('span', {}, name)))));
    }
    const note = h('textarea', {
      name: 'note', class: 'gw-input gw-act-note', rows: o.variant === 'phone' ? 3 : 2, maxlength: 2000,
      placeholder: s.needsNote ? '必填：请说明原因或处理情况' : '处理说明（可选）',
    });
    fields.push(h('label', { class: 'gw-field' }, h('span', {}, s.needsNote ? '说明（必填）' : '说明'), note));

    // A photo with the action (现场照片), shrunk on the device; left out if the server has no photo service.
    let photo: Blob | null = null;
    let revoke: (() => void) | null = null;
    const preview = h('span', { class: 'gw-act-preview' });
    const file = h('input', { type: 'file', accept: 'image/*', class: 'gw-file', ...(o.variant === 'phone' ? { capture: 'environment' } : {}) });
    file.addEventListener('change', async () => {
      revoke?.();
      photo = null;
      preview.replaceChildren();
      const f = file.files?.[0];
      if (!f) return;
      photo = await shrinkPhoto(f);
      const p = previewUrl(photo);
      revoke = p.revoke;
      const rm = h('button', { type: 'button', class: 'gw-x', title: '移除照片', 'aria-label': '移除照片' }, '×');
      rm.addEventListener('click', () => {
        revoke?.();
        photo = null;
        file.value = '';
        preview.replaceChildren();
      });
      preview.replaceChildren(h('img', { src: p.url, alt: '照片预览' }), rm);
    });
    fields.push(h('div', { class: 'gw-field gw-photo-field' }, h('label', { class: 'gw-photo-btn' }, file, h('span', {}, '+ 添加现场照片')), preview));

    const submit = h('button', { type: 'submit', class: `gw-act-submit ${s.tone}` }, `确认${s.name}`);
    const cancel = h('button', { type: 'button', class: 'gw-act-cancel' }, '取消');
    cancel.addEventListener('click', () => choose(action, isLocked));
    const form = h(
      'form',
      { class: 'gw-act-form', 'data-action': action, novalidate: true },
      h('div', { class: 'gw-act-title' }, h('b', {}, s.name), s.help ? h('span', {}, s.help) : null),
      isLocked ? h('div', { class: 'gw-act-warn' }, '系统判断您可能不能执行此操作；如提交，将由服务器判定并说明原因。') : null,
      ...fields,
      err,
      h('div', { class: 'gw-act-row' }, cancel, submit),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      err.hidden = true;
      const blocked = o.blocked?.();
      if (blocked) {
        err.textContent = blocked;
        err.hidden = false;
        return;
      }
      const text = note.value.trim();
      if (s.needsNote && !text) {
        err.textContent = '请填写说明';
        err.hidden = false;
        note.focus();
        return;
      }
      const body: ActionBody = { action, ...(text ? { note: text } : {}) };
      if (levelSel) body.level = levelSel.value;
      if (gridSel && body.level === 'grid') {
        const chosen = Number(gridSel.value);
        if (!chosen) {
          err.textContent = '请选择派往的网格';
          err.hidden = false;
          gridSel.focus();
          return;
        }
        if (chosen !== c.gridId) body.gridId = chosen;
      }
      if (depSel?.value) body.departmentCode = depSel.value;
      if (s.needsRating) body.rating = (form.querySelector<HTMLInputElement>('input[name=rating]:checked'))?.value;
      submit.disabled = true;
      submit.classList.add('busy');
      let warning: string | null = null;
      try {
        if (photo) {
          const up = await caseApi.uploadPhoto(photo);
          if (up) body.photos = [up.id];
          else warning = '照片服务不可用，本次未附照片';
        }
        const updated = await caseApi.act(c.id, body);
        revoke?.();
        o.onDone(updated, action, warning);
      } catch (e) {
        err.textContent = e instanceof ApiError ? refusalMessage(e.code, e.message) : `操作失败：${(e as Error).message}`;
        err.hidden = false;
        err.dataset.code = e instanceof ApiError ? e.code : 'error';
      } finally {
        submit.disabled = false;
        submit.classList.remove('busy');
      }
    });
    return form;
  }

  if (o.open && [...allowed.map((a) => a.action), ...locked].includes(o.open)) choose(o.open, locked.includes(o.open));
  return root;
}
