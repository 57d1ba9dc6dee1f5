// The scale-out settings (WORKERS, SOCKET_ADAPTER, REDIS_URL): defaults, how `auto` resolves, and
// the combinations refused at start with one line naming them. Pure: no database.
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

const PG = 'postgres://gc:gc@127.0.0.1:5432/gc';

describe('scale-out configuration', () => {
  it('defaults to one process and no adapter', () => {
    const c = loadConfig({});
    expect(c.workers).toBe(1);
    expect(c.socketAdapter).toBe('none');
    expect(c.redisUrl).toBeUndefined();
  });

  it('auto: postgres with several workers on PostgreSQL, redis whenever REDIS_URL is set, none for one process', () => {
    expect(loadConfig({ DATABASE_URL: PG, WORKERS: '3' }).socketAdapter).toBe('postgres');
    expect(loadConfig({ DATABASE_URL: PG }).socketAdapter).toBe('none');
    expect(loadConfig({ DATABASE_URL: PG, WORKERS: '2', REDIS_URL: 'redis://127.0.0.1:6379' }).socketAdapter).toBe('redis');
    expect(loadConfig({ DATABASE_URL: PG, REDIS_URL: 'rediss://cache.example:6380' }).socketAdapter).toBe('redis');
    // Several single-process servers behind a proxy name the adapter themselves.
    expect(loadConfig({ DATABASE_URL: PG, SOCKET_ADAPTER: 'postgres' }).socketAdapter).toBe('postgres');
    expect(loadConfig({ DATABASE_URL: PG, WORKERS: '4' }).workers).toBe(4);
  });

  it('refuses WORKERS>1 on the embedded database, and adapters without their server', () => {
    expect(() => loadConfig({ WORKERS: '3' })).toThrow(/WORKERS=3 needs DATABASE_URL — the embedded database \(PGlite\) is owned by one process/);
    expect(() => loadConfig({ SOCKET_ADAPTER: 'postgres' })).toThrow(/SOCKET_ADAPTER=postgres needs DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: PG, SOCKET_ADAPTER: 'redis' })).toThrow(/SOCKET_ADAPTER=redis needs REDIS_URL/);
    expect(() => loadConfig({ DATABASE_URL: PG, WORKERS: '2', SOCKET_ADAPTER: 'none' })).toThrow(/would split live rooms/);
    expect(() => loadConfig({ WORKERS: '0' })).toThrow(/WORKERS/);
    expect(() => loadConfig({ WORKERS: 'two' })).toThrow(/WORKERS/);
    expect(() => loadConfig({ SOCKET_ADAPTER: 'kafka' })).toThrow(/SOCKET_ADAPTER/);
    expect(() => loadConfig({ REDIS_URL: 'http://127.0.0.1:6379' })).toThrow(/REDIS_URL: must be redis/);
  });
});
