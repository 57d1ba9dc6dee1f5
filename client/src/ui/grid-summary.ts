// The grid card's second half (GET /api/grids/:id/summary): 一格三员 (names masked for roles that
// do not see people's data), the Party branch and the case figures — these last only for roles
// that may read cases (the server leaves them out for the others, and so does the card).
import type { GridSummary } from '../../../core/grid-summary.js';
import { STAFF_ROLE_NAMES } from '../../../core/grid-summary.js';
import { fmtInt, h } from '../shell/dom.js';
import './grid-summary.css';

export function gridSummaryParts(s: GridSummary): HTMLElement[] {
  const staff = h(
    'div',
    { class: 'gc-extra gc-grid-staff', 'data-staff': String(s.staff.length) },
    h('div', { class: 't' }, '一格三员', s.staffMasked ? ' · 姓名已脱敏' : '', s.staff.some((x) => x.synthetic) ? ' · 示意' : ''),
    h(
      'dl',
      { class: 'gc-dl' },
      ...s.staff.flatMap((m) => [h('dt', {}, STAFF_ROLE_NAMES[m.role]),
        // The masked number is drawn after the name (grid-summary.css), so the name stays the cell's text.
        h('dd', { class: 'staff-name', 'data-role': m.role, ...(m.phone ? { 'data-phone': m.phone } : {}) }, m.name)]),
      ...s.staffMissing.flatMap((role) => [h('dt', {}, STAFF_ROLE_NAMES[role]), h('dd', { class: 'missing' }, '未配备')]),
    ),
  );
  const p = s.party;
  const party = h(
    'div',
    { class: 'gc-extra gc-grid-party', 'data-branches': String(p.branches.length) },
    h('div', { class: 't' }, '党组织', p.synthetic ? ' · 示意' : ''),
    ...(p.branches.length
      ? p.branches.map((b) => h('div', {}, h('b', {}, b.name), ` · ${fmtInt(b.members)} 名党员`))
      : [h('div', { class: 'missing' }, '未建网格党支部')]),
    h('div', { class: 't' }, `楼栋党小组 ${fmtInt(p.buildingGroups)} 个 · 党员中心户 ${fmtInt(p.memberHouseholds)} 户`),
  );
  const parts = [staff, party];
  if (s.cases) {
    const c = s.cases;
    const fig = (key: string, n: number, label: string, cls = '') =>
      h('div', { class: `gc-stat ${cls}`.trim(), 'data-figure': key }, h('b', {}, fmtInt(n)), h('span', {}, label));
    parts.push(
      h(
        'div',
        { class: 'gc-extra gc-grid-cases' },
        h('div', { class: 't' }, '案件'),
        h('div', { class: 'gc-stats' }, fig('open', c.open, '在办'), fig('overdue', c.overdue, '超期', c.overdue ? 'bad' : ''), fig('month', c.thisMonth, '本月上报'), fig('total', c.total, '累计')),
      ),
    );
  }
  return parts;
}
