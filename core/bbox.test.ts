import { describe, expect, it } from 'vitest';
import { parseBBox } from './bbox.js';

describe('parseBBox', () => {
  it('accepts a WGS84 bbox', () => {
    expect(parseBBox('121.48,31.22,121.52,31.25')).toEqual({ ok: true, bbox: [121.48, 31.22, 121.52, 31.25] });
  });
  it.each([
    ['1,2,3', 'minLon,minLat'],
    ['a,b,c,d', 'numbers'],
    ['13525318,3658750,13529318,3659750', 'WGS84'],
    ['121.52,31.22,121.48,31.25', 'less than'],
    ['100,20,110,30', 'at most'],
    ['121,,122,31', 'numbers'],
  ])('rejects %s', (text, reason) => {
    const r = parseBBox(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });
});
