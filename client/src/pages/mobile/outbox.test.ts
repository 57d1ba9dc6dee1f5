import { describe, expect, it, vi } from 'vitest';
import { backoffMs, classify, MemoryStorage, newClientKey, Outbox, type OutboxDeps, type OutboxEvent, type ReportBody } from './outbox.js';

const BODY: ReportBody = { lon: 121.49, lat: 31.24, crs: 'wgs84', category: 'sanitation', description: '垃圾堆放', source: 'patrol' };
const KEY_RULE = /^[A-Za-z0-9_.:-]{8,128}$/;

type Mode = 'up' | 'down' | 'lose-response' | 'error500' | 'conflict' | 'unauthorized' | 'csrf-once' | 'outside';

/**
 * A fake server with the real API's idempotency: one case per clientKey; the same key with the
 * same body is a replay (200), with another body a 409 client_key_conflict.
 */
function fakeServer() {
  const cases = new Map<string, { id: number; body: string }>();
  const photos = new Map<string, number>();
  const requests: { path: string; csrf: string | null; body: unknown }[] = [];
  let nextId = 100;
  let nextPhoto = 1;
  const state = { mode: 'up' as Mode, photoMode: 'up' as 'up' | 'missing' | 'down' | 'too-large', csrfOk: 'tok-1' };
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
  const fetch = vi.fn(async (path: string, init?: RequestInit) => {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const csrf = headers['X-CSRF-Token'] ?? null;
    if (path === '/api/photos') {
      requests.push({ path, csrf, body: null });
      if (state.photoMode === 'down' || state.mode === 'down') throw new TypeError('Failed to fetch');
      if (state.photoMode === 'missing') return json(404, { error: { code: 'not_found', message: 'no route POST /api/photos' } });
      if (state.photoMode === 'too-large') return json(413, { error: { code: 'payload_too_large', message: 'a photo may have at most 8 bytes' } });
      const blob = (init!.body as FormData).get('photo') as Blob;
      const key = await blob.text();
      const known = photos.get(key);
      if (known) return json(200, { id: known });
      photos.set(key, nextPhoto);
      return json(201, { id: nextPhoto++ });
    }
    const body = JSON.parse(String(init?.body)) as { clientKey: string };
    requests.push({ path, csrf, body });
    switch (state.mode) {
      case 'down':
        throw new TypeError('Failed to fetch');
      case 'error500':
        return new Response('<html>502 Bad Gateway</html>', { status: 502 });
      case 'unauthorized':
        return json(401, { error: { code: 'unauthorized', message: 'log in or send a token' } });
      case 'outside':
        return json(422, { error: { code: 'outside_district', message: 'the location is outside the district' } });
      case 'csrf-once':
        if (csrf !== state.csrfOk) return json(403, { error: { code: 'csrf_failed', message: 'missing or wrong X-CSRF-Token header' } });
        break;
      default:
        break;
    }
    const { clientKey, ...rest } = body;
    const hash = JSON.stringify(rest);
    const prior = cases.get(clientKey);
    let res: Response;
    if (prior) {
      res = prior.body === hash || state.mode !== 'conflict'
        ? json(prior.body === hash ? 200 : 409, prior.body === hash ? { id: prior.id } : { error: { code: 'client_key_conflict', message: 'this clientKey was already used for a different report' } },
          prior.body === hash ? { 'Idempotent-Replayed': 'true' } : {})
        : json(409, { error: { code: 'client_key_conflict', message: 'this clientKey was already used for a different report' } });
    } else if (state.mode === 'conflict') {
      res = json(409, { error: { code: 'client_key_conflict', message: 'this clientKey was already used for a different report' } });
    } else {
      const id = nextId++;
      cases.set(clientKey, { id, body: hash });
      res = json(201, { id, ...rest });
    }
    // The server stored it, but the answer never reaches the phone.
    if (state.mode === 'lose-response') throw new TypeError('network connection was lost');
    return res;
  });
  return { cases, photos, requests, state, fetch, reports: () => requests.filter((r) => r.path === '/api/incidents') };
}

