// Saved what-if scenarios: the changes, and the minutes they give for the changed classes (stored;
// recomputed when the network changed since). Compared with each other or with the baseline per
// community × class.
import type {
  ClassChanges, CompareRow, CoverageArea, CoverageCell, Scenario, ScenarioCompare, ScenarioCreateBody, ScenarioListItem,
} from '../../core/coverage/contract.js';
import { emptyCell, finish } from '../../core/coverage/coverage.js';
import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { fail, ok, type Result } from '../http/errors.js';
import { SQL, type CoverageEngine } from './engine.js';
import { area, type CoverageScope } from './summary.js';
import { applyChanges, cellsFor, communitiesOf, scopeIndices } from './whatif.js';

/** Stored results: building ids and, per changed class, minutes in the same order (null = none). */
interface Results {
  buildingIds: number[];
  classes: Record<string, (number | null)[]>;
}

interface ScenarioRow {
  id: number; name: string; created_at: Date; created_by: string; changes: ClassChanges[];
  scope_code: string | null; network_version: string; computed_at: Date; results: Results;
}

function compute(e: CoverageEngine, changes: readonly ClassChanges[]): Result<Results> {
  const out: Results = { buildingIds: Array.from(e.buildings.id), classes: {} };
  for (const ch of changes) {
    const a = applyChanges(e, ch);
    if (!a.ok) return a;
    out.classes[ch.class] = Array.from(a.value.times.minutes, (m) => (Number.isFinite(m) ? m : null));
  }
  return ok(out);
}

/** The scope code a scenario is filed under (null = everything). */
const scopeKey = (s: CoverageScope) => (s.communities === null && s.gridId === null ? null : s.code);

export async function createScenario(
  db: Queryable, e: CoverageEngine, s: CoverageScope, p: Principal, body: ScenarioCreateBody,
): Promise<Result<{ id: number }>> {
  const classes = body.changes.map((c) => c.class);
  if (new Set(classes).size !== classes.length) return fail('invalid_request', 'one entry per class: merge the changes of a class');
  const r = compute(e, body.changes);
  if (!r.ok) return r;
  const row = (await db.query<{ id: number }>(SQL.insertScenario, [
    body.name, JSON.stringify(body.changes), p.name, p.kind === 'account' ? p.id : null, scopeKey(s), e.version, JSON.stringify(r.value),
  ])).rows[0]!;
  return ok({ id: row.id });
}

export async function listScenarios(db: Queryable, s: CoverageScope): Promise<ScenarioListItem[]> {
  const rows = (await db.query<ScenarioRow>(SQL.scenarios, [scopeKey(s)])).rows;
  return rows.map((r) => ({
    id: r.id, name: r.name, createdAt: new Date(r.created_at).toISOString(), createdBy: r.created_by, classes: r.changes.map((c) => c.class),
  }));
}

/** A scenario visible in the scope, with results for the current network. */
async function loadScenario(db: Queryable, e: CoverageEngine, s: CoverageScope, id: number): Promise<Result<ScenarioRow>> {
  const row = (await db.query<ScenarioRow>(SQL.scenarioById, [id])).rows[0];
  const key = scopeKey(s);
  if (!row || (key !== null && row.scope_code !== key)) return fail('not_found', `scenario ${id} not found`);
  if (row.network_version !== e.version) {
    const r = compute(e, row.changes);
    if (!r.ok) return fail('conflict', `scenario ${id} no longer applies to the current data: ${r.error.message}`);
    row.results = r.value;
    row.network_version = e.version;
    row.computed_at = (await db.query<{ computed_at: Date }>(SQL.updateScenarioResults, [id, JSON.stringify(r.value), e.version])).rows[0]!.computed_at;
  }
  return ok(row);
}

