// Modal dialogs (native <dialog>): forms with a busy state and a zh-CN error line, confirmations,
// and a "shown once" secret box with a copy button.
import { h } from './dom.js';
import { errorMessage } from './errors.js';

export interface DialogOptions {
  title: string;
  /** Short line under the title. */
  lead?: string;
  content: (Node | string | null | false | undefined)[];
  submitLabel?: string;
  /** null: no cancel button (e.g. a result dialog with only "完成"). */
  cancelLabel?: string | null;
  danger?: boolean;
  wide?: boolean;
  id?: string;
  /** Runs on submit with the buttons disabled; throw to show the error and keep the dialog open; return false to keep it open silently. */
  onSubmit?: (form: HTMLFormElement) => Promise<boolean | void> | boolean | void;
  onClose?: () => void;
}

export interface DialogHandle {
  dialog: HTMLDialogElement;
  form: HTMLFormElement;
  setError(message: string | null): void;
  close(): void;
  closed: Promise<void>;
}

export function openDialog(o: DialogOptions): DialogHandle {
  const err = h('div', { class: 'gc-form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: `gc-btn ${o.danger ? 'danger' : 'primary'}` }, o.submitLabel ?? '确定');
  const cancel = o.cancelLabel === null ? null : h('button', { type: 'button', class: 'gc-btn ghost', value: 'cancel' }, o.cancelLabel ?? '取消');
  const closeX = h('button', { type: 'button', class: 'gc-dialog-x', 'aria-label': '关闭' }, '×');
  const form = h(
    'form',
    { class: 'gc-dialog-form', novalidate: true },
    h('header', {}, h('h2', {}, o.title), closeX),
    o.lead ? h('p', { class: 'gc-dialog-lead' }, o.lead) : null,
    h('div', { class: 'gc-dialog-body' }, ...o.content),
    err,
    h('footer', {}, cancel, submit),
  );
  const dialog = h('dialog', { class: `gc-dialog${o.wide ? ' wide' : ''}`, id: o.id ?? null }, form);
  document.body.append(dialog);

  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  const close = () => {
    if (dialog.open) dialog.close();
  };
  dialog.addEventListener('close', () => {
    dialog.remove();
    o.onClose?.();
    resolveClosed();
  });
  cancel?.addEventListener('click', close);
  closeX.addEventListener('click', close);
  const setError = (m: string | null) => {
    err.textContent = m ?? '';
    err.hidden = !m;
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!form.reportValidity()) return;
    setError(null);
    submit.disabled = true;
    form.classList.add('busy');
    try {
      const keep = (await o.onSubmit?.(form)) === false;
      if (!keep) close();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      submit.disabled = false;
      form.classList.remove('busy');
    }
  });
  dialog.showModal();
  // Focus the first field rather than the close button.
  form.querySelector<HTMLElement>('.gc-dialog-body input:not([readonly]), .gc-dialog-body select, .gc-dialog-body textarea')?.focus();
  return { dialog, form, setError, close, closed };
}

/** Ask before doing something; resolves true on confirm. */
export function confirmDialog(title: string, message: string, opts: { confirmLabel?: string; danger?: boolean } = {}): Promise<boolean> {
  return new Promise((resolve) => {
    let ok = false;
    openDialog({
      title,
      content: [h('p', { class: 'gc-dialog-text' }, message)],
      submitLabel: opts.confirmLabel ?? '确定',
      danger: opts.danger,
      id: 'gc-confirm',
      onSubmit: () => {
        ok = true;
      },
      onClose: () => resolve(ok),
    });
  });
}

async function copyText(text: string, input?: HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (plain http, or headless): select and use the legacy command.
    if (input) {
      input.select();
      try {
        return document.execCommand('copy');
      } catch {
        return false;
      }
    }
    return false;
  }
}

/** A read-only value with a 复制 button (passwords and tokens that are shown only once). */
export function secretField(label: string, value: string, opts: { name?: string; mono?: boolean } = {}): HTMLElement {
  const input = h('input', { type: 'text', readonly: true, value, class: opts.mono === false ? null : 'mono', 'data-secret': opts.name ?? null, spellcheck: 'false' });
  const btn = h('button', { type: 'button', class: 'gc-btn small' }, '复制');
  btn.addEventListener('click', async () => {
    const ok = await copyText(value, input);
    btn.textContent = ok ? '已复制' : '请手动复制';
    btn.classList.toggle('done', ok);
    setTimeout(() => {
      btn.textContent = '复制';
      btn.classList.remove('done');
    }, 2000);
  });
  input.addEventListener('focus', () => input.select());
  return h('label', { class: 'gc-field' }, h('span', {}, label), h('div', { class: 'gc-secret' }, input, btn));
}

/** A labelled form field around a control. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  return h('label', { class: 'gc-field' }, h('span', {}, label), control, hint ? h('small', {}, hint) : null);
}
