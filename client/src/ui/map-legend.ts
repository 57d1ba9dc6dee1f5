// The legends of the map pages (/map, /3d): grids by households (quantile classes) and cases by state. Facilities are
// told apart by the swatches of the 生活圈设施 list (their class colours).
import { legendRows } from '../map/color.js';
import { h } from '../shell/dom.js';
import { CASE_PHASES } from './case-palette.js';

export function householdLegend(breaks: number[]): HTMLElement[] {
  return [
    ...legendRows(breaks).map((r) => h('div', { class: 'row' }, h('span', { class: 'bar', style: `background:${r.color}` }), `${r.label} 户`)),
    h('div', { class: 'note' }, '按网格户数分级（分位数）；户数为合成示意数据'),
  ];
}

/** `facilities`: the page also draws facility dots (say how to tell them apart). */
export function caseLegend(facilities: boolean): HTMLElement[] {
  return [
    ...CASE_PHASES.map((p) => h('div', { class: 'row', 'data-phase': p.phase }, h('span', { class: 'dot', style: `background:${p.color}` }), p.name)),
    h('div', { class: 'note' }, facilities ? '事件为带白边的大圆点（按状态着色）；设施为小圆点，颜色见下方「生活圈设施」' : '事件为带白边的圆点，按状态着色'),
  ];
}