/** Minutes per class in engine order: the scenario's for its changed classes, else the baseline. */
function minutesOf(e: CoverageEngine, row: ScenarioRow | null): Map<string, ArrayLike<number>> {
  const out = new Map<string, ArrayLike<number>>();
  for (const c of e.classes) out.set(c.code, e.times.get(c.code)!.minutes);
  if (!row) return out;
  const pos = new Map(row.results.buildingIds.map((id, k) => [id, k]));
  for (const [cls, mins] of Object.entries(row.results.classes)) {
    const m = new Float64Array(e.buildings.id.length).fill(Infinity);
    for (let i = 0; i < m.length; i++) {
      const k = pos.get(e.buildings.id[i]!);
      const v = k === undefined ? null : mins[k];
      m[i] = v == null ? Infinity : v;
    }
    out.set(cls, m);
  }
  return out;
}

/** Community and scope areas from minutes per class. */
async function areas(
  db: Queryable, e: CoverageEngine, s: CoverageScope, minutes: Map<string, ArrayLike<number>>, limit: number | null,
): Promise<{ communities: CoverageArea[]; district: CoverageArea }> {
  const idx = scopeIndices(e, s);
  const codes = e.classes.map((c) => c.code);
  const byArea = new Map<string, Record<string, CoverageCell>>();
  const total: Record<string, CoverageCell> = {};
  const names = await communitiesOf(db, s);
  for (const c of e.classes) {
    const r = cellsFor(e, idx, minutes.get(c.code)!, limit ?? c.walkMinutes);
    total[c.code] = r.total;
    for (const n of names) {
      let m = byArea.get(n.code);
      if (!m) { m = {}; byArea.set(n.code, m); }
      m[c.code] = r.groups.get(n.code) ?? finish(emptyCell());
    }
  }
  return {
    communities: names.map((n) => area(n.code, n.name, byArea.get(n.code) ?? {}, codes)),
    district: area(s.code, s.name, total, codes),
  };
}

export async function getScenario(db: Queryable, e: CoverageEngine, s: CoverageScope, id: number): Promise<Result<Scenario>> {
  const r = await loadScenario(db, e, s, id);
  if (!r.ok) return r;
  const row = r.value;
  const a = await areas(db, e, s, minutesOf(e, row), null);
  return ok({
    id: row.id, name: row.name, createdAt: new Date(row.created_at).toISOString(), createdBy: row.created_by,
    classes: row.changes.map((c) => c.class), changes: row.changes, computedAt: new Date(row.computed_at).toISOString(),
    ...a, synthetic: true,
  });
}

export async function compareScenarios(
  db: Queryable, e: CoverageEngine, s: CoverageScope, aId: number | 'baseline', bId: number | 'baseline', limit: number | null,
): Promise<Result<ScenarioCompare>> {
  const side = async (id: number | 'baseline') => {
    if (id === 'baseline') return ok({ row: null as ScenarioRow | null, name: '现状' });
    const r = await loadScenario(db, e, s, id);
    return r.ok ? ok({ row: r.value as ScenarioRow | null, name: r.value.name }) : r;
  };
  const a = await side(aId);
  if (!a.ok) return a;
  const b = await side(bId);
  if (!b.ok) return b;
  const A = await areas(db, e, s, minutesOf(e, a.value.row), limit);
  const B = await areas(db, e, s, minutesOf(e, b.value.row), limit);
  const d = (x: number | null, y: number | null) => (x === null || y === null ? null : y - x);
  const rows: CompareRow[] = [];
  const score: ScenarioCompare['score'] = [];
  const pairs = [...A.communities.map((c, i) => [c, B.communities[i]!] as const), [A.district, B.district] as const];
  for (const [x, y] of pairs) {
    for (const c of e.classes) {
      const p = x.cells[c.code]!.householdsShare, q = y.cells[c.code]!.householdsShare;
      rows.push({ area: x.code, name: x.name, class: c.code, a: p, b: q, delta: d(p, q) });
    }
    score.push({ area: x.code, name: x.name, a: x.score, b: y.score, delta: d(x.score, y.score) });
  }
  return ok({
    a: { id: aId, name: a.value.name }, b: { id: bId, name: b.value.name }, limitMinutes: limit, rows, score, synthetic: true,
  });
}
