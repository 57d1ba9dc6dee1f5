// The Party organisation tree (社区党委 › 网格党支部 › 楼栋党小组 › 党员中心户) inside a
// jurisdiction, each node with the grids it covers and an extent to fly to, plus which grids have
// no 网格党支部 (挂图作战: the uncovered grids are the work list). No HTTP here.
import type { BBox } from '../../core/bbox.js';
import type { Queryable } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import { PARTY_LEVELS, type PartyGrid, type PartyLevel, type PartyNode, type PartyTree } from '../../core/wall.js';
export { PARTY_LEVELS };
export type { PartyGrid, PartyLevel, PartyNode, PartyTree };

const SQL = loadSql(new URL('./party.sql', import.meta.url), ['nodes', 'grids']);

export const PARTY_LEVEL_NAMES: Record<PartyLevel, string> = {
  community_committee: '社区党委',
  grid_branch: '网格党支部',
  building_group: '楼栋党小组',
  member_household: '党员中心户',
};

interface NodeRow {
  id: number; parent_id: number | null; level: PartyLevel; name: string; community_code: string; community_name: string;
  grid_id: number | null; grid_name: string | null; building_id: number | null; building_name: string | null;
  members: number; synthetic: boolean; grid_ids: number[]; xmin: number | null; ymin: number | null; xmax: number | null; ymax: number | null;
}
interface GridRow {
  id: number; code: string; name: string; community_code: string; community_name: string; households: number; covered: boolean;
  xmin: number | null; ymin: number | null; xmax: number | null; ymax: number | null;
}

const bboxOf = (r: { xmin: number | null; ymin: number | null; xmax: number | null; ymax: number | null }): BBox | null =>
  r.xmin == null || r.ymin == null || r.xmax == null || r.ymax == null ? null : [r.xmin, r.ymin, r.xmax, r.ymax];

/** Nest rows by parent; a node whose parent is outside the scope becomes a root. Input order is kept. */
export function buildTree(rows: NodeRow[]): PartyNode[] {
  const byId = new Map<number, PartyNode>();
  for (const r of rows) {
    byId.set(r.id, {
      id: r.id, parentId: r.parent_id, level: r.level, levelName: PARTY_LEVEL_NAMES[r.level] ?? r.level, name: r.name,
      communityCode: r.community_code, communityName: r.community_name, gridId: r.grid_id, gridName: r.grid_name,
      buildingId: r.building_id, buildingName: r.building_name, members: r.members, synthetic: r.synthetic,
      gridIds: r.grid_ids ?? [], bbox: bboxOf(r), counts: { grid_branch: 0, building_group: 0, member_household: 0 }, children: [],
    });
  }
  const roots: PartyNode[] = [];
  for (const r of rows) {
    const node = byId.get(r.id)!;
    const parent = r.parent_id == null ? undefined : byId.get(r.parent_id);
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const count = (n: PartyNode): PartyNode['counts'] => {
    for (const c of n.children) {
      const sub = count(c);
      if (c.level !== 'community_committee') n.counts[c.level]++;
      n.counts.grid_branch += sub.grid_branch;
      n.counts.building_group += sub.building_group;
      n.counts.member_household += sub.member_household;
    }
    return n.counts;
  };
  roots.forEach(count);
  return roots;
}

export async function partyTree(db: Queryable, f: { codes: string[] | null; gridId: number | null }): Promise<PartyTree> {
  const rows = (await db.query<NodeRow>(SQL.nodes, [f.codes, f.gridId])).rows;
  const grids = (await db.query<GridRow>(SQL.grids, [f.codes, f.gridId])).rows.map((g): PartyGrid => ({
    gridId: g.id, code: g.code, name: g.name, communityCode: g.community_code, communityName: g.community_name,
    households: g.households, covered: g.covered, bbox: bboxOf(g),
  }));
  const n = (level: PartyLevel) => rows.filter((r) => r.level === level).length;
  const covered = grids.filter((g) => g.covered).length;
  return {
    roots: buildTree(rows),
    grids,
    uncovered: grids.filter((g) => !g.covered),
    totals: {
      committees: n('community_committee'),
      branches: n('grid_branch'),
      buildingGroups: n('building_group'),
      memberHouseholds: n('member_household'),
      branchMembers: rows.filter((r) => r.level === 'grid_branch').reduce((s, r) => s + r.members, 0),
      grids: grids.length,
      coveredGrids: covered,
      coverage: grids.length ? Math.round((covered / grids.length) * 10_000) / 10_000 : null,
    },
  };
}
