// The public pages' wire shapes (随手拍 /report, community page /public/<code>): what the server
// answers to residents without an account. None of them carries personal data: phones appear
// masked (138****5678) and only to the resident who verified them. Types only.
import type { Rating } from './workflow.js';
import type { CodePurpose } from './verify-code.js';
import type { ProjectStatus, TallyRow } from './votes.js';
import type { LedgerReason, PointsRules, RankedRow } from './points.js';
import type { CodeState, VoteLinkState } from './desk.js';

/** POST /api/public/codes: how the code reaches the resident (devCode only with SMS_MODE=dev). */
export interface CodeIssued {
  purpose: CodePurpose;
  phone: string;
  delivery: 'sms' | 'desk' | 'dev';
  expiresAt: string;
  devCode?: string;
}

/** POST /api/public/verify: the ticket a verified phone gets (sent as X-Resident-Ticket). */
export interface TicketIssued {
  ticket: string;
  purpose: CodePurpose;
  phone: string;
  expiresAt: string;
}

/** GET /api/public/district: what the report page needs to draw its map. */
export interface PublicDistrict {
  code: string;
  name: string;
  bbox: [number, number, number, number];
  tilesUrl: string;
  attribution: string;
  communities: { code: string; name: string }[];
  categories: { code: string; name: string }[];
}

/** POST /api/public/reports: the case number and the resident's private link. */
export interface ReportFiled {
  caseId: number;
  status: string;
  statusName: string;
  trackToken: string;
  trackUrl: string;
  created: boolean;
}

/** GET /api/public/case (X-Track-Token): the case as its reporter follows it. */
export interface PublicCaseView {
  caseId: number;
  category: string;
  categoryName: string;
  description: string;
  status: string;
  statusName: string;
  statusType: 'open' | 'fixed' | 'closed';
  communityName: string | null;
  lon: number | null;
  lat: number | null;
  createdAt: string;
  resolvedAt: string | null;
  verifiedAt: string | null;
  closedAt: string | null;
  /** The case was merged into another report of the same problem. */
  mergedInto: number | null;
  /** The case it was merged into, as it stands now (rating follows that case). */
  survivor: { caseId: number; status: string; statusName: string } | null;
  steps: { action: string; name: string; at: string }[];
  canRate: boolean;
  rating: Rating | null;
  ratedAt: string | null;
  /** Points this report earned (0 until verified valid). */
  points: number;
}

export interface CategoryMonth { category: string; name: string; received: number; solved: number }

/** GET /api/public/communities/:code/summary: this month, projects done. */
export interface CommunitySummary {
  code: string;
  name: string;
  month: string;
  received: number;
  solved: number;
  solveShare: number | null;
  byCategory: CategoryMonth[];
  projectsDone: { id: number; year: number; title: string; description: string; doneAt: string }[];
  /** Some counted cases are synthetic (demo data). */
  synthetic: boolean;
}

export interface PublicProject {
  id: number; communityCode: string; year: number; title: string; description: string; status: ProjectStatus; doneAt: string | null;
}

/** GET /api/public/communities/:code/votes: the year's candidates and their votes (also for the wall). */
export interface VoteResults {
  communityCode: string;
  communityName: string;
  year: number;
  total: number;
  projects: (TallyRow & { description: string })[];
}

export interface Leaderboard { communityCode: string; communityName: string; rows: RankedRow[] }

export interface LedgerEntry {
  id: number; residentId: number; phone: string; communityCode: string | null; delta: number; reason: LedgerReason;
  note: string; incidentId: number | null; actor: string; at: string;
}

/** GET /api/public/desk/codes: a code this desk handed out (the code itself is never listed). */
export interface DeskCodeRow {
  id: number;
  /** Masked (138****0001). */
  phone: string;
  purpose: CodePurpose;
  /** Who asked for the code: the resident on the page ('self', the desk read it out) or the desk. */
  requestedBy: 'self' | 'desk';
  issuedAt: string;
  expiresAt: string;
  usedAt: string | null;
  state: CodeState;
}
/** GET /api/public/desk/vote-links: a one-time voting link (the token is never listed). */
export interface VoteLinkRow {
  id: number;
  communityCode: string;
  communityName: string;
  year: number;
  issuedBy: string;
  issuedAt: string;
  usedAt: string | null;
  state: VoteLinkState;
}

/** GET /api/public/reports, one row: a resident report (随手拍) as the staff who judge it see it. */
export interface StaffReportView {
  caseId: number;
  residentId: number;
  /** Masked (138****0001). */
  phone: string;
  reportedAt: string;
  category: string;
  categoryName: string;
  description: string;
  status: string;
  statusName: string;
  mergedInto: number | null;
  /** The case the report lives on in (itself unless merged), and its state (what decides its points). */
  survivorId: number;
  survivorStatus: string;
  communityCode: string | null;
  communityName: string | null;
  gridId: number | null;
  /** Staff marked the report invalid (无效举报): when and why. */
  rejectedAt: string | null;
  rejectedNote: string | null;
  /** Points the resident holds for it (awards less reversals). */
  points: number;
}

export type { PointsRules };
