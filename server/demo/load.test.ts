import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { isEmpty, loadDemo, readDemo } from './load.js';

let t: TestDb;
let first: Awaited<ReturnType<typeof loadDemo>>;
let loadMs = 0;
const demo = readDemo();
const m = demo.manifest;

const one = async <R>(sql: string, params: unknown[] = []): Promise<R> => (await t.db.query<R>(sql, params)).rows[0]!;
const n = async (sql: string, params: unknown[] = []): Promise<number> => (await one<{ n: number }>(sql, params)).n;

async function tableCounts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['dataset', 'division', 'grid', 'building', 'road', 'base_feature', 'facility', 'party_org', 'grid_staff', 'service_class', 'incident_category']) {
    out[table] = await n(`SELECT count(*)::int AS n FROM ${table}`);
  }
  return out;
}

beforeAll(async () => {
  t = await createTestDb();
  expect(await isEmpty(t.db)).toBe(true);
  const t0 = performance.now();
  first = await loadDemo(t.db);
  loadMs = performance.now() - t0;
  console.log(`demo loaded on ${testDbKind()} in ${(loadMs / 1000).toFixed(1)} s`);
}, 180_000);
afterAll(async () => { await t?.drop(); });

describe(`demo district on ${testDbKind()}`, () => {
  it('loads within the time budget and is no longer empty', async () => {
    expect(first.datasetId).toBe('demo-bund-lujiazui');
    expect(loadMs).toBeLessThan(20_000);
    expect(await isEmpty(t.db)).toBe(false);
  });

  it('inserts what the manifest counts', async () => {
    const c = m.counts;
    expect(first.counts).toMatchObject({
      divisions: c.divisions, grids: c.grids, buildings: c.buildings, roads: c.roads, facilities: c.facilities,
      partyOrgs: c.partyOrgs, gridStaff: c.gridStaff, water: c.water, landuse: c.landuse, transit: c.transit,
      places: c.places, boundaries: c.boundaries,
    });
    expect(await n(`SELECT count(*)::int AS n FROM division WHERE level = 'community'`)).toBe(c.communities);
    expect(await n(`SELECT count(*)::int AS n FROM division WHERE level = 'subdistrict'`)).toBe(c.subdistricts);
    expect(await n(`SELECT count(*)::int AS n FROM grid`)).toBe(c.grids);
    expect(await n(`SELECT count(*)::int AS n FROM building`)).toBe(c.buildings);
    expect(await n(`SELECT count(*)::int AS n FROM facility`)).toBe(c.facilities);
    expect(await n(`SELECT count(*)::int AS n FROM party_org`)).toBe(c.partyOrgs);
    expect(await n(`SELECT count(*)::int AS n FROM grid_staff WHERE role IN ('grid_worker', 'community_worker', 'property_manager')`)).toBe(c.gridStaff);
    expect(await n(`SELECT count(*)::int AS n FROM grid_staff`)).toBe(c.gridStaff! + first.counts.gridDuties!);
    expect(await n(`SELECT COALESCE(sum(households), 0)::int AS n FROM grid`)).toBe(c.households);
    expect(await n(`SELECT count(*)::int AS n FROM service_class`)).toBe(16);
  });

  it('has valid grids, each inside its community', async () => {
    expect(await n(`SELECT count(*)::int AS n FROM grid WHERE NOT ST_IsValid(geom)`)).toBe(0);
    expect(await n(`SELECT count(*)::int AS n FROM division WHERE NOT ST_IsValid(geom)`)).toBe(0);
    const outside = await n(`
      SELECT count(*)::int AS n FROM grid g JOIN division c ON c.code = g.community_code
       WHERE ST_Area(ST_Intersection(g.geom, c.geom)) / ST_Area(g.geom) < 0.999`);
    expect(outside).toBe(0);
    // Built from shared vertices: covered exactly, not just nearly.
    expect(await n(`SELECT count(*)::int AS n FROM grid g JOIN division c ON c.code = g.community_code WHERE NOT ST_CoveredBy(g.geom, c.geom)`)).toBe(0);
  });

  it('has no overlapping grids in a community, nor overlapping communities in a subdistrict', async () => {
    expect(await n(`
      SELECT count(*)::int AS n FROM grid a JOIN grid b
        ON a.community_code = b.community_code AND a.id < b.id AND a.geom && b.geom
       WHERE ST_Relate(a.geom, b.geom, '2********')`)).toBe(0);
    expect(await n(`
      SELECT count(*)::int AS n FROM division a JOIN division b
        ON a.parent_code = b.parent_code AND a.code < b.code AND a.geom && b.geom
       WHERE a.level = 'community' AND ST_Relate(a.geom, b.geom, '2********')`)).toBe(0);
    // Communities tile their subdistrict.
    const gap = await one<{ r: number }>(`
      SELECT max(abs(1 - c.a / s.a))::float8 AS r
        FROM (SELECT parent_code, sum(ST_Area(geom::geography)) AS a FROM division WHERE level = 'community' GROUP BY parent_code) c
        JOIN (SELECT code, ST_Area(geom::geography) AS a FROM division WHERE level = 'subdistrict') s ON s.code = c.parent_code`);
    expect(gap.r).toBeLessThan(1e-6);
  });

  it('puts every residential building in a grid, and grid households are the sum of their buildings', async () => {
    expect(await n(`SELECT count(*)::int AS n FROM building WHERE residential AND grid_id IS NULL`)).toBe(0);
    expect(await n(`SELECT count(*)::int AS n FROM building WHERE grid_id IS NULL`)).toBe(0);
    expect(await n(`
      SELECT count(*)::int AS n FROM grid g
        LEFT JOIN (SELECT grid_id, sum(households) AS h, sum(residents) AS r FROM building GROUP BY grid_id) b ON b.grid_id = g.id
       WHERE g.households <> COALESCE(b.h, 0) OR g.residents <> COALESCE(b.r, 0)`)).toBe(0);
    // The database's spatial join agrees with the build's assignment.
    const byOsm = new Map(demo.buildings.map((f) => [String(f.properties.osmId), f.properties.gridCode]));
    const rows = (await t.db.query<{ osm_id: string; code: string }>(
      `SELECT b.osm_id, g.code FROM building b JOIN grid g ON g.id = b.grid_id`)).rows;
    expect(rows.filter((r) => byOsm.get(r.osm_id) !== r.code)).toEqual([]);
    expect(await n(`SELECT count(*)::int AS n FROM grid WHERE households BETWEEN 200 AND 300`)).toBeGreaterThan(m.counts.grids! / 3);
  });

  it('links the Party tree and staff to grids and buildings', async () => {
    expect(await n(`SELECT count(*)::int AS n FROM party_org WHERE level <> 'community_committee' AND parent_id IS NULL`)).toBe(0);
    expect(await n(`SELECT count(*)::int AS n FROM party_org c JOIN party_org p ON p.id = c.parent_id
      WHERE (c.level, p.level) NOT IN (('grid_branch', 'community_committee'), ('building_group', 'grid_branch'), ('member_household', 'building_group'))`)).toBe(0);
    expect(await n(`SELECT count(*)::int AS n FROM party_org WHERE level IN ('building_group', 'member_household') AND building_id IS NULL`)).toBe(0);
    expect(await n(`SELECT count(*)::int AS n FROM party_org WHERE level <> 'community_committee' AND grid_id IS NULL`)).toBe(0);
    const uncovered = await n(`SELECT count(*)::int AS n FROM grid g WHERE NOT EXISTS (SELECT 1 FROM party_org p WHERE p.grid_id = g.id AND p.level = 'grid_branch')`);
    expect(uncovered).toBeGreaterThan(0);
    expect(uncovered).toBeLessThan(m.counts.grids! / 4);
    const incomplete = await n(`SELECT count(*)::int AS n FROM (SELECT grid_id FROM grid_staff
      WHERE role IN ('grid_worker', 'community_worker', 'property_manager') GROUP BY grid_id HAVING count(DISTINCT role) < 3) s`);
    expect(incomplete).toBeGreaterThan(0);
    expect(await n(`SELECT count(*)::int AS n FROM grid g WHERE NOT EXISTS (SELECT 1 FROM grid_staff s WHERE s.grid_id = g.id)`)).toBe(0);
    expect(await n(`SELECT count(*)::int AS n FROM facility WHERE grid_id IS NOT NULL`)).toBeGreaterThan(m.counts.facilities! * 0.9);
  });

  it('seeds a Party ledger: members, activities over ~90 days with some grids quiet for 30, 一格三员 duties with phones', async () => {
    expect(first.counts.partyMembers).toBeGreaterThan(100);
    expect(first.counts.partyActivities).toBe(6 * await n(`SELECT count(*)::int AS n FROM party_org WHERE level = 'grid_branch'`));
    const today = `(now() AT TIME ZONE 'UTC' + interval '8 hours')::date`;
    expect(await n(`SELECT count(*)::int AS n FROM party_activity WHERE held_on > ${today} OR held_on < ${today} - 90`)).toBe(0);
    const quiet = await n(`SELECT count(*)::int AS n FROM party_org o WHERE o.level = 'grid_branch'
      AND NOT EXISTS (SELECT 1 FROM party_activity a WHERE a.branch_id = o.id AND a.held_on >= ${today} - 29)`);
    expect(quiet).toBeGreaterThan(0);
    expect(quiet).toBeLessThan(await n(`SELECT count(*)::int AS n FROM party_org WHERE level = 'grid_branch'`) / 2);
    // Every attendee is a member of the activity's branch who had joined by then; every activity has one.
    expect(await n(`SELECT count(*)::int AS n FROM party_activity_attendee t JOIN party_activity a ON a.id = t.activity_id
      JOIN party_member m ON m.id = t.member_id WHERE m.branch_id <> a.branch_id OR m.joined_on > a.held_on`)).toBe(0);
    expect(await n(`SELECT count(*)::int AS n FROM party_activity a WHERE NOT EXISTS (SELECT 1 FROM party_activity_attendee t WHERE t.activity_id = a.id)`)).toBe(0);
    expect(await n(`SELECT count(*)::int AS n FROM grid_staff WHERE phone IS NULL`)).toBe(0);
    expect(await n(`SELECT count(DISTINCT role)::int AS n FROM grid_staff`)).toBe(7);
    expect(await n(`SELECT count(*)::int AS n FROM party_org o WHERE o.level = 'member_household'
      AND NOT EXISTS (SELECT 1 FROM party_household_link l WHERE l.household_id = o.id)`)).toBe(0);
    // No seeded link claims more households than its building has (the rule a saved link obeys).
    expect(await n(`SELECT count(*)::int AS n FROM party_household_link l JOIN building b ON b.id = l.building_id
      WHERE l.households > b.households OR l.households < 1`)).toBe(0);
  });

  it('flags every synthetic layer as synthetic', async () => {
    const ds = await one<{ synthetic: boolean; source: string; attribution: string }>(`SELECT synthetic, source, attribution FROM dataset WHERE id = $1`, [m.datasetId]);
    expect(ds).toEqual({ synthetic: true, source: 'demo', attribution: '© OpenStreetMap contributors' });
    expect(await n(`SELECT count(*)::int AS n FROM division WHERE NOT synthetic_geometry`)).toBe(0);
    expect(await n(`SELECT count(*)::int AS n FROM grid WHERE NOT synthetic`)).toBe(0);
    expect(await n(`SELECT count(*)::int AS n FROM building WHERE NOT households_synthetic`)).toBe(0);
    expect(await n(`SELECT count(*)::int AS n FROM party_org WHERE NOT synthetic`)).toBe(0);
    expect(await n(`SELECT count(*)::int AS n FROM grid_staff WHERE NOT synthetic`)).toBe(0);
    for (const table of ['party_member', 'party_activity', 'party_household_link']) {
      expect(await n(`SELECT count(*)::int AS n FROM ${table} WHERE NOT synthetic`), table).toBe(0);
    }
    expect(await n(`SELECT count(*)::int AS n FROM facility WHERE synthetic <> (name LIKE '%（合成）')`)).toBe(0);
    expect(await n(`SELECT count(*)::int AS n FROM facility WHERE synthetic`)).toBe(m.counts.syntheticFacilities);
    expect(await n(`SELECT count(*)::int AS n FROM facility WHERE NOT synthetic AND osm_id IS NULL`)).toBe(0);
    for (const cls of ['party_centre', 'community_centre', 'elderly_care']) {
      expect(await n(`SELECT count(*)::int AS n FROM facility WHERE service_class = $1`, [cls])).toBeGreaterThan(0);
    }
  });

  it('reloads without duplicating anything', async () => {
    const before = await tableCounts();
    const again = await loadDemo(t.db);
    expect(again.counts).toEqual(first.counts);
    expect(await tableCounts()).toEqual(before);
    expect(await n(`SELECT count(*)::int AS n FROM building WHERE grid_id IS NULL`)).toBe(0);
  }, 120_000);
});
