// 部门 tab: the functional departments cases are dispatched to (list, add).
import { api } from '../../api/http.js';
import { h } from '../../shell/dom.js';
import { errorMessage } from '../../shell/errors.js';
import { flash } from '../../shell/header.js';
import { pill, table, type RefData } from './common.js';

export function departmentsTab(ref: RefData): { el: HTMLElement; load(): Promise<void> } {
  const list = h('div', { class: 'gc-tab-body' }, h('div', { class: 'gc-muted' }, '加载中…'));
  const code = h('input', { name: 'code', required: true, pattern: '[A-Za-z0-9_\\-]{2,32}', maxlength: 32, placeholder: '代码，如 cgzf', autocomplete: 'off', spellcheck: 'false' });
  const name = h('input', { name: 'name', required: true, maxlength: 100, placeholder: '名称，如 城管执法局', autocomplete: 'off' });
  const err = h('div', { class: 'gc-form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'gc-btn primary' }, '添加部门');
  const form = h('form', { class: 'gc-inline-form', id: 'department-form', novalidate: true }, code, name, submit);
  const count = h('span', { class: 'gc-muted' });
  const el = h(
    'section',
    { class: 'gc-tab-panel', id: 'panel-departments' },
    h('div', { class: 'gc-toolbar' }, h('div', {}, h('h2', {}, '职能部门'), count), form),
    err,
    list,
  );

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    if (!form.reportValidity()) return;
    submit.disabled = true;
    try {
      await api.createDepartment({ code: code.value.trim(), name: name.value.trim() });
      code.value = name.value = '';
      flash('部门已添加');
      await load();
    } catch (e) {
      err.textContent = errorMessage(e);
      err.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });

  async function load() {
    const rows = await api.departments();
    // The account/token pickers read the same list.
    ref.departments.splice(0, ref.departments.length, ...[...rows].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')));
    count.textContent = `共 ${rows.length} 个`;
    list.replaceChildren(
      table(
        'departments',
        ['代码', '名称', '来源'],
        rows.map((d) => h('tr', { 'data-code': d.code }, h('td', { class: 'mono' }, d.code), h('td', {}, d.name), h('td', {}, d.synthetic ? pill('演示数据', 'warn') : pill('自建', 'off')))),
        '暂无部门',
      ),
    );
  }

  return { el, load };
}
