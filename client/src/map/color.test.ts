import { describe, expect, it } from 'vitest';
import { classIndex, HOUSEHOLD_RAMP, heightColor, hexToRgba, legendRows, quantileBreaks, rampColor, rgbaToCss } from './color.js';

describe('hexToRgba / rgbaToCss', () => {
  it('parses 3-, 6- and 8-digit hex', () => {
    expect(hexToRgba('#fff')).toEqual([255, 255, 255, 255]);
    expect(hexToRgba('#c8102e', 128)).toEqual([200, 16, 46, 128]);
    expect(hexToRgba('#00000080')).toEqual([0, 0, 0, 128]);
  });
  it('falls back to grey on garbage', () => {
    expect(hexToRgba('nope')).toEqual([128, 128, 128, 255]);
  });
  it('formats css rgba with alpha 0..1', () => {
    expect(rgbaToCss([10, 20, 30, 255])).toBe('rgba(10, 20, 30, 1)');
    expect(rgbaToCss([10, 20, 30, 0])).toBe('rgba(10, 20, 30, 0)');
  });
});

describe('quantileBreaks', () => {
  it('gives ascending, rounded, unique thresholds inside the data range', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 + i * 3); // 100..397
    const b = quantileBreaks(values, 5, 10);
    expect(b).toHaveLength(4);
    expect([...b].sort((x, y) => x - y)).toEqual(b);
    for (const x of b) {
      expect(x % 10).toBe(0);
      expect(x).toBeGreaterThan(100);
      expect(x).toBeLessThanOrEqual(397);
    }
  });
  it('collapses when all values are equal, and handles empty input', () => {
    expect(quantileBreaks([250, 250, 250])).toEqual([]);
    expect(quantileBreaks([])).toEqual([]);
  });
  it('ignores non-finite values', () => {
    expect(quantileBreaks([NaN, Infinity, 1, 2, 3, 400], 2, 1)).toEqual([3]);
  });
});

describe('classIndex / rampColor / legendRows', () => {
  const breaks = [200, 250, 300];
  it('classifies with lower bounds inclusive', () => {
    expect(classIndex(199, breaks)).toBe(0);
    expect(classIndex(200, breaks)).toBe(1);
    expect(classIndex(1000, breaks)).toBe(3);
  });
  it('spreads fewer classes over the whole ramp', () => {
    expect(rampColor(0, breaks)).toBe(HOUSEHOLD_RAMP[0]);
    expect(rampColor(1000, breaks)).toBe(HOUSEHOLD_RAMP[HOUSEHOLD_RAMP.length - 1]);
  });
  it('legend rows match the classes', () => {
    const rows = legendRows(breaks);
    expect(rows.map((r) => r.label)).toEqual(['< 200', '200–250', '250–300', '≥ 300']);
    expect(rows[0]!.color).toBe(rampColor(0, breaks));
    expect(rows[3]!.color).toBe(rampColor(300, breaks));
    expect(legendRows([])).toHaveLength(1);
  });
});

describe('heightColor', () => {
  it('gets lighter with height and clamps', () => {
    const lum = (c: number[]) => c[0]! + c[1]! + c[2]!;
    expect(lum(heightColor(100))).toBeGreaterThan(lum(heightColor(10)));
    expect(heightColor(-5)).toEqual(heightColor(0));
    expect(heightColor(1000)).toEqual(heightColor(300));
  });
});
