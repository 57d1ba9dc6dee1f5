// Shapes of the wall's API answers (GET /api/wall/metrics, GET /api/party/tree), shared by the
// server that builds them and the wall page that reads them.
import type { BBox } from './bbox.js';

/** 社区党委 › 网格党支部 › 楼栋党小组 › 党员中心户 */
export const PARTY_LEVELS = ['community_committee', 'grid_branch', 'building_group', 'member_household'] as const;
export type PartyLevel = (typeof PARTY_LEVELS)[number];

export interface GridMetric {
  gridId: number;
  code: string;
  name: string;
  communityCode: string;
  households: number;
  /** Cases not yet resolved (state type open). */
  open: number;
  /** Open cases past their deadline (超期). */
  overdue: number;
  /** Cases reported in the window (windowDays). */
  recent: number;
  /** recent per 1,000 households (null for a grid without households). */
  per1000: number | null;
  /** The grid has a 网格党支部. */
  partyBranch: boolean;
  partyMembers: number;
  buildingGroups: number;
  /** 党员中心户 in the grid. */
  memberHouseholds: number;
  /** All three of 一格三员 are in post. */
  staffingComplete: boolean;
  staffRoles: string[];
  /**
   * 15-minute life circle score (/coverage): mean over the 16 service classes of the share of the
   * grid's households within each class's walking time; null before the first computation or
   * without households. Always sent by the server (optional only for older fixtures).
   */
  serviceCoverage?: number | null;
}

export interface RankRow {
  code: string;
  name: string;
  level: 'subdistrict' | 'community';
  parentCode: string | null;
  grids: number;
  households: number;
  open: number;
  overdue: number;
  today: number;
  recent: number;
  per1000: number | null;
}

export interface WallTotals {
  /** Cases reported today (Beijing). */
  today: number;
  resolvedToday: number;
  open: number;
  overdue: number;
  /** Cases reported in the window. */
  recent: number;
  solved: number;
  solvedAtGrid: number;
  /** Share of the window's solved cases solved at grid level (the 95 % target). */
  gridSolvedShare: number | null;
  gridSolvedTarget: number;
  /** Mean hours from report to resolution, over cases resolved in the window. */
  avgCloseHours: number | null;
  grids: number;
  households: number;
  /** Grids with a 网格党支部, and their share (党建覆盖率). */
  coveredGrids: number;
  coverage: number | null;
  branches: number;
  partyMembers: number;
  memberHouseholds: number;
  /** Grids with all of 一格三员, and their share (配齐率). */
  staffedGrids: number;
  staffing: number | null;
  /** 15-minute life circle score of the whole jurisdiction (household-weighted per class, then the class mean). */
  serviceCoverage?: number | null;
}

export interface PartyNode {
  id: number;
  parentId: number | null;
  level: PartyLevel;
  levelName: string;
  name: string;
  communityCode: string;
  communityName: string;
  gridId: number | null;
  gridName: string | null;
  buildingId: number | null;
  buildingName: string | null;
  members: number;
  synthetic: boolean;
  /** The grids this organisation covers (a committee: its community's grids in scope). */
  gridIds: number[];
  /** Where to fly: the building, else the grid, else the community. */
  bbox: BBox | null;
  /** Organisations below, by level: grid_branch, building_group, member_household. */
  counts: Record<Exclude<PartyLevel, 'community_committee'>, number>;
  children: PartyNode[];
}

/** GET /api/wall/metrics: the jurisdiction's figures (division/grid echo the request's narrowing). */
export interface WallMetrics {
  division: string | null;
  grid: number | null;
  now: string;
  dayStart: string;
  windowDays: number;
  grids: GridMetric[];
  totals: WallTotals;
  ranking: { subdistricts: RankRow[]; communities: RankRow[] };
  /** Oldest first: hourly over the last 24 h, daily over the last 14 days (last = today). */
  series: { hourlyCreated: number[]; hourlyResolved: number[]; daily: number[] };
}

/** GET /api/wall/points: cases as parallel columns (compact for 1M-case heat maps and replays). */
export interface WallPoints {
  from: string;
  to: string;
  now: string;
  truncated: boolean;
  /** Category codes; `cat` holds indexes into this list. */
  categories: string[];
  /** Parallel columns, oldest first. t/r: epoch seconds (r: resolved, 0 = not resolved). */
  id: number[];
  lon: number[];
  lat: number[];
  t: number[];
  r: number[];
  /** Deadline, epoch seconds (0 = none): what was overdue at a replayed moment. */
  d: number[];
  cat: number[];
  /** Grid id, 0 = none. */
  grid: number[];
  /** 1 = the case is open now. */
  open: number[];
  /** 1 = the case is overdue (超期). */
  overdue: number[];
}

/** A grid in the Party tree: covered by a 网格党支部 or not. */
export interface PartyGrid {
  gridId: number;
  code: string;
  name: string;
  communityCode: string;
  communityName: string;
  households: number;
  /** A 网格党支部 covers the grid. */
  covered: boolean;
  bbox: BBox | null;
}

/** GET /api/party/tree. */
export interface PartyTree {
  roots: PartyNode[];
  grids: PartyGrid[];
  uncovered: PartyGrid[];
  totals: {
    committees: number;
    branches: number;
    buildingGroups: number;
    memberHouseholds: number;
    /** Members of the grid branches. */
    branchMembers: number;
    grids: number;
    coveredGrids: number;
    coverage: number | null;
  };
}
