// The portal's 辖区概况 from the division tree the account may see. The tree is rooted at the
// account's jurisdiction: the district for district roles, a subdistrict or a community for staff
// bound to one, so counts and rows start at the root, whatever its level. A community row opens on
// its grids (gridRows, from GET /api/grids?division=<community>).
import type { DivisionNode, GridCollection } from '../../../../core/types.js';

export type OverviewLevel = 'subdistrict' | 'community';

export interface OverviewRow {
  level: OverviewLevel;
  code: string;
  name: string;
  gridCount: number;
  households: number;
  /** 0 for the topmost rows shown, 1 for a community under a listed subdistrict. */
  depth: number;
}

export interface Overview {
  /** How many of each level the jurisdiction holds; a level above the root is absent. */
  counts: Partial<Record<OverviewLevel, number>>;
  gridCount: number;
  households: number;
  rows: OverviewRow[];
}

const LISTED: readonly OverviewLevel[] = ['subdistrict', 'community'];
const isListed = (l: DivisionNode['level']): l is OverviewLevel => (LISTED as readonly string[]).includes(l);

export function divisionOverview(tree: DivisionNode): Overview {
  const rows: OverviewRow[] = [];
  const counts: Partial<Record<OverviewLevel, number>> = {};
  const rootRank = LISTED.indexOf(tree.level as OverviewLevel);
  for (const [i, l] of LISTED.entries()) if (i >= rootRank) counts[l] = 0;
  const walk = (node: DivisionNode, depth: number) => {
    let childDepth = depth;
    if (isListed(node.level)) {
      counts[node.level] = (counts[node.level] ?? 0) + 1;
      rows.push({ level: node.level, code: node.code, name: node.name, gridCount: node.gridCount, households: node.households, depth });
      childDepth = depth + 1;
    }
    for (const c of node.children) walk(c, childDepth);
  };
  walk(tree, 0);
  return { counts, gridCount: tree.gridCount, households: tree.households, rows };
}

export interface GridRow {
  id: number;
  /** The grid's own name ("第04网格"), the community being the row above it. */
  name: string;
  fullName: string;
  households: number;
}

/** A community's grids for the tree, in the order of their codes. */
export function gridRows(fc: GridCollection): GridRow[] {
  return fc.features
    .map((f) => f.properties)
    .sort((a, b) => a.code.localeCompare(b.code, 'zh-CN', { numeric: true }))
    .map((p) => {
      const parts = p.name.split(/[・·•]/).map((x) => x.trim()).filter(Boolean);
      return { id: p.id, name: parts[parts.length - 1] ?? p.name, fullName: p.name, households: p.households };
    });
}
