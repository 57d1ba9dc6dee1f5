// The desk (服务台) screen's view of what it handed out: a verification code's state, and a
// one-time voting link's. Pure: the server reads the rows, the screen shows the words.

export const CODE_STATES = ['live', 'used', 'expired', 'replaced', 'locked'] as const;
export type CodeState = (typeof CODE_STATES)[number];
export const CODE_STATE_TEXT: Record<CodeState, string> = {
  live: '有效', used: '已使用', expired: '已过期', replaced: '已被新码取代', locked: '错误次数过多',
};

/**
 * A stored code's state at `now`: used (verified), replaced (a newer code of the phone and purpose
 * voided it: its code is gone but it was never used), expired, locked (too many wrong guesses), or live.
 */
export function codeState(c: { hasCode: boolean; usedAt: Date | null; expiresAt: Date; attempts: number }, now: Date, maxAttempts: number): CodeState {
  if (c.usedAt) return 'used';
  if (!c.hasCode) return 'replaced';
  if (c.expiresAt.getTime() <= now.getTime()) return 'expired';
  if (c.attempts >= maxAttempts) return 'locked';
  return 'live';
}

export type VoteLinkState = 'unused' | 'used' | 'past_year';
export const VOTE_LINK_STATE_TEXT: Record<VoteLinkState, string> = { unused: '未使用', used: '已投票', past_year: '已过投票年度' };

/** A voting link is good for its community and year, once. */
export function voteLinkState(l: { usedAt: Date | null; year: number }, currentYear: number): VoteLinkState {
  if (l.usedAt) return 'used';
  return l.year < currentYear ? 'past_year' : 'unused';
}
