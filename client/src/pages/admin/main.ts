// 系统管理 (admin.html): for admins accounts, tokens, departments, the responsibility list, 积分规则,
// 预警阈值 (for the roles that may edit governance rules) and the audit log; for desk staff (roles
// that may issue verification codes or voting links) 服务台, 随手拍核查 and 一年一事. Everyone else
// sees 无权访问 (the API refuses them anyway).
import '../../styles/app.css';
import { isKiosk } from '../../api/http.js';
import { handleAuthError, loginUrl } from '../../shell/auth.js';
import { $, h } from '../../shell/dom.js';
import { errorMessage } from '../../shell/errors.js';
import { can, type Role } from '../../../../core/permissions.js';
import { isAdmin, mountHeader } from '../../shell/header.js';
import { pagesFor } from '../../shell/nav.js';
import { accountsTab } from './accounts.js';
import { auditTab } from './audit.js';
import { communitiesOf, loadRefData } from './common.js';
import { departmentsTab } from './departments.js';
import { deskTab } from './desk.js';
import { pointsTab } from './points.js';
import { projectsTab } from './projects.js';
import { reportsTab } from './resident-reports.js';
import { responsibilityTab } from './responsibility.js';
import { thresholdsTab } from './thresholds.js';
import { tokensTab } from './tokens.js';

const header = mountHeader('admin');

type TabId = 'accounts' | 'tokens' | 'departments' | 'responsibility' | 'points' | 'thresholds' | 'desk' | 'reports' | 'projects' | 'audit';
const TABS: { id: TabId; label: string }[] = [
  { id: 'accounts', label: '账号' },
  { id: 'tokens', label: '令牌' },
  { id: 'departments', label: '部门' },
  { id: 'responsibility', label: '责任清单' },
  { id: 'points', label: '积分规则' },
  { id: 'thresholds', label: '预警阈值' },
  { id: 'desk', label: '服务台' },
  { id: 'reports', label: '随手拍核查' },
  { id: 'projects', label: '一年一事' },
  { id: 'audit', label: '审计日志' },
];
/** The desk's tabs (服务台, 一年一事): for the roles the top bar offers the desk (shell/nav.ts). */
const deskRole = (r: Role) => pagesFor(r).some((p) => p.id === 'desk');

function denied(root: HTMLElement, title: string, text: string, link?: HTMLElement) {
  document.body.dataset.state = 'denied';
  root.replaceChildren(
    h('div', { class: 'gc-denied', id: 'admin-denied' }, h('div', { class: 'gc-blocker-icon', 'aria-hidden': 'true' }, '⊘'), h('h2', {}, title), h('p', {}, text), link ?? null),
  );
}

async function main() {
  const root = $('#admin-root');
  const me = await header.account;
  if (!me) {
    if (!isKiosk()) location.assign(loginUrl());
    return;
  }
  const role = me.role as Role;
  const admin = isAdmin(me);
  if (!admin && !deskRole(role)) {
    denied(root, '无权访问', `系统管理仅限管理员使用。当前账号：${me.displayName}（${me.roleName}）。`, h('a', { href: '/', class: 'gc-btn' }, '返回首页'));
    return;
  }

  const ref = await loadRefData();
  type Tab = { el: HTMLElement; load(): Promise<void> };
  const tabs: Partial<Record<TabId, Tab>> = admin
    ? {
        accounts: accountsTab(ref, me),
        tokens: tokensTab(ref),
        departments: departmentsTab(ref),
        responsibility: responsibilityTab(ref),
        points: pointsTab(role, communitiesOf(ref.divisionList)),
        // The server lets only these roles PUT /api/warnings/thresholds/:kind.
        ...(can(role, 'update', 'governance_rule') ? { thresholds: thresholdsTab() } : {}),
        audit: auditTab(),
      }
    : {
        desk: deskTab(role, communitiesOf(ref.divisionList)),
        // Marking a resident report invalid is for those who handle cases (the server: update on incident).
        ...(can(role, 'update', 'incident') ? { reports: reportsTab(role), projects: projectsTab(communitiesOf(ref.divisionList)) } : {}),
      };
  const shown = TABS.filter((t) => tabs[t.id]);
  if (!admin) {
    document.title = '服务台 · GridCommand 网格指挥';
    const title = document.querySelector('.gc-admin-title');
    if (title) {
      title.querySelector('.kicker')!.textContent = '服务台';
      title.querySelector('h1')!.textContent = '核验码、投票链接、随手拍核查与一年一事';
      title.querySelector('p')!.textContent = '为到服务台的居民发放核验码或一次性投票链接，核查居民随手拍（无效举报不计分），维护本辖区社区的年度候选项目；每次操作均记入审计日志。';
    }
  }
  const loaded = new Set<TabId>();
  const bar = h('div', { class: 'gc-tabs', role: 'tablist' });
  const buttons = shown.map((t) => {
    const b = h('button', { type: 'button', role: 'tab', id: `tab-${t.id}`, 'data-tab': t.id, 'aria-controls': `panel-${t.id}` }, t.label);
    b.addEventListener('click', () => show(t.id, true));
    return b;
  });
  bar.append(...buttons);
  const panels = h('div', { class: 'gc-tab-panels' }, ...shown.map((t) => tabs[t.id]!.el));
  root.replaceChildren(bar, panels);

  async function show(id: TabId, push = false) {
    for (const b of buttons) {
      const on = b.dataset.tab === id;
      b.classList.toggle('active', on);
      b.setAttribute('aria-selected', String(on));
    }
    for (const [k, t] of Object.entries(tabs)) t!.el.hidden = k !== id;
    if (push && location.hash !== `#${id}`) history.replaceState(null, '', `#${id}`);
    // The audit log is re-read on every visit (it grows with every action).
    if (loaded.has(id) && id !== 'audit') return;
    loaded.add(id);
    try {
      await tabs[id]!.load();
    } catch (e) {
      if (await handleAuthError(e)) return;
      tabs[id]!.el.append(h('div', { class: 'gc-form-error' }, `加载失败：${errorMessage(e)}`));
    }
  }

  const fromHash = () => {
    const id = location.hash.slice(1) as TabId;
    return shown.some((t) => t.id === id) ? id : shown[0]!.id;
  };
  window.addEventListener('hashchange', () => void show(fromHash()));
  await show(fromHash());
  document.body.dataset.ready = 'true';
}

main().catch(async (e) => {
  if (await handleAuthError(e)) return;
  $('#admin-root').replaceChildren(h('div', { class: 'gc-form-error' }, `加载失败：${errorMessage(e)}`));
});
