// Coverage figures read from the stored results (coverage_building), always inside the caller's
// jurisdiction: the community × class matrix with scores, per-grid shares, buildings with their
// minutes, gap polygons, and the CSV of the matrix.
import type { BBox } from '../../core/bbox.js';
import {
  GAPS_METHOD, type CoverageArea, type CoverageBuildings, type CoverageCell, type CoverageClass, type CoverageGaps,
  type CoverageGrids, type CoverageSummary, type GridCoverage,
} from '../../core/coverage/contract.js';
import { emptyCell, finish, lacks, score } from '../../core/coverage/coverage.js';
import { OSM_ATTRIBUTION } from '../../core/types.js';
import { mapFilter, type Scope } from '../auth/scope.js';
import type { Queryable } from '../db/db.js';
import type { CoverageEngine } from './engine.js';
import { SQL } from './engine.js';

/** The caller's jurisdiction as the coverage queries take it, and the area its totals stand for. */
export interface CoverageScope {
  communities: string[] | null;
  gridId: number | null;
  code: string;
  name: string;
}

export async function coverageScope(db: Queryable, scope: Scope): Promise<CoverageScope> {
  const f = mapFilter(scope);
  const bound = scope.kind === 'division' ? scope.code : scope.kind === 'grid' ? scope.communityCode : null;
  const a = (await db.query<{ code: string; name: string }>(SQL.scopeArea, [bound])).rows[0];
  return { ...f, code: a?.code ?? 'all', name: a?.name ?? '全部' };
}

/** Is a building (engine index) inside the scope? */
export function inScope(e: CoverageEngine, s: CoverageScope, i: number): boolean {
  if (s.gridId !== null && e.buildings.grid[i] !== s.gridId) return false;
  if (s.communities !== null) {
    const c = e.buildings.community[i];
    if (c == null || !s.communities.includes(c)) return false;
  }
  return true;
}

export function classInfo(e: CoverageEngine, limit: number | null): CoverageClass[] {
  return e.classes.map((c) => ({
    code: c.code, name: c.name, walkMinutes: c.walkMinutes, color: c.color,
    facilities: e.facilities.get(c.code)?.ids.length ?? 0, limitMinutes: limit ?? c.walkMinutes,
  }));
}

interface CellRow {
  area: string | null; total: boolean; class: string; households: number; residents: number;
  covered_households: number; covered_residents: number;
}

const cellOf = (r: { households: number; residents: number; covered_households: number; covered_residents: number }): CoverageCell =>
  finish({ households: r.households, residents: r.residents, coveredHouseholds: r.covered_households, coveredResidents: r.covered_residents, householdsShare: null, residentsShare: null });

export function area(code: string, name: string, cells: Record<string, CoverageCell>, classes: readonly string[]): CoverageArea {
  for (const c of classes) cells[c] ??= finish(emptyCell());
  const any = cells[classes[0] ?? ''];
  return {
    code, name, households: any?.households ?? 0, residents: any?.residents ?? 0,
    score: score(cells, classes), lacks: lacks(cells, classes), cells,
  };
}

/** GET /api/coverage/summary */
export async function summary(db: Queryable, e: CoverageEngine, s: CoverageScope, limit: number | null): Promise<CoverageSummary> {
  const codes = e.classes.map((c) => c.code);
  const rows = (await db.query<CellRow>(SQL.cells, [s.communities, s.gridId, limit])).rows;
  const communities = (await db.query<{ code: string; name: string }>(SQL.communities, [s.communities, s.gridId])).rows;
  const byArea = new Map<string, Record<string, CoverageCell>>();
  const total: Record<string, CoverageCell> = {};
  for (const r of rows) {
    if (r.total) { total[r.class] = cellOf(r); continue; }
    if (r.area === null) continue;
    let m = byArea.get(r.area);
    if (!m) { m = {}; byArea.set(r.area, m); }
    m[r.class] = cellOf(r);
  }
  return {
    speedMps: e.speedMps,
    limitMinutes: limit,
    computedAt: e.computedAt.toISOString(),
    graph: {
      nodes: e.graph.nodeCount, edges: e.graph.edgeCount, components: e.graph.componentCount,
      unreachableBuildings: e.unreachable.buildings, unreachableFacilities: e.unreachable.facilities,
      excludedRoads: e.graph.excludedRoads,
    },
    classes: classInfo(e, limit),
    communities: communities.map((c) => area(c.code, c.name, byArea.get(c.code) ?? {}, codes)),
    district: area(s.code, s.name, total, codes),
    synthetic: true,
    attribution: OSM_ATTRIBUTION,
  };
}

interface GridCellRow extends Omit<CellRow, 'area' | 'total'> { grid_id: number; code: string; name: string; community_code: string }

