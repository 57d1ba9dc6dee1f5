// The coverage engine of one database: the walking graph built from its roads, every building and
// facility snapped onto it, and the baseline minutes of every building to every class. Held in
// memory per process and per database; rebuilt when the roads, buildings or facilities change
// (a fingerprint query, checked at most every few seconds), and stored in coverage_run /
// coverage_building whenever it is computed for a new network.
import { COVERAGE_MAX_MINUTES, MAX_SNAP_METERS, type UnreachableBuilding, type UnreachableFacility } from '../../core/coverage/contract.js';
import { classTimes, type ClassTimes } from '../../core/coverage/coverage.js';
import { snapLonLat, walkGraph, type RoadInput, type Snap, type WalkGraph } from '../../core/coverage/graph.js';
import { pointsByEdge, Searcher, type PackedPoints } from '../../core/coverage/search.js';
import type { ServiceClass } from '../../core/types.js';
import type { Db, Queryable } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import { LOCK } from '../scale/locks.js';

export const SQL = loadSql(new URL('./coverage.sql', import.meta.url), [
  'fingerprint', 'roads', 'buildings', 'facilities', 'latestRun', 'insertRun', 'clearResults', 'clearRuns', 'insertResults',
  'classes', 'facilityCounts', 'cells', 'gridCells', 'gridsInScope', 'communities', 'scopeArea', 'buildingsGeo', 'gaps',
  'facilityById', 'candidates', 'insertScenario', 'scenarios', 'scenarioById', 'updateScenarioResults',
  'facilityIdsInScope', 'wallScores',
]);

/** How long a checked fingerprint is trusted before asking the database again. */
const RECHECK_MS = 2000;

export interface BuildingSet {
  id: Int32Array;
  name: (string | null)[];
  households: Int32Array;
  residents: Int32Array;
  residential: Uint8Array;
  community: (string | null)[];
  grid: Int32Array; // -1 = none
  lon: Float64Array;
  lat: Float64Array;
  snaps: (Snap | null)[];
  index: Map<number, number>;
  /** The buildings by snapped edge, unpacked for the classes' passes. */
  byEdge: PackedPoints;
}

export interface FacilitySet {
  ids: number[];
  names: (string | null)[];
  lon: number[];
  lat: number[];
  snaps: (Snap | null)[];
}

export interface CoverageEngine {
  version: string;
  speedMps: number;
  maxMinutes: number;
  computedAt: Date;
  ms: number;
  graph: WalkGraph;
  searcher: Searcher;
  buildings: BuildingSet;
  classes: ServiceClass[];
  facilities: Map<string, FacilitySet>;
  /** Baseline minutes per class. */
  times: Map<string, ClassTimes>;
  unreachable: { buildings: UnreachableBuilding[]; facilities: UnreachableFacility[] };
}

interface Slot {
  engine: CoverageEngine | null;
  checkedAt: number;
  pending: Promise<CoverageEngine> | null;
}
const slots = new WeakMap<Queryable, Slot>();

export async function fingerprint(db: Queryable): Promise<string> {
  return (await db.query<{ version: string }>(SQL.fingerprint)).rows[0]!.version;
}

interface RoadRow { id: number; kind: string; walkable: boolean; coords: number[][]; snappable: boolean }
interface BuildingRow {
  id: number; name: string | null; households: number; residents: number; residential: boolean;
  community_code: string | null; grid_id: number | null; lon: number; lat: number;
}
interface FacilityRow { id: number; name: string | null; service_class: string; lon: number; lat: number }

