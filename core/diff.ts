// Diffs sent over sockets: add/update/remove, never whole layers (cf. maplibre geojson_source_diff).
export interface Diff<T, Id = number> {
  add: T[];
  update: T[];
  remove: Id[];
}

export function emptyDiff<T, Id = number>(): Diff<T, Id> {
  return { add: [], update: [], remove: [] };
}

/**
 * Apply a diff to a map keyed by id. Pure with respect to its inputs: returns a new Map.
 * An `add` of an id already present acts as an update (a replayed diff after reconnect is harmless);
 * an `update` of an unknown id is an add.
 */
export function applyDiff<T, Id>(current: ReadonlyMap<Id, T>, diff: Diff<T, Id>, idOf: (t: T) => Id): Map<Id, T> {
  const next = new Map(current);
  for (const item of diff.add) next.set(idOf(item), item);
  for (const item of diff.update) next.set(idOf(item), item);
  for (const id of diff.remove) next.delete(id);
  return next;
}
