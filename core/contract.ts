// The contract between server and client: every shape that crosses the wire (REST answers and
// socket payloads) that is not already a core/ domain type, declared once. The server builds these
// values (server/incidents/presenter.ts, actions.ts, auth/routes.ts …) and the client reads them
// (client/src/api/*, pages); neither side restates them. Types only: no code, no I/O.
//
// Other wire shapes live beside the logic that owns them and are part of the same contract:
// core/types.ts (divisions, grids, buildings, Incident, DistrictInfo), core/workflow.ts (CaseView,
// CaseEventView), core/wall.ts (the wall's answers), core/events.ts (socket events), core/bbox.ts
// (BBox), core/grid-edit/contract.ts and core/coverage/contract.ts (their pages' requests/answers).
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import type { BBox } from './bbox.js';
import type { IntakeFields } from './incident-schema.js';
import type { VoteResults } from './public-contract.js';
import type { BuildingProps, DivisionLevel } from './types.js';
import type { CaseEventView, CaseView } from './workflow.js';

export type { BBox };

// ---------------------------------------------------------------------------------------------
// Cases

/** A case as the API shows it (REST and socket diffs): the workflow's view plus the intake fields. */
export type IncidentView = CaseView & IntakeFields;

/** Who called, as a list or detail shows it to roles that may read personal data (masked unless asked in full). */
export interface CallerView {
  name: string | null;
  phone: string | null;
  email: string | null;
  /** Open311 device and account ids (full view only). */
  deviceId: string | null;
  accountId: string | null;
  masked: boolean;
}

/** A case in GET /api/incidents and GET /api/incidents/:id: `caller` only for roles that may read personal data. */
export type CaseItem = IncidentView & { caller?: CallerView | null };

/** GET /api/incidents (and ?since= catch-ups). */
export interface IncidentList {
  incidents: CaseItem[];
  /** Server time of the query; pass as `since` to fetch what changed afterwards. */
  now: string;
}

/** One report folded into a case (the first and every merged or repeated one). */
export interface Reporter {
  source: string;
  clientKey: string;
  reportedAt: string;
  reportedBy: string | null;
  mergedFrom: number | null;
}

/** A photo on a case. */
export interface CasePhoto {
  id: number; url: string; thumbUrl: string; mime: string; bytes: number; width: number; height: number;
  /** The trail entry the photo came with (report, resolve, …). */
  action: string | null; addedAt: string; uploadedBy: string;
}

/** GET /api/incidents/:id: a case with its trail, its reporters and the caller's next actions. */
export interface CaseDetail {
  incident: CaseItem;
  events: CaseEventView[];
  reporters: Reporter[];
  /** What the caller may do next (empty for read-only roles). */
  allowedActions: { action: string; name: string }[];
  /** Added by the route (server/photos). */
  photos?: CasePhoto[];
}

/** GET /api/incidents/:id/duplicates: open cases of the same category nearby, to merge into. */
export interface Duplicates {
  radiusM: number;
  windowHours: number;
  duplicates: (CaseItem & { distanceM: number })[];
}

// ---------------------------------------------------------------------------------------------
// Jurisdiction and who am I

/** Which part of the division tree a principal may see (server/auth/scope.ts resolves it). */
export type Scope =
  | { kind: 'all' }
  /** A division and its subtree (codes includes the node itself). */
  | { kind: 'division'; code: string; codes: string[]; ancestors: string[] }
  | { kind: 'grid'; gridId: number; communityCode: string; ancestors: string[] }
  /** Departments see the map district-wide but only the cases sent to them. */
  | { kind: 'department'; departmentId: number };

/** A Scope as GET /api/auth/me shows it (without the resolved code lists). */
export type AccountScope =
  | Extract<Scope, { kind: 'all' | 'department' }>
  | Pick<Extract<Scope, { kind: 'division' }>, 'kind' | 'code'>
  | Pick<Extract<Scope, { kind: 'grid' }>, 'kind' | 'gridId' | 'communityCode'>;

/** GET /api/auth/me and POST /api/auth/login: `account`. */
export interface Account {
  kind: 'account' | 'token';
  id: number;
  username: string;
  displayName: string;
  role: string;
  roleName: string;
  mustChangePassword?: boolean;
  /** Cookie sessions only. */
  csrfToken?: string;
  divisionCode?: string | null;
  gridId?: number | null;
  departmentId?: number | null;
  scope?: AccountScope;
}

// ---------------------------------------------------------------------------------------------
// Map layers

/** GET /api/divisions.geojson: one division's outline. */
export interface DivisionFeatureProps {
  code: string;
  name: string;
  level: DivisionLevel;
  parentCode: string | null;
  syntheticGeometry: boolean;
}
export type DivisionCollection = FeatureCollection<MultiPolygon | Polygon, DivisionFeatureProps>;

/** GET /api/buildings?bbox=… */
export type BuildingFeature = Feature<MultiPolygon | Polygon, BuildingProps>;
/** Buildings as GET /api/buildings sends them: truncated when the server's MAX_FEATURES cut the list. */
export type BuildingCollection = FeatureCollection<MultiPolygon | Polygon, BuildingProps> & { truncated?: boolean };

// ---------------------------------------------------------------------------------------------
// Wall

/**
 * GET /api/wall/votes?division=&year=: the year's 一年一事 results (the public tally, as
 * GET /api/public/communities/:code/votes gives it) of every community in the caller's jurisdiction
 * that put up candidate projects; communities without projects are left out.
 */
export interface WallVotes {
  year: number;
  communities: VoteResults[];
}
