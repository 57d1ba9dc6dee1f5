// What a grid's info card shows beyond households (GET /api/grids/:id/summary): its 一格三员 staff,
// its Party branch and its case figures. The wire shape, the month boundary and who sees what. Pure.
import { STAFF_DUTIES, type StaffDuty } from './party-ledger.js';
import { can, type Role } from './permissions.js';

/** 一格三员 duties (core/party-ledger.ts): the three the card counts as missing, then 民警, 法律顾问, 城管/执法, 志愿者. */
export type StaffRole = StaffDuty;
/** The duties, in display order. */
export const STAFF_ROLE_NAMES: Record<StaffRole, string> = STAFF_DUTIES;
/** The roles a grid must have staffed (staffMissing lists those nobody holds). */
export const REQUIRED_STAFF_ROLES: readonly StaffRole[] = ['grid_worker', 'community_worker', 'property_manager'];

export interface GridStaffMember {
  role: StaffRole;
  /** The full name, or masked (张**) for roles that do not see people's names. */
  name: string;
  /** The contact number, always masked (138****5678); null when none is on record or the caller may not read staff contacts. */
  phone: string | null;
  synthetic: boolean;
}

export interface GridSummary {
  gridId: number;
  name: string;
  /** 一格三员 in post (possibly several per role, possibly none for a role). */
  staff: GridStaffMember[];
  /** Staff names are masked for this caller. */
  staffMasked: boolean;
  /** The required roles of 一格三员 (REQUIRED_STAFF_ROLES) that nobody holds. */
  staffMissing: StaffRole[];
  party: {
    /** 网格党支部 of the grid (usually one). */
    branches: { name: string; members: number }[];
    buildingGroups: number;
    memberHouseholds: number;
    synthetic: boolean;
  };
  /** Cases located in the grid; null for roles that may not read cases. */
  cases: CaseFigures | null;
}

/** Case figures of a grid or a jurisdiction (GET /api/grids/case-figures). */
export interface CaseFigures {
  /** Every case, in any state, as GET /api/incidents lists them (its `limit` caps a page, not this). */
  total: number;
  /** Open now; open past the deadline; reported since the start of the Beijing month (merged duplicates not counted). */
  open: number;
  overdue: number;
  thisMonth: number;
}

const BEIJING_MS = 8 * 3_600_000;

/** Start of the Beijing calendar month holding `ms` (UTC+8, no daylight saving), as an instant. */
export function beijingMonthStart(ms: number): Date {
  const d = new Date(ms + BEIJING_MS);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) - BEIJING_MS);
}

/** Names of people are shown in full to the roles that work with people's data; others see 张**. */
export function seesStaffNames(role: Role): boolean {
  return can(role, 'read', 'resident_pii');
}

export function maskPersonName(name: string): string {
  const chars = [...name];
  return chars.length <= 1 ? '*' : `${chars[0]}${'*'.repeat(chars.length - 1)}`;
}
