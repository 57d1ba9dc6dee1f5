// 支部活动(30天) on the wall (issue 14): in the Party panel, the branch activities of the last 30
// days across the jurisdiction and the grids whose branch held none (or that have no branch),
// flagged; a flagged grid is a button that selects it. Figures from GET /api/party/grid-activity
// for the wall's own division (the Party ledger, server/party), refreshed every five minutes. Roles without read on `party`
// get nothing and make no request.
import './party-activity.css';
import type { GridActivityView } from '../../../../../core/party-ledger.js';
import { can, type Role } from '../../../../../core/permissions.js';
import { partyApi } from '../../../api/party.js';
import { h } from '../../../shell/dom.js';
import type { WallContext } from '../context.js';

export interface PartyActivityHooks { grids: number; active: number; flagged: number; activities: number }

const REFRESH_MS = 5 * 60_000;
const SHOWN_FLAGS = 8;

export function setupPartyActivity(ctx: WallContext, role: string | null | undefined): void {
  if (role && !can(role as Role, 'read', 'party')) return;
  const anchor = document.getElementById('party-uncovered');
  if (!anchor) return;
  const box = h('div', { id: 'party-activity', class: 'party-activity', 'aria-live': 'polite' });
  anchor.after(box);
  const hooks = ctx.hooks as typeof ctx.hooks & { partyActivity?: PartyActivityHooks };

  const render = (grids: GridActivityView[]) => {
    const flagged = grids.filter((g) => g.noActivity);
    const activities = grids.reduce((n, g) => n + g.recent, 0);
    const name = (g: GridActivityView) => ctx.data.gridFeature.get(g.gridId)?.properties.name ?? g.gridName;
    box.replaceChildren(
      h('span', {}, '支部活动(30天) ', h('b', { 'data-figure': 'activities' }, String(activities)), ' 次 · ',
        h('b', { 'data-figure': 'active' }, String(grids.length - flagged.length)), `/${grids.length} 个网格有活动`),
      flagged.length ? h('span', { class: 'flag' }, '· 无活动 ', h('b', { 'data-figure': 'flagged' }, String(flagged.length)), ' 个：') : '',
      ...flagged.slice(0, SHOWN_FLAGS).map((g) => {
        const b = h('button', { type: 'button', 'data-grid-id': String(g.gridId), title: g.hasBranch ? `最近一次活动：${g.last ?? '无记录'}` : '未建网格党支部' }, name(g));
        b.addEventListener('click', () => ctx.act.select({ level: 'grid', gridId: g.gridId }, true));
        return b;
      }),
      flagged.length > SHOWN_FLAGS ? h('span', {}, `等 ${flagged.length} 个`) : '',
    );
    hooks.partyActivity = { grids: grids.length, active: grids.length - flagged.length, flagged: flagged.length, activities };
  };
  const load = () => partyApi.gridActivity(ctx.data.rootCode).then((r) => render(r.grids)).catch((e) => console.warn('[wall] party activity failed', e));
  void load();
  setInterval(() => void load(), REFRESH_MS);
}
