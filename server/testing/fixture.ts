// A tiny hand-made district for API, tile and socket tests: independent of the demo data, so a
// test states exactly what it expects. Coordinates sit in Shanghai; everything is synthetic.
import type { Db } from '../db/db.js';
import { upsertReferenceData } from '../reference/reference.js';

const box = (x0: number, y0: number, x1: number, y1: number) =>
  `SRID=4326;MULTIPOLYGON(((${x0} ${y0},${x1} ${y0},${x1} ${y1},${x0} ${y1},${x0} ${y0})))`;

export const FIXTURE = {
  district: 'T00',
  subdistrict: 'T01',
  communityA: 'T0101',
  communityB: 'T0102',
  /** Centre of grid A1 (community A, west). */
  pointA1: [121.4925, 31.235] as [number, number],
  /** Centre of grid B1 (community B). */
  pointB1: [121.505, 31.235] as [number, number],
  /** Inside the district, outside every community (no grid). */
  pointNoGrid: [121.515, 31.255] as [number, number],
  outside: [121.6, 31.3] as [number, number],
  bbox: [121.48, 31.22, 121.52, 31.26] as [number, number, number, number],
};

export async function loadFixture(db: Db): Promise<{ gridA1: number; gridA2: number; gridB1: number }> {
  await upsertReferenceData(db);
  return db.transaction(async (tx) => {
    await tx.query(`INSERT INTO dataset (id, name, source, attribution, synthetic) VALUES ('fixture', 'test fixture', 'generator', '© OpenStreetMap contributors', true)`);
    const div = `INSERT INTO division (code, parent_code, level, name, geom, dataset_id) VALUES ($1, $2, $3, $4, $5::geometry, 'fixture')`;
    await tx.query(div, ['T00', null, 'district', '测试区', box(121.48, 31.22, 121.52, 31.26)]);
    await tx.query(div, ['T01', 'T00', 'subdistrict', '测试街道', box(121.48, 31.22, 121.52, 31.26)]);
    await tx.query(div, ['T0101', 'T01', 'community', '甲社区', box(121.49, 31.23, 121.50, 31.24)]);
    await tx.query(div, ['T0102', 'T01', 'community', '乙社区', box(121.50, 31.23, 121.51, 31.24)]);
    const grid = `INSERT INTO grid (code, name, community_code, geom, households, residents, dataset_id)
                  VALUES ($1, $2, $3, $4::geometry, $5, $6, 'fixture') RETURNING id`;
    const a1 = (await tx.query<{ id: number }>(grid, ['T0101-01', '甲社区第01网格', 'T0101', box(121.49, 31.23, 121.495, 31.24), 240, 620])).rows[0]!.id;
    const a2 = (await tx.query<{ id: number }>(grid, ['T0101-02', '甲社区第02网格', 'T0101', box(121.495, 31.23, 121.50, 31.24), 260, 680])).rows[0]!.id;
    const b1 = (await tx.query<{ id: number }>(grid, ['T0102-01', '乙社区第01网格', 'T0102', box(121.50, 31.23, 121.51, 31.24), 210, 540])).rows[0]!.id;
    await tx.query(`INSERT INTO building (dataset_id, osm_id, name, geom, height_m, levels, residential, households, residents, grid_id, community_code)
                    VALUES ('fixture', 'w1', '1号楼', $1::geometry, 30, 10, true, 120, 310, $2, 'T0101'),
                           ('fixture', 'w2', NULL, $3::geometry, NULL, 6, true, 80, 200, $4, 'T0102')`,
      [box(121.492, 31.234, 121.493, 31.235), a1, box(121.504, 31.234, 121.505, 31.235), b1]);
    await tx.query(`INSERT INTO road (dataset_id, osm_id, name, kind, geom, length_m, walkable, footway)
                    VALUES ('fixture', 'w10', '测试路', 'minor_road', ST_GeomFromText('LINESTRING(121.485 31.235, 121.515 31.235)', 4326), 2850, true, false),
                           ('fixture', 'w11', NULL, 'footway', ST_GeomFromText('LINESTRING(121.495 31.231, 121.495 31.239)', 4326), 890, true, true)`);
    await tx.query(`INSERT INTO base_feature (dataset_id, layer, kind, name, geom)
                    VALUES ('fixture', 'water', 'river', '测试河', ST_GeomFromText('POLYGON((121.48 31.2385,121.52 31.2385,121.52 31.2395,121.48 31.2395,121.48 31.2385))', 4326))`);
    await tx.query(`INSERT INTO facility (dataset_id, osm_id, name, kind, service_class, geom, synthetic, grid_id, community_code)
                    VALUES ('fixture', 'n1', '测试小学', 'school', 'education', ST_SetSRID(ST_MakePoint(121.493, 31.236), 4326), false, $1, 'T0101'),
                           ('fixture', NULL, '党群服务中心（合成）', 'party_centre', 'party_centre', ST_SetSRID(ST_MakePoint(121.506, 31.236), 4326), true, $2, 'T0102')`,
      [a1, b1]);
    return { gridA1: a1, gridA2: a2, gridB1: b1 };
  });
}
