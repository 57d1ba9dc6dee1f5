// The phone's outbox (待发送): every report is stored on the device first, with its clientKey made
// once, at creation, and stays there until the server has it. Sending is idempotent (the server
// answers a replayed clientKey with the same case), so a report whose answer was lost is simply
// sent again: none lost, none doubled. Network errors, 5xx, 408 and 429 are retried with
// exponential backoff; other 4xx (409 client_key_conflict, 422 outside_district, …) are kept and
// shown, never retried by themselves. 401 pauses sending until the user logs in again.
//
// Pure: storage, fetch, clock, timers, ids and the CSRF token are injected, so the same code runs
// in the page (IndexedDB, window.fetch) and in unit tests (a Map, a fake server).
import type { IncidentView } from '../../../../core/contract.js';
import { newClientKey } from '../../api/client-key.js';

export { newClientKey };

export type ReportCrs = 'wgs84' | 'cgcs2000' | 'gcj02' | 'bd09';

/** What the phone reports (the POST /api/incidents body, minus clientKey and photos). */
export interface ReportBody {
  lon: number;
  lat: number;
  crs: ReportCrs;
  category: string;
  description: string;
  source: 'patrol' | 'photo';
}

export interface OutboxError {
  /** HTTP status; 0 for a network failure. */
  status: number;
  code: string;
  message: string;
}

export interface OutboxItem {
  /** Idempotency key, made once when the report was created on the device. */
  clientKey: string;
  /** Username that made the report: only that account sends it. */
  owner: string;
  /** Epoch ms. */
  createdAt: number;
  body: ReportBody;
  /** A photo still to upload (kept on the device with the report). */
  photo: Blob | null;
  /** The uploaded photo's id, once POST /api/photos answered (kept, so a retry sends the same body). */
  photoId: number | null;
  /** Why the photo was left out (photo service missing, photo refused), or null. */
  photoSkipped: string | null;
  /** pending: to be sent; failed: refused by the server (shown; retried only by hand). */
  state: 'pending' | 'failed';
  attempts: number;
  /** Epoch ms before which no attempt is made (backoff). */
  nextAttemptAt: number;
  lastError: OutboxError | null;
}

export interface OutboxStorage {
  list(): Promise<OutboxItem[]>;
  put(item: OutboxItem): Promise<void>;
  remove(clientKey: string): Promise<void>;
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** The case the server returned for a sent report (only the fields the outbox needs). */
/** The case the server answers a report with (201, or 200 with the same case on a replay). */
export type SentCase = IncidentView;

export type OutboxEvent =
  | { type: 'change' }
  | { type: 'sent'; item: OutboxItem; incident: SentCase; replayed: boolean }
  | { type: 'failed'; item: OutboxItem }
  /** Sending is paused until resume(): the session ended (log in again). */
  | { type: 'paused'; error: OutboxError };

export interface OutboxDeps {
  storage: OutboxStorage;
  fetch: FetchLike;
  /** The account whose reports are sent. */
  owner: () => string | null;
  /** The session's CSRF token (undefined: none needed, e.g. a Bearer token). */
  csrf: () => string | null | undefined;
  /** Get a fresh CSRF token after a csrf_failed refusal. */
  refreshCsrf?: () => Promise<string | null | undefined>;
  /** false: do not even try (navigator.onLine); flush() is called again on 'online'. */
  isOnline?: () => boolean;
  now?: () => number;
  random?: () => number;
  newKey?: () => string;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
  /** Run one flush exclusively across tabs (navigator.locks); default: just run it. */
  exclusive?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Base URL of the API ('' = same origin). */
  base?: string;
}

export interface FlushResult {
  sent: number;
  replayed: number;
  failed: number;
  /** Items still pending (to be retried later). */
  pending: number;
  paused: boolean;
}

export const BACKOFF_BASE_MS = 2_000;
export const BACKOFF_MAX_MS = 5 * 60_000;

/** Delay before attempt n+1 after `attempts` failed attempts: 2 s, 4 s, 8 s … ≤ 5 min, ±20 % jitter. */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const raw = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

export type Verdict = 'ok' | 'retry' | 'fail' | 'auth' | 'csrf';

/** What to do with an answer: done, try again later, give up and show it, or log in again. */
export function classify(status: number, code = ''): Verdict {
  if (status === 0) return 'retry';
  if (status >= 200 && status < 300) return 'ok';
  if (status === 401 || code === 'password_change_required') return 'auth';
  if (code === 'csrf_failed') return 'csrf';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'fail';
}

interface Answer {
  status: number;
  body: unknown;
  headers: Headers | null;
}

const errorOf = (a: Answer): OutboxError => {
  const e = (a.body as { error?: { code?: string; message?: string } } | null)?.error;
  if (a.status === 0) return { status: 0, code: 'network_error', message: String((a.body as { message?: string })?.message ?? 'network error') };
  return { status: a.status, code: e?.code ?? 'http_error', message: e?.message ?? `HTTP ${a.status}` };
};

export class Outbox {
  private readonly d: Required<Omit<OutboxDeps, 'refreshCsrf'>> & Pick<OutboxDeps, 'refreshCsrf'>;
  private listeners = new Set<(e: OutboxEvent) => void>();
  private running: Promise<FlushResult> | null = null;
  private again = false;
  private forceNext = false;
  private timer: unknown = null;
  private paused = false;
  /** After a failure that is not the report's own (network, 5xx): no automatic attempt before this. */
  private holdUntil = 0;
  private cache: OutboxItem[] = [];

