// Domain events. Commands publish after their transaction commits; the socket layer (and later
// the wall screen's KPI aggregator) subscribe. Routes never touch the socket server.
import { EventEmitter } from 'node:events';
import type { Incident } from '../../core/types.js';

export interface DomainEvents {
  'incident.created': { incident: Incident };
  'incident.updated': { incident: Incident };
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