function setup(over: Partial<OutboxDeps> = {}, storage = new MemoryStorage(), server = fakeServer()) {
  let now = 1_000_000;
  const timers: { fn: () => void; at: number }[] = [];
  const online = { value: true };
  let keys = 0;
  const deps: OutboxDeps = {
    storage,
    fetch: server.fetch,
    owner: () => 'gw1',
    csrf: () => 'tok-1',
    isOnline: () => online.value,
    now: () => now,
    random: () => 0.5,
    newKey: () => `m-test-key-${++keys}`,
    setTimer: (fn, ms) => {
      const t = { fn, at: now + ms };
      timers.push(t);
      return t;
    },
    clearTimer: (t) => {
      const i = timers.indexOf(t as (typeof timers)[number]);
      if (i >= 0) timers.splice(i, 1);
    },
    ...over,
  };
  const outbox = new Outbox(deps);
  const events: OutboxEvent[] = [];
  outbox.subscribe((e) => events.push(e));
  return {
    outbox, server, storage, events, online, timers,
    advance: (ms: number) => { now += ms; },
    now: () => now,
    /** The same device after a reload: a new outbox over the same storage. */
    reload: () => setup(over, storage, server),
  };
}

/** add() starts a flush in the background; wait for it to settle. */
const settle = (o: Outbox) => o.flush();

describe('classify and backoff', () => {
  it('sorts answers into done, retry, shown and log-in-again', () => {
    expect(classify(201)).toBe('ok');
    expect(classify(200)).toBe('ok');
    expect(classify(0)).toBe('retry');
    expect(classify(500)).toBe('retry');
    expect(classify(503)).toBe('retry');
    expect(classify(429, 'rate_limited')).toBe('retry');
    expect(classify(408)).toBe('retry');
    expect(classify(409, 'client_key_conflict')).toBe('fail');
    expect(classify(422, 'outside_district')).toBe('fail');
    expect(classify(400, 'unknown_category')).toBe('fail');
    expect(classify(403, 'forbidden')).toBe('fail');
    expect(classify(401, 'unauthorized')).toBe('auth');
    expect(classify(403, 'password_change_required')).toBe('auth');
    expect(classify(403, 'csrf_failed')).toBe('csrf');
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(1, () => 0.5)).toBe(2_000);
    expect(backoffMs(2, () => 0.5)).toBe(4_000);
    expect(backoffMs(5, () => 0.5)).toBe(32_000);
    expect(backoffMs(40, () => 0.5)).toBe(300_000);
    expect(backoffMs(3, () => 0)).toBe(6_400);
    expect(backoffMs(3, () => 1)).toBe(9_600);
  });

  it('makes keys the server accepts', () => {
    const a = newClientKey();
    expect(a).toMatch(KEY_RULE);
    expect(newClientKey()).not.toBe(a);
  });
});

