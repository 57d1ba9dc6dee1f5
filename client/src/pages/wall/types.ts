// Shapes of the wall's API answers: the server's own (core/wall.ts), and the page's view of a case.
import type {
  GridMetric, PartyGrid, PartyLevel, PartyNode, PartyTree, RankRow, WallMetrics, WallPoints, WallTotals,
} from '../../../../core/wall.js';
export type { GridMetric, PartyGrid, PartyLevel, PartyNode, PartyTree, RankRow, WallMetrics, WallPoints, WallTotals };

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
