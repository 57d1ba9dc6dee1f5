// The top bar every page shares: brand, navigation, district, system status, live indicator, and
// who is signed in (name · role, jurisdiction, 修改密码 / 退出; 管理 for admins). A read-only wall
// screen (kiosk token) shows 只读大屏 and no actions.
import { api, currentAccount, isKiosk, type Account, type DistrictInfoEx, type Health } from '../api/http.js';
import type { LiveStatus } from '../api/socket.js';
import { can, type Role } from '../../../core/permissions.js';
import { loginUrl, showKioskDenied } from './auth.js';
import { h } from './dom.js';
import { DB_NAMES } from './labels.js';
import { pagesFor } from './nav.js';
import { openPasswordDialog } from './password.js';

/** Known pages get a nav entry; any other id is accepted (a page without its own entry). */
export type PageId = 'home' | 'map' | '3d' | 'admin' | (string & {});

export interface HeaderHandle {
  setDistrict(d: DistrictInfoEx): void;
  setLive(s: LiveStatus): void;
  health: Promise<Health | null>;
  /** The signed-in account, or null (not logged in / no auth on this server). */
  account: Promise<Account | null>;
}

const LIVE_TEXT: Record<LiveStatus, string> = { live: '实时', connecting: '连接中', offline: '离线', polling: '定时刷新' };

/** Administrators: whoever may manage accounts. */
export function isAdmin(a: Pick<Account, 'role'> | null | undefined): boolean {
  return !!a && can(a.role as Role, 'read', 'account');
}

/** "河南南路社区 · 第04网格" from "外滩街道・河南南路社区・第04网格". */
function lastParts(name: string, n: number): string {
  const parts = name.split(/[・·•]/).map((x) => x.trim()).filter(Boolean);
  return parts.slice(-n).join(' · ') || name;
}

/** A zh-CN name of the principal's jurisdiction ("全区", a division, a grid or a department). */
export async function jurisdictionName(a: Account): Promise<string> {
  const s = a.scope;
  if (!s || s.kind === 'all') return '全区';
  try {
    if (s.kind === 'division') return (await api.divisions()).tree.name;
    if (s.kind === 'grid') return lastParts((await api.grid(s.gridId)).properties.name, 2);
    if (s.kind === 'department') {
      const d = (await api.departments()).find((x) => x.id === s.departmentId);
      return d ? d.name : '职能部门';
    }
  } catch {
    // the name is decoration; the code will do
  }
  return s.kind === 'division' ? s.code : s.kind === 'grid' ? `网格 ${s.gridId}` : '职能部门';
}

