import { describe, expect, it } from 'vitest';
import { codeState, voteLinkState } from './desk.js';

const now = new Date('2026-05-01T10:00:00Z');
const live = { hasCode: true, usedAt: null, expiresAt: new Date('2026-05-01T10:05:00Z'), attempts: 0 };

describe('codeState', () => {
  it('tells live, used, replaced, expired and locked codes apart', () => {
    expect(codeState(live, now, 5)).toBe('live');
    expect(codeState({ ...live, hasCode: false, usedAt: new Date('2026-05-01T09:58:00Z') }, now, 5)).toBe('used');
    expect(codeState({ ...live, hasCode: false }, now, 5)).toBe('replaced');
    expect(codeState({ ...live, expiresAt: now }, now, 5)).toBe('expired');
    expect(codeState({ ...live, attempts: 5 }, now, 5)).toBe('locked');
    expect(codeState({ ...live, attempts: 4 }, now, 5)).toBe('live');
  });
  it('an expired code that was used reads as used', () => {
    expect(codeState({ hasCode: false, usedAt: new Date('2026-05-01T09:00:00Z'), expiresAt: new Date('2026-05-01T09:05:00Z'), attempts: 1 }, now, 5)).toBe('used');
  });
});

describe('voteLinkState', () => {
  it('is used once voted, past its year after it, unused otherwise', () => {
    expect(voteLinkState({ usedAt: null, year: 2026 }, 2026)).toBe('unused');
    expect(voteLinkState({ usedAt: new Date(), year: 2026 }, 2026)).toBe('used');
    expect(voteLinkState({ usedAt: null, year: 2025 }, 2026)).toBe('past_year');
  });
});
