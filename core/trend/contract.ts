// Warnings as the API and the sockets show them (GET /api/warnings, socket event warnings:diff).
import type { ClusterEvidence } from './cluster.js';
import type { OnTimeEvidence } from './on-time.js';
import type { RisingEvidence } from './rising.js';
import type { WarningKind } from './thresholds.js';

export const WARNING_STATUSES = ['open', 'acknowledged', 'closed'] as const;
export type WarningStatus = (typeof WARNING_STATUSES)[number];
export const WARNING_STATUS_NAMES: Record<WarningStatus, string> = { open: '待处理', acknowledged: '已确认', closed: '已关闭' };

export type WarningEvidence = RisingEvidence | ClusterEvidence | OnTimeEvidence;

export interface WarningView {
  id: number;
  kind: WarningKind;
  key: string;
  status: WarningStatus;
  /** One line in zh-CN naming what was found (the desk's list and the wall's ticker). */
  title: string;
  category: string | null;
  categoryName: string | null;
  gridId: number | null;
  gridName: string | null;
  communityCode: string | null;
  communityName: string | null;
  subdistrictCode: string | null;
  districtCode: string | null;
  evidence: WarningEvidence;
  caseIds: number[];
  synthetic: boolean;
  detectedAt: string;
  updatedAt: string;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  assignedTo: { id: number; name: string } | null;
  assignedBy: string | null;
  assignedAt: string | null;
  note: string | null;
}

/** GET /api/warnings */
export interface WarningList {
  warnings: WarningView[];
}

/** POST /api/warnings/scan */
export interface ScanResult {
  at: string;
  added: number;
  updated: number;
  skipped?: 'busy';
}
