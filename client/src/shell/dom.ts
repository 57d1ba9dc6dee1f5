// Tiny DOM helpers (no framework).

type Attrs = Record<string, string | number | boolean | null | undefined>;
type Child = Node | string | number | null | undefined | false;

/** h('div', {class: 'x', 'data-id': 3}, 'text', child) */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function $(selector: string, root: ParentNode = document): HTMLElement {
  const el = root.querySelector<HTMLElement>(selector);
  if (!el) throw new Error(`missing element ${selector}`);
  return el;
}

const nf = new Intl.NumberFormat('zh-CN');
export const fmtInt = (n: number | null | undefined) => (n === null || n === undefined || !Number.isFinite(n) ? '—' : nf.format(Math.round(n)));

const tf = new Intl.DateTimeFormat('zh-CN', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const df = new Intl.DateTimeFormat('zh-CN', { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });

/** "14:03:22" for today, "11/23 14:03" otherwise. */
export function fmtTime(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toDateString() === now.toDateString() ? tf.format(d) : df.format(d);
}

/** Shows a dismissable error banner at the top of the page. */
export function showError(message: string): void {
  let bar = document.getElementById('gc-error');
  if (!bar) {
    bar = h('div', { id: 'gc-error', class: 'gc-error', role: 'alert' });
    document.body.append(bar);
  }
  bar.textContent = message;
  bar.hidden = false;
}
