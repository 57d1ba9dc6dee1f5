import { describe, expect, it } from 'vitest';
import { deltaE2000, hexRgb, lab, minPairDistance, PARTY_PALETTE, simulate, type Vision } from './palette.js';

/** The least CIEDE2000 distance any two palette colours keep, for every vision simulated. */
const MIN_DE = 15;
const VISIONS: Vision[] = ['normal', 'protanopia', 'deuteranopia'];

describe('colour distance', () => {
  it('computes CIEDE2000 as in Sharma, Wu & Dalal (2005) test data', () => {
    expect(deltaE2000([50, 2.6772, -79.7751], [50, 0, -82.7485])).toBeCloseTo(2.0425, 4);
    expect(deltaE2000([50, 2.5, 0], [73, 25, -18])).toBeCloseTo(27.1492, 4);
    expect(deltaE2000([50, 2.5, 0], [50, 0, -2.5])).toBeCloseTo(4.3065, 4);
    expect(deltaE2000([2.0776, 0.0795, -1.135], [0.9033, -0.0636, -0.5514])).toBeCloseTo(0.9082, 4);
  });
  it('converts sRGB to L*a*b* (white, black, primary red)', () => {
    expect(lab([255, 255, 255])[0]).toBeCloseTo(100, 2);
    expect(lab([0, 0, 0])[0]).toBeCloseTo(0, 2);
    const red = lab([255, 0, 0]);
    expect(red[0]).toBeCloseTo(53.24, 1);
    expect(red[1]).toBeCloseTo(80.09, 0);
  });
  it('simulates dichromacy: red and green collapse for protan and deutan vision, blue and yellow do not', () => {
    const d = (a: string, b: string, v: Vision) => deltaE2000(lab(simulate(hexRgb(a), v)), lab(simulate(hexRgb(b), v)));
    expect(d('#d62728', '#2ca02c', 'normal')).toBeGreaterThan(40);
    expect(d('#d62728', '#2ca02c', 'deuteranopia')).toBeLessThan(d('#d62728', '#2ca02c', 'normal') / 2);
    expect(d('#d62728', '#2ca02c', 'protanopia')).toBeLessThan(d('#d62728', '#2ca02c', 'normal') / 2);
    expect(d('#0072B2', '#F0E442', 'deuteranopia')).toBeGreaterThan(40);
  });
});

describe('the wall Party palette', () => {
  it.each(VISIONS)('keeps every pair of colours at least ΔE2000 %s apart', (vision) => {
    const r = minPairDistance(PARTY_PALETTE, vision);
    expect(r.distance, `${vision}: ${r.pair.join(' vs ')}`).toBeGreaterThanOrEqual(MIN_DE);
  });
  it('would have caught the old palette (red vs dark red, two tans)', () => {
    expect(minPairDistance(['#e5384f', '#f2c94c', '#e8a33d', '#d4373b']).distance).toBeLessThan(MIN_DE);
  });
});