  constructor(deps: OutboxDeps) {
    this.d = {
      isOnline: () => true,
      now: () => Date.now(),
      random: Math.random,
      newKey: newClientKey,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
      exclusive: (fn) => fn(),
      base: '',
      ...deps,
    };
  }

  subscribe(fn: (e: OutboxEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(e: OutboxEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        console.error('[outbox] listener failed', err);
      }
    }
  }

  /** Everything stored, oldest first (all owners). */
  async items(): Promise<OutboxItem[]> {
    this.cache = (await this.d.storage.list()).sort((a, b) => a.createdAt - b.createdAt || a.clientKey.localeCompare(b.clientKey));
    return this.cache;
  }

  /** The last list read (synchronous, for rendering). */
  snapshot(): OutboxItem[] {
    return this.cache;
  }

  /** Reports of the current account still to be sent (the 待发送 count). */
  async pendingCount(): Promise<number> {
    const owner = this.d.owner();
    return (await this.items()).filter((i) => i.state === 'pending' && i.owner === owner).length;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /**
   * Store a new report (its clientKey is made here, once) and start sending it. Resolves once
   * the report is safely stored, not when it is sent.
   */
  async add(body: ReportBody, photo: Blob | null = null): Promise<OutboxItem> {
    const owner = this.d.owner();
    if (!owner) throw new Error('not logged in');
    const now = this.d.now();
    const item: OutboxItem = {
      clientKey: this.d.newKey(), owner, createdAt: now, body: { ...body }, photo, photoId: null, photoSkipped: null,
      state: 'pending', attempts: 0, nextAttemptAt: now, lastError: null,
    };
    await this.d.storage.put(item);
    await this.items();
    this.emit({ type: 'change' });
    void this.flush();
    return item;
  }

  /** Send a refused report again (after the user fixed the cause, e.g. logged in). */
  async retry(clientKey: string): Promise<void> {
    const item = (await this.items()).find((i) => i.clientKey === clientKey);
    if (!item) return;
    await this.d.storage.put({ ...item, state: 'pending', attempts: 0, nextAttemptAt: this.d.now(), lastError: null });
    await this.items();
    this.emit({ type: 'change' });
    void this.flush({ force: true });
  }

  /** Drop a stored report (the user gave up on it). */
  async discard(clientKey: string): Promise<void> {
    await this.d.storage.remove(clientKey);
    await this.items();
    this.emit({ type: 'change' });
  }

  /** After logging in again: sending may go on. */
  resume(): void {
    this.paused = false;
    void this.flush({ force: true });
  }

  /**
   * Send what is due, oldest first (force: ignore backoff, e.g. the 'online' event). One flush at a
   * time: a call during a flush makes it go round once more, and returns the same promise.
   */
  flush(opts: { force?: boolean } = {}): Promise<FlushResult> {
    if (opts.force) this.forceNext = true;
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let result: FlushResult;
      try {
        do {
          this.again = false;
          const force = this.forceNext;
          this.forceNext = false;
          result = await this.d.exclusive(() => this.pass(force));
        } while (this.again && !result.paused);
      } finally {
        this.running = null;
      }
      await this.schedule();
      return result;
    })();
    return this.running;
  }

