import type { DistrictInfo, DivisionLevel, DivisionNode } from '../../core/types.js';
import { OSM_ATTRIBUTION } from '../../core/types.js';
import type { Queryable } from '../db/db.js';
import { loadSql } from '../db/sql.js';

const SQL = loadSql(new URL('./divisions.sql', import.meta.url), ['district', 'tree', 'geojson', 'subtree']);

export async function getDistrict(db: Queryable, basemapUrl?: string): Promise<(DistrictInfo & { basemapUrl?: string }) | null> {
  const r = await db.query<{
    code: string; name: string; xmin: number; ymin: number; xmax: number; ymax: number;
    synthetic_geometry: boolean; attribution: string | null; dataset_synthetic: boolean | null;
  }>(SQL.district);
  const d = r.rows[0];
  if (!d) return null;
  const bbox: [number, number, number, number] = [d.xmin, d.ymin, d.xmax, d.ymax];
  return {
    code: d.code,
    name: d.name,
    bbox,
    center: [(d.xmin + d.xmax) / 2, (d.ymin + d.ymax) / 2],
    attribution: d.attribution ?? OSM_ATTRIBUTION,
    synthetic: { divisions: d.synthetic_geometry, grids: true, households: true, incidents: true },
    ...(basemapUrl ? { basemapUrl } : {}),
  };
}

export async function getTree(db: Queryable): Promise<DivisionNode | null> {
  const r = await db.query<{
    code: string; name: string; level: DivisionLevel; parent_code: string | null;
    synthetic_geometry: boolean; code_source: 'nbs' | 'synthetic'; grids: number; households: number;
  }>(SQL.tree);
  const nodes = new Map<string, DivisionNode>();
  for (const row of r.rows) {
    nodes.set(row.code, {
      code: row.code, name: row.name, level: row.level, parentCode: row.parent_code,
      syntheticGeometry: row.synthetic_geometry, codeSource: row.code_source,
      gridCount: row.grids, households: row.households, children: [],
    });
  }
  let root: DivisionNode | null = null;
  for (const n of nodes.values()) {
    const parent = n.parentCode ? nodes.get(n.parentCode) : undefined;
    if (parent) parent.children.push(n);
    else if (n.level === 'district' && !root) root = n;
  }
  // Roll grid counts and households up the tree.
  const roll = (n: DivisionNode): void => {
    for (const c of n.children) {
      roll(c);
      n.gridCount += c.gridCount;
      n.households += c.households;
    }
  };
  if (root) roll(root);
  return root;
}

export async function divisionsGeoJson(db: Queryable, level: DivisionLevel): Promise<unknown> {
  const r = await db.query<{ fc: unknown }>(SQL.geojson, [level]);
  return r.rows[0]!.fc;
}

/** Codes in the subtree rooted at `code` (empty when the code is unknown). */
export async function subtreeCodes(db: Queryable, code: string): Promise<string[]> {
  const r = await db.query<{ code: string }>(SQL.subtree, [code]);
  return r.rows.map((x) => x.code);
}