/** GET /api/coverage/grids: one class's shares per grid, or (class omitted) every class and the score. */
export async function grids(db: Queryable, e: CoverageEngine, s: CoverageScope, cls: string | null, limit: number | null): Promise<CoverageGrids> {
  const codes = e.classes.map((c) => c.code);
  const rows = (await db.query<GridCellRow>(SQL.gridCells, [s.communities, s.gridId, limit, cls])).rows;
  const all = (await db.query<{ grid_id: number; code: string; name: string; community_code: string }>(SQL.gridsInScope, [s.communities, s.gridId])).rows;
  const byGrid = new Map<number, Record<string, CoverageCell>>();
  for (const r of rows) {
    let m = byGrid.get(r.grid_id);
    if (!m) { m = {}; byGrid.set(r.grid_id, m); }
    m[r.class] = cellOf(r);
  }
  const out: GridCoverage[] = all.map((g) => {
    const cells = byGrid.get(g.grid_id) ?? {};
    const base = { gridId: g.grid_id, code: g.code, name: g.name, communityCode: g.community_code };
    if (cls) {
      const c = cells[cls] ?? finish(emptyCell());
      return { ...base, households: c.households, residents: c.residents, householdsShare: c.householdsShare, residentsShare: c.residentsShare };
    }
    const a = area(g.code, g.name, cells, codes);
    const meanResidents = a.residents > 0 ? codes.reduce((x, c) => x + (cells[c]!.residentsShare ?? 0), 0) / codes.length : null;
    return {
      ...base, households: a.households, residents: a.residents, householdsShare: a.score, residentsShare: meanResidents,
      score: a.score, shares: Object.fromEntries(codes.map((c) => [c, cells[c]!.householdsShare])),
    };
  });
  return { class: cls, limitMinutes: limit, computedAt: e.computedAt.toISOString(), grids: out, synthetic: true };
}

/** GET /api/coverage/buildings */
export async function buildingsGeo(
  db: Queryable, e: CoverageEngine, s: CoverageScope, cls: string, limit: number, bbox: BBox | null, all: boolean, max: number,
): Promise<CoverageBuildings & { truncated: boolean }> {
  const rows = (await db.query<{ id: number; geometry: unknown; properties: Record<string, unknown> }>(SQL.buildingsGeo, [
    cls, limit, ...(bbox ?? [null, null, null, null]), s.communities, s.gridId, max, all,
  ])).rows;
  return {
    type: 'FeatureCollection',
    class: cls, limitMinutes: limit, computedAt: e.computedAt.toISOString(), synthetic: true, attribution: OSM_ATTRIBUTION,
    truncated: rows.length > max,
    features: rows.slice(0, max).map((r) => ({ type: 'Feature', id: r.id, geometry: r.geometry, properties: r.properties })) as unknown as CoverageBuildings['features'],
  };
}

/** GET /api/coverage/gaps */
export async function gaps(db: Queryable, s: CoverageScope, cls: string, limit: number, community: string | null): Promise<CoverageGaps> {
  const communities = community ? [community] : s.communities;
  const rows = (await db.query<{ community_code: string | null; community_name: string | null; geometry: unknown; households: number; residents: number; buildings: number }>(
    SQL.gaps, [cls, limit, communities, s.gridId])).rows;
  return {
    type: 'FeatureCollection', class: cls, limitMinutes: limit, method: GAPS_METHOD, synthetic: true, attribution: OSM_ATTRIBUTION,
    features: rows.map((r) => ({
      type: 'Feature',
      geometry: r.geometry,
      properties: {
        class: cls, limitMinutes: limit, communityCode: r.community_code, communityName: r.community_name ?? '',
        households: r.households, residents: r.residents, buildings: r.buildings,
      },
    })) as CoverageGaps['features'],
  };
}

export const CSV_COLUMNS = [
  'area_code', 'area_name', 'class', 'class_name', 'limit_minutes', 'households', 'covered_households', 'households_share',
  'residents', 'covered_residents', 'residents_share', 'synthetic', 'attribution',
];

/** The community × class matrix (and the total) as CSV rows. */
export function csvRows(sum: CoverageSummary): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const r4 = (x: number | null) => (x === null ? null : Math.round(x * 10000) / 10000);
  for (const a of [...sum.communities, sum.district]) {
    for (const c of sum.classes) {
      const cell = a.cells[c.code]!;
      out.push({
        area_code: a.code, area_name: a.name, class: c.code, class_name: c.name, limit_minutes: c.limitMinutes,
        households: cell.households, covered_households: cell.coveredHouseholds, households_share: r4(cell.householdsShare),
        residents: cell.residents, covered_residents: cell.coveredResidents, residents_share: r4(cell.residentsShare),
        synthetic: 'true', attribution: OSM_ATTRIBUTION,
      });
    }
  }
  return out;
}
