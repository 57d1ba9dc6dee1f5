// 系统管理 (admin.html): accounts, tokens, departments, the responsibility list, audit log. Admins only; everyone else
// sees 无权访问 (the API refuses them anyway).
import '../../styles/app.css';
import { isKiosk } from '../../api/http.js';
import { handleAuthError, loginUrl } from '../../shell/auth.js';
import { $, h } from '../../shell/dom.js';
import { errorMessage } from '../../shell/errors.js';
import { isAdmin, mountHeader } from '../../shell/header.js';
import { accountsTab } from './accounts.js';
import { auditTab } from './audit.js';
import { loadRefData } from './common.js';
import { departmentsTab } from './departments.js';
import { responsibilityTab } from './responsibility.js';
import { tokensTab } from './tokens.js';

const header = mountHeader('admin');

type TabId = 'accounts' | 'tokens' | 'departments' | 'responsibility' | 'audit';
const TABS: { id: TabId; label: string }[] = [
  { id: 'accounts', label: '账号' },
  { id: 'tokens', label: '令牌' },
  { id: 'departments', label: '部门' },
  { id: 'responsibility', label: '责任清单' },
  { id: 'audit', label: '审计日志' },
];

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
  if (!isAdmin(me)) {
    denied(root, '无权访问', `系统管理仅限管理员使用。当前账号：${me.displayName}（${me.roleName}）。`, h('a', { href: '/', class: 'gc-btn' }, '返回首页'));
    return;
  }

  const ref = await loadRefData();
  const tabs = {
    accounts: accountsTab(ref, me),
    tokens: tokensTab(ref),
    departments: departmentsTab(ref),
    responsibility: responsibilityTab(ref),
    audit: auditTab(),
  };
  const loaded = new Set<TabId>();
  const bar = h('div', { class: 'gc-tabs', role: 'tablist' });
  const buttons = TABS.map((t) => {
    const b = h('button', { type: 'button', role: 'tab', id: `tab-${t.id}`, 'data-tab': t.id, 'aria-controls': `panel-${t.id}` }, t.label);
    b.addEventListener('click', () => show(t.id, true));
    return b;
  });
  bar.append(...buttons);
  const panels = h('div', { class: 'gc-tab-panels' }, ...Object.values(tabs).map((t) => t.el));
  root.replaceChildren(bar, panels);

  async function show(id: TabId, push = false) {
    for (const b of buttons) {
      const on = b.dataset.tab === id;
      b.classList.toggle('active', on);
      b.setAttribute('aria-selected', String(on));
    }
    for (const [k, t] of Object.entries(tabs)) t.el.hidden = k !== id;
    if (push && location.hash !== `#${id}`) history.replaceState(null, '', `#${id}`);
    // The audit log is re-read on every visit (it grows with every action).
    if (loaded.has(id) && id !== 'audit') return;
    loaded.add(id);
    try {
      await tabs[id].load();
    } catch (e) {
      if (await handleAuthError(e)) return;
      tabs[id].el.append(h('div', { class: 'gc-form-error' }, `加载失败：${errorMessage(e)}`));
    }
  }

  const fromHash = () => {
    const id = location.hash.slice(1) as TabId;
    return TABS.some((t) => t.id === id) ? id : 'accounts';
  };
  window.addEventListener('hashchange', () => void show(fromHash()));
  await show(fromHash());
  document.body.dataset.ready = 'true';
}

main().catch(async (e) => {
  if (await handleAuthError(e)) return;
  $('#admin-root').replaceChildren(h('div', { class: 'gc-form-error' }, `加载失败：${errorMessage(e)}`));
});