/** Build the engine from the database's current rows (no storing). */
export async function buildEngine(db: Queryable, speedMps: number, version?: string): Promise<CoverageEngine> {
  const t0 = performance.now();
  const v = version ?? await fingerprint(db);
  const [roadRows, bRows, fRows, classes] = [
    (await db.query<RoadRow>(SQL.roads)).rows,
    (await db.query<BuildingRow>(SQL.buildings)).rows,
    (await db.query<FacilityRow>(SQL.facilities)).rows,
    (await db.query<ServiceClass>(SQL.classes)).rows,
  ];
  const roads: RoadInput[] = roadRows.map((r) => ({ id: r.id, kind: r.kind, walkable: r.walkable, coords: r.coords, snappable: r.snappable }));
  const graph = walkGraph(roads);
  const n = bRows.length;
  const buildings: BuildingSet = {
    id: new Int32Array(n), name: new Array(n), households: new Int32Array(n), residents: new Int32Array(n),
    residential: new Uint8Array(n), community: new Array(n), grid: new Int32Array(n), lon: new Float64Array(n),
    lat: new Float64Array(n), snaps: new Array(n), index: new Map(), byEdge: pointsByEdge(graph, []),
  };
  bRows.forEach((r, i) => {
    buildings.id[i] = r.id; buildings.name[i] = r.name; buildings.households[i] = r.households; buildings.residents[i] = r.residents;
    buildings.residential[i] = r.residential ? 1 : 0; buildings.community[i] = r.community_code; buildings.grid[i] = r.grid_id ?? -1;
    buildings.lon[i] = r.lon; buildings.lat[i] = r.lat;
    buildings.snaps[i] = snapLonLat(graph, r.lon, r.lat, MAX_SNAP_METERS);
    buildings.index.set(r.id, i);
  });
  buildings.byEdge = pointsByEdge(graph, buildings.snaps);
  const facilities = new Map<string, FacilitySet>();
  for (const c of classes) facilities.set(c.code, { ids: [], names: [], lon: [], lat: [], snaps: [] });
  for (const f of fRows) {
    const set = facilities.get(f.service_class);
    if (!set) continue;
    set.ids.push(f.id); set.names.push(f.name); set.lon.push(f.lon); set.lat.push(f.lat);
    set.snaps.push(snapLonLat(graph, f.lon, f.lat, MAX_SNAP_METERS));
  }
  const searcher = new Searcher(graph);
  const times = new Map<string, ClassTimes>();
  for (const c of classes) {
    times.set(c.code, classTimes(searcher, facilities.get(c.code)!.snaps, buildings.byEdge, speedMps, COVERAGE_MAX_MINUTES));
  }
  const unreachable = {
    buildings: bRows.filter((r, i) => !buildings.snaps[i] && r.households > 0)
      .map((r) => ({ id: r.id, name: r.name, households: r.households })),
    facilities: fRows.filter((f) => {
      const set = facilities.get(f.service_class);
      return set ? !set.snaps[set.ids.indexOf(f.id)] : false;
    }).map((f) => ({ id: f.id, name: f.name, class: f.service_class })),
  };
  return {
    version: v, speedMps, maxMinutes: COVERAGE_MAX_MINUTES, computedAt: new Date(), ms: performance.now() - t0,
    graph, searcher, buildings, classes, facilities, times, unreachable,
  };
}

const nullable = (m: number) => (Number.isFinite(m) ? m : null);

/** Store an engine's results (replacing the previous ones) and return the run's time. */
export async function storeEngine(db: Db, e: CoverageEngine): Promise<Date> {
  return db.transaction(async (tx) => {
    // Several server processes may store at once (each recomputing after the same edit): one at a
    // time, each replacing the previous run whole (server/scale/locks.ts).
    if (db.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [LOCK.coverageStore]);
    await tx.query(SQL.clearResults);
    const run = (await tx.query<{ id: number; computed_at: Date }>(SQL.insertRun, [
      e.version, e.speedMps, e.maxMinutes, e.graph.nodeCount, e.graph.edgeCount, e.graph.componentCount,
      e.graph.excludedRoads, e.ms, JSON.stringify(e.unreachable),
    ])).rows[0]!;
    await tx.query(SQL.clearRuns, [run.id]);
    const ids = Array.from(e.buildings.id);
    const reachable = e.buildings.snaps.map((s) => s !== null);
    for (const c of e.classes) {
      const t = e.times.get(c.code)!;
      const fac = e.facilities.get(c.code)!;
      await tx.query(SQL.insertResults, [
        c.code, ids, Array.from(t.minutes, nullable), Array.from(t.nearest, (k) => (k >= 0 ? fac.ids[k]! : null)), reachable,
      ]);
    }
    return new Date(run.computed_at);
  });
}

/**
 * The current engine of this database: built (and stored, when the stored run is for another
 * network or speed) on first use and after the roads, buildings or facilities changed.
 */
export async function getEngine(db: Db, speedMps: number, opts: { force?: boolean; maxAgeMs?: number } = {}): Promise<CoverageEngine> {
  let slot = slots.get(db);
  if (!slot) { slot = { engine: null, checkedAt: 0, pending: null }; slots.set(db, slot); }
  if (slot.pending) return slot.pending;
  const s = slot;
  if (!opts.force && s.engine && s.engine.speedMps === speedMps && Date.now() - s.checkedAt < (opts.maxAgeMs ?? RECHECK_MS)) return s.engine;
  s.pending = (async () => {
    const version = await fingerprint(db);
    if (!opts.force && s.engine && s.engine.version === version && s.engine.speedMps === speedMps) {
      s.checkedAt = Date.now();
      return s.engine;
    }
    const e = await buildEngine(db, speedMps, version);
    const last = (await db.query<{ network_version: string; speed_mps: number; computed_at: Date }>(SQL.latestRun)).rows[0];
    if (!opts.force && last && last.network_version === version && last.speed_mps === speedMps) {
      e.computedAt = new Date(last.computed_at); // stored results are of this very network: same figures
    } else {
      e.computedAt = await storeEngine(db, e);
    }
    s.engine = e;
    s.checkedAt = Date.now();
    return e;
  })();
  try {
    return await s.pending;
  } finally {
    s.pending = null;
  }
}

/** Forget the cached engine (tests; after an import in the same process). */
export function dropEngine(db: Queryable): void {
  slots.delete(db);
}