export function mountHeader(active: PageId): HeaderHandle {
  const root = document.getElementById('app-header') ?? document.body.insertBefore(h('header', { id: 'app-header' }), document.body.firstChild);
  root.classList.add('gc-header');
  const kiosk = isKiosk();
  document.body.classList.toggle('gc-kiosk', kiosk);
  if (kiosk) document.body.dataset.kiosk = 'true';
  const district = h('span', { class: 'gc-district', title: '当前辖区', hidden: true });
  const status = h('span', { class: 'gc-status', title: '系统状态' }, h('i', { class: 'dot' }), '连接中');
  const live = h('span', { class: 'gc-live', hidden: true }, h('i', { class: 'dot' }), '实时');
  // A wall screen says so at once, before it knows the token's name.
  const user = kiosk
    ? h('span', { class: 'gc-user' }, h('span', { class: 'gc-readonly', title: '只读大屏：不能修改任何数据' }, '只读大屏'))
    : h('span', { class: 'gc-user', hidden: true });
  const nav = h('nav', { class: 'gc-nav' });
  // Before the account is known (or without one): every page but administration; then the pages
  // its role can use (client/src/shell/nav.ts).
  const renderNav = (role: Role | null) =>
    nav.replaceChildren(
      ...pagesFor(role).map((n) =>
        h('a', { href: n.href, class: n.id === active ? 'active' : null, 'aria-current': n.id === active ? 'page' : null, 'data-nav': n.id }, n.label),
      ),
    );
  renderNav(null);
  root.replaceChildren(
    h(
      'a',
      { class: 'gc-brand', href: '/' },
      h('span', { class: 'gc-logo', 'aria-hidden': 'true' }, '网'),
      h('span', { class: 'gc-brand-text' }, h('b', {}, 'GridCommand'), h('span', {}, '网格指挥')),
    ),
    district,
    nav,
    h('span', { class: 'gc-spacer' }),
    live,
    status,
    user,
  );

  const account = currentAccount()
    .then((a) => {
      if (!a) {
        if (kiosk) {
          user.replaceChildren(h('span', { class: 'gc-readonly bad' }, '大屏令牌无效'));
          showKioskDenied();
        } else {
          user.replaceChildren(h('a', { href: loginUrl(), class: 'gc-login-link' }, '登录'));
        }
        user.hidden = false;
        return null;
      }
      renderUser(a);
      return a;
    })
    .catch(() => null);

  function renderUser(a: Account) {
    const who = h(
      'span',
      { class: 'gc-who' },
      h(
        'span',
        { class: 'gc-who-line' },
        h('span', { class: 'name', title: a.username }, a.displayName || a.username),
        h('span', { class: 'sep', 'aria-hidden': 'true' }, '·'),
        h('span', { class: 'role' }, a.roleName),
      ),
      h('span', { class: 'gc-juris', title: '辖区' }, '…'),
    );
    const juris = who.querySelector<HTMLElement>('.gc-juris')!;
    void jurisdictionName(a).then((n) => {
      juris.textContent = n;
      juris.title = `辖区：${n}`;
    });
    renderNav(a.role as Role);
    if (a.kind === 'token') {
      // A wall screen or a machine token: read-only, nothing to do here.
      user.replaceChildren(h('span', { class: 'gc-readonly', title: '只读大屏：不能修改任何数据' }, a.role === 'kiosk' ? '只读大屏' : '只读令牌'), who);
      user.hidden = false;
      return;
    }
    const pwBtn = h('button', { type: 'button', class: 'gc-logout gc-password', title: '修改登录密码' }, '修改密码');
    pwBtn.addEventListener('click', async () => {
      if (await openPasswordDialog()) flash('密码已修改');
    });
    const out = h('button', { type: 'button', class: 'gc-logout', title: '退出登录' }, '退出');
    out.addEventListener('click', async () => {
      out.disabled = true;
      try {
        await api.logout(a.csrfToken);
      } catch {
        // the session may already be gone; leave anyway
      } finally {
        location.assign(loginUrl('/'));
      }
    });
    user.replaceChildren(who, h('span', { class: 'gc-user-actions' }, pwBtn, out));
    user.hidden = false;
  }

  const health = api
    .health()
    .then((hl) => {
      status.classList.toggle('ok', hl.status === 'ok');
      status.replaceChildren(h('i', { class: 'dot' }), `${DB_NAMES[hl.database] ?? hl.database} · PostGIS ${hl.postgis}`);
      return hl;
    })
    .catch(() => {
      status.classList.add('bad');
      status.replaceChildren(h('i', { class: 'dot' }), '服务不可用');
      return null;
    });

  return {
    health,
    account,
    setDistrict(d) {
      district.textContent = d.name;
      district.hidden = false;
    },
    setLive(s) {
      live.hidden = false;
      live.className = `gc-live ${s}`;
      live.replaceChildren(h('i', { class: 'dot' }), LIVE_TEXT[s] ?? s);
      // Test hook (docs/TESTING.md): __gc.live once the socket is subscribed.
      const gc = (window as unknown as { __gc?: { live?: boolean } }).__gc;
      if (gc) gc.live = s === 'live';
    },
  };
}

/** A short confirmation toast at the top of the page. */
export function flash(message: string): void {
  const el = h('div', { class: 'gc-toast', role: 'status' }, message);
  document.body.append(el);
  setTimeout(() => el.remove(), 2600);
}
