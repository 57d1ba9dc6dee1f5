// 一年一事 tab (community, subdistrict and district-centre staff): the candidate projects of a community
// for a year, with their votes so far; add a candidate, mark one chosen or done (done projects show
// on the community's public page). Uses the public results (GET …/votes?year=) and the staff routes
// POST /api/public/projects and POST /api/public/projects/:id/status (scoped, audited).
import { PROJECT_STATUS_TEXT, PROJECT_STATUSES, type ProjectStatus } from '../../../../core/votes.js';
import type { VoteResults } from '../../../../core/public-contract.js';
import { api } from '../../api/http.js';
import { h } from '../../shell/dom.js';
import { errorMessage } from '../../shell/errors.js';
import { flash } from '../../shell/header.js';
import { table, type CommunityRef } from './common.js';

/** The calendar year in China now. */
const cnYear = () => new Date(Date.now() + 8 * 3600_000).getUTCFullYear();

export function projectsTab(communities: CommunityRef[]): { el: HTMLElement; load(): Promise<void> } {
  const community = h('select', { name: 'community', id: 'projects-community', 'aria-label': '社区' },
    ...communities.map((c) => h('option', { value: c.code }, c.label)));
  const year = h('input', { type: 'number', name: 'year', id: 'projects-year', min: 2000, max: 2100, step: 1, value: cnYear(), 'aria-label': '年度' });
  const pick = h('div', { class: 'gc-inline-form' }, community, year);
  const title = h('input', { name: 'title', required: true, maxlength: 100, placeholder: '项目名称，如 老旧小区加装电梯', autocomplete: 'off' });
  const description = h('input', { name: 'description', maxlength: 2000, placeholder: '简要说明（可选）', autocomplete: 'off' });
  const add = h('button', { type: 'submit', class: 'gc-btn primary', id: 'projects-add' }, '添加候选项目');
  const form = h('form', { class: 'gc-inline-form', id: 'projects-form', novalidate: true }, title, description, add);
  const err = h('div', { class: 'gc-form-error', role: 'alert', id: 'projects-error', hidden: true });
  const list = h('div', { id: 'projects-list' }, h('div', { class: 'gc-muted' }, '加载中…'));
  const total = h('span', { class: 'gc-muted', id: 'projects-total' });
  const el = h('section', { class: 'gc-tab-panel', id: 'panel-projects' },
    h('div', { class: 'gc-toolbar' }, h('div', {}, h('h2', {}, '一年一事 候选项目'), total), pick),
    form, err, list);

  const fail = (e: unknown) => { err.textContent = errorMessage(e); err.hidden = false; };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    if (!title.value.trim()) { fail(new Error('请填写项目名称')); return; }
    add.disabled = true;
    try {
      await api.send('POST', '/api/public/projects', {
        communityCode: community.value, year: Number(year.value), title: title.value.trim(), description: description.value.trim(),
      });
      title.value = description.value = '';
      flash('候选项目已添加');
      await load();
    } catch (e) {
      fail(e);
    } finally {
      add.disabled = false;
    }
  });

  const statusSelect = (id: number, current: ProjectStatus) => {
    const s = h('select', { 'data-project-status': id, 'aria-label': '状态' },
      ...PROJECT_STATUSES.map((st) => h('option', { value: st, selected: st === current }, PROJECT_STATUS_TEXT[st])));
    s.addEventListener('change', async () => {
      err.hidden = true;
      try {
        await api.send('POST', `/api/public/projects/${id}/status`, { status: s.value });
        flash(`已设为${PROJECT_STATUS_TEXT[s.value as ProjectStatus]}`);
        await load();
      } catch (e) {
        fail(e);
        s.value = current;
      }
    });
    return s;
  };

  async function load() {
    if (!community.value) {
      list.replaceChildren(h('div', { class: 'gc-muted' }, '辖区内没有社区'));
      return;
    }
    const y = Number(year.value) || cnYear();
    const r = await api.request<VoteResults>(`/api/public/communities/${encodeURIComponent(community.value)}/votes?year=${y}`);
    total.textContent = `${r.communityName} ${r.year} 年度 · 共 ${r.total} 票`;
    list.replaceChildren(table('projects', ['项目', '说明', '票数', '占比', '状态'], r.projects.map((p) => h('tr', { 'data-project-id': p.projectId },
      h('td', {}, p.title), h('td', { class: 'gc-muted' }, p.description || '—'), h('td', {}, String(p.votes)),
      h('td', {}, `${(p.share * 100).toFixed(1)}%`), h('td', {}, statusSelect(p.projectId, p.status)))), '本年度暂无候选项目'));
  }
  community.addEventListener('change', () => void load().catch(fail));
  year.addEventListener('change', () => void load().catch(fail));
  return { el, load };
}
