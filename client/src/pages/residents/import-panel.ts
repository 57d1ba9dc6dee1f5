// 导入 (CSV / Excel .xlsx) on /residents: choose the kind and a file → 预览 (the rows read, masked,
// and every problem with its row, column and code) → 导入 only when the preview has no problem.
// The server checks everything again and imports all rows or none.
import type { PoolKind } from '../../../../core/resident-import.js';
import type { ImportPreview } from '../../../../core/resident-pool.js';
import { ApiError } from '../../api/http.js';
import { fmtInt, h } from '../../shell/dom.js';
import { button, COLUMN_ZH, IMPORT_ERROR_ZH, pool, poolError } from './api.js';

export function mountImport(root: HTMLElement, opts: { onImported: (n: number) => Promise<void> }): void {
  const kind = h('select', { id: 'import-kind', 'aria-label': '导入类型' },
    h('option', { value: 'person' }, '人员'), h('option', { value: 'house' }, '房屋'), h('option', { value: 'firm' }, '企业'));
  const file = h('input', { id: 'import-file', type: 'file', accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'aria-label': '选择文件' });
  const status = h('div', { id: 'import-status', class: 'rs-note', role: 'status' });
  const out = h('div', { id: 'import-preview' });
  let checked: { file: File; kind: PoolKind; preview: ImportPreview } | null = null;
  const commit = button('导入', 'btn primary', () => void doCommit(), { id: 'import-commit' });
  commit.disabled = true;
  const previewBtn = button('预览', 'btn', () => void doPreview(), { id: 'import-preview-btn' });

  const reset = () => { checked = null; commit.disabled = true; out.replaceChildren(); status.textContent = ''; delete root.dataset.previewError; };
  file.addEventListener('change', reset);
  kind.addEventListener('change', reset);

  async function doPreview() {
    reset();
    const f = file.files?.[0];
    if (!f) { status.textContent = '请先选择 CSV 或 Excel（.xlsx）文件。'; return; }
    status.textContent = '正在检查…';
    try {
      const p = await pool.preview(kind.value as PoolKind, f);
      checked = { file: f, kind: kind.value as PoolKind, preview: p };
      render(p);
      commit.disabled = !p.ok;
      status.textContent = p.ok
        ? `共 ${fmtInt(p.rows)} 行，检查通过，可以导入。`
        : `共 ${fmtInt(p.rows)} 行，发现 ${fmtInt(p.totalErrors)} 处问题：请改正文件后重新预览（有问题时不会导入任何一行）。`;
      root.dataset.previewOk = String(p.ok);
      root.dataset.errors = String(p.totalErrors);
    } catch (e) {
      status.textContent = `未能预览：${poolError(e)}`;
      root.dataset.previewOk = 'false';
      root.dataset.previewError = e instanceof ApiError ? e.code : 'error';
    }
  }

  function render(p: ImportPreview) {
    const errs = p.errors.length
      ? h('table', { class: 'rs-table rs-errors', id: 'import-errors' },
        h('thead', {}, h('tr', {}, h('th', {}, '行'), h('th', {}, '列'), h('th', {}, '问题'), h('th', {}, '说明'))),
        h('tbody', {}, ...p.errors.map((e) => h('tr', { 'data-row': e.row, 'data-code': e.code },
          h('td', {}, String(e.row)), h('td', {}, e.column ? COLUMN_ZH[e.column] ?? e.column : '整行'),
          h('td', { class: 'code' }, IMPORT_ERROR_ZH[e.code] ?? e.code), h('td', { class: 'msg' }, e.message)))))
      : null;
    const sample = h('table', { class: 'rs-table', id: 'import-sample' },
      h('thead', {}, h('tr', {}, h('th', {}, '行'), h('th', {}, '网格'), h('th', {}, p.kind === 'house' ? '房号' : '姓名/名称'), h('th', {}, '电话'), h('th', {}, '标签'))),
      h('tbody', {}, ...p.sample.map((r) => h('tr', {}, h('td', {}, String(r.row)), h('td', {}, r.grid), h('td', {}, p.kind === 'house' ? r.unit ?? '' : r.name), h('td', {}, r.phone), h('td', {}, r.tags.join('、'))))));
    out.replaceChildren(...(errs ? [errs] : []), h('div', { class: 'rs-note' }, `前 ${fmtInt(p.sample.length)} 行（已脱敏）：`), sample);
  }

  async function doCommit() {
    if (!checked?.preview.ok) return;
    commit.disabled = true;
    status.textContent = '正在导入…';
    try {
      const r = await pool.commit(checked.kind, checked.file);
      status.textContent = `已导入 ${fmtInt(r.imported)} 条。`;
      root.dataset.imported = String(r.imported);
      out.replaceChildren();
      checked = null;
      await opts.onImported(r.imported);
    } catch (e) {
      status.textContent = `导入失败，未导入任何数据：${poolError(e)}`;
    }
  }

  root.replaceChildren(
    h('h2', { class: 'rs-h2' }, '导入（CSV / Excel）'),
    h('p', { class: 'rs-sub' }, '列：姓名、身份证号、电话、网格（编号或名称）、楼栋编号、标签（用顿号分隔）。房屋：网格、楼栋编号、房号、户主；企业：名称、统一社会信用代码、网格、联系人。'),
    h('div', { class: 'rs-row' }, kind, file),
    h('div', { class: 'rs-row' }, previewBtn, commit),
    status, out,
  );
}
