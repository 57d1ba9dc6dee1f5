import { fromGeojsonVt } from '@maplibre/vt-pbf';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchTileFeatures, latToTileY, lonToTileX, tilesForBBox } from './vector-tiles.js';

describe('tile maths', () => {
  it('matches the usual slippy-map numbering', () => {
    expect(lonToTileX(-180, 3)).toBe(0);
    expect(lonToTileX(0, 1)).toBe(1);
    expect(latToTileY(0, 1)).toBe(1);
    expect(latToTileY(85, 2)).toBe(0);
  });
  it('covers a bbox row by row', () => {
    const tiles = tilesForBBox([121.4802, 31.2264, 121.5208, 31.251], 15);
    const xs = new Set(tiles.map((t) => t.x));
    const ys = new Set(tiles.map((t) => t.y));
    expect(tiles.length).toBe(xs.size * ys.size);
    expect(tiles[0]!.y).toBeLessThanOrEqual(tiles[tiles.length - 1]!.y);
  });
});

describe('fetchTileFeatures', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('decodes MVT layers to GeoJSON and skips 204 tiles', async () => {
    const tile = fromGeojsonVt({ roads: { features: [{ type: 2, geometry: [[[0, 0], [4096, 4096]]], tags: { kind: 'primary' } }] } } as never, {
      version: 2,
      extent: 4096,
    });
    let calls = 0;
    vi.stubGlobal('fetch', async () => {
      calls++;
      return calls === 1 ? new Response(new Uint8Array(tile), { status: 200 }) : new Response(null, { status: 204 });
    });
    const out = await fetchTileFeatures('base', [0.001, 0.001, 0.002, 0.002], 1, ['roads', 'water']);
    expect(calls).toBe(1);
    expect(out.water).toEqual([]);
    expect(out.roads).toHaveLength(1);
    expect(out.roads![0]!.geometry.type).toBe('LineString');
    expect(out.roads![0]!.properties.kind).toBe('primary');
  });

  it('sends the headers it is given with every tile request (a kiosk token), without relying on a patched fetch', async () => {
    const seen: (string | null)[] = [];
    vi.stubGlobal('fetch', async (_url: string, init?: RequestInit) => {
      seen.push(new Headers(init?.headers).get('Authorization'));
      return new Response(null, { status: 204 });
    });
    await fetchTileFeatures('base', [121.4802, 31.2264, 121.5208, 31.251], 14, ['roads'], undefined, { Authorization: 'Bearer kiosk-token-1234' });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.every((h) => h === 'Bearer kiosk-token-1234')).toBe(true);
  });
});
