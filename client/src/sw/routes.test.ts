import { describe, expect, it } from 'vitest';
import { accountOfCache, apiCacheName, classify, nextAccount, staleCaches } from './routes.js';

const O = 'http://127.0.0.1:8080';
const get = (path: string, mode = 'cors') => classify({ method: 'GET', url: `${O}${path}`, mode }, O);

describe('what the phone page\'s service worker does with a request', () => {
  it('never touches a write: the outbox sends reports itself', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'post']) {
      expect(classify({ method, url: `${O}/api/incidents`, mode: 'cors' }, O)).toBe('bypass');
      expect(classify({ method, url: `${O}/api/photos`, mode: 'cors' }, O)).toBe('bypass');
      expect(classify({ method, url: `${O}/mobile`, mode: 'navigate' }, O)).toBe('bypass');
    }
  });

  it('serves the phone page from the precache, and no other page', () => {
    expect(get('/mobile', 'navigate')).toBe('page');
    expect(get('/mobile.html?next=1', 'navigate')).toBe('page');
    for (const p of ['/', '/map', '/3d', '/wall', '/dispatch', '/login.html', '/mobile/other', '/mobilex']) expect(get(p, 'navigate')).toBe('bypass');
  });

  it('keeps the page\'s own data and tiles, network first', () => {
    expect(get('/api/district')).toBe('runtime');
    expect(get('/api/grids?bbox=121.4,31.2,121.6,31.3')).toBe('runtime');
    expect(get('/api/incident-categories')).toBe('runtime');
    expect(get('/api/incidents?division=310101&limit=500')).toBe('runtime');
    expect(get('/api/incidents/42')).toBe('runtime');
    expect(get('/tiles/base/15/27443/13387.pbf')).toBe('runtime');
  });

  it('leaves sign-in, the socket, live catch-ups, exports, full personal data and other origins alone', () => {
    expect(get('/api/auth/me')).toBe('bypass');
    expect(get('/api/auth/login')).toBe('bypass');
    expect(get('/api/health')).toBe('bypass');
    expect(get('/socket.io/?EIO=4&transport=polling&t=abc')).toBe('bypass');
    expect(get('/api/incidents?since=2026-01-01T00:00:00Z&limit=500')).toBe('bypass');
    expect(get('/api/reports/summary?format=csv')).toBe('bypass');
    expect(get('/api/incidents/7/contact?full=1')).toBe('bypass');
    expect(classify({ method: 'GET', url: 'https://tiles.example.com/1/2/3.png', mode: 'cors' }, O)).toBe('bypass');
    expect(classify({ method: 'GET', url: 'not a url', mode: 'cors' }, O)).toBe('bypass');
    expect(get('/cesium/Workers/x.js')).toBe('bypass');
  });
});

describe('one cache per account', () => {
  it('names caches by account and reads the account back', () => {
    expect(accountOfCache(apiCacheName('gw.wang'))).toBe('gw.wang');
    expect(apiCacheName('a')).not.toBe(apiCacheName('b'));
    expect(accountOfCache('gc-mobile-precache-v1')).toBeNull();
  });

  it('a verified login switches the account and drops the others\' caches', () => {
    expect(nextAccount('a', { account: 'b', verified: true })).toEqual({ account: 'b', dropOthers: true });
    expect(nextAccount(null, { account: 'a', verified: true })).toEqual({ account: 'a', dropOthers: true });
  });

  it('an unverified (offline) claim is served only when it is the account the cache belongs to', () => {
    expect(nextAccount('a', { account: 'a', verified: false })).toEqual({ account: 'a', dropOthers: false });
    expect(nextAccount('a', { account: 'b', verified: false })).toEqual({ account: null, dropOthers: false });
    expect(nextAccount(null, { account: 'b', verified: false })).toEqual({ account: null, dropOthers: false });
  });

  it('logout clears the account', () => {
    expect(nextAccount('a', { account: null, verified: true })).toEqual({ account: null, dropOthers: false });
  });

  it('activate drops our outdated caches only, never an account\'s or someone else\'s', () => {
    const names = ['gc-mobile-precache-v1', 'gc-mobile-precache-v0', 'gc-mobile-meta-v1', apiCacheName('a'), 'gc-mobile-runtime-old', 'other-app'];
    expect(staleCaches(names, ['gc-mobile-precache-v1', 'gc-mobile-meta-v1'])).toEqual(['gc-mobile-precache-v0', 'gc-mobile-runtime-old']);
  });
});
