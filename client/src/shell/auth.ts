// What a page does when the API says "log in first": go to the login page (with ?next= back to
// this page). A read-only wall screen (kiosk token) cannot log in: it explains instead.
import { clearKiosk, isAuthError, isKiosk } from '../api/http.js';
import { h, showError } from './dom.js';

export const LOGIN_PAGE = '/login.html';

export function loginUrl(next = location.pathname + location.search): string {
  return `${LOGIN_PAGE}?next=${encodeURIComponent(next)}`;
}

/**
 * Where to go after login: `next` only when it is a path on this origin (no open redirect:
 * "//evil", "https://evil", "/\evil", "javascript:" all fall back to "/"), never the login page.
 */
export function safeNext(next: string | null | undefined, origin: string = location.origin): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  // Control characters and backslashes are how browsers get talked into other hosts.
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return '/';
  let u: URL;
  try {
    u = new URL(next, origin);
  } catch {
    return '/';
  }
  if (u.origin !== origin) return '/';
  if (u.pathname === LOGIN_PAGE || u.pathname === '/login') return '/';
  return u.pathname + u.search + u.hash;
}

async function loginPageExists(): Promise<boolean> {
  try {
    const res = await fetch(LOGIN_PAGE, { method: 'HEAD' });
    return res.ok;
  } catch {
    return false;
  }
}

/** A full-page notice for a wall screen whose token is unknown or revoked. */
export function showKioskDenied(): void {
  if (document.getElementById('gc-kiosk-denied')) return;
  const login = h('a', { href: loginUrl(), class: 'gc-btn ghost' }, '改用账号登录');
  login.addEventListener('click', () => clearKiosk());
  document.body.append(
    h(
      'div',
      { id: 'gc-kiosk-denied', class: 'gc-blocker', role: 'alert' },
      h(
        'div',
        { class: 'gc-blocker-card' },
        h('div', { class: 'gc-blocker-icon', 'aria-hidden': 'true' }, '!'),
        h('h2', {}, '大屏访问令牌无效'),
        h('p', {}, '此大屏的访问令牌无效、已被轮换或已被吊销，无法显示数据。请联系系统管理员获取新的大屏地址。'),
        h('div', { class: 'gc-blocker-actions' }, login),
      ),
    ),
  );
  document.body.dataset.authError = 'kiosk';
}

/** Handles auth errors (returns true) by redirecting to the login page; other errors return false. */
export async function handleAuthError(e: unknown): Promise<boolean> {
  if (!isAuthError(e)) return false;
  if (isKiosk()) {
    showKioskDenied();
    return true;
  }
  if (await loginPageExists()) {
    location.assign(loginUrl());
  } else {
    showError(e.code === 'password_change_required' ? '请先修改初始密码后再使用。' : '请先登录后再查看地图数据。');
  }
  return true;
}
