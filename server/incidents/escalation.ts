// The escalation clock: open cases past their deadline are marked overdue and, where the
// workflow lets the system escalate (grid → community → subdistrict), moved up one level with the
// new level's deadline. Where it does not (subdistrict, departments) the trail records 超期 once.
// Each change is also an audit_log row (actor 系统), written in the same transaction as the case.
// Time is injected (`now`), so tests never wait.
import { applyTransition, statesOfType, SYSTEM_ACTOR, type TrailEvent } from '../../core/workflow.js';
import { auditSystem } from '../auth/principal.js';
import type { Db } from '../db/db.js';
import type { EventBus } from '../events/bus.js';
import { dbNow, loadRules, selectIncidents, WF_SQL } from './commands.js';
import { caseParams, eventParams, toCaseState, type CaseRow } from './presenter.js';

const OPEN_STATES = statesOfType(['open']);
export const ESCALATION_NOTE = '超期未办结，系统自动上报上级';

export interface EscalationRun {
  /** Cases moved up a level. */
  escalated: number[];
  /** Cases only marked overdue (no level above for the system to send them to). */
  overdue: number[];
}

/** One tick of the clock at `now` (default: the database's clock). */
export async function escalateOverdue(db: Db, bus: EventBus, now?: Date, batch = 500): Promise<EscalationRun> {
  const at = now ?? await dbNow(db);
  const ids = (await db.query<{ id: number }>(WF_SQL.pastDeadline, [at, OPEN_STATES, batch])).rows.map((r) => r.id);
  const run: EscalationRun = { escalated: [], overdue: [] };
  for (const id of ids) {
    const outcome = await db.transaction(async (tx) => {
      const row = (await tx.query<CaseRow>(WF_SQL.lockCases, [[id]])).rows[0];
      // Someone may have acted since the scan.
      if (!row || row.deadline_missed || !row.deadline_at || new Date(row.deadline_at) >= at || !OPEN_STATES.includes(row.status)) return null;
      const c = toCaseState(row);
      const missed = { overdue: true, missedDeadline: c.deadlineAt!.toISOString() };
      const up = applyTransition(c, 'escalate', SYSTEM_ACTOR, { note: ESCALATION_NOTE }, at, await loadRules(tx));
      let next = { ...c, overdue: true, deadlineMissed: true };
      let event: TrailEvent = {
        action: 'overdue', fromState: c.state, toState: c.state, fromLevel: c.level, toLevel: c.level, actor: SYSTEM_ACTOR,
        at, note: null, photos: [], deadlineAt: c.deadlineAt, departmentCode: c.departmentCode, onTime: null, detail: missed,
      };
      if (up.ok) {
        next = { ...up.value.next, overdue: true };
        event = { ...up.value.event, onTime: false, detail: { ...up.value.event.detail, ...missed } };
      }
      await tx.query(WF_SQL.updateCase, caseParams(id, next, next.departmentCode === c.departmentCode ? row.department_id : null));
      await tx.query(WF_SQL.insertEvent, eventParams(id, event, row.department_id));
      await auditSystem(tx, SYSTEM_ACTOR.label, {
        action: event.action, resource: 'incident', resourceId: id,
        detail: { fromLevel: c.level, toLevel: next.level, missedDeadline: missed.missedDeadline, at: at.toISOString() },
      });
      return up.ok ? 'escalated' : 'overdue';
    });
    if (outcome) run[outcome].push(id);
  }
  const changed = [...run.escalated, ...run.overdue];
  if (changed.length) for (const incident of await selectIncidents(db, changed)) bus.publish('incident.updated', { incident });
  return run;
}

/**
 * Run the clock every `intervalMs` (first tick at once). Ticks never overlap; a failing tick is
 * logged and the next one tries again. Returns a function that stops the clock and resolves once
 * a tick in flight has finished (so the database can be closed after it).
 */
export function startEscalationClock(db: Db, bus: EventBus, intervalMs: number,
  opts: {
    now?: () => Date | undefined; log?: (msg: string, err?: unknown) => void;
    /** Several server processes: run a tick only where this grants it (server/scale/locks.ts), null = skipped. */
    exclusive?: (tick: () => Promise<EscalationRun>) => Promise<EscalationRun | null>;
  } = {}): () => Promise<void> {
  let inFlight: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (inFlight || stopped) return;
    inFlight = (async () => {
      try {
        const run = () => escalateOverdue(db, bus, opts.now?.());
        const r = opts.exclusive ? await opts.exclusive(run) : await run();
        if (r && (r.escalated.length || r.overdue.length)) opts.log?.(`escalation clock: ${r.escalated.length} escalated, ${r.overdue.length} overdue`);
      } catch (e) {
        opts.log?.('escalation clock failed', e);
      } finally {
        inFlight = null;
      }
    })();
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await inFlight;
  };
}
