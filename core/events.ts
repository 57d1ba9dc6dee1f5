// The socket.io event map, shared by server and client (cf. maplibre's actor_messages typing).
import type { Diff } from './diff.js';
import type { IncidentView } from './contract.js';
import type { WarningView } from './trend/contract.js';

export interface SubscribeRequest {
  /** Division codes (district/subdistrict/community) and/or grid ids to follow. */
  divisions?: string[];
  grids?: number[];
}
export interface SubscribeAck {
  ok: boolean;
  rooms: string[];
  error?: { code: string; message: string };
}

/**
 * A community's grid layout was published (grid editor): the grid ids it created (`add`), kept
 * with possibly a new shape or figures (`update`) and retired (`remove`). Sent to the rooms of the
 * community, its subdistrict and district, and of every grid named; pages reload their grid layers.
 */
export interface GridsChanged extends Diff<number> {
  communityCode: string;
  versionId: number;
}

/** Trend early-warnings raised (add), changed (update: acknowledged, assigned, new evidence) or closed (remove). */
export type WarningsDiff = Diff<WarningView>;

export interface ServerToClientEvents {
  /** Cases as the REST API shows them (server/incidents/presenter.ts), to the rooms they fall in. */
  'incidents:diff': (diff: Diff<IncidentView>) => void;
  'grids:changed': (e: GridsChanged) => void;
  /** To the rooms of the district, subdistrict, community and grid a warning is filed under. */
  'warnings:diff': (diff: WarningsDiff) => void;
}

export interface ClientToServerEvents {
  subscribe: (req: SubscribeRequest, ack: (res: SubscribeAck) => void) => void;
  unsubscribe: (req: SubscribeRequest, ack: (res: SubscribeAck) => void) => void;
}

/** Room naming: one room per division node and per grid. */
export const roomForDivision = (code: string) => `division:${code}`;
export const roomForGrid = (id: number) => `grid:${id}`;
