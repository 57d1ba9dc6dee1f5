// 保存情景 and 情景对比: save the unsaved what-if changes as a named scenario, compare two scenarios
// (or the baseline) as a delta table of household shares, and load a saved scenario's changes back
// into the what-if.
import type { ClassChanges, CoverageClass, Scenario, ScenarioCompare, ScenarioListItem } from '../../../../core/coverage/contract.js';
import { field, openDialog } from '../../shell/dialog.js';
import { fmtTime, h } from '../../shell/dom.js';
import { errorMessage } from '../../shell/errors.js';
import { coverageApi, type LimitChoice } from './api.js';
import { fmtDelta, pct } from './model.js';

type ClassNames = ReadonlyMap<string, CoverageClass>;

function describeChanges(changes: readonly ClassChanges[], classes: ClassNames): HTMLElement {
  return h(
    'ul',
    { class: 'cv-list' },
    ...changes.map((c) =>
      h(
        'li',
        {},
        h('span', { class: 'sw', style: `width:10px;height:10px;border-radius:50%;background:${classes.get(c.class)?.color ?? '#888'}` }),
        classes.get(c.class)?.name ?? c.class,
        h('span', { class: 'n' }, [c.add.length ? `新增 ${c.add.length}` : '', c.move.length ? `迁移 ${c.move.length}` : '', c.remove.length ? `撤除 ${c.remove.length}` : ''].filter(Boolean).join(' · ')),
      ),
    ),
  );
}

/** Resolves with the new scenario's id, or null when cancelled. */
export function openSaveDialog(changes: ClassChanges[], classes: ClassNames): Promise<number | null> {
  return new Promise((resolve) => {
    let saved: number | null = null;
    const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 100, placeholder: '例如：北京东路社区增设托育点', 'data-scenario-name': '' });
    openDialog({
      title: '保存情景',
      lead: '把当前的情景模拟（新增、迁移、撤除设施）保存为方案，之后可与现状或其他方案对比。设施数据本身不会改动。',
      content: [field('情景名称', name), describeChanges(changes, classes)],
      submitLabel: '保存',
      id: 'cv-save-dialog',
      onSubmit: async () => {
        const r = await coverageApi.saveScenario(name.value.trim(), changes);
        saved = r.id;
      },
      onClose: () => resolve(saved),
    });
  });
}

function scenarioLabel(s: ScenarioListItem): string {
  return `${s.name}（${fmtTime(s.createdAt)} · ${s.createdBy}）`;
}

function deltaCell(d: number | null): HTMLTableCellElement {
  const points = d === null ? null : Math.round(d * 1000) / 10;
  return h('td', { class: points === null || points === 0 ? '' : points > 0 ? 'up' : 'down' }, fmtDelta(points));
}

/**
 * Two pickers (基准现状 or a saved scenario) and the delta table of household shares, B − A:
 * the score per area first, then every community × class whose share changed (all rows on demand).
 * `onLoad` loads a scenario's changes into the page's what-if.
 */
