// Comparing two published versions (both engines): a grid whose outline only gained a vertex on one
// of its edges (a neighbour was redrawn against it; stored at 1e-7°, the new vertex lies millimetres
// off the old edge) is the same grid, not a change; a grid that really moved is one.
import type { Feature, MultiPolygon } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VersionGridProps } from '../../core/grid-edit/contract.js';
import { createTestDb, type TestDb } from '../testing/db.js';
import { compareVersions } from './versions.js';

let t: TestDb;
beforeAll(async () => { t = await createTestDb(); }, 120_000);
afterAll(async () => { await t?.drop(); });

const grid = (id: number, ring: number[][]): Feature<MultiPolygon, VersionGridProps> => ({
  type: 'Feature',
  geometry: { type: 'MultiPolygon', coordinates: [[ring]] },
  properties: { id, code: `G${id}`, name: `第0${id}网格`, households: 100 * id, residents: 250 * id, buildings: id },
});
const version = (id: number, grids: Feature<MultiPolygon, VersionGridProps>[]) =>
  ({ id, communityCode: 'C1', publishedAt: new Date(), publishedBy: 'test', note: null, grids, assignment: {} });

describe('compareVersions', () => {
  it('a vertex added on an edge is no change; a moved edge is', async () => {
    const square = [[121.49, 31.23], [121.491, 31.23], [121.491, 31.231], [121.49, 31.231], [121.49, 31.23]];
    // The midpoint of the south edge, as a neighbour's vertex rounded to 1e-7°: 4 mm off the line.
    const withVertex = [[121.49, 31.23], [121.4904321, 31.23000004], [121.491, 31.23], [121.491, 31.231], [121.49, 31.231], [121.49, 31.23]];
    const moved = [[121.49, 31.23], [121.4912, 31.23], [121.4912, 31.231], [121.49, 31.231], [121.49, 31.23]];
    const a = version(1, [grid(1, square), grid(2, square.map(([x, y]) => [x! + 0.002, y!]))]);
    const b = version(2, [grid(1, withVertex), grid(2, moved.map(([x, y]) => [x! + 0.002, y!]))]);
    const c = await compareVersions(t.db, a, b);
    expect(c.changed.features.map((f) => f.properties.id)).toEqual([2]);
    expect(c.changed.features[0]!.properties.householdsBefore).toBe(200);
    expect(c.added.features).toEqual([]);
    expect(c.removed.features).toEqual([]);
  });
});
