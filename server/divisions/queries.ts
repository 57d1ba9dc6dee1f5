import type { DistrictInfo, DivisionLevel, DivisionNode } from '../../core/types.js';
import { OSM_ATTRIBUTION } from '../../core/types.js';
import type { Scope } from '../auth/scope.js';
import type { Queryable } from '../db/db.js';
import { loadSql } from '../db/sql.js';

const SQL = loadSql(new URL('./divisions.sql', import.meta.url), ['district', 'tree', 'geojson', 'subtree', 'scopeExtent']);

/**
 * The district, with bbox/center of the caller's jurisdiction (a grid worker's map opens on the
 * grid). `district` keeps the whole district's extent.
 */
export async function getDistrict(db: Queryable, scope: Scope, basemapUrl?: string): Promise<(DistrictInfo & { basemapUrl?: string; districtBbox: number[] }) | null> {
  const r = await db.query<{
    code: string; name: string; xmin: number; ymin: number; xmax: number; ymax: number;
    synthetic_geometry: boolean; attribution: string | null; dataset_synthetic: boolean | null;
  }>(SQL.district);
  const d = r.rows[0];
  if (!d) return null;
  const districtBbox: [number, number, number, number] = [d.xmin, d.ymin, d.xmax, d.ymax];
  let bbox = districtBbox;
  if (scope.kind === 'division' || scope.kind === 'grid') {
    const e = (await db.query<{ xmin: number; ymin: number; xmax: number; ymax: number }>(SQL.scopeExtent,
      [scope.kind === 'division' ? scope.code : null, scope.kind === 'grid' ? scope.gridId : null])).rows[0];
    if (e) bbox = [e.xmin, e.ymin, e.xmax, e.ymax];
  }
  return {
    districtBbox,
    code: d.code,
    name: d.name,
    bbox,
    center: [(d.xmin + d.xmax) / 2, (d.ymin + d.ymax) / 2],
    attribution: d.attribution ?? OSM_ATTRIBUTION,
    synthetic: { divisions: d.synthetic_geometry, grids: true, households: true, incidents: true },
    ...(basemapUrl ? { basemapUrl } : {}),
  };
}

/** The division tree below the caller's jurisdiction (a grid worker sees their community node). */
export async function getTree(db: Queryable, scope: Scope): Promise<DivisionNode | null> {
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
  if (scope.kind === 'division') root = nodes.get(scope.code) ?? null;
  if (scope.kind === 'grid') {
    const c = nodes.get(scope.communityCode);
    // Only the worker's own grid counts below the community.
    const g = (await db.query<{ households: number }>('SELECT households FROM grid WHERE id = $1', [scope.gridId])).rows[0];
    root = c ? { ...c, gridCount: 1, households: g?.households ?? 0, children: [] } : null;
    return root;
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

export async function divisionsGeoJson(db: Queryable, level: DivisionLevel, scope: Scope): Promise<unknown> {
  // Unscoped callers get the district the pages show (the first, as for /api/district and the
  // tree), not every division of a database that holds a whole city.
  const district = scope.kind === 'division' || scope.kind === 'grid' ? null : (await db.query<{ code: string }>(SQL.district)).rows[0]?.code;
  const visible = scope.kind === 'division' ? scope.codes : scope.kind === 'grid' ? [scope.communityCode]
    : district ? await subtreeCodes(db, district) : null;
  const r = await db.query<{ fc: unknown }>(SQL.geojson, [level, visible]);
  return r.rows[0]!.fc;
}

/** Codes in the subtree rooted at `code` (empty when the code is unknown). */
export async function subtreeCodes(db: Queryable, code: string): Promise<string[]> {
  const r = await db.query<{ code: string }>(SQL.subtree, [code]);
  return r.rows.map((x) => x.code);
}
