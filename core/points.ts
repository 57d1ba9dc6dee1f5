// Reporter points (随手拍 积分): a resident's report earns points when its case is verified valid.
// A group of duplicates merged into one case earns once (the earliest resident report in it); a
// report staff marked invalid earns nothing, and an award attempted on it is refused. Points are a
// ledger: every change is a row with a reason. Pure: the server gathers the facts and stores the
// verdict.
import { z } from 'zod';

/** Case states that mean "verified valid": 核查 passed, and everything after it. */
export const VALID_STATES = ['verified', 'closed', 'rated'] as const;
export const isVerifiedValid = (status: string): boolean => (VALID_STATES as readonly string[]).includes(status);

export const LEDGER_REASONS = ['valid_report', 'adjustment', 'reversal'] as const;
export type LedgerReason = (typeof LEDGER_REASONS)[number];
export const LEDGER_REASON_TEXT: Record<LedgerReason, string> = {
  valid_report: '有效随手拍',
  adjustment: '人工调整',
  reversal: '撤销积分',
};

/** What an admin sets (PUT /api/public/points/rules). */
export const pointsRulesSchema = z.object({
  /** Points for one verified valid report. */
  perValidReport: z.number().int().min(0).max(1000),
  /** Extra points when the report came with a photo. */
  photoBonus: z.number().int().min(0).max(1000),
  /** Most points one resident earns from reports in one day (0 = no cap). */
  dailyCap: z.number().int().min(0).max(100_000),
}).strict();
export type PointsRules = z.infer<typeof pointsRulesSchema>;
export const DEFAULT_RULES: PointsRules = { perValidReport: 10, photoBonus: 2, dailyCap: 50 };

/** One resident report in the group of a surviving case (the case itself and those merged into it). */
export interface GroupReport {
  residentId: number;
  incidentId: number;
  reportedAt: Date;
  hasPhoto: boolean;
  /** Staff marked the report invalid (无效举报). */
  rejected: boolean;
}

export interface AwardFacts {
  /** The surviving case's state. */
  status: string;
  reports: GroupReport[];
  /** The group has earned already (a ledger row with reason valid_report for the case). */
  awarded: boolean;
  /** Points the earning resident got from reports today (for the daily cap). */
  earnedToday: (residentId: number) => number;
}

export type AwardRefusal = 'not_verified' | 'rejected' | 'already_awarded' | 'no_resident_report' | 'daily_cap';
export type AwardVerdict =
  | { kind: 'award'; residentId: number; incidentId: number; points: number }
  | { kind: 'none'; reason: AwardRefusal };

export const AWARD_REFUSAL_TEXT: Record<AwardRefusal, string> = {
  not_verified: 'the case is not verified valid (核查通过后才计分)',
  rejected: 'the report was marked invalid: it earns no points',
  already_awarded: 'this case (with its merged duplicates) has earned its points already',
  no_resident_report: 'no resident report (随手拍) is on this case',
  daily_cap: 'the resident reached today\'s points cap',
};

/** Who earns for a surviving case, and how much; or why nobody does. */
export function decideAward(f: AwardFacts, rules: PointsRules): AwardVerdict {
  if (f.reports.length === 0) return { kind: 'none', reason: 'no_resident_report' };
  if (f.awarded) return { kind: 'none', reason: 'already_awarded' };
  const valid = f.reports.filter((r) => !r.rejected);
  if (valid.length === 0) return { kind: 'none', reason: 'rejected' };
  if (!isVerifiedValid(f.status)) return { kind: 'none', reason: 'not_verified' };
  const first = [...valid].sort((a, b) => a.reportedAt.getTime() - b.reportedAt.getTime() || a.incidentId - b.incidentId)[0]!;
  let points = rules.perValidReport + (first.hasPhoto ? rules.photoBonus : 0);
  if (rules.dailyCap > 0) points = Math.min(points, Math.max(0, rules.dailyCap - f.earnedToday(first.residentId)));
  if (points <= 0) return { kind: 'none', reason: 'daily_cap' };
  return { kind: 'award', residentId: first.residentId, incidentId: first.incidentId, points };
}

/** A manual change (adjustment) or the reversal of an award: never to a negative balance. */
export function checkAdjustment(balance: number, delta: number): { ok: true } | { ok: false; message: string } {
  if (!Number.isInteger(delta) || delta === 0) return { ok: false, message: 'delta must be a non-zero integer' };
  if (balance + delta < 0) return { ok: false, message: `the balance would go below zero (${balance} ${delta})` };
  return { ok: true };
}

export interface BoardRow { residentId: number; phoneMasked: string; points: number }
export interface RankedRow { rank: number; name: string; points: number }

/** Leaderboard: highest first, equal points share a rank (1, 2, 2, 4); names are masked phones only. */
export function rankBoard(rows: BoardRow[], limit = 20): RankedRow[] {
  const sorted = rows.filter((r) => r.points > 0).sort((a, b) => b.points - a.points || a.residentId - b.residentId);
  const out: RankedRow[] = [];
  for (const [i, r] of sorted.entries()) {
    const rank = i > 0 && sorted[i - 1]!.points === r.points ? out[i - 1]!.rank : i + 1;
    out.push({ rank, name: `居民${r.phoneMasked}`, points: r.points });
  }
  return out.slice(0, limit);
}
