// The planner's checklist: communities × the 16 service classes, each cell the share of households
// reaching the class within its walking limit (coloured by class of share, lacking classes marked),
// a score column, the lacking classes, and the whole jurisdiction as the last row. With a what-if in
// progress, the column of its class shows the figures after the change (hatched, with the delta).
import type { CoverageArea, CoverageSummary, WhatIfResult } from '../../../../core/coverage/contract.js';
import { fmtInt, h } from '../../shell/dom.js';
import { cellShare, deltaPoints, fmtDelta, pct, shareClass, shareColor, shortClassName, type SortKey } from './model.js';

export interface MatrixSelection {
  /** Community code, or null for the whole jurisdiction. */
  community: string | null;
  cls: string | null;
}

export interface MatrixOptions {
  summary: CoverageSummary;
  rows: CoverageArea[];
  sort: SortKey;
  descending: boolean;
  selected: MatrixSelection;
  whatIf: WhatIfResult | null;
  onCell(community: string | null, cls: string): void;
  onRow(community: string | null): void;
  onSort(key: SortKey): void;
}

/** Share after a what-if for an area (community code or the jurisdiction), when the what-if is of `cls`. */
export function whatIfShare(w: WhatIfResult | null, cls: string, area: string, isDistrict: boolean): { before: number | null; after: number | null } | null {
  if (!w || w.class !== cls) return null;
  const a = isDistrict ? w.district : w.communities.find((c) => c.code === area);
  return a ? { before: a.before.householdsShare, after: a.after.householdsShare } : null;
}

const DARK_TEXT_CLASSES = new Set([0, 1]);

function sortedClass(sort: SortKey, key: SortKey, descending: boolean): string {
  const same = sort.by === key.by && (sort.by !== 'class' || (key.by === 'class' && sort.code === key.code));
  return same ? `sorted${descending ? ' desc' : ''}` : '';
}

export function renderMatrix(table: HTMLTableElement, o: MatrixOptions): void {
  const { summary, selected } = o;
  const classes = summary.classes;
  const head = h(
    'tr',
    {},
    h('th', { class: `name ${sortedClass(o.sort, { by: 'name' }, o.descending)}`, scope: 'col', title: '按社区名称排序' }, '社区'),
    ...classes.map((c) => {
      const th = h(
        'th',
        {
          class: `cls ${sortedClass(o.sort, { by: 'class', code: c.code }, o.descending)} ${selected.cls === c.code ? 'active' : ''}`,
          scope: 'col',
          'data-class': c.code,
          title: `${c.name}：步行 ${c.limitMinutes} 分钟内（标准 ${c.walkMinutes} 分钟）· 设施 ${c.facilities} 处。点击按此类排序`,
        },
        h('span', { class: 'sw', style: `background:${c.color}` }),
        shortClassName(c.name),
        h('span', { class: 'min' }, `${c.limitMinutes}′`),
      );
      th.addEventListener('click', () => o.onSort({ by: 'class', code: c.code }));
      return th;
    }),
    h('th', { class: `score-h ${sortedClass(o.sort, { by: 'score' }, o.descending)}`, scope: 'col', title: '16 类覆盖率的平均值；点击排序' }, '得分'),
    h('th', { scope: 'col', title: '无一户在阈值内可达的服务类别' }, '缺失'),
  );
  head.querySelector('th.name')!.addEventListener('click', () => o.onSort({ by: 'name' }));
  head.querySelector('th.score-h')!.addEventListener('click', () => o.onSort({ by: 'score' }));

  const row = (a: CoverageArea, isDistrict: boolean) => {
    const code = isDistrict ? null : a.code;
    const isActive = selected.community === code && (selected.cls !== null || !isDistrict);
    const nameCell = h(
      'td',
      { class: 'name', title: `${a.name}：${fmtInt(a.households)} 户（合成）· 点击在地图上查看` },
      a.name,
      h('small', {}, `${fmtInt(a.households)}户`),
    );
    nameCell.addEventListener('click', () => o.onRow(code));
    let scoreAfter = a.score;
    const cells = classes.map((c) => {
      const cell = a.cells[c.code];
      let share = cellShare(a, c.code);
      const w = whatIfShare(o.whatIf, c.code, a.code, isDistrict);
      let delta: number | null = null;
      if (w) {
        delta = deltaPoints(w.before, w.after);
        share = w.after;
        if (scoreAfter !== null) scoreAfter += ((w.after ?? 0) - (w.before ?? 0)) / Math.max(1, classes.length);
      }
      const k = shareClass(share);
      const lack = share === 0;
      const td = h(
        'td',
        {
          class: [
            'cell',
            k < 0 ? 'nodata' : '',
            DARK_TEXT_CLASSES.has(k) ? 'dark' : '',
            lack ? 'lack' : '',
            w ? 'whatif' : '',
            selected.cls === c.code && selected.community === code ? 'selected' : '',
          ].filter(Boolean).join(' '),
          style: k < 0 ? null : `background:${shareColor(share)}`,
          'data-community': code ?? '',
          'data-class': c.code,
          'data-share': share ?? '',
          role: 'button',
          tabindex: 0,
          title: cell
            ? `${a.name} · ${c.name}（${c.limitMinutes} 分钟）\n${w
              ? `情景模拟：${pct(w.before)} → ${pct(w.after)}（${fmtDelta(delta)} 个百分点）`
              : `${fmtInt(cell.coveredHouseholds)} / ${fmtInt(cell.households)} 户可达（${pct(share)}）`}`
            : `${a.name} · ${c.name}：无住户`,
        },
        k < 0 ? '—' : lack ? '缺' : pct(share).replace('%', ''),
        w && delta ? h('span', { class: 'd' }, fmtDelta(delta)) : null,
      );
      const open = () => o.onCell(code, c.code);
      td.addEventListener('click', open);
      td.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          open();
        }
      });
      return td;
    });
    const scoreTd = h(
      'td',
      { class: 'score', title: '16 类住户覆盖率的平均值' },
      pct(scoreAfter),
      h('span', { class: 'bar', style: `width:${Math.round((scoreAfter ?? 0) * 100)}%;background:${shareColor(scoreAfter)}` }),
    );
    const lacks = a.lacks.map((l) => classes.find((c) => c.code === l)).filter((c) => !!c);
    const lacksTd = h(
      'td',
      { class: 'lacks', title: lacks.map((c) => c.name).join('、') || '无缺失类别' },
      lacks.length ? `${lacks.length} 类` : '',
    );
    return h('tr', { class: `${isDistrict ? 'district' : ''} ${isActive ? 'active' : ''}`, 'data-community': code ?? '' }, nameCell, ...cells, scoreTd, lacksTd);
  };

  table.replaceChildren(
    h('thead', {}, head),
    h('tbody', {}, ...o.rows.map((a) => row(a, false))),
    h('tfoot', {}, row(summary.district, true)),
  );
}
