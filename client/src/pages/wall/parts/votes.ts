// 一年一事 on the wall (issue 14): the residents' votes on this year's candidate projects, per
// community of the jurisdiction, as the public pages tally them (GET /api/wall/votes: one request
// for every community with projects; communities without are left out). Each community lists its
// candidates with their votes and share, the leading one marked (领先, or 并列 on a tie) and a
// project's 已选定 / 已完成 state. The panel follows the wall's selection: the district shows the
// communities with the most votes first, a subdistrict its communities, a community, grid or
// building that community; when more communities have projects than the panel lists (one on a
// standard screen, three on an ultra-wide), it pages through them. Public data, so every role that
// opens the wall sees it: in the right column above the latest cases (the left one's Party tree has
// no height to spare at 1920×1080), or in the left one for roles without cases (no right column).
// With no project in the whole jurisdiction there is no panel. Votes are not live-critical: fetched
// again every three minutes. Hidden while a past day is replayed (the tallies are today's, votes.css).
import './votes.css';
import type { WallVotes } from '../../../../../core/contract.js';
import type { VoteResults } from '../../../../../core/public-contract.js';
import { PROJECT_STATUS_TEXT } from '../../../../../core/votes.js';
import { api, withQuery } from '../../../api/http.js';
import { h } from '../../../shell/dom.js';
import { selKey, type Sel, type WallContext } from '../context.js';
import { int } from '../panels.js';

export interface VotesHooks {
  year: number;
  /** Communities with projects in the jurisdiction, and their votes in all. */
  communities: number;
  total: number;
  /** The communities listed now for the current selection, in order; the page of how many. */
  shown: string[];
  page: number;
  pages: number;
  loads: number;
}

const REFRESH_MS = 3 * 60_000;
/** Communities listed at a time (the panel pages through the rest) and candidates per community (the rest counted). */
const SHOWN_COMMUNITIES = { standard: 1, ultrawide: 3 } as const;
const SHOWN_PROJECTS = 3;
const PAGE_MS = 10_000;

/** The leading projects of a community: the most votes, when anyone voted (several on a tie). */
export function leaders(c: { projects: readonly { projectId: number; votes: number }[] }): Set<number> {
  const top = Math.max(0, ...c.projects.map((p) => p.votes));
  return new Set(top > 0 ? c.projects.filter((p) => p.votes === top).map((p) => p.projectId) : []);
}

