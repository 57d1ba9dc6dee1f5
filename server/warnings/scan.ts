// The warning scan: reads the cases and deadlines the thresholds need, runs the pure detectors
// (core/trend/) and stores what they find. One scan at a time across processes (a transaction
// advisory lock; a busy scan is skipped), and a unique key per subject and window, so repeated or
// concurrent scans never raise a warning twice. Publishes the warnings added or changed after
// commit. Time is injected (`now`), so tests never wait.
import { repeatedPlaces, type PlacedCase } from '../../core/trend/cluster.js';
import type { ScanResult } from '../../core/trend/contract.js';
import { onTimeDrops } from '../../core/trend/on-time.js';
import { risingCategories } from '../../core/trend/rising.js';
import { DEFAULT_THRESHOLDS, THRESHOLD_SCHEMAS, WARNING_KINDS, type Thresholds, type WarningKind } from '../../core/trend/thresholds.js';
import { DAY_MS } from '../../core/trend/time.js';
import type { Db, Queryable } from '../db/db.js';
import type { EventBus } from '../events/bus.js';
import { SQL, selectWarnings } from './queries.js';

/** Advisory lock key of the scan (0x6763 = "gc", the server's namespace; see server/scale/locks.ts). */
export const SCAN_LOCK = 0x6763_0d13;

export async function loadThresholds(db: Queryable): Promise<Thresholds> {
  const rows = (await db.query<{ kind: WarningKind; params: unknown }>(SQL.thresholds)).rows;
  const out = { ...DEFAULT_THRESHOLDS } as Record<WarningKind, unknown>;
  for (const r of rows) {
    if (!WARNING_KINDS.includes(r.kind)) continue;
    const parsed = THRESHOLD_SCHEMAS[r.kind].safeParse(r.params);
    if (parsed.success) out[r.kind] = parsed.data; // a stored set that no longer validates: the defaults
  }
  return out as unknown as Thresholds;
}

interface Found { kind: WarningKind; key: string; category: string | null; gridId: number | null; community: string | null; evidence: object; caseIds: number[]; synthetic: boolean }

export async function detect(db: Queryable, now: Date, t: Thresholds): Promise<Found[]> {
  const at = now.getTime();
  const out: Found[] = [];
  if (t.rising.enabled) {
    const from = new Date(at - (t.rising.baselineWeeks + 1) * 7 * DAY_MS);
    const rows = (await db.query<{ id: number; category: string; area: string; at: number; synthetic: boolean }>(SQL.areaCases, [from, now])).rows;
    for (const f of risingCategories(rows, at, t.rising)) {
      const mine = rows.filter((r) => r.area === f.area && r.category === f.category && r.at >= at - 7 * DAY_MS);
      out.push({ kind: 'rising', key: f.key, category: f.category, gridId: null, community: f.area, evidence: f.evidence, caseIds: [],
        synthetic: mine.some((r) => r.synthetic) });
    }
  }
  if (t.cluster.enabled) {
    const rows = (await db.query<PlacedCase & { grid_id: number | null; synthetic: boolean }>(SQL.placedCases, [new Date(at - t.cluster.days * DAY_MS), now])).rows;
    const cases = rows.map((r) => ({ ...r, gridId: r.grid_id }));
    const open = (await db.query<{ key: string; case_ids: number[] }>(SQL.openClusters)).rows.map((r) => ({ key: r.key, caseIds: r.case_ids }));
    const synthetic = new Set(rows.filter((r) => r.synthetic).map((r) => r.id));
    for (const f of repeatedPlaces(cases, at, t.cluster, open)) {
      out.push({ kind: 'cluster', key: f.key, category: f.category, gridId: f.gridId, community: f.area, evidence: f.evidence,
        caseIds: f.evidence.caseIds, synthetic: f.evidence.caseIds.some((id) => synthetic.has(id)) });
    }
  }
  if (t.on_time_drop.enabled) {
    const from = new Date(at - (t.on_time_drop.windowDays + t.on_time_drop.baselineDays) * DAY_MS);
    const rows = (await db.query<{ grid_id: number; at: number; on_time: boolean; synthetic: boolean }>(SQL.deadlineEnds, [from, now])).rows;
    const ends = rows.map((r) => ({ gridId: r.grid_id, at: r.at, onTime: r.on_time }));
    for (const f of onTimeDrops(ends, at, t.on_time_drop)) {
      out.push({ kind: 'on_time_drop', key: f.key, category: null, gridId: f.gridId, community: null, evidence: f.evidence, caseIds: [],
        synthetic: rows.some((r) => r.grid_id === f.gridId && r.synthetic) });
    }
  }
  return out;
}

/** One scan at `now` (default: the database's clock). */
export async function runScan(db: Db, bus: EventBus, now?: Date): Promise<ScanResult> {
  const at = now ?? (await db.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now;
  const result = await db.transaction(async (tx) => {
    if (!(await tx.query<{ got: boolean }>(SQL.tryLock, [SCAN_LOCK])).rows[0]!.got) return null;
    const found = await detect(tx, at, await loadThresholds(tx));
    const added: number[] = [];
    const updated: number[] = [];
    for (const f of found) {
      const r = (await tx.query<{ id: number; inserted: boolean }>(SQL.upsert, [
        f.kind, f.key, f.category, f.gridId, f.community, JSON.stringify(f.evidence), f.caseIds, f.synthetic])).rows[0];
      if (r) (r.inserted ? added : updated).push(r.id);
    }
    return { added, updated };
  });
  if (!result) return { at: at.toISOString(), added: 0, updated: 0, skipped: 'busy' };
  const changed = [...result.added, ...result.updated];
  if (changed.length) {
    const views = await selectWarnings(db, changed);
    bus.publish('warnings.changed', {
      add: views.filter((w) => result.added.includes(w.id)), update: views.filter((w) => result.updated.includes(w.id)), remove: [],
    });
  }
  return { at: at.toISOString(), added: result.added.length, updated: result.updated.length };
}

/** The periodic scan (first run shortly after start); returns stop(). */
export function startWarningScan(db: Db, bus: EventBus, intervalMs: number, opts: { log: (m: string, e?: unknown) => void }): () => Promise<void> {
  if (intervalMs <= 0) return async () => undefined;
  let running: Promise<unknown> | null = null;
  const tick = () => {
    if (running) return;
    running = runScan(db, bus).catch((e) => opts.log('warning scan failed', e)).finally(() => { running = null; });
  };
  const first = setTimeout(tick, Math.min(intervalMs, 30_000));
  const timer = setInterval(tick, intervalMs);
  first.unref?.();
  timer.unref?.();
  return async () => {
    clearTimeout(first);
    clearInterval(timer);
    await running;
  };
}
