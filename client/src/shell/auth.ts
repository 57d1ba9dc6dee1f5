// What a page does when the API says "log in first": go to the login page if the server has one
// (with ?next= back to this page), otherwise explain on the page.
import { isAuthError } from '../api/http.js';
import { showError } from './dom.js';

export const LOGIN_PAGE = '/login.html';

export function loginUrl(next = location.pathname + location.search): string {
  return `${LOGIN_PAGE}?next=${encodeURIComponent(next)}`;
}

async function loginPageExists(): Promise<boolean> {
  try {
    const res = await fetch(LOGIN_PAGE, { method: 'HEAD' });
    return res.ok;
  } catch {
    return false;
  }
}

/** Handles auth errors (returns true) by redirecting to the login page; other errors return false. */
export async function handleAuthError(e: unknown): Promise<boolean> {
  if (!isAuthError(e)) return false;
  if (await loginPageExists()) {
    location.assign(loginUrl());
  } else {
    showError(e.code === 'password_change_required' ? '请先修改初始密码后再使用。' : '请先登录后再查看地图数据。');
  }
  return true;
}
