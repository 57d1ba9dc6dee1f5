import { describe, expect, it } from 'vitest';
import { fromWgs84, isLonLat, parseCrs, toWgs84 } from './crs.js';

// The Oriental Pearl Tower, Shanghai: WGS84 from OSM.
const PEARL_WGS84: [number, number] = [121.4997, 31.2397];

const metres = (a: [number, number], b: [number, number]) => {
  const dx = (a[0] - b[0]) * 111320 * Math.cos((a[1] * Math.PI) / 180);
  const dy = (a[1] - b[1]) * 110540;
  return Math.hypot(dx, dy);
};

describe('crs', () => {
  it('parses names and EPSG codes, rejects unknown ones', () => {
    expect(parseCrs(undefined)).toBe('wgs84');
    expect(parseCrs('EPSG:4490')).toBe('cgcs2000');
    expect(parseCrs('GCJ-02')).toBe('gcj02');
    expect(parseCrs('bd09')).toBe('bd09');
    expect(parseCrs('EPSG:3857')).toBeNull();
  });

  it('GCJ-02 is offset by hundreds of metres in Shanghai and converts back within a metre', () => {
    const gcj = fromWgs84(PEARL_WGS84, 'gcj02');
    const offset = metres(gcj, PEARL_WGS84);
    expect(offset).toBeGreaterThan(300);
    expect(offset).toBeLessThan(800);
    expect(metres(toWgs84(gcj, 'gcj02'), PEARL_WGS84)).toBeLessThan(1);
  });

  it('BD-09 round-trips within a metre and differs from GCJ-02', () => {
    const bd = fromWgs84(PEARL_WGS84, 'bd09');
    expect(metres(bd, fromWgs84(PEARL_WGS84, 'gcj02'))).toBeGreaterThan(500);
    expect(metres(toWgs84(bd, 'bd09'), PEARL_WGS84)).toBeLessThan(1);
  });

  it('CGCS2000 is taken as WGS84', () => {
    expect(toWgs84(PEARL_WGS84, 'cgcs2000')).toEqual(PEARL_WGS84);
  });

  it('rejects projected coordinates passed as degrees', () => {
    expect(isLonLat([13525318, 3658750])).toBe(false);
    expect(isLonLat(PEARL_WGS84)).toBe(true);
  });
});
