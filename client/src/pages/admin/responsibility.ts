// 责任清单 tab: the responsibility list (category × level → handler and deadline) as a table an
// admin edits and saves as a whole (PUT /api/responsibility). Empty cells of a category follow the
// default row, shown as their placeholder; new cases and escalations use the saved list at once.
import { api, ApiError } from '../../api/http.js';
import { h } from '../../shell/dom.js';
import { errorMessage } from '../../shell/errors.js';
import { flash } from '../../shell/header.js';
import { table, type RefData } from './common.js';
import { hoursLabel, rowsToRules, rulesToRows, type LevelInfo, type Row } from './responsibility-model.js';

const DEFAULT_NAME = '默认（其余类别）';

export function responsibilityTab(ref: RefData): { el: HTMLElement; load(): Promise<void> } {
  const body = h('div', { class: 'gc-tab-body' }, h('div', { class: 'gc-muted' }, '加载中…'));
  const err = h('div', { class: 'gc-form-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'button', class: 'gc-btn primary', id: 'rules-save', disabled: true }, '保存责任清单');
  const reset = h('button', { type: 'button', class: 'gc-btn', id: 'rules-reset', disabled: true }, '撤销修改');
  const status = h('span', { class: 'gc-muted', id: 'rules-status' });
  const el = h(
    'section',
    { class: 'gc-tab-panel', id: 'panel-responsibility' },
    h('div', { class: 'gc-toolbar' },
      h('div', {}, h('h2', {}, '责任清单'), status),
      h('div', { class: 'gc-toolbar-actions' }, reset, save)),
    h('p', { class: 'gc-muted gc-rules-help' },
      '类别 × 层级 → 责任主体与办理时限（小时）。类别留空的格子沿用默认行（灰色提示）；职能部门列另设被吹哨后的报到时限。保存后新上报、上报上级与超期升级即按新清单计时。'),
    err,
    body,
  );

  let levels: LevelInfo[] = [];
  let categories: { code: string; name: string }[] = [];
  let rows: Row[] = [];
  let dirty = false;
  const catName = (code: string) => (code === '*' ? DEFAULT_NAME : categories.find((c) => c.code === code)?.name ?? code);
  const depName = (code: string | null) => (code ? ref.departments.find((d) => d.code === code)?.name ?? code : '');

  const markDirty = () => {
    dirty = true;
    save.disabled = reset.disabled = false;
    status.textContent = '有未保存的修改';
  };

  function hoursInput(row: Row, level: string, key: 'deadlineHours' | 'reportHours', fallback: number | null, label: string) {
    const cell = row.cells[level]!;
    const input = h('input', {
      type: 'number', min: 0.5, step: 0.5, inputmode: 'decimal', class: 'gc-rule-hours', 'data-field': key,
      value: cell[key] == null ? '' : String(cell[key]),
      placeholder: fallback == null ? '必填' : String(fallback),
      title: `${catName(row.category)} · ${label}${fallback != null && row.category !== '*' ? `（留空沿用默认 ${hoursLabel(fallback)}）` : ''}`,
      'aria-label': `${catName(row.category)} ${label}`,
    });
    input.addEventListener('input', () => {
      const v = input.value.trim();
      cell[key] = v === '' ? null : Number(v);
      markDirty();
    });
    return input;
  }

  function render() {
    const def = rows.find((r) => r.category === '*')!;
    const head = ['类别', ...levels.map((l) => (l.code === 'department' ? `${l.name}（部门 · 时限 · 报到）` : `${l.name}时限`))];
    const trs = rows.map((row) => h(
      'tr',
      { 'data-category': row.category, class: row.category === '*' ? 'default' : null },
      h('th', { scope: 'row' }, catName(row.category)),
      ...levels.map((l) => {
        const d = def.cells[l.code]!;
        const isDefault = row.category === '*';
        const fields: HTMLElement[] = [];
        if (l.code === 'department') {
          const cell = row.cells[l.code]!;
          const sel = h('select', { class: 'gc-rule-dep', 'data-field': 'handler', 'aria-label': `${catName(row.category)} 职能部门` },
            isDefault ? h('option', { value: '' }, '请选择部门') : h('option', { value: '' }, `默认：${depName(d.handler) || '—'}`),
            ...ref.departments.map((x) => h('option', { value: x.code, selected: x.code === cell.handler }, x.name)));
          sel.addEventListener('change', () => {
            cell.handler = sel.value || null;
            markDirty();
          });
          fields.push(sel);
        }
        fields.push(hoursInput(row, l.code, 'deadlineHours', isDefault ? null : d.deadlineHours, `${l.name}办理时限（小时）`));
        if (l.code === 'department') fields.push(hoursInput(row, l.code, 'reportHours', isDefault ? null : d.reportHours, '报到时限（小时）'));
        return h('td', { 'data-level': l.code }, h('div', { class: 'gc-rule-cell' }, ...fields));
      }),
    ));
    body.replaceChildren(table('rules', head, trs, '暂无类别'));
  }

  async function load() {
    const [list, cats, deps] = await Promise.all([api.responsibility(), api.incidentCategories(), api.departments()]);
    ref.departments.splice(0, ref.departments.length, ...[...deps].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')));
    levels = list.levels.map((l) => ({ code: l.code, name: l.name, handler: l.handler }));
    categories = cats;
    rows = rulesToRows(list.rules, cats.map((c) => c.code), levels);
    dirty = false;
    save.disabled = reset.disabled = true;
    status.textContent = `共 ${list.rules.length} 条规则 · ${cats.length} 个类别 × ${levels.length} 个层级`;
    render();
  }

  save.addEventListener('click', async () => {
    err.hidden = true;
    const out = rowsToRules(rows, levels, catName);
    if (out.problems.length) {
      err.replaceChildren(h('b', {}, '未保存：'), ...out.problems.map((p) => h('div', {}, p)));
      err.hidden = false;
      return;
    }
    save.disabled = true;
    try {
      await api.saveResponsibility(out.rules);
      await load();
      flash('责任清单已保存');
    } catch (e) {
      err.textContent = `保存失败：${e instanceof ApiError ? e.message : errorMessage(e)}`;
      err.hidden = false;
      save.disabled = !dirty;
    }
  });
  reset.addEventListener('click', () => {
    err.hidden = true;
    void load();
  });
  window.addEventListener('beforeunload', (e) => {
    if (dirty) e.preventDefault();
  });

  return { el, load };
}
