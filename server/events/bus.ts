// Domain events. Commands publish after their transaction commits; the socket layer (and later
// the wall screen's KPI aggregator) subscribe. Routes never touch the socket server.
import { EventEmitter } from 'node:events';
import type { IncidentView } from '../../core/contract.js';
import type { WarningsDiff } from '../../core/events.js';
import type { WarningView } from '../../core/trend/contract.js';

/** The divisions and grid a case is filed under (what decides which screens show it). */
export type IncidentPlace = Pick<IncidentView, 'districtCode' | 'subdistrictCode' | 'communityCode' | 'gridId'>;

export interface DomainEvents {
  'incident.created': { incident: IncidentView };
  /** `before`: where the case was, when the update moved it (its screens there drop it). */
  'incident.updated': { incident: IncidentView; before?: IncidentPlace };
  /**
   * Credentials ended (published after the write): logout (`sessionId`); an account's role,
   * jurisdiction, status or password changed by an admin (`accountId`: all its sessions); its own
   * password change (`accountId` except the session that made it); a token revoked or rotated
   * (`tokenId`). Live sockets opened with them are disconnected at once.
   */
  'auth.revoked': { sessionId?: string; accountId?: number; exceptSessionId?: string; tokenId?: number };
  /**
   * A community's grid layout was published (grid editor): map pages showing it reload its grids.
   * `grids`: ids of the grids created, kept and retired (socket event grids:changed).
   */
  'grids.published': { communityCode: string; versionId: number; grids?: { add: number[]; update: number[]; remove: number[] } };
  /**
   * Trend early-warnings raised, changed or closed (server/warnings): `removed` carries the closed
   * warnings themselves, so their rooms are known (socket event warnings:diff).
   */
  'warnings.changed': WarningsDiff & { removed?: WarningView[] };
}

export class EventBus {
  private readonly ee = new EventEmitter();
  constructor() {
    this.ee.setMaxListeners(100);
  }
  publish<K extends keyof DomainEvents>(name: K, payload: DomainEvents[K]): void {
    this.ee.emit(name, payload);
  }
  subscribe<K extends keyof DomainEvents>(name: K, fn: (p: DomainEvents[K]) => void): () => void {
    this.ee.on(name, fn);
    return () => this.ee.off(name, fn);
  }
}
