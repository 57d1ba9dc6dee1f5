// Reporter points (随手拍 积分) on the ledger: when a case a resident reported becomes verified valid
// (核查 and after), its merged group earns once (core/points.ts decides who and how much); staff may
// mark a report invalid (its points, if any, are reversed, and it never earns); an admin sets the
// rules and may adjust a balance with a note. Every change is one ledger row with its reason.
import {
  AWARD_REFUSAL_TEXT, checkAdjustment, DEFAULT_RULES, decideAward, isVerifiedValid, rankBoard,
  type LedgerReason, type PointsRules,
} from '../../core/points.js';
import type { LedgerEntry, Leaderboard } from '../../core/public-contract.js';
import type { Db, Queryable } from '../db/db.js';
import type { EventBus } from '../events/bus.js';
import { fail, ok, type Result } from '../http/errors.js';
import { SQL } from './identity.js';

interface RuleRow { per_valid_report: number; photo_bonus: number; daily_cap: number; updated_at: Date; updated_by: string }
const rulesOf = (r: RuleRow | undefined): PointsRules & { updatedAt: string | null; updatedBy: string | null } => (r
  ? { perValidReport: r.per_valid_report, photoBonus: r.photo_bonus, dailyCap: r.daily_cap, updatedAt: new Date(r.updated_at).toISOString(), updatedBy: r.updated_by }
  : { ...DEFAULT_RULES, updatedAt: null, updatedBy: null });

export const getRules = async (db: Queryable) => rulesOf((await db.query<RuleRow>(SQL.rules)).rows[0]);

export async function setRules(db: Queryable, rules: PointsRules, by: string) {
  return rulesOf((await db.query<RuleRow>(SQL.setRules, [rules.perValidReport, rules.photoBonus, rules.dailyCap, by])).rows[0]);
}

interface LedgerRow {
  id: number | string; resident_id: number; phone_masked?: string; community_code: string | null; delta: number; reason: LedgerReason;
  note: string; incident_id: number | null; actor: string; at: Date;
}
const presentLedger = (r: LedgerRow): LedgerEntry => ({
  id: Number(r.id), residentId: r.resident_id, phone: r.phone_masked ?? '', communityCode: r.community_code, delta: r.delta,
  reason: r.reason, note: r.note, incidentId: r.incident_id, actor: r.actor, at: new Date(r.at).toISOString(),
});

/**
 * Award the points of the merged group case `incidentId` belongs to, if it earns now. Returns the
 * ledger row written, or why none was (a refusal, not an error: the automatic path ignores it).
 */
export async function settle(db: Db, incidentId: number, actor: string): Promise<Result<LedgerEntry>> {
  return db.transaction(async (tx) => {
    const root = (await tx.query<{ id: number; status: string; community_code: string | null }>(SQL.rootCase, [incidentId])).rows[0];
    if (!root) return fail('not_found', `incident ${incidentId} not found`);
    const reports = (await tx.query<{ resident_id: number; incident_id: number; reported_at: Date; rejected: boolean; has_photo: boolean }>(
      SQL.groupReports, [root.id])).rows;
    const done = (await tx.query<{ awarded: boolean; reversed: boolean }>(SQL.awarded, [root.id])).rows[0]!;
    const today = new Map<number, number>();
    for (const r of reports) {
      if (!today.has(r.resident_id)) today.set(r.resident_id, (await tx.query<{ n: number }>(SQL.earnedToday, [r.resident_id])).rows[0]!.n);
    }
    const verdict = decideAward({
      status: root.status, awarded: done.awarded || done.reversed, earnedToday: (id) => today.get(id) ?? 0,
      reports: reports.map((r) => ({ residentId: r.resident_id, incidentId: r.incident_id, reportedAt: new Date(r.reported_at), hasPhoto: r.has_photo, rejected: r.rejected })),
    }, await getRules(tx));
    if (verdict.kind === 'none') {
      return fail(verdict.reason === 'already_awarded' ? 'already_awarded' : 'not_awardable', AWARD_REFUSAL_TEXT[verdict.reason], { reason: verdict.reason });
    }
    const note = `案件 #${root.id} 核查有效${verdict.incidentId !== root.id ? `（首报 #${verdict.incidentId}，重复件合并只计一次）` : ''}`;
    const row = (await tx.query<LedgerRow>(SQL.insertLedger, [verdict.residentId, root.community_code, verdict.points, 'valid_report', note, root.id, actor])).rows[0];
    // A concurrent settle wrote it first (the unique index holds "once").
    if (!row) return fail('already_awarded', AWARD_REFUSAL_TEXT.already_awarded, { reason: 'already_awarded' });
    return ok(presentLedger(row));
  });
}

