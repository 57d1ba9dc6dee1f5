import { describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '../../../core/errors.js';
import { PublicApiError, publicErrorText } from './public.js';

describe('publicErrorText', () => {
  it('says in Chinese why a public request was refused, by stable code', () => {
    const e = (code: string, details?: unknown) => new PublicApiError(400, code, 'x', details);
    expect(publicErrorText(e('verification_failed', { reason: 'wrong' }))).toBe('验证码不正确');
    expect(publicErrorText(e('verification_failed', { reason: 'expired' }))).toContain('失效');
    expect(publicErrorText(e('already_voted'))).toContain('限投一次');
    expect(publicErrorText(e('already_rated'))).toContain('已评价');
    expect(publicErrorText(new TypeError('fetch failed'))).toContain('网络');
  });
  it('every code it names is a real API code', () => {
    for (const code of ['verification_failed', 'verification_required', 'rate_limited', 'outside_district', 'already_rated', 'not_rateable',
      'already_voted', 'payload_too_large', 'unsupported_media_type', 'invalid_request']) {
      expect(Object.hasOwn(ERROR_STATUS, code)).toBe(true);
    }
  });
});
