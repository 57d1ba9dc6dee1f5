// Authoritative validation of a community's grid layout, in PostGIS (editor.sql: validity,
// problems, figures). The same rules and messages as core/grid-edit/validate.ts, which the page
// runs live; here GEOS decides. Structural checks that would make PostGIS throw (rings not closed,
// coordinates that are not lon/lat, too many vertices) run first in TS and keep a grid out of SQL.
import {
  AREA_TOLERANCE_M2, BLOCKING_PROBLEMS, CUT_TOLERANCE_M, MAX_GRID_VERTICES,
  type Band, type DraftGrid, type GridFigures, type Problem, type Validation,
} from '../../core/grid-edit/contract.js';
import { countVertices, structuralProblem } from '../../core/grid-edit/validate.js';
import type { Queryable } from '../db/db.js';
import { loadSql } from '../db/sql.js';

export const SQL = loadSql(new URL('./editor.sql', import.meta.url), [
  'communities', 'community', 'publishedGrids', 'gridCodes', 'buildings', 'roads', 'versions', 'insertDraft', 'bumpDraft',
  'draftState', 'lockDraft', 'figures', 'validity', 'problems', 'setBand',
]);

const m2 = (a: number) => (a >= 10 ? String(Math.round(a)) : a.toFixed(1));
const gridJson = (gs: readonly DraftGrid[]) => JSON.stringify(gs.map((g) => ({ key: g.key, name: g.name, geometry: g.geometry })));

interface ProblemRow {
  code: Problem['code'];
  keys: string[];
  names: string[];
  area_m2: number | null;
  geometry: Problem['geometry'];
  building_id: number | null;
  building_name: string | null;
  extra: string | null;
}

/** Figures of each grid (buildings by point on surface); grids not given get zeros. */
export async function figuresOf(db: Queryable, communityCode: string, grids: readonly DraftGrid[], band: Band): Promise<GridFigures[]> {
  const rows = grids.length
    ? (await db.query<{ key: string; households: number; residents: number; buildings: number }>(SQL.figures, [gridJson(grids), communityCode])).rows
    : [];
  return rows.map((r) => ({ ...r, inBand: r.households >= band.min && r.households <= band.max }));
}

export async function validateOnServer(db: Queryable, communityCode: string, grids: readonly DraftGrid[], band: Band): Promise<Validation> {
  const problems: Problem[] = [];
  const label = (g: DraftGrid) => `网格「${g.name}」`;
  const byKey = new Map(grids.map((g) => [g.key, g]));

  // Structure (TS), then validity and area (GEOS).
  const sane: DraftGrid[] = [];
  for (const g of grids) {
    const n = countVertices(g.geometry);
    if (n > MAX_GRID_VERTICES) {
      problems.push({ code: 'too_many_vertices', message: `${label(g)}有 ${n} 个顶点，超过上限 ${MAX_GRID_VERTICES}`, gridKeys: [g.key], geometry: null });
      continue;
    }
    const s = structuralProblem(g.geometry);
    if (s) { problems.push({ code: 'invalid_geometry', message: `${label(g)}几何无效：${s}`, gridKeys: [g.key], geometry: null }); continue; }
    sane.push(g);
  }
  const usable: DraftGrid[] = [];
  if (sane.length) {
    const v = await db.query<{ key: string; valid: boolean; reason: string; location: Problem['geometry']; area_m2: number | null }>(SQL.validity, [gridJson(sane)]);
    for (const r of v.rows) {
      const g = byKey.get(r.key)!;
      if (!r.valid) {
        const self = /self-intersection/i.test(r.reason);
        problems.push(self
          ? { code: 'self_intersection', message: `${label(g)}的边界自相交`, gridKeys: [g.key], geometry: r.location }
          : { code: 'invalid_geometry', message: `${label(g)}几何无效：${r.reason}`, gridKeys: [g.key], geometry: r.location });
      } else if ((r.area_m2 ?? 0) <= AREA_TOLERANCE_M2) {
        problems.push({ code: 'empty', message: `${label(g)}没有面积`, gridKeys: [g.key], geometry: null });
      } else usable.push(g);
    }
  }

  const allUsable = usable.length === grids.length;
  const rows = (await db.query<ProblemRow>(SQL.problems, [gridJson(usable), communityCode, AREA_TOLERANCE_M2, CUT_TOLERANCE_M, allUsable])).rows;
  for (const r of rows) {
    const a = m2(r.area_m2 ?? 0);
    switch (r.code) {
      case 'overlap':
        problems.push({ code: r.code, message: `网格「${r.names[0]}」与网格「${r.names[1]}」重叠 ${a} 平方米`, gridKeys: r.keys, geometry: r.geometry });
        break;
      case 'outside_community':
        problems.push({ code: r.code, message: `网格「${r.names[0]}」有 ${a} 平方米超出社区边界`, gridKeys: r.keys, geometry: r.geometry });
        break;
      case 'gap':
        problems.push({ code: r.code, message: `社区内有 ${a} 平方米（${r.extra} 处）未划入任何网格`, gridKeys: [], geometry: r.geometry });
        break;
      case 'nesting':
        problems.push({
          code: r.code, message: `${r.names[0]}有 ${a} 平方米超出所属${r.names[2] === 'subdistrict' ? '街道' : '区'}「${r.names[1]}」`,
          gridKeys: [], geometry: r.geometry,
        });
        break;
      case 'cuts_building': {
        const name = r.building_name ? `楼栋「${r.building_name}」` : `楼栋 #${r.building_id}`;
        problems.push({
          code: r.code, message: `${r.names.map((n) => `网格「${n}」`).join('与')}的边界穿过${name}`,
          gridKeys: r.keys, geometry: r.geometry, buildingId: r.building_id!,
        });
        break;
      }
      default:
        throw new Error(`unknown problem ${r.code}`);
    }
  }

  const figs = new Map((await figuresOf(db, communityCode, usable, band)).map((f) => [f.key, f]));
  const figures = grids.map((g) => figs.get(g.key) ?? { key: g.key, households: 0, residents: 0, buildings: 0, inBand: false });
  for (const f of figures) {
    if (f.inBand || !figs.has(f.key)) continue;
    problems.push({
      code: 'out_of_band', message: `${label(byKey.get(f.key)!)}有 ${f.households} 户，不在 ${band.min}–${band.max} 户范围内`,
      gridKeys: [f.key], geometry: null,
    });
  }
  return { ok: !problems.some((p) => BLOCKING_PROBLEMS.includes(p.code)), problems, grids: figures };
}
