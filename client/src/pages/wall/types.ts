// Shapes of the wall's API answers. The per-grid, ranking, totals and Party-tree shapes are the
// server's own (core/wall.ts); the rest are the page's views of other answers.
import type { GridMetric, PartyLevel, PartyNode, RankRow, WallTotals } from '../../../../core/wall.js';
export type { GridMetric, PartyLevel, PartyNode, RankRow, WallTotals };




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