  /** One pass over the due items; stops at the first network failure (the rest would fail too). */
  private async pass(force: boolean): Promise<FlushResult> {
    const out: FlushResult = { sent: 0, replayed: 0, failed: 0, pending: 0, paused: this.paused };
    const owner = this.d.owner();
    const tried = new Set<string>();
    if (!this.paused && owner && this.d.isOnline() && (force || this.d.now() >= this.holdUntil)) {
      for (;;) {
        const now = this.d.now();
        const next = (await this.items()).find((i) => i.owner === owner && i.state === 'pending' && !tried.has(i.clientKey)
          && (force || i.nextAttemptAt <= now));
        if (!next) break;
        tried.add(next.clientKey);
        const verdict = await this.send(next);
        if (verdict === 'ok') continue;
        if (verdict === 'auth') {
          out.paused = true;
          break;
        }
        if (verdict === 'retry') break;
      }
    }
    const mine = (await this.items()).filter((i) => i.owner === owner);
    out.pending = mine.filter((i) => i.state === 'pending').length;
    out.failed = mine.filter((i) => i.state === 'failed').length;
    return out;
  }

  private async request(path: string, init: RequestInit, retriedCsrf = false): Promise<Answer> {
    const headers: Record<string, string> = { Accept: 'application/json', ...(init.headers as Record<string, string> | undefined) };
    const csrf = this.d.csrf();
    if (csrf) headers['X-CSRF-Token'] = csrf;
    let res: Response;
    try {
      res = await this.d.fetch(this.d.base + path, { ...init, headers, credentials: 'same-origin' });
    } catch (e) {
      return { status: 0, body: { message: (e as Error)?.message ?? String(e) }, headers: null };
    }
    let body: unknown = null;
    try {
      const text = await res.text();
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null; // an HTML error page from a proxy: the status decides
    }
    const answer: Answer = { status: res.status, body, headers: res.headers };
    if (classify(res.status, errorOf(answer).code) === 'csrf' && !retriedCsrf && this.d.refreshCsrf) {
      try {
        await this.d.refreshCsrf();
      } catch {
        return answer;
      }
      return this.request(path, init, true);
    }
    return answer;
  }

  private async update(item: OutboxItem, patch: Partial<OutboxItem>): Promise<OutboxItem> {
    const next = { ...item, ...patch };
    await this.d.storage.put(next);
    return next;
  }

