import { describe, expect, it } from 'vitest';
import { ApiError, bboxParam, createApi, isAuthError, withQuery } from './http.js';

function fakeFetch(status: number, body: unknown, seen: { url?: string; init?: RequestInit } = {}) {
  return async (url: string, init?: RequestInit) => {
    seen.url = url;
    seen.init = init;
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
  };
}

describe('query helpers', () => {
  it('withQuery leaves out empty values', () => {
    expect(withQuery('/api/incidents', { since: undefined, division: 'D1', limit: 5, x: '' })).toBe('/api/incidents?division=D1&limit=5');
    expect(withQuery('/api/x', {})).toBe('/api/x');
  });
  it('bboxParam rounds to 6 decimals', () => {
    expect(bboxParam([121.48021234567, 31.2264, 121.5208, 31.251])).toBe('121.480212,31.2264,121.5208,31.251');
  });
});

describe('createApi', () => {
  it('builds URLs and parses JSON', async () => {
    const seen: { url?: string } = {};
    const api = createApi('http://h', fakeFetch(200, { type: 'FeatureCollection', features: [] }, seen));
    await api.grids([1, 2, 3, 4], 'C1');
    expect(seen.url).toBe('http://h/api/grids?bbox=1%2C2%2C3%2C4&division=C1');
  });

  it('turns the error body into an ApiError', async () => {
    const api = createApi('', fakeFetch(401, { error: { code: 'unauthorized', message: 'log in' } }));
    const err = await api.district().catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(401);
    expect(err.code).toBe('unauthorized');
    expect(isAuthError(err)).toBe(true);
  });

  it('reports network failures and non-JSON error pages', async () => {
    const down = createApi('', async () => {
      throw new TypeError('fetch failed');
    });
    expect((await down.health().catch((e) => e)).code).toBe('network_error');
    const html = createApi('', fakeFetch(502, '<html>bad gateway</html>'));
    const e = await html.health().catch((x) => x);
    expect(e.status).toBe(502);
    expect(isAuthError(e)).toBe(false);
  });

  it('POSTs incidents as JSON with the CSRF header when given', async () => {
    const seen: { init?: RequestInit } = {};
    const api = createApi('', fakeFetch(201, { id: 1 }, seen));
    await api.createIncident({ lon: 1, lat: 2, category: 'other', description: '', source: 'patrol', clientKey: 'k' }, 'tok');
    expect(seen.init?.method).toBe('POST');
    expect((seen.init?.headers as Record<string, string>)['X-CSRF-Token']).toBe('tok');
    expect(JSON.parse(String(seen.init?.body)).clientKey).toBe('k');
  });
});
