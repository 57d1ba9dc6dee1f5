// 一格三员 on the phone page (issue 14): the grid's staff by duty (网格员, 社区民警, 法律顾问,
// 城管/执法, 志愿者 …) with masked numbers; 拨打 asks the server for the full number (audited there)
// and opens the dialer. Duties nobody holds are listed as 未配备. Needs the network.
import { STAFF_DUTIES, type GridRoster } from '../../../../core/party-ledger.js';
import { partyApi } from '../../api/party.js';
import { $, h } from '../../shell/dom.js';

export interface RosterOptions {
  /** The grids the account sees (a grid worker: one). */
  grids: { id: number; name: string }[];
  toast: (message: string, tone?: 'ok' | 'warn' | 'bad') => void;
  /** Select a tab of the page (the page's own setTab). */
  select: (tab: string) => void;
}

/** Adds the 三员 tab and pane to the phone page; the roster loads when the tab is opened. */
export function mountRoster(opts: RosterOptions): void {
  if (opts.grids.length === 0) return;
  const tab = h('button', { type: 'button', role: 'tab', 'data-tab': 'roster', 'aria-selected': 'false' }, '三员');
  const list = h('ul', { class: 'gm-list', id: 'roster' });
  const pick = h('select', { id: 'roster-grid', 'aria-label': '网格' }, ...opts.grids.slice(0, 200).map((g) => h('option', { value: String(g.id) }, g.name.split(/[・·•]/).pop() ?? g.name)));
  const pane = h('section', { class: 'gm-pane', id: 'pane-roster', 'data-pane': 'roster', hidden: true },
    h('div', { class: 'gm-pane-h' }, '一格三员 ', opts.grids.length > 1 ? pick : h('span', { class: 'gm-sub' }, pick.selectedOptions[0]?.textContent ?? '')), list);
  $('.gm-tabs').append(tab);
  $('.gm-body').append(pane);

  function row(r: GridRoster, s: GridRoster['staff'][number]): HTMLElement {
    const acts = h('div', { class: 'gm-case-acts' });
    if (s.phone && r.canSeeFull) {
      const call = h('button', { type: 'button', class: 'gm-chip-btn', 'data-staff-id': String(s.id) }, '拨打');
      call.addEventListener('click', () => {
        call.disabled = true;
        partyApi.contact('staff', s.id)
          .then((c) => {
            if (!c.phone) return;
            const link = h('a', { href: `tel:${c.phone}`, class: 'gm-chip-btn', 'data-full-phone': c.phone }, `拨打 ${c.phone}`);
            call.replaceWith(link); // one more tap dials: the number is shown first
          })
          .catch((e: unknown) => {
            call.disabled = false;
            opts.toast(`无法获取号码：${(e as Error).message}`, 'bad');
          });
      });
      acts.append(call);
    }
    return h('li', { class: 'gm-case', 'data-duty': s.duty },
      h('div', { class: 'gm-case-l1' }, h('span', { class: 'gm-case-cat' }, s.dutyName), h('span', {}, s.name)),
      h('div', { class: 'gm-case-meta' }, s.phone ?? '未登记电话', s.synthetic ? ' · 示意' : ''), acts);
  }

  async function load(): Promise<void> {
    try {
      const r = await partyApi.roster(Number(pick.value));
      list.replaceChildren(...r.staff.map((s) => row(r, s)),
        ...r.missing.map((d) => h('li', { class: 'gm-case', 'data-duty': d }, h('div', { class: 'gm-case-l1' }, h('span', { class: 'gm-case-cat' }, STAFF_DUTIES[d]), h('span', { class: 'gm-bad' }, '未配备')))));
      list.dataset.count = String(r.staff.length);
    } catch (e) {
      opts.toast(`一格三员加载失败：${(e as Error).message}`, 'warn');
    }
  }
  tab.addEventListener('click', () => { opts.select('roster'); void load(); });
  pick.addEventListener('change', () => void load());
}
