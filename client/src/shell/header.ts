// The top bar every page shares: brand, navigation, district, system status, live indicator.
import { api, isAuthError, type Account, type DistrictInfoEx, type Health } from '../api/http.js';
import type { LiveStatus } from '../api/socket.js';
import { loginUrl } from './auth.js';
import { h } from './dom.js';
import { DB_NAMES } from './labels.js';

export type PageId = 'home' | 'map' | '3d';

const NAV: { id: PageId; href: string; label: string }[] = [
  { id: 'home', href: '/', label: '首页' },
  { id: 'map', href: '/map.html', label: '二维地图' },
  { id: '3d', href: '/3d.html', label: '三维城市' },
];

export interface HeaderHandle {
  setDistrict(d: DistrictInfoEx): void;
  setLive(s: LiveStatus): void;
  health: Promise<Health | null>;
  /** The signed-in account, or null (not logged in / no auth on this server). */
  account: Promise<Account | null>;
}

export function mountHeader(active: PageId): HeaderHandle {
  const root = document.getElementById('app-header') ?? document.body.insertBefore(h('header', { id: 'app-header' }), document.body.firstChild);
  root.classList.add('gc-header');
  const district = h('span', { class: 'gc-district', title: '当前辖区', hidden: true });
  const status = h('span', { class: 'gc-status', title: '系统状态' }, h('i', { class: 'dot' }), '连接中');
  const live = h('span', { class: 'gc-live', hidden: true }, h('i', { class: 'dot' }), '实时');
  const user = h('span', { class: 'gc-user', hidden: true });
  root.replaceChildren(
    h(
      'a',
      { class: 'gc-brand', href: '/' },
      h('span', { class: 'gc-logo', 'aria-hidden': 'true' }, '网'),
      h('span', { class: 'gc-brand-text' }, h('b', {}, 'GridCommand'), h('span', {}, '网格指挥')),
    ),
    district,
    h(
      'nav',
      { class: 'gc-nav' },
      ...NAV.map((n) => h('a', { href: n.href, class: n.id === active ? 'active' : null, 'aria-current': n.id === active ? 'page' : null }, n.label)),
    ),
    h('span', { class: 'gc-spacer' }),
    live,
    status,
    user,
  );

  const account = api
    .me()
    .then(({ account: a }) => {
      const out = h('button', { type: 'button', class: 'gc-logout', title: '退出登录' }, '退出');
      out.addEventListener('click', async () => {
        try {
          if (a.csrfToken) await api.logout(a.csrfToken);
        } finally {
          location.assign(loginUrl('/'));
        }
      });
      user.replaceChildren(h('span', { class: 'name', title: a.username }, a.displayName || a.username), h('span', { class: 'role' }, a.roleName));
      if (a.kind === 'account') user.append(out);
      user.hidden = false;
      return a;
    })
    .catch((e) => {
      if (isAuthError(e)) {
        user.replaceChildren(h('a', { href: loginUrl() }, '登录'));
        user.hidden = false;
      }
      return null;
    });

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
      live.replaceChildren(h('i', { class: 'dot' }), s === 'live' ? '实时' : s === 'connecting' ? '连接中' : '离线');
    },
  };
}
