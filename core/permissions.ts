// Roles, actions and resources as data (role × action × resource), checked in one place on the
// server. Jurisdiction (which part of the division tree) is a separate, second check.

export const ROLES = {
  district_leader: '区领导',
  district_center: '区指挥中心',
  subdistrict_staff: '街道',
  community_staff: '社区',
  grid_worker: '网格员',
  department: '职能部门',
  analyst: '分析员',
  planner: '规划员',
  admin: '管理员',
  kiosk: '大屏',
} as const;
export type Role = keyof typeof ROLES;
export const ROLE_CODES = Object.keys(ROLES) as Role[];

export const RESOURCES = [
  'map',            // base map, divisions, grids, buildings, facilities, tiles
  'incident',       // cases
  'resident_pii',   // residents' personal data (phones of callers, special-care groups)
  'account',        // accounts, roles, jurisdictions
  'token',          // API and kiosk tokens
  'audit',          // the audit log
  'export',         // CSV/GeoJSON exports
  'grid_edit',      // redrawing grids
  'coverage',       // 15-minute analysis
  'report',         // case statistics (grid solve share, on-time rates, hotspots)
  'workflow',       // the responsibility list (category × level → handler, deadlines)
  'facility',       // editing service facilities of the 16 classes (add, move, retag, delete, CSV import)
  'warning',        // trend early-warnings: read; create = run a scan now; update = acknowledge, assign, close
  'performance',    // monthly performance scores (ranking, breakdown, CSV, printable report)
  'governance_rule', // warning thresholds and performance-score weights (data an admin edits)
  'party',          // the Party branch ledger (支部台账): members, activities, 党员中心户
  'staff_contact',  // contact numbers of 一格三员 staff and Party members (read = masked; read_full = audited)
  'resident_tag',   // the resident data pool's tag list (低保, 空巢老人, 出租屋 …; data an admin edits)
] as const;
export type Resource = (typeof RESOURCES)[number];

export const ACTIONS = ['read', 'create', 'update', 'delete', 'read_full'] as const;
export type Action = (typeof ACTIONS)[number];

type Grant = Partial<Record<Resource, readonly Action[]>>;

const R = ['read'] as const;
const CRU = ['read', 'create', 'update'] as const;
const CRUD = ['read', 'create', 'update', 'delete'] as const;

/**
 * The permission table. `read_full` on resident_pii means unmasked personal data (audited);
 * `create` on it is importing into the resident data pool, `update` recording a visit or a person's tags.
 * Jurisdiction still limits every grant to the account's subtree.
 */
export const PERMISSIONS: Record<Role, Grant> = {
  district_leader:   { map: R, incident: R, export: R, coverage: R, resident_pii: R, report: R, warning: R, performance: R, party: R, staff_contact: R },
  // 区网格化综合管理中心: takes the unlocated hotline cases at the district desk, locates them and
  // sends them down the ladder (workflow action `locate`); sees the whole district.
  district_center:   { map: R, incident: CRU, export: R, coverage: R, resident_pii: ['read', 'read_full', 'create', 'update'], report: R, warning: CRU, performance: R,
                       party: CRU, staff_contact: ['read', 'read_full'] },
  subdistrict_staff: { map: R, incident: CRU, export: R, coverage: R, resident_pii: ['read', 'read_full', 'create', 'update'], report: R, warning: CRU, performance: R,
                       party: CRU, staff_contact: ['read', 'read_full'] },
  community_staff:   { map: R, incident: CRU, export: R, coverage: R, resident_pii: ['read', 'read_full', 'create', 'update'], report: R, warning: ['read', 'update'], performance: R,
                       party: CRU, staff_contact: ['read', 'read_full'] },
  grid_worker:       { map: R, incident: CRU, resident_pii: ['read', 'read_full', 'update'], warning: R, party: ['read', 'create'], staff_contact: ['read', 'read_full'] },
  department:        { map: R, incident: ['read', 'update'] },
  analyst:           { map: R, incident: R, export: R, grid_edit: CRUD, coverage: R, report: R, warning: R, performance: R, party: R },
  // Planners correct the facilities the 15-minute analysis counts (OSM is thin), in their jurisdiction.
  planner:           { map: R, export: R, coverage: CRU, facility: CRUD },
  admin:             { map: R, incident: R, account: CRUD, token: CRUD, audit: R, export: R, resident_pii: R, workflow: ['read', 'update'], facility: CRUD,
                       warning: R, performance: R, governance_rule: ['read', 'update'], party: R, staff_contact: R,
                       resident_tag: CRUD },
  kiosk:             { map: R, incident: R, warning: R, party: R },
};

export function can(role: Role, action: Action, resource: Resource): boolean {
  return PERMISSIONS[role]?.[resource]?.includes(action) ?? false;
}

/** Mask a mainland mobile number for lists: 13812345678 → 138****5678. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\s|-/g, '');
  if (digits.length < 7) return '*'.repeat(digits.length);
  return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`;
}

/** Where an account of each role is bound in the division tree (kiosk exists only as a token). */
export const ROLE_BINDING: Record<Role, 'district' | 'subdistrict' | 'community' | 'grid' | 'department' | 'any'> = {
  district_leader: 'district',
  district_center: 'district',
  subdistrict_staff: 'subdistrict',
  community_staff: 'community',
  grid_worker: 'grid',
  department: 'department',
  analyst: 'district',
  planner: 'district',
  admin: 'any',
  kiosk: 'any',
};
