// Trend early-warnings (趋势预警) on the wall's ticker: the jurisdiction's active warnings (a
// category rising, cases repeated at one place, a grid's on-time rate dropping) above the latest
// cases, kept current by the live socket's warnings:diff (add, update: acknowledged or assigned,
// remove: closed) and loaded again after every reconnect. Role-aware: only for roles that may read
// warnings (core/permissions.ts), and hidden while a past day is replayed (they are today's). A
// click selects the warning's grid or community. The only hook: main.ts calls setupWarnings once
// the live feed runs; this part wraps renderTicker so it redraws with the ticker.
import { applyDiff } from '../../../../../core/diff.js';
import { can, type Role } from '../../../../../core/permissions.js';
import { WARNING_STATUS_NAMES, type WarningList, type WarningView } from '../../../../../core/trend/contract.js';
import { WARNING_KIND_NAMES } from '../../../../../core/trend/thresholds.js';
import { api } from '../../../api/http.js';
import { h } from '../../../shell/dom.js';
import type { WallContext } from '../context.js';
import { timeOf } from '../panels.js';
import './warnings.css';

/** At most this many warnings are listed (open ones first); the count says how many there are. */
const SHOWN = { standard: 3, ultrawide: 5 } as const;

/** Open first, then the newest. */
export const warningOrder = (a: WarningView, b: WarningView) =>
  (a.status === 'open' ? 0 : 1) - (b.status === 'open' ? 0 : 1) || b.detectedAt.localeCompare(a.detectedAt) || b.id - a.id;

export function setupWarnings(ctx: WallContext, role: string | null | undefined): void {
  const live = ctx.live;
  // An account answer without a role (a kiosk wall) reads like the kiosk role, which may read warnings.
  if (!live || (role && !can(role as Role, 'read', 'warning'))) return;
  const ticker = document.querySelector<HTMLElement>('#ticker');
  if (!ticker) return;

  let warnings = new Map<number, WarningView>();
  const changedAt = new Map<number, number>();
  const count = h('b', { id: 'wall-warnings-count' }, '0');
  const list = h('ul', { id: 'wall-warnings-list', class: 'wall-warn-list', 'aria-live': 'polite' });
  const box = h('div', { id: 'wall-warnings', class: 'wall-warn', hidden: true },
    h('h3', {}, '趋势预警 ', count, h('span', { class: 'wall-h2-note' }, '按统计检验自动发现')), list);
  ticker.before(box);

  const select = (w: WarningView) => {
    ctx.act.touched();
    if (w.gridId != null && ctx.data.gridFeature.has(w.gridId)) ctx.act.select({ level: 'grid', gridId: w.gridId }, true);
    else if (w.communityCode && ctx.data.divFeature.has(w.communityCode)) ctx.act.select({ level: 'community', code: w.communityCode }, true);
  };

  const item = (w: WarningView, now: number) => {
    const fresh = now - (changedAt.get(w.id) ?? 0) < 4000;
    const li = h('li', { class: `k-${w.kind} s-${w.status}${fresh ? ' new' : ''}`, 'data-warning-id': w.id, 'data-kind': w.kind, 'data-status': w.status },
      h('span', { class: 'cat' }, WARNING_KIND_NAMES[w.kind]),
      h('span', { class: 'tm' }, timeOf(w.updatedAt, now)),
      h('span', { class: `st ${w.status}` }, WARNING_STATUS_NAMES[w.status]),
      h('span', { class: 'ds', title: w.title }, w.title),
      h('span', { class: 'wh' }, [w.gridName ?? w.communityName ?? '', w.assignedTo ? `指派 ${w.assignedTo.name}` : '', w.synthetic ? '合成数据' : '']
        .filter(Boolean).join(' · ')));
    li.addEventListener('click', () => select(w));
    return li;
  };

  const render = () => {
    const active = [...warnings.values()].filter((w) => w.status !== 'closed').sort(warningOrder);
    count.textContent = String(active.length);
    box.dataset.count = String(active.length);
    box.classList.toggle('has-open', active.some((w) => w.status === 'open'));
    // Today's warnings say nothing about a replayed day; none at all take no room.
    box.hidden = ctx.replay.active || active.length === 0;
    const now = Date.now();
    const shown = SHOWN[ctx.ui.layout];
    list.replaceChildren(...active.slice(0, shown).map((w) => item(w, now)),
      ...(active.length > shown ? [h('li', { class: 'more' }, `另有 ${active.length - shown} 条预警，详见调度台`)] : []));
  };

  const load = async () => {
    const r = await api.request<WarningList>('/api/warnings?status=active&limit=200');
    warnings = new Map(r.warnings.map((w) => [w.id, w]));
    render();
  };
  live.socket.on('warnings:diff', (diff) => {
    const now = Date.now();
    for (const w of [...diff.add, ...diff.update]) changedAt.set(w.id, now);
    for (const id of diff.remove) changedAt.delete(id);
    warnings = applyDiff(warnings, diff, (w) => w.id);
    render();
  });
  // After a reconnect: what changed meanwhile.
  live.socket.on('connect', () => { void load().catch(() => undefined); });
  // Redraw with the ticker (a replay starting or ending, a resize to another layout).
  const renderTicker = ctx.act.renderTicker;
  ctx.act.renderTicker = () => { renderTicker(); render(); };
  void load().catch((e) => { ctx.hooks.errors++; console.warn('[wall] warnings load failed', e); });
}
