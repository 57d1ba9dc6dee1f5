// The live incident list (#incident-feed): newest first, one <li data-incident-id="ID"> per incident.
import type { Diff } from '../../../core/diff.js';
import type { Incident } from '../../../core/types.js';
import type { IncidentStore } from '../api/incident-store.js';
import { fmtTime, h } from '../shell/dom.js';
import { SOURCE_NAMES, STATUS_NAMES, nameOr } from '../shell/labels.js';

export interface IncidentFeedOptions {
  categories: Map<string, string>;
  colorOf: (category: string) => string;
  onSelect?: (i: Incident) => void;
  /** Most items kept in the list. */
  max?: number;
}

export class IncidentFeed {
  private items = new Map<number, HTMLLIElement>();
  private readonly max: number;

  constructor(
    private readonly ul: HTMLUListElement,
    private readonly opts: IncidentFeedOptions,
  ) {
    this.max = opts.max ?? 150;
    ul.addEventListener('click', (e) => {
      const li = (e.target as HTMLElement).closest<HTMLLIElement>('li[data-incident-id]');
      if (!li) return;
      const inc = this.lookup?.(Number(li.dataset.incidentId));
      if (inc) opts.onSelect?.(inc);
    });
    this.renderEmpty();
  }

  private lookup: ((id: number) => Incident | undefined) | null = null;

  private renderEmpty(): void {
    if (this.items.size === 0) this.ul.replaceChildren(h('li', { class: 'empty' }, '暂无事件，新上报的事件将实时出现在这里'));
  }

  private item(i: Incident, fresh: boolean): HTMLLIElement {
    const cat = this.opts.categories.get(i.category) ?? i.category;
    const li = h(
      'li',
      { 'data-incident-id': i.id, class: fresh ? 'new' : null, title: '点击定位' },
      h(
        'div',
        { class: 'l1' },
        h('span', { class: 'cat' }, cat),
        h('span', { class: 'badge info' }, nameOr(STATUS_NAMES, i.status)),
        i.synthetic ? h('span', { class: 'badge' }, '示意') : null,
        h('time', { datetime: i.createdAt }, fmtTime(i.createdAt)),
      ),
      i.description ? h('div', { class: 'desc' }, i.description) : null,
      h('div', { class: 'meta' }, `${i.gridName ?? '辖区外/未落格'} · ${nameOr(SOURCE_NAMES, i.source)}`),
    );
    li.style.setProperty('--cat', this.opts.colorOf(i.category));
    return li;
  }

  /** Apply a store diff to the list. `live` marks added items with a flash. */
  apply(diff: Diff<Incident>, store: IncidentStore, live: boolean): void {
    this.lookup = (id) => store.get(id);
    if (this.items.size === 0 && this.ul.querySelector('.empty')) this.ul.replaceChildren();
    for (const id of diff.remove) {
      this.items.get(id)?.remove();
      this.items.delete(id);
    }
    const changed = [...diff.add, ...diff.update];
    if (!live || changed.length > 20) {
      // Bulk (initial load / catch-up): rebuild in order.
      this.rebuild(store);
      return;
    }
    for (const inc of changed.sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt))) {
      const old = this.items.get(inc.id);
      const li = this.item(inc, !old);
      if (old) old.replaceWith(li);
      else this.insertSorted(li, inc);
      this.items.set(inc.id, li);
    }
    this.trim();
    if (this.items.size === 0) this.renderEmpty();
  }

  private insertSorted(li: HTMLLIElement, inc: Incident): void {
    const t = Date.parse(inc.createdAt);
    for (const child of this.ul.children) {
      const time = (child as HTMLElement).querySelector('time')?.getAttribute('datetime');
      const id = Number((child as HTMLElement).dataset.incidentId);
      if (time && (Date.parse(time) < t || (Date.parse(time) === t && id < inc.id))) {
        this.ul.insertBefore(li, child);
        return;
      }
    }
    this.ul.append(li);
  }

  private rebuild(store: IncidentStore): void {
    const list = store.list().slice(0, this.max);
    this.items.clear();
    const lis = list.map((i) => {
      const li = this.item(i, false);
      this.items.set(i.id, li);
      return li;
    });
    this.ul.replaceChildren(...lis);
    this.renderEmpty();
  }

  private trim(): void {
    while (this.items.size > this.max) {
      const last = this.ul.lastElementChild as HTMLLIElement | null;
      if (!last) break;
      this.items.delete(Number(last.dataset.incidentId));
      last.remove();
    }
  }
}