export function setupVotes(ctx: WallContext): void {
  const { data } = ctx;
  const hooks = ctx.hooks as typeof ctx.hooks & { votes?: VotesHooks };
  const before = document.querySelector(ctx.state.cases ? '.wall-right .wall-ticker' : '.wall-left .wall-party');
  if (!before) return;
  const note = h('span', { class: 'wall-h2-note', id: 'wall-votes-note' });
  const list = h('ol', { id: 'wall-votes-list', class: 'wall-votes-list' });
  const panel = h('section', { id: 'wall-votes', class: 'wall-panel wall-votes', hidden: true },
    h('h2', {}, '一年一事 · 居民投票', note), list);
  before.before(panel);

  let votes: WallVotes | null = null;
  let loads = 0;
  let drawn = '';
  let scopeKey = '';
  let page = 0;
  let pager: ReturnType<typeof setInterval> | undefined;

  /** Does community `code` lie in the selection? */
  const inScope = (s: Sel, code: string): boolean => {
    switch (s.level) {
      case 'district': return true;
      case 'subdistrict': return data.subOf.get(code) === s.code;
      case 'community': return code === s.code;
      case 'grid': case 'building': return s.gridId != null && data.communityOf.get(s.gridId) === code;
    }
  };

  const project = (p: VoteResults['projects'][number], lead: boolean, tie: boolean) =>
    h('li', { 'data-project-id': p.projectId, 'data-votes': p.votes, 'data-status': p.status, ...(lead ? { 'data-leading': '' } : {}), class: lead ? 'lead' : '' },
      h('span', { class: 'tt', title: p.description || p.title }, p.title),
      lead ? h('span', { class: 'mark' }, tie ? '并列' : '领先') : null,
      p.status !== 'candidate' ? h('span', { class: `st ${p.status}` }, PROJECT_STATUS_TEXT[p.status]) : null,
      h('span', { class: 'bar' }, h('i', { style: `width:${(p.share * 100).toFixed(1)}%` })),
      h('b', { class: 'n' }, int(p.votes)), h('span', { class: 'u' }, '票'));

  const community = (c: VoteResults) => {
    const lead = leaders(c);
    const name = h('button', { type: 'button', class: 'nm' }, c.communityName);
    name.addEventListener('click', () => {
      ctx.act.touched();
      if (data.divFeature.has(c.communityCode)) ctx.act.select({ level: 'community', code: c.communityCode }, true);
    });
    return h('li', { class: 'vc', 'data-community': c.communityCode, 'data-total': c.total },
      h('div', { class: 'vc-h' }, name, h('span', { class: 'tot' }, '共 ', h('b', {}, int(c.total)), ' 票')),
      h('ul', { class: 'vp' },
        ...c.projects.slice(0, SHOWN_PROJECTS).map((p) => project(p, lead.has(p.projectId), lead.size > 1)),
        c.projects.length > SHOWN_PROJECTS ? h('li', { class: 'more' }, `另有 ${c.projects.length - SHOWN_PROJECTS} 个候选项目`) : null));
  };

  const render = (turn = false) => {
    const s = ctx.state.sel;
    const all = votes?.communities ?? [];
    panel.hidden = all.length === 0;
    if (!votes || all.length === 0) {
      hooks.votes = { year: votes?.year ?? 0, communities: 0, total: 0, shown: [], page: 0, pages: 0, loads };
      return;
    }
    const scoped = all.filter((c) => inScope(s, c.communityCode))
      .sort((a, b) => b.total - a.total || a.communityName.localeCompare(b.communityName, 'zh-CN'));
    const per = SHOWN_COMMUNITIES[ctx.ui.layout];
    const pages = Math.max(1, Math.ceil(scoped.length / per));
    // A new scope starts on its first page and holds it a full period.
    if (selKey(s) !== scopeKey) {
      scopeKey = selKey(s);
      page = 0;
      clearInterval(pager);
      pager = setInterval(() => render(true), PAGE_MS);
    } else if (turn) page = (page + 1) % pages;
    page = Math.min(page, pages - 1);
    const key = `${scopeKey}|${loads}|${per}|${page}`;
    if (key === drawn) return;
    drawn = key;
    const total = scoped.reduce((n, c) => n + c.total, 0);
    const shown = scoped.slice(page * per, page * per + per);
    note.textContent = `${votes.year} 年 · ${s.level === 'district' ? '' : `${ctx.act.scopeName(s)} `}${scoped.length} 个社区 · 共 ${int(total)} 票${pages > 1 ? ` · ${page + 1}/${pages}` : ''}`;
    list.replaceChildren(
      ...shown.map(community),
      ...(scoped.length === 0 ? [h('li', { class: 'empty' }, `${ctx.act.scopeName(s)}今年暂无候选项目`)] : []),
    );
    hooks.votes = {
      year: votes.year, communities: all.length, total: all.reduce((n, c) => n + c.total, 0), shown: shown.map((c) => c.communityCode), page, pages, loads,
    };
  };

  // Follow the selection (every part selects through ctx.act.select).
  const select = ctx.act.select;
  ctx.act.select = (s, fly, opts) => { select(s, fly, opts); render(); };
  // Another layout lists another number of communities (the layout part applies it on resize first).
  addEventListener('resize', () => setTimeout(() => render(), 0));

  const load = () => api.request<WallVotes>(withQuery('/api/wall/votes', { division: data.rootCode }))
    .then((v) => { votes = v; loads++; render(); })
    .catch((e) => console.warn('[wall] votes failed', e));
  void load();
  setInterval(() => void load(), REFRESH_MS);
}
