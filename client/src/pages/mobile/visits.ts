// 走访 on the phone page (issue 14): the grid worker's visit list — people of their grid whose
// tags call for visits (空巢老人, 独居, 低保 … with the interval the admin set) and who were not
// visited within it, never-visited and longest overdue first — with 记录走访 for each. Names and
// phones are masked (the full record is on /residents, audited). Needs the network: a visit is
// recorded by the server, not queued on the phone.
import './visits.css';
import type { ResidentTagView } from '../../../../core/resident-pool.js';
import { api } from '../../api/http.js';
import { $, h } from '../../shell/dom.js';

interface Due {
  personId: number; name: string; phone: string; tags: string[]; lastVisit: string | null; daysSince: number | null; intervalDays: number;
  gridName: string; buildingName: string | null;
}

export interface VisitsOptions {
  toast: (message: string, tone?: 'ok' | 'warn' | 'bad') => void;
  /** Select a tab of the page (the page's own setTab). */
  select: (tab: string) => void;
}

/** Adds the 走访 tab and pane to the phone page and loads the list; returns a refresh. */
export function mountVisits(opts: VisitsOptions): { refresh: () => Promise<void> } {
  const count = h('span', { class: 'gm-badge', id: 'visits-count' }, '0');
  const tab = h('button', { type: 'button', role: 'tab', 'data-tab': 'visits', 'aria-selected': 'false' }, '走访 ', count);
  tab.addEventListener('click', () => { opts.select('visits'); void refresh(); });
  $('.gm-tabs').append(tab);
  const list = h('ul', { class: 'gm-list', id: 'visits' });
  const sub = h('span', { class: 'gm-sub', id: 'visits-sub' });
  const pane = h('section', { class: 'gm-pane', id: 'pane-visits', 'data-pane': 'visits', hidden: true },
    h('div', { class: 'gm-pane-h' }, '走访提醒 ', sub), list);
  $('.gm-body').append(pane);

  let names = new Map<string, string>();
  const tagName = (c: string) => names.get(c) ?? c;

  function card(d: Due): HTMLElement {
    const note = h('input', { type: 'text', class: 'gv-note', maxlength: 500, placeholder: '走访情况（可选）', 'aria-label': '走访情况' });
    const done = h('button', { type: 'button', class: 'gm-chip-btn gv-done', 'data-visit': d.personId }, '记录走访');
    done.addEventListener('click', () => {
      done.disabled = true;
      api.send<{ visitedOn: string }>('POST', `/api/residents/${d.personId}/visits`, { note: note.value.trim() })
        .then(async () => {
          opts.toast(`已记录走访：${d.name}`);
          await refresh();
        })
        .catch((e: unknown) => {
          done.disabled = false;
          opts.toast(`未能记录：${(e as Error).message}`, 'bad');
        });
    });
    const when = d.daysSince === null ? '从未走访' : `上次走访 ${d.daysSince} 天前（${d.lastVisit}）`;
    return h('li', { class: 'gm-case gv-person', 'data-person-id': d.personId },
      h('div', { class: 'gm-case-l1' }, h('span', { class: 'gm-case-cat' }, d.name), h('span', { class: 'gv-tags' }, d.tags.map(tagName).join('、'))),
      h('div', { class: 'gm-case-meta' }, `${d.buildingName ?? '楼栋未登记'} · ${d.phone}`),
      h('div', { class: 'gm-case-meta' }, h('b', { class: d.daysSince === null ? 'gm-bad' : '' }, when), ` · 每 ${d.intervalDays} 天走访一次`),
      h('div', { class: 'gm-case-acts gv-acts' }, note, done));
  }

  async function refresh(): Promise<void> {
    try {
      if (names.size === 0) {
        const t = await api.request<{ tags: ResidentTagView[] }>('/api/residents/tags');
        names = new Map(t.tags.map((x) => [x.code, x.name]));
      }
      const r = await api.request<{ today: string; total: number; due: Due[] }>('/api/residents/visits/due?limit=200');
      list.replaceChildren(...(r.due.length ? r.due.map(card) : [h('li', { class: 'gm-empty' }, '暂无需要走访的居民')]));
      count.textContent = String(r.total);
      count.classList.toggle('hot', r.due.some((d) => d.daysSince === null));
      sub.textContent = r.total ? `${r.total} 人待走访` : '';
      document.body.dataset.visits = r.due.map((d) => d.personId).join(',');
      document.body.dataset.visitsTotal = String(r.total);
    } catch (e) {
      sub.textContent = navigator.onLine ? `加载失败：${(e as Error).message}` : '离线：走访提醒需联网';
    }
  }
  void refresh();
  return { refresh };
}