  /** Try one report: its photo first (once), then the report. */
  private async send(item0: OutboxItem): Promise<Verdict> {
    let item = item0;
    const later = async (err: OutboxError, retryAfterS?: number): Promise<Verdict> => {
      const attempts = item.attempts + 1;
      const wait = Math.max(backoffMs(attempts, this.d.random), (retryAfterS ?? 0) * 1000);
      // The server or the network is the problem, not this report: hold every report as long.
      this.holdUntil = this.d.now() + wait;
      await this.update(item, { attempts, nextAttemptAt: this.d.now() + wait, lastError: err });
      await this.items();
      this.emit({ type: 'change' });
      return 'retry';
    };
    const pause = async (err: OutboxError): Promise<Verdict> => {
      this.paused = true;
      await this.update(item, { lastError: err });
      await this.items();
      this.emit({ type: 'paused', error: err });
      this.emit({ type: 'change' });
      return 'auth';
    };
    const retryAfter = (a: Answer) => Number(a.headers?.get('retry-after') ?? '') || undefined;

    if (item.photo && item.photoId == null && !item.photoSkipped) {
      const form = new FormData();
      form.append('photo', item.photo, 'photo.jpg');
      const a = await this.request('/api/photos', { method: 'POST', body: form });
      const err = errorOf(a);
      const v = classify(a.status, err.code);
      if (v === 'ok') {
        const id = Number((a.body as { id?: unknown } | null)?.id);
        item = await this.update(item, Number.isInteger(id) && id > 0 ? { photoId: id } : { photoSkipped: '照片服务返回无效结果' });
      } else if (v === 'retry') {
        return later(err, retryAfter(a));
      } else if (v === 'auth' || v === 'csrf') {
        return pause(err);
      } else {
        // No photo service (404) or the photo refused (too large, not an image): the report matters more.
        item = await this.update(item, { photoSkipped: a.status === 404 ? '照片服务不可用' : `照片未上传：${err.message}` });
      }
    }

    const payload = { ...item.body, clientKey: item.clientKey, ...(item.photoId != null ? { photos: [item.photoId] } : {}) };
    const a = await this.request('/api/incidents', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(payload),
    });
    const err = errorOf(a);
    const v = classify(a.status, err.code);
    if (v === 'ok') {
      this.holdUntil = 0;
      const incident = a.body as SentCase;
      await this.d.storage.remove(item.clientKey);
      await this.items();
      this.emit({ type: 'sent', item, incident, replayed: a.status === 200 || a.headers?.get('idempotent-replayed') === 'true' });
      this.emit({ type: 'change' });
      return 'ok';
    }
    if (v === 'retry') return later(err, retryAfter(a));
    if (v === 'auth' || v === 'csrf') return pause(err);
    const failed = await this.update(item, { state: 'failed', attempts: item.attempts + 1, lastError: err });
    await this.items();
    this.emit({ type: 'failed', item: failed });
    this.emit({ type: 'change' });
    return 'fail';
  }

  /** Wake up when the earliest pending report is due. */
  private async schedule(): Promise<void> {
    if (this.timer !== null) {
      this.d.clearTimer(this.timer);
      this.timer = null;
    }
    // Offline: the page flushes again on the 'online' event; no polling meanwhile.
    if (this.paused || !this.d.isOnline()) return;
    const owner = this.d.owner();
    const due = this.cache.filter((i) => i.owner === owner && i.state === 'pending').map((i) => i.nextAttemptAt);
    if (!due.length) return;
    const wait = Math.max(250, Math.min(...due) - this.d.now(), this.holdUntil - this.d.now());
    this.timer = this.d.setTimer(() => {
      this.timer = null;
      void this.flush();
    }, wait);
  }

  /** Stop the retry timer (page unload, tests). */
  stop(): void {
    if (this.timer !== null) this.d.clearTimer(this.timer);
    this.timer = null;
  }
}

/** Storage in memory (tests, and the last resort when the device has no storage). */
export class MemoryStorage implements OutboxStorage {
  readonly map = new Map<string, OutboxItem>();
  async list(): Promise<OutboxItem[]> {
    return [...this.map.values()].map((i) => ({ ...i }));
  }
  async put(item: OutboxItem): Promise<void> {
    this.map.set(item.clientKey, { ...item });
  }
  async remove(clientKey: string): Promise<void> {
    this.map.delete(clientKey);
  }
}
