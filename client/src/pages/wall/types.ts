// Shapes of the wall's API answers (server/wall/metrics.ts, server/party/tree.ts), as the page
// reads them. Kept in step with the server by the browser test, which reads real answers.

export interface GridMetric {
  gridId: number;
  code: string;
  name: string;
  communityCode: string;
  households: number;
  open: number;
  overdue: number;
  recent: number;
  per1000: number | null;
  partyBranch: boolean;
  partyMembers: number;
  buildingGroups: number;
  memberHouseholds: number;
  staffingComplete: boolean;
  staffRoles: string[];
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
  today: number;
  resolvedToday: number;
  open: number;
  overdue: number;
  recent: number;
  solved: number;
  solvedAtGrid: number;
  gridSolvedShare: number | null;
  gridSolvedTarget: number;
  avgCloseHours: number | null;
  grids: number;
  households: number;
  coveredGrids: number;
  coverage: number | null;
  branches: number;
  partyMembers: number;
  memberHouseholds: number;
  staffedGrids: number;
  staffing: number | null;
}

export interface WallMetrics {
  division: string | null;
  grid: number | null;
  now: string;
  dayStart: string;
  windowDays: number;
  grids: GridMetric[];
  totals: WallTotals;
  ranking: { subdistricts: RankRow[]; communities: RankRow[] };
  series: { hourlyCreated: number[]; hourlyResolved: number[]; daily: number[] };
}

export interface WallPoints {
  from: string;
  to: string;
  now: string;
  truncated: boolean;
  categories: string[];
  id: number[];
  lon: number[];
  lat: number[];
  t: number[];
  r: number[];
  cat: number[];
  grid: number[];
  open: number[];
  overdue: number[];
}

export type PartyLevel = 'community_committee' | 'grid_branch' | 'building_group' | 'member_household';

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
  gridIds: number[];
  bbox: [number, number, number, number] | null;
  counts: { grid_branch: number; building_group: number; member_household: number };
  children: PartyNode[];
}

export interface PartyGrid {
  gridId: number;
  code: string;
  name: string;
  communityCode: string;
  communityName: string;
  households: number;
  covered: boolean;
  bbox: [number, number, number, number] | null;
}

export interface PartyTree {
  roots: PartyNode[];
  grids: PartyGrid[];
  uncovered: PartyGrid[];
  totals: {
    committees: number;
    branches: number;
    buildingGroups: number;
    memberHouseholds: number;
    branchMembers: number;
    grids: number;
    coveredGrids: number;
    coverage: number | null;
  };
}

/** The fields of a case the wall uses (the API sends more: workflow and intake fields). */
export interface WallCase {
  id: number;
  category: string;
  description: string;
  source: string;
  status: string;
  statusName?: string;
  statusType?: 'open' | 'fixed' | 'closed';
  lon: number | null;
  lat: number | null;
  gridId: number | null;
  gridName: string | null;
  communityCode: string | null;
  subdistrictCode: string | null;
  districtCode: string | null;
  synthetic: boolean;
  createdAt: string;
  updatedAt: string;
  overdue?: boolean;
  resolvedAt?: string | null;
  level?: string;
  unlocated?: boolean;
}
