// Client-side set of incidents, kept current by socket diffs (core/diff.ts applyDiff) and HTTP catch-ups.
import { applyDiff, type Diff } from '../../../core/diff.js';
import type { CaseItem } from '../../../core/contract.js';
import type { Incident } from '../../../core/types.js';

const idOf = (i: Incident) => i.id;

/** Newer of two versions of one incident (by updatedAt; ties keep the incoming one). */
function newer(a: Incident | undefined, b: Incident): boolean {
  if (!a) return true;
  return Date.parse(b.updatedAt) >= Date.parse(a.updatedAt);
}

/** `live` is true for socket diffs, false for HTTP loads and catch-ups. */
export type IncidentListener<T extends Incident = CaseItem> = (diff: Diff<T>, store: IncidentStore<T>, live: boolean) => void;

/** Cases as the API sends them (core/contract.ts CaseItem: REST lists and socket diffs alike). */
export class IncidentStore<T extends Incident = CaseItem> {
  private byId: Map<number, T> = new Map();
  private listeners = new Set<IncidentListener<T>>();
  /** Ids in the order they first became known to this page (for "newly arrived" effects). */
  private arrival = new Map<number, number>();

  get size(): number {
    return this.byId.size;
  }

  get(id: number): T | undefined {
    return this.byId.get(id);
  }

  /** All incidents, newest first. */
  list(): T[] {
    return [...this.byId.values()].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id);
  }

  /** Local time (ms) an incident first arrived on this page, if it arrived live. */
  arrivedAt(id: number): number | undefined {
    return this.arrival.get(id);
  }

  /** Apply a server diff. Returns the diff actually applied (stale updates dropped). */
  apply(diff: Diff<T>, live = true): Diff<T> {
    const eff: Diff<T> = {
      add: diff.add.filter((i) => newer(this.byId.get(i.id), i)),
      update: diff.update.filter((i) => newer(this.byId.get(i.id), i)),
      remove: diff.remove.filter((id) => this.byId.has(id)),
    };
    if (eff.add.length + eff.update.length + eff.remove.length === 0) return eff;
    const now = Date.now();
    if (live) for (const i of [...eff.add, ...eff.update]) if (!this.byId.has(i.id)) this.arrival.set(i.id, now);
    for (const id of eff.remove) this.arrival.delete(id);
    this.byId = applyDiff(this.byId, eff, idOf);
    for (const l of this.listeners) l(eff, this, live);
    return eff;
  }

  /** Merge a list fetched over HTTP (initial load or catch-up after reconnect). */
  merge(list: T[]): Diff<T> {
    const add: T[] = [];
    const update: T[] = [];
    for (const i of list) (this.byId.has(i.id) ? update : add).push(i);
    return this.apply({ add, update, remove: [] }, false);
  }

  subscribe(l: IncidentListener<T>): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}
