// 标签管理 on /residents (admin: resident_tag): the tag list with its kind, sensitivity and visit
// interval; add, rename, change the interval, delete (refused while records carry the tag).
import type { PoolKind } from '../../../../core/resident-import.js';
import type { ResidentTagView } from '../../../../core/resident-pool.js';
import { fmtInt, h } from '../../shell/dom.js';
import { button, KIND_ZH, pool, poolError } from './api.js';

export function mountTagAdmin(root: HTMLElement, tags: () => ResidentTagView[], refresh: () => Promise<void>): void {
  const status = h('div', { id: 'tag-status', class: 'rs-note', role: 'status' });
  const body = h('tbody');
  const run = async (f: () => Promise<unknown>, done: string) => {
    try {
      await f();
      await refresh();
      draw();
      status.textContent = done;
    } catch (e) {
      status.textContent = poolError(e);
    }
  };
  function draw() {
    body.replaceChildren(...tags().map((t) => {
      const days = h('input', { type: 'number', min: 1, max: 366, value: t.visitDays ?? '', class: 'rs-days', 'aria-label': `${t.name}走访周期（天）` });
      days.disabled = t.appliesTo !== 'person';
      return h('tr', { 'data-code': t.code },
        h('td', {}, t.name), h('td', {}, KIND_ZH[t.appliesTo]), h('td', {}, t.sensitive ? '是' : ''), h('td', {}, days), h('td', {}, fmtInt(t.count ?? 0)),
        h('td', {},
          button('保存', 'btn sm', () => void run(() => pool.updateTag(t.code, { name: t.name, sensitive: t.sensitive, sort: t.sort, visitDays: days.value ? Number(days.value) : null }), `已保存 ${t.name}`)),
          button('删除', 'btn sm', () => void run(() => pool.deleteTag(t.code), `已删除 ${t.name}`))));
    }));
  }
  const code = h('input', { id: 'tag-code', placeholder: '代码（英文）', 'aria-label': '标签代码', size: 10 });
  const name = h('input', { id: 'tag-name', placeholder: '名称', 'aria-label': '标签名称', size: 6 });
  const kind = h('select', { id: 'tag-kind', 'aria-label': '适用' }, h('option', { value: 'person' }, '人'), h('option', { value: 'house' }, '房'), h('option', { value: 'firm' }, '企'));
  const sensitive = h('input', { id: 'tag-sensitive', type: 'checkbox', 'aria-label': '敏感' });
  const add = button('添加标签', 'btn sm', () => void run(() => pool.createTag({
    code: code.value.trim(), name: name.value.trim(), appliesTo: kind.value as PoolKind, sensitive: sensitive.checked, visitDays: null, sort: 1000,
  }), `已添加 ${name.value.trim()}`), { id: 'tag-add' });
  root.replaceChildren(
    h('h2', { class: 'rs-h2' }, '标签管理'),
    h('table', { class: 'rs-table', id: 'tag-table' },
      h('thead', {}, h('tr', {}, h('th', {}, '名称'), h('th', {}, '适用'), h('th', {}, '敏感'), h('th', {}, '走访周期(天)'), h('th', {}, '数量'), h('th', {}, ''))), body),
    h('div', { class: 'rs-row' }, code, name, kind, h('label', {}, sensitive, '敏感'), add),
    status,
  );
  draw();
}