/**
 * Staff find a resident's report invalid (无效举报): it never earns, and points its group earned
 * for it are reversed by a ledger row. A report already marked: 409 conflict.
 */
export async function rejectReport(db: Db, incidentId: number, note: string, actor: string): Promise<Result<{ reversed: LedgerEntry | null }>> {
  return db.transaction(async (tx) => {
    const rep = (await tx.query<{ id: number }>(SQL.rejectReport, [incidentId, note])).rows[0];
    if (!rep) {
      const exists = (await tx.query(SQL.reportOfIncident, [incidentId])).rows.length > 0;
      return exists ? fail('conflict', `the report on case ${incidentId} is marked invalid already`) : fail('not_found', `no resident report on case ${incidentId}`);
    }
    const root = (await tx.query<{ id: number }>(SQL.rootCase, [incidentId])).rows[0]!;
    const award = (await tx.query<{ resident_id: number; community_code: string | null; delta: number }>(SQL.awardOf, [root.id])).rows[0];
    const reporter = (await tx.query<{ resident_id: number }>(SQL.reportOfIncident, [incidentId])).rows[0]!.resident_id;
    // The group's award went to this report's resident: it is reversed (and the group earns no more).
    let reversed: LedgerEntry | null = null;
    if (award && award.resident_id === reporter) {
      const row = (await tx.query<LedgerRow>(SQL.insertLedger, [award.resident_id, award.community_code, -award.delta, 'reversal',
        `案件 #${incidentId} 判定为无效举报：${note}`, root.id, actor])).rows[0];
      reversed = row ? presentLedger(row) : null;
    }
    return ok({ reversed });
  });
}

/** A manual change with a note (never below zero). */
export async function adjust(db: Db, residentId: number, communityCode: string, delta: number, note: string, actor: string): Promise<Result<LedgerEntry>> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`points:${residentId}`]);
    const known = (await tx.query<{ phone_masked: string }>(SQL.residentById, [residentId])).rows[0];
    if (!known) return fail('not_found', `resident ${residentId} not found`);
    const balance = (await tx.query<{ n: number }>(SQL.balance, [residentId])).rows[0]!.n;
    const c = checkAdjustment(balance, delta);
    if (!c.ok) return fail('invalid_request', c.message);
    const row = (await tx.query<LedgerRow>(SQL.insertLedger, [residentId, communityCode, delta, 'adjustment', note, null, actor])).rows[0]!;
    return ok(presentLedger({ ...row, phone_masked: known.phone_masked }));
  });
}

export async function ledger(db: Queryable, communities: string[] | null, limit: number): Promise<LedgerEntry[]> {
  return (await db.query<LedgerRow>(SQL.ledger, [communities, limit])).rows.map(presentLedger);
}

export async function leaderboard(db: Queryable, code: string, name: string): Promise<Leaderboard> {
  const rows = (await db.query<{ resident_id: number; phone_masked: string; points: number }>(SQL.board, [code])).rows;
  return { communityCode: code, communityName: name, rows: rankBoard(rows.map((r) => ({ residentId: r.resident_id, phoneMasked: r.phone_masked, points: r.points }))) };
}

/**
 * Award automatically: every case update reaching a verified-valid state settles its group (a
 * refusal — not a resident's report, awarded already — is normal and ignored). Once per bus.
 */
export function awardOnVerify(db: Db, bus: EventBus, log: (msg: string, err?: unknown) => void): void {
  if (awarders.has(bus)) return;
  let pending: Promise<unknown> = Promise.resolve();
  bus.subscribe('incident.updated', ({ incident }) => {
    if (!isVerifiedValid(incident.status)) return;
    pending = pending.then(() => settle(db, incident.id, '系统（核查有效自动计分）')).catch((e: unknown) => log('points: award failed', e));
  });
  awarders.set(bus, { idle: () => pending });
}
const awarders = new WeakMap<EventBus, { idle: () => Promise<unknown> }>();

/** Resolves when the automatic awards started so far on this bus are written. */
export const pointsIdle = (bus: EventBus): Promise<unknown> => awarders.get(bus)?.idle() ?? Promise.resolve();