describe('Outbox', () => {
  it('stores a report with its clientKey before sending, then sends it once and forgets it', async () => {
    const t = setup({ newKey: newClientKey });
    const item = await t.outbox.add(BODY);
    expect(item.clientKey).toMatch(KEY_RULE);
    expect(t.storage.map.has(item.clientKey) || t.server.cases.has(item.clientKey)).toBe(true);
    const r = await settle(t.outbox);
    expect(r.pending).toBe(0);
    expect(t.server.cases.size).toBe(1);
    expect(t.server.reports()).toHaveLength(1);
    expect(t.server.reports()[0]!.body).toEqual({ ...BODY, clientKey: item.clientKey });
    expect(t.server.reports()[0]!.csrf).toBe('tok-1');
    expect(t.storage.map.size).toBe(0);
    const sent = t.events.find((e) => e.type === 'sent');
    expect(sent).toMatchObject({ type: 'sent', replayed: false, incident: { id: 100 } });
  });

  it('offline: keeps reports across a reload, sends each exactly once when back online', async () => {
    const t = setup();
    t.online.value = false;
    t.server.state.mode = 'down';
    await t.outbox.add(BODY);
    await t.outbox.add({ ...BODY, category: 'parking' });
    await settle(t.outbox);
    expect(t.server.fetch).not.toHaveBeenCalled(); // offline: not even tried
    expect(await t.outbox.pendingCount()).toBe(2);
    expect(t.timers).toHaveLength(0); // no polling while offline

    const again = t.reload();
    again.online.value = false;
    expect(await again.outbox.pendingCount()).toBe(2);
    const keys = (await again.outbox.items()).map((i) => i.clientKey);
    expect(keys).toEqual(['m-test-key-1', 'm-test-key-2']);

    again.online.value = true;
    t.server.state.mode = 'up';
    const r = await again.outbox.flush({ force: true }); // the 'online' event
    expect(r).toMatchObject({ pending: 0, failed: 0 });
    expect(t.server.cases.size).toBe(2);
    expect([...t.server.cases.keys()]).toEqual(keys);
    // A second online flush sends nothing more.
    await again.outbox.flush({ force: true });
    expect(t.server.reports()).toHaveLength(2);
    expect(await again.outbox.pendingCount()).toBe(0);
  });

  it('a lost answer is sent again with the same key: the server replays, no second case', async () => {
    const t = setup();
    t.server.state.mode = 'lose-response';
    const item = await t.outbox.add(BODY);
    await settle(t.outbox);
    expect(t.server.cases.size).toBe(1); // stored…
    expect(await t.outbox.pendingCount()).toBe(1); // …but the phone does not know
    const [stored] = await t.outbox.items();
    expect(stored).toMatchObject({ clientKey: item.clientKey, attempts: 1, lastError: { status: 0, code: 'network_error' } });

    t.server.state.mode = 'up';
    t.advance(5_000);
    await t.outbox.flush();
    expect(t.server.reports().map((r) => (r.body as { clientKey: string }).clientKey)).toEqual([item.clientKey, item.clientKey]);
    expect(t.server.cases.size).toBe(1);
    expect(t.events.find((e) => e.type === 'sent')).toMatchObject({ replayed: true, incident: { id: 100 } });
    expect(await t.outbox.pendingCount()).toBe(0);
  });

  it('retries 5xx with growing backoff, and not before it is due unless forced', async () => {
    const t = setup();
    t.server.state.mode = 'error500';
    await t.outbox.add(BODY);
    await settle(t.outbox);
    let [it1] = await t.outbox.items();
    expect(it1).toMatchObject({ state: 'pending', attempts: 1, nextAttemptAt: t.now() + 2_000, lastError: { status: 502, code: 'http_error' } });
    expect(t.timers.map((x) => x.at - t.now())).toEqual([2_000]);

    await t.outbox.flush(); // not due yet
    expect(t.server.reports()).toHaveLength(1);

    t.advance(2_000);
    await t.outbox.flush();
    [it1] = await t.outbox.items();
    expect(it1).toMatchObject({ attempts: 2, nextAttemptAt: t.now() + 4_000 });

    // A newer report waits too (the server is down, not the report).
    await t.outbox.add({ ...BODY, category: 'noise' });
    await settle(t.outbox);
    expect(t.server.reports()).toHaveLength(2);

    t.server.state.mode = 'up';
    // The timer fires when due.
    t.advance(4_000);
    const timer = t.timers.shift()!;
    timer.fn();
    await t.outbox.flush();
    expect(await t.outbox.pendingCount()).toBe(0);
    expect(t.server.cases.size).toBe(2);
  });

  it('shows a 409 client_key_conflict and does not retry it by itself; retry() by hand does', async () => {
    const t = setup();
    t.server.state.mode = 'conflict';
    await t.outbox.add(BODY);
    const r = await settle(t.outbox);
    expect(r).toMatchObject({ failed: 1, pending: 0 });
    const [item] = await t.outbox.items();
    expect(item).toMatchObject({ state: 'failed', lastError: { status: 409, code: 'client_key_conflict' } });
    expect(t.events.some((e) => e.type === 'failed')).toBe(true);
    expect(await t.outbox.pendingCount()).toBe(0);

    t.advance(3_600_000);
    await t.outbox.flush({ force: true });
    expect(t.server.reports()).toHaveLength(1);
    expect(t.timers).toHaveLength(0);

    t.server.state.mode = 'up';
    await t.outbox.retry(item!.clientKey);
    await t.outbox.flush();
    expect(t.server.cases.size).toBe(1);
    expect(await t.outbox.items()).toHaveLength(0);
  });

  it('keeps other 4xx (outside the district) as failed, and lets the user discard them', async () => {
    const t = setup();
    t.server.state.mode = 'outside';
    const item = await t.outbox.add(BODY);
    await settle(t.outbox);
    expect((await t.outbox.items())[0]).toMatchObject({ state: 'failed', lastError: { status: 422, code: 'outside_district' } });
    await t.outbox.discard(item.clientKey);
    expect(await t.outbox.items()).toHaveLength(0);
  });

  it('pauses on 401 without losing the report, and goes on after resume()', async () => {
    const t = setup();
    t.server.state.mode = 'unauthorized';
    await t.outbox.add(BODY);
    await t.outbox.add({ ...BODY, category: 'noise' });
    const r = await settle(t.outbox);
    expect(r.paused).toBe(true);
    expect(t.outbox.isPaused).toBe(true);
    expect(t.events.some((e) => e.type === 'paused')).toBe(true);
    expect(await t.outbox.pendingCount()).toBe(2);
    await t.outbox.flush({ force: true });
    expect(t.server.reports()).toHaveLength(1); // nothing more while paused

    t.server.state.mode = 'up';
    t.outbox.resume();
    await t.outbox.flush();
    expect(t.server.cases.size).toBe(2);
    expect(await t.outbox.pendingCount()).toBe(0);
  });

  it('refreshes the CSRF token once after csrf_failed', async () => {
    let token = 'stale';
    const refreshCsrf = vi.fn(async () => {
      token = 'tok-1';
      return token;
    });
    const t = setup({ csrf: () => token, refreshCsrf });
    t.server.state.mode = 'csrf-once';
    await t.outbox.add(BODY);
    await settle(t.outbox);
    expect(refreshCsrf).toHaveBeenCalledTimes(1);
    expect(t.server.reports().map((r) => r.csrf)).toEqual(['stale', 'tok-1']);
    expect(t.server.cases.size).toBe(1);
  });

  it('uploads the photo once, first, and sends its id with the report', async () => {
    const t = setup();
    t.server.state.mode = 'lose-response';
    await t.outbox.add(BODY, new Blob(['jpeg-bytes-1']));
    await settle(t.outbox);
    expect(t.server.requests.map((r) => r.path)).toEqual(['/api/photos', '/api/incidents']);
    expect((await t.outbox.items())[0]).toMatchObject({ photoId: 1 });

    t.server.state.mode = 'up';
    t.advance(10_000);
    await t.outbox.flush();
    // The photo is not uploaded again; the report is the same body (same photos) → replayed.
    expect(t.server.requests.map((r) => r.path)).toEqual(['/api/photos', '/api/incidents', '/api/incidents']);
    expect(t.server.reports().map((r) => (r.body as { photos?: number[] }).photos)).toEqual([[1], [1]]);
    expect(t.server.cases.size).toBe(1);
    expect(t.events.find((e) => e.type === 'sent')).toMatchObject({ replayed: true });
  });

  it('sends the report without the photo when the photo service is missing (404) or refuses it', async () => {
    const t = setup();
    t.server.state.photoMode = 'missing';
    await t.outbox.add(BODY, new Blob(['jpeg']));
    await settle(t.outbox);
    expect(t.server.cases.size).toBe(1);
    expect(t.server.reports()[0]!.body).not.toHaveProperty('photos');
    const sent = t.events.find((e) => e.type === 'sent');
    expect(sent?.type === 'sent' && sent.item.photoSkipped).toBe('照片服务不可用');

    t.server.state.photoMode = 'too-large';
    await t.outbox.add({ ...BODY, category: 'noise' }, new Blob(['huge']));
    await settle(t.outbox);
    expect(t.server.cases.size).toBe(2);
    const sent2 = t.events.filter((e) => e.type === 'sent')[1];
    expect(sent2?.type === 'sent' && sent2.item.photoSkipped).toMatch(/照片未上传/);
  });

  it('waits when the photo upload fails on the network, without sending the report yet', async () => {
    const t = setup();
    t.server.state.photoMode = 'down';
    await t.outbox.add(BODY, new Blob(['jpeg']));
    await settle(t.outbox);
    expect(t.server.reports()).toHaveLength(0);
    expect((await t.outbox.items())[0]).toMatchObject({ state: 'pending', attempts: 1, photoId: null });
    t.server.state.photoMode = 'up';
    t.advance(2_000);
    await t.outbox.flush();
    expect(t.server.cases.size).toBe(1);
    expect(t.server.reports()[0]!.body).toMatchObject({ photos: [1] });
  });

  it('sends only the reports of the account logged in', async () => {
    let owner = 'gw1';
    const t = setup({ owner: () => owner });
    t.online.value = false;
    await t.outbox.add(BODY);
    owner = 'gw2';
    await t.outbox.add({ ...BODY, category: 'noise' });
    expect(await t.outbox.pendingCount()).toBe(1);
    t.online.value = true;
    await t.outbox.flush({ force: true });
    expect(t.server.cases.size).toBe(1);
    expect((await t.outbox.items()).map((i) => i.owner)).toEqual(['gw1']);
  });

  it('one flush at a time: concurrent flushes send each report once', async () => {
    const t = setup();
    t.online.value = false;
    for (let i = 0; i < 3; i++) await t.outbox.add({ ...BODY, description: `#${i}` });
    t.online.value = true;
    await Promise.all([t.outbox.flush({ force: true }), t.outbox.flush({ force: true }), t.outbox.flush()]);
    expect(t.server.reports()).toHaveLength(3);
    expect(t.server.cases.size).toBe(3);
  });
});
