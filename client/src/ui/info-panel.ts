// #info-panel: details of the clicked grid (data-grid-id = grid id), plus anything else under the click.
// Given a `summary` loader, the grid card also shows its staff, Party branch and case figures
// (ui/grid-summary.ts) once they arrive (data-grid-summary = loading | ready | failed).
import type { GridSummary } from '../../../core/grid-summary.js';
import type { FacilityProps, GridProps, Incident } from '../../../core/types.js';
import { gridSummaryParts } from './grid-summary.js';
import { fmtInt, fmtTime, h } from '../shell/dom.js';
import { SOURCE_NAMES, STATUS_NAMES, nameOr } from '../shell/labels.js';

export interface InfoExtras {
  facility?: FacilityProps & { className?: string };
  incident?: Incident & { categoryName?: string };
  building?: { name: string | null; heightM: number; levels: number | null; households: number; householdsSynthetic: boolean };
}

const num = (n: number, unit: string) => h('dd', {}, fmtInt(n), h('span', { class: 'unit' }, unit));

export class InfoPanel {
  constructor(
    private readonly el: HTMLElement,
    private readonly onClose?: () => void,
    private readonly summary?: (gridId: number) => Promise<GridSummary>,
  ) {
    el.hidden = true;
  }

  showGrid(g: GridProps, extras: InfoExtras = {}): void {
    this.el.dataset.gridId = String(g.id);
    this.el.replaceChildren(
      h(
        'div',
        { class: 'gc-section' },
        h('div', { class: 'kicker' }, '网格'),
        h('div', { class: 'title-row' }, h('h2', { class: 'grid-name' }, g.name), this.closeButton()),
        g.synthetic ? h('span', { class: 'badge', title: '网格划分与户数为演示用合成数据' }, '合成数据 · 示意') : null,
        h(
          'dl',
          { class: 'gc-dl' },
          h('dt', {}, '所属社区'),
          h('dd', {}, g.communityName || g.communityCode),
          h('dt', {}, '网格编码'),
          h('dd', { style: 'font-family: var(--mono); font-size: 12px' }, g.code),
          h('dt', {}, '户数'),
          num(g.households, '户'),
          h('dt', {}, '人口'),
          num(g.residents, '人'),
          h('dt', {}, '楼栋'),
          num(g.buildings, '栋'),
        ),
        this.summaryPart(g.id),
        ...this.extras(extras),
      ),
    );
    this.el.hidden = false;
  }

  /** Staff, Party branch and case figures of the grid, filled in when the server answers. */
  private summaryPart(gridId: number): HTMLElement | null {
    if (!this.summary) return null;
    const box = h('div', { class: 'gc-grid-more', 'data-grid-summary': 'loading' }, h('div', { class: 't' }, '一格三员、党组织与案件加载中…'));
    this.summary(gridId).then(
      (s) => {
        if (this.el.dataset.gridId !== String(gridId)) return;
        box.replaceChildren(...gridSummaryParts(s));
        box.dataset.gridSummary = 'ready';
      },
      (e) => {
        console.warn('[gc] grid summary failed', e);
        box.replaceChildren(h('div', { class: 't' }, '网格详情加载失败'));
        box.dataset.gridSummary = 'failed';
      },
    );
    return box;
  }

  /** A click with no grid under it but a facility or incident. */
  showOther(extras: InfoExtras): void {
    delete this.el.dataset.gridId;
    const parts = this.extras(extras);
    if (!parts.length) return this.hide();
    this.el.replaceChildren(h('div', { class: 'gc-section' }, h('div', { class: 'title-row' }, h('h2', {}, '要素信息'), this.closeButton()), ...parts));
    this.el.hidden = false;
  }

  hide(): void {
    this.el.hidden = true;
    delete this.el.dataset.gridId;
  }

  private closeButton(): HTMLElement {
    const b = h('button', { class: 'close', title: '关闭', 'aria-label': '关闭' }, '×');
    b.addEventListener('click', () => {
      this.hide();
      this.onClose?.();
    });
    return b;
  }

  private extras(x: InfoExtras): HTMLElement[] {
    const out: HTMLElement[] = [];
    if (x.incident) {
      const i = x.incident;
      out.push(
        h(
          'div',
          { class: 'gc-extra' },
          h('div', { class: 't' }, `事件 #${i.id}`, i.synthetic ? ' · 示意' : ''),
          h('div', {}, h('b', {}, i.categoryName ?? i.category), ' · ', nameOr(STATUS_NAMES, i.status)),
          i.description ? h('div', {}, i.description) : null,
          h('div', { class: 't' }, `${nameOr(SOURCE_NAMES, i.source)} · ${fmtTime(i.createdAt)}`),
        ),
      );
    }
    if (x.facility) {
      const f = x.facility;
      out.push(
        h(
          'div',
          { class: 'gc-extra' },
          h('div', { class: 't' }, '设施', f.synthetic ? ' · 示意' : ''),
          h('div', {}, h('b', {}, f.name ?? '（未命名）')),
          h('div', { class: 't' }, f.className ?? f.serviceClass, f.kind ? ` · ${f.kind}` : ''),
        ),
      );
    }
    if (x.building) {
      const b = x.building;
      out.push(
        h(
          'div',
          { class: 'gc-extra' },
          h('div', { class: 't' }, '楼栋'),
          h('div', {}, h('b', {}, b.name ?? '（未命名楼栋）')),
          h(
            'div',
            { class: 't' },
            `高度 ${b.heightM.toFixed(0)} 米`,
            b.levels ? ` · ${b.levels} 层` : '',
            ` · ${fmtInt(b.households)} 户${b.householdsSynthetic ? '（估算）' : ''}`,
          ),
        ),
      );
    }
    return out;
  }
}