export async function openCompareDialog(limit: LimitChoice, classes: ClassNames, onLoad: (s: Scenario) => void, preselect?: number): Promise<void> {
  let list: ScenarioListItem[] = [];
  let loadErr: string | null = null;
  try {
    list = await coverageApi.scenarios();
  } catch (e) {
    loadErr = errorMessage(e);
  }
  const options = () => [
    h('option', { value: 'baseline' }, '基准（现状）'),
    ...list.map((s) => h('option', { value: String(s.id) }, scenarioLabel(s))),
  ];
  const a = h('select', { 'data-compare': 'a' }, ...options());
  const b = h('select', { 'data-compare': 'b' }, ...options());
  const newest = list.reduce<ScenarioListItem | null>((m, s) => (!m || s.id > m.id ? s : m), null);
  if (preselect !== undefined) b.value = String(preselect);
  else if (newest) b.value = String(newest.id);
  const showAll = h('input', { type: 'checkbox' });
  const out = h('div', { class: 'cv-compare-out', 'data-compare-result': '' });
  const loadBtn = h('button', { type: 'button', class: 'gc-btn small', title: '把方案 B 的设施改动载入情景模拟，可继续调整' }, '载入方案 B 到情景模拟');
  let last: ScenarioCompare | null = null;

  const parse = (v: string): number | 'baseline' => (v === 'baseline' ? 'baseline' : Number(v));
  const render = () => {
    if (!last) return;
    const c = last;
    const className = (code: string) => classes.get(code)?.name ?? code;
    const rows = c.rows.filter((r) => showAll.checked || (r.delta !== null && r.delta !== 0));
    out.replaceChildren(
      h('h4', { style: 'margin:0 0 6px;font-size:13px' }, `得分（16 类平均覆盖率）：${c.a.name} → ${c.b.name}`),
      h(
        'div',
        { class: 'cv-delta-wrap', style: 'max-height:24vh' },
        h(
          'table',
          { class: 'cv-delta', 'data-delta': 'score' },
          h('thead', {}, h('tr', {}, h('th', {}, '范围'), h('th', {}, ''), h('th', {}, 'A'), h('th', {}, 'B'), h('th', {}, 'Δ 百分点'))),
          h('tbody', {}, ...c.score.map((s) => h('tr', {}, h('td', {}, s.name), h('td', {}, ''), h('td', {}, pct(s.a)), h('td', {}, pct(s.b)), deltaCell(s.delta)))),
        ),
      ),
      h('h4', { style: 'margin:12px 0 6px;font-size:13px' }, showAll.checked ? '全部社区 × 类别' : `覆盖率有变化的社区 × 类别（${rows.length}）`),
      rows.length
        ? h(
            'div',
            { class: 'cv-delta-wrap' },
            h(
              'table',
              { class: 'cv-delta', 'data-delta': 'cells' },
              h('thead', {}, h('tr', {}, h('th', {}, '社区'), h('th', {}, '类别'), h('th', {}, 'A'), h('th', {}, 'B'), h('th', {}, 'Δ 百分点'))),
              h('tbody', {}, ...rows.map((r) => h('tr', {}, h('td', {}, r.name), h('td', {}, className(r.class)), h('td', {}, pct(r.a)), h('td', {}, pct(r.b)), deltaCell(r.delta)))),
            ),
          )
        : h('p', { class: 'cv-empty' }, '两个方案的各社区覆盖率相同。'),
      h('p', { class: 'cv-note' }, '覆盖率为住户（合成）占比；Δ = B − A。'),
    );
  };
  const run = async () => {
    out.replaceChildren(h('p', { class: 'cv-empty' }, '计算中…'));
    try {
      last = await coverageApi.compare(parse(a.value), parse(b.value), limit);
      render();
    } catch (e) {
      last = null;
      out.replaceChildren(h('p', { class: 'gc-form-error' }, errorMessage(e)));
    }
    loadBtn.disabled = b.value === 'baseline';
  };
  a.addEventListener('change', () => void run());
  b.addEventListener('change', () => void run());
  showAll.addEventListener('change', render);
  const handle = openDialog({
    title: '情景对比',
    lead: list.length ? '选择两个方案（或现状），查看各社区、各类服务住户覆盖率的变化。' : '还没有保存的情景；可先做情景模拟并保存。下表对比现状与现状。',
    content: [
      loadErr ? h('p', { class: 'gc-form-error' }, loadErr) : null,
      h('div', { class: 'cv-compare-pick' }, field('方案 A', a), field('方案 B', b), h('label', { class: 'cv-row' }, showAll, '显示全部')),
      out,
      h('div', { class: 'cv-row' }, loadBtn),
    ],
    submitLabel: '完成',
    cancelLabel: null,
    wide: true,
    id: 'cv-compare-dialog',
  });
  handle.dialog.classList.add('cv-wide');
  loadBtn.addEventListener('click', async () => {
    if (b.value === 'baseline') return;
    loadBtn.disabled = true;
    try {
      onLoad(await coverageApi.scenario(Number(b.value)));
      handle.close();
    } catch (e) {
      handle.setError(errorMessage(e));
      loadBtn.disabled = false;
    }
  });
  await run();
}
