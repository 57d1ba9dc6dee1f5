// Login redirects, credentials of a tab (CSRF, kiosk), socket room choice, zh-CN error messages.
import { describe, expect, it } from 'vitest';
import {
  adoptKioskFromUrl,
  ApiError,
  authHeaders,
  clearKiosk,
  createApi,
  isKiosk,
  isOwnApiUrl,
  requestHeaders,
  setCsrfToken,
} from '../api/http.js';
import { subscriptionPlan } from '../api/socket.js';
import { safeNext } from './auth.js';
import { errorMessage } from './errors.js';
import { newPasswordProblem, passwordProblem } from './password.js';

const ORIGIN = 'http://gc.test';

describe('safeNext (no open redirect)', () => {
  it('keeps same-origin paths with query and hash', () => {
    expect(safeNext('/map.html?x=1#g', ORIGIN)).toBe('/map.html?x=1#g');
    expect(safeNext('/wall', ORIGIN)).toBe('/wall');
  });
  it.each([
    null, '', 'map.html', '//evil.example/x', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)',
    '/\n/evil', '/\t/evil.example', '/login.html?next=/x', '/login',
  ])('refuses %j', (next) => {
    expect(safeNext(next, ORIGIN)).toBe('/');
  });
});

describe('tab credentials', () => {
  it('sends CSRF only on writes of a cookie session', () => {
    clearKiosk();
    setCsrfToken('csrf1');
    expect(requestHeaders('GET')).toEqual({});
    expect(requestHeaders('post')).toEqual({ 'X-CSRF-Token': 'csrf1' });
    expect(requestHeaders('DELETE')).toEqual({ 'X-CSRF-Token': 'csrf1' });
    setCsrfToken(null);
    expect(requestHeaders('POST')).toEqual({});
  });

  it('adopts ?kiosk= once, strips it from the URL and then sends Bearer instead of CSRF', () => {
    setCsrfToken('csrf1');
    const replaced: string[] = [];
    const hist = { state: null, replaceState: (_s: unknown, _t: string, url?: string | URL | null) => void replaced.push(String(url)) };
    const later: (() => void)[] = [];
    adoptKioskFromUrl({ href: `${ORIGIN}/wall?a=1&kiosk=gck_abcdefghijklmnop#x` }, hist, (f) => void later.push(f));
    // The token works at once; the URL is tidied once the page's scripts have run.
    expect(isKiosk()).toBe(true);
    expect(replaced).toEqual([]);
    later.forEach((f) => f());
    expect(replaced).toEqual(['/wall?a=1#x']);
    expect(isKiosk()).toBe(true);
    expect(authHeaders()).toEqual({ Authorization: 'Bearer gck_abcdefghijklmnop' });
    expect(requestHeaders('POST')).toEqual({ Authorization: 'Bearer gck_abcdefghijklmnop' });
    clearKiosk();
    expect(authHeaders()).toEqual({});
  });

  it('ignores a malformed kiosk token but still removes it from the URL', () => {
    const replaced: string[] = [];
    adoptKioskFromUrl({ href: `${ORIGIN}/3d?kiosk=bad token` }, { state: null, replaceState: (_s, _t, u) => void replaced.push(String(u)) }, (f) => f());
    expect(replaced).toEqual(['/3d']);
    expect(isKiosk()).toBe(false);
  });

  it('recognises own API and tile URLs only', () => {
    expect(isOwnApiUrl('/api/grids', ORIGIN)).toBe(true);
    expect(isOwnApiUrl(`${ORIGIN}/tiles/base/1/2/3.pbf`, ORIGIN)).toBe(true);
    expect(isOwnApiUrl('https://tiles.example/tiles/1/2/3.png', ORIGIN)).toBe(false);
    expect(isOwnApiUrl('/cesium/Assets/x.json', ORIGIN)).toBe(false);
  });

  it('learns the CSRF token from /api/auth/me before a first write, and retries once on csrf_failed', async () => {
    clearKiosk();
    setCsrfToken(null);
    const seen: { url: string; headers: Record<string, string> }[] = [];
    let csrf = 'first';
    const fetchImpl = async (url: string, init?: RequestInit) => {
      const headers = (init?.headers ?? {}) as Record<string, string>;
      seen.push({ url, headers });
      if (url === '/api/auth/me') return new Response(JSON.stringify({ account: { kind: 'account', csrfToken: csrf } }));
      if (headers['X-CSRF-Token'] !== 'second') {
        return new Response(JSON.stringify({ error: { code: 'csrf_failed', message: 'x' } }), { status: 403 });
      }
      return new Response(JSON.stringify({ id: 7 }), { status: 201 });
    };
    const api = createApi('', fetchImpl);
    const p = api.createDepartment({ code: 'cg', name: '城管' });
    csrf = 'second'; // the session changed meanwhile: the first token is refused, the second works
    await expect(p).resolves.toEqual({ id: 7 });
    expect(seen.map((s) => s.url)).toEqual(['/api/auth/me', '/api/departments', '/api/auth/me', '/api/departments']);
    expect(seen[1]!.headers['X-CSRF-Token']).toBe('first');
    expect(seen[1]!.headers['Content-Type']).toBe('application/json');
  });
});

describe('socket subscriptions fit the jurisdiction', () => {
  const want = { divisions: ['310101'] };
  it('whole district: what the page asked', () => {
    expect(subscriptionPlan({ scope: { kind: 'all' } }, want)).toEqual([want]);
    expect(subscriptionPlan(null, want)).toEqual([want]);
  });
  it('division staff: what the page asked, else their division', () => {
    expect(subscriptionPlan({ scope: { kind: 'division', code: '310101002' } }, want)).toEqual([want, { divisions: ['310101002'] }]);
    expect(subscriptionPlan({ scope: { kind: 'division', code: '310101002' } }, { divisions: ['310101002'] })).toEqual([{ divisions: ['310101002'] }]);
  });
  it('grid worker: their grid; department: none', () => {
    expect(subscriptionPlan({ scope: { kind: 'grid', gridId: 12, communityCode: 'c' } }, want)).toEqual([{ grids: [12] }]);
    expect(subscriptionPlan({ scope: { kind: 'department', departmentId: 3 } }, want)).toEqual([]);
  });
});

describe('messages', () => {
  it('maps API error codes to zh-CN', () => {
    expect(errorMessage(new ApiError(401, 'invalid_credentials', 'wrong username or password'))).toBe('用户名或密码错误');
    expect(errorMessage(new ApiError(429, 'rate_limited', 'x'))).toContain('稍后');
    expect(errorMessage(new ApiError(409, 'conflict', 'username wangwu is taken'))).toBe('用户名已被占用');
    expect(errorMessage(new ApiError(400, 'weak_password', 'password must mix letters and digits'))).toContain('字母和数字');
    expect(errorMessage(new ApiError(418, 'teapot', 'x'))).toBe('请求失败（HTTP 418）');
  });
  it('checks passwords like the server', () => {
    expect(passwordProblem('short1')).toContain('10');
    expect(passwordProblem('onlyletters')).toContain('字母和数字');
    expect(passwordProblem('letters1234')).toBeNull();
    expect(newPasswordProblem('letters1234', 'letters1235')).toContain('不一致');
    expect(newPasswordProblem('letters1234', 'letters1234', 'letters1234')).toContain('相同');
  });
});
