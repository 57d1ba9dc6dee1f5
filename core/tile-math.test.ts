import { describe, expect, it } from 'vitest';
import { lonLatToTile, tileBounds } from './tile-math.js';

describe('tile math', () => {
  it('finds the tile holding a point and its bounds contain the point', () => {
    const p = [121.4997, 31.2397] as const;
    for (const z of [0, 10, 15, 18]) {
      const { x, y } = lonLatToTile(p[0], p[1], z);
      const [w, s, e, n] = tileBounds(z, x, y);
      expect(p[0]).toBeGreaterThanOrEqual(w);
      expect(p[0]).toBeLessThan(e);
      expect(p[1]).toBeGreaterThan(s);
      expect(p[1]).toBeLessThanOrEqual(n);
    }
    // Cross-checked with PostGIS ST_TileEnvelope(15, 27443, 13388).
    expect(lonLatToTile(p[0], p[1], 15)).toEqual({ x: 27443, y: 13388 });
  });
});
