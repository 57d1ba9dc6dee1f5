import { describe, expect, it } from 'vitest';
import { checkCode, CODE_TTL_S, makeCode, MAX_ATTEMPTS, MAX_PER_HOUR, mayRequestCode, normalizePhone } from './verify-code.js';

const T = new Date('2026-12-05T08:00:00Z');
const ago = (s: number) => new Date(T.getTime() - s * 1000);

describe('normalizePhone', () => {
  it('accepts mainland mobiles with spaces, dashes and a country prefix', () => {
    expect(normalizePhone('138 1234 5678')).toBe('13812345678');
    expect(normalizePhone('+86 138-1234-5678')).toBe('13812345678');
    expect(normalizePhone('008613812345678')).toBe('13812345678');
    expect(normalizePhone('8613812345678')).toBe('13812345678');
  });
  it('refuses anything else', () => {
    for (const bad of ['12812345678', '1381234567', '138123456789', '010-12345678', 'abc', '', '1'.repeat(40)]) {
      expect(normalizePhone(bad)).toBeNull();
    }
  });
});

describe('makeCode', () => {
  it('makes six digits from the random source and refuses a broken source', () => {
    let i = 0;
    expect(makeCode(() => (i++ % 10))).toBe('012345');
    expect(() => makeCode(() => 10)).toThrow();
  });
});

describe('mayRequestCode', () => {
  it('allows the first, refuses within a minute with the wait', () => {
    expect(mayRequestCode([], T)).toEqual({ ok: true });
    expect(mayRequestCode([ago(20)], T)).toEqual({ ok: false, retryAfterS: 40 });
    expect(mayRequestCode([ago(61)], T)).toEqual({ ok: true });
  });
  it('refuses past the hourly limit until the oldest leaves the hour', () => {
    const six = Array.from({ length: MAX_PER_HOUR }, (_, k) => ago(3000 - k * 300));
    const v = mayRequestCode(six, T);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.retryAfterS).toBe(600);
    expect(mayRequestCode(six.map((d) => new Date(d.getTime() - 3600_000)), T)).toEqual({ ok: true });
  });
});

describe('checkCode', () => {
  const fresh = { code: '123456', expiresAt: new Date(T.getTime() + CODE_TTL_S * 1000), attempts: 0, usedAt: null };
  it('right, wrong, expired, used, too many', () => {
    expect(checkCode(fresh, '123456', T)).toBe('ok');
    expect(checkCode(fresh, ' 123456 ', T)).toBe('ok');
    expect(checkCode(fresh, '123457', T)).toBe('wrong');
    expect(checkCode(fresh, '12345', T)).toBe('wrong');
    expect(checkCode(fresh, '123456', new Date(T.getTime() + CODE_TTL_S * 1000))).toBe('expired');
    expect(checkCode({ ...fresh, usedAt: T }, '123456', T)).toBe('used');
    expect(checkCode({ ...fresh, code: null, usedAt: T }, '123456', T)).toBe('used');
    expect(checkCode({ ...fresh, attempts: MAX_ATTEMPTS }, '123456', T)).toBe('too_many_attempts');
    expect(checkCode(null, '123456', T)).toBe('expired');
  });
});
