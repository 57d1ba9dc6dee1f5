// Phone verification codes for residents without an account (随手拍, 一年一事): the phone number
// as residents type it, the code, how often one may be asked for and how often guessed. Pure: the
// caller passes the clock and the random digits; the server stores and delivers.

/** A code is good for ten minutes … */
export const CODE_TTL_S = 600;
/** … and five wrong guesses (then a new one must be asked for). */
export const MAX_ATTEMPTS = 5;
/** One code per phone per minute, at most six an hour. */
export const MIN_INTERVAL_S = 60;
export const MAX_PER_HOUR = 6;
/** A verified phone's ticket (the report or vote it allows) lasts half an hour. */
export const TICKET_TTL_S = 1800;
export const CODE_DIGITS = 6;

export const CODE_PURPOSES = ['report', 'vote'] as const;
export type CodePurpose = (typeof CODE_PURPOSES)[number];

/**
 * A mainland mobile number in its 11-digit form (spaces, dashes and a +86/0086/86 prefix
 * removed), or null when it is not one: 1 followed by 3–9 and nine more digits.
 */
export function normalizePhone(input: string): string | null {
  if (typeof input !== 'string' || input.length > 32) return null;
  let d = input.trim().replace(/[\s-]/g, '');
  if (d.startsWith('+86')) d = d.slice(3);
  else if (d.startsWith('0086')) d = d.slice(4);
  else if (d.length === 13 && d.startsWith('86')) d = d.slice(2);
  return /^1[3-9][0-9]{9}$/.test(d) ? d : null;
}

/** Six digits from six random values in [0, 10) (crypto.randomInt on the server). */
export function makeCode(digit: () => number): string {
  let s = '';
  for (let i = 0; i < CODE_DIGITS; i++) {
    const v = digit();
    if (!Number.isInteger(v) || v < 0 || v > 9) throw new Error(`digit out of range: ${v}`);
    s += String(v);
  }
  return s;
}

export type RequestVerdict = { ok: true } | { ok: false; retryAfterS: number };

/**
 * May this phone be sent another code now? `recent`: when its earlier codes were issued (any
 * order). Refused within MIN_INTERVAL_S of the last one, or past MAX_PER_HOUR in the last hour;
 * retryAfterS says when it may ask again.
 */
export function mayRequestCode(recent: Date[], now: Date): RequestVerdict {
  const t = now.getTime();
  const times = recent.map((d) => d.getTime()).filter((x) => x <= t && t - x < 3600_000).sort((a, b) => a - b);
  const last = times[times.length - 1];
  if (last !== undefined && t - last < MIN_INTERVAL_S * 1000) {
    return { ok: false, retryAfterS: Math.ceil((MIN_INTERVAL_S * 1000 - (t - last)) / 1000) };
  }
  if (times.length >= MAX_PER_HOUR) {
    return { ok: false, retryAfterS: Math.ceil((times[times.length - MAX_PER_HOUR]! + 3600_000 - t) / 1000) };
  }
  return { ok: true };
}

export interface StoredCode {
  code: string | null;
  expiresAt: Date;
  attempts: number;
  usedAt: Date | null;
}

export type CodeCheck = 'ok' | 'wrong' | 'expired' | 'used' | 'too_many_attempts';

/** Compare strings without an early exit (no timing hint about how many digits were right). */
function sameText(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}

/** Check a guess against the phone's latest code. Only 'wrong' counts as an attempt. */
export function checkCode(stored: StoredCode | null, given: string, now: Date): CodeCheck {
  if (!stored || stored.code === null) return stored?.usedAt ? 'used' : 'expired';
  if (stored.usedAt) return 'used';
  if (now.getTime() >= stored.expiresAt.getTime()) return 'expired';
  if (stored.attempts >= MAX_ATTEMPTS) return 'too_many_attempts';
  return sameText(stored.code, given.trim()) ? 'ok' : 'wrong';
}

/** zh-CN words for a refused code, shown by the pages. */
export const CODE_CHECK_TEXT: Record<Exclude<CodeCheck, 'ok'>, string> = {
  wrong: '验证码不正确',
  expired: '验证码已过期，请重新获取',
  used: '验证码已使用，请重新获取',
  too_many_attempts: '错误次数过多，请重新获取验证码',
};
