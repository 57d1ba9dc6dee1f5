// Every (state × level × action × principal) combination through the HTTP API: the expected answer
// is generated from the workflow table (core/workflow.ts over data/incident-workflow.json) plus the
// server's own checks (grants, jurisdiction). Allowed actions are taken on a fresh copy of the case;
// refused ones must leave the case, its trail, its reporters and the merge target untouched.
// Besides the four levels, unlocated hotline cases at the district desk (where only the district
// command centre sees them, and may locate them) get the same treatment.
import request from 'supertest';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can, type Role } from '../../core/permissions.js';
import type { ResponsibilityRule } from '../../core/routing.js';
import { ACTIONS, applyTransition, LEVELS, WORKFLOW, type Actor, type Level } from '../../core/workflow.js';
import { loadConfig } from '../config.js';
import { EventBus } from '../events/bus.js';
import { createApp } from '../http/app.js';
import { insertCase, snapshot, tokenIds } from '../testing/cases.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { FIXTURE, loadFixture } from '../testing/fixture.js';
import { loadPrincipals, type Principals } from '../testing/principals.js';
import { detectEncoder } from '../tiles/encode.js';
import { resolveScope, type Binding, type Scope } from '../auth/scope.js';
import { caseInScope, loadRules, WF_SQL } from './commands.js';
import { toCaseState, type CaseRow } from './presenter.js';

let t: TestDb;
let app: Express;
let who: Principals;
let ids: Record<string, number>;
let target: number;
let scopes: Record<Who, Scope>;
let gridA1: number;

beforeAll(async () => {
  t = await createTestDb();
  const g = await loadFixture(t.db);
  who = await loadPrincipals(t.db, g);
  ids = await tokenIds(t.db);
  app = createApp({ config: loadConfig({}), db: t.db, bus: new EventBus(), tileEncoder: await detectEncoder(t.db), log: () => undefined });
  target = await insertCase(t.db, { state: 'reported', level: 'grid', lonLat: FIXTURE.pointA1, reporterToken: ids.gridB1 });
  gridA1 = g.gridA1;
  // Each principal's real jurisdiction, resolved as the server does.
  scopes = {} as Record<Who, Scope>;
  for (const w of ACTING) {
    const b = (await t.db.query<Binding>('SELECT division_code, grid_id, department_id FROM api_token WHERE name = $1', [w])).rows[0]!;
    scopes[w] = await resolveScope(t.db, b);
  }
}, 180_000);
afterAll(async () => { await t?.drop(); });

type Who = 'gridA1' | 'communityA' | 'subdistrict' | 'department' | 'center';
const ACTING: Who[] = ['gridA1', 'communityA', 'subdistrict', 'department', 'center'];
/** Who holds a case at each level: reporter of every case is gridA1; the resolver is the level's holder. */
const HOLDER: Record<Level, Exclude<Who, 'center'>> = { grid: 'gridA1', community: 'communityA', subdistrict: 'subdistrict', department: 'department' };
const STATES = WORKFLOW.states.map((s) => s.code);
const RESOLVED_STATES = ['resolved', 'verified', 'closed', 'rated'];
const STATUS = { ok: 200, invalid_request: 400, forbidden: 403, not_found: 404, invalid_transition: 409 } as const;

// lon/lat: where `locate` puts a case (grid A1); the other actions ignore them.
const input = () => ({ note: '矩阵测试', photos: ['m.jpg'], rating: 'dissatisfied', level: 'grid', departmentCode: 'cg', into: target,
  lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1] });
const post = (w: keyof Principals['tokens'], id: number, body: object) =>
  request(app).post(`/api/incidents/${id}/actions`).set('Authorization', `Bearer ${who.tokens[w]}`).send(body);

const spec = (state: string, level: Level) => ({
  state, level, lonLat: FIXTURE.pointA1,
  departmentId: level === 'department' ? who.departmentId : null,
  reporterToken: ids.gridA1,
  resolverToken: RESOLVED_STATES.includes(state) ? ids[HOLDER[level]] : null,
  rating: state === 'rated' ? ('dissatisfied' as const) : null,
});

interface Want { status: number; code: string; to?: string; level?: Level }

/** What the table (and the server's grant and jurisdiction checks) say `w` gets for `action` on the case. */
function expected(row: CaseRow, rules: ResponsibilityRule[], w: Who, action: string): Want {
  const role = who.roles[w] as Role;
  if (!can(role, 'update', 'incident')) return { status: 403, code: 'forbidden' };
  if (!caseInScope(scopes[w], row)) return { status: 404, code: 'not_found' };
  const actor: Actor = { kind: 'token', id: ids[w]!, label: w, role, departmentCode: w === 'department' ? 'cg' : null };
  const location = { gridId: gridA1, communityCode: FIXTURE.communityA, subdistrictCode: FIXTURE.subdistrict };
  const r = applyTransition(toCaseState(row), action, actor, { ...input(), location }, new Date(), rules);
  if (!r.ok) return { status: STATUS[r.code], code: r.code };
  return { status: 200, code: 'ok', to: r.value.next.state, level: r.value.next.level };
}

/** Run refusals a few at a time: they change nothing, so their order does not matter. */
async function inParallel<T>(items: T[], fn: (x: T) => Promise<void>, width = 8) {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(fn));
}

describe(`every transition through the API on ${testDbKind()}`, () => {
  const tally = { allowed: 0, refused: 0, allowedAtDesk: [] as string[] };

  /** Every state × action × principal on cases at `level` (unlocated: at the district desk). */
  const everyCombination = async (level: Level, unlocated: boolean) => {
    const rules = await loadRules(t.db);
    for (const state of STATES) {
      const make = async () => {
        const id = await insertCase(t.db, spec(state, level));
        // A hotline case nobody could locate: at the district desk only, no point, no divisions below.
        if (unlocated) {
          await t.db.query(`UPDATE incident SET unlocated = true, geom = NULL, grid_id = NULL, community_code = NULL, subdistrict_code = NULL,
                                                address = '某路某号' WHERE id = $1`, [id]);
        }
        return id;
      };
      const base = await make();
      const row = (await t.db.query<CaseRow>(WF_SQL.caseById, [base])).rows[0]!;
      expect(row.unlocated).toBe(unlocated);
      const before = await snapshot(t.db, [base, target]);
      const combos = ACTIONS.flatMap((action) => ACTING.map((w) => ({ action, w, want: expected(row, rules, w, action) })));
      const where = unlocated ? 'desk' : level;

      await inParallel(combos.filter((c) => c.want.status !== 200), async ({ action, w, want }) => {
        const r = await post(w, base, { action, ...input() });
        const label = `${state}@${where} ${action} by ${w}`;
        expect(r.status, `${label}: ${JSON.stringify(r.body)}`).toBe(want.status);
        expect(r.body.error.code, label).toBe(want.code);
        tally.refused++;
      });
      // Neither the case nor the merge target changed.
      expect(await snapshot(t.db, [base, target]), `${state}@${where}: refusals changed something`).toEqual(before);

      for (const { action, w, want } of combos.filter((c) => c.want.status === 200)) {
        const label = `${state}@${where} ${action} by ${w}`;
        const copy = await make();
        const r = await post(w, copy, { action, ...input() });
        expect(r.status, `${label}: ${JSON.stringify(r.body)}`).toBe(200);
        expect(r.body, label).toMatchObject({ id: copy, status: want.to, level: want.level });
        if (action === 'locate') expect(r.body, label).toMatchObject({ unlocated: false, gridId: gridA1, communityCode: FIXTURE.communityA });
        const last = (await t.db.query<{ action: string; actor_label: string; note: string; photos: string[] }>(
          'SELECT action, actor_label, note, photos FROM incident_event WHERE incident_id = $1 ORDER BY id DESC LIMIT 1', [copy])).rows[0]!;
        expect(last, label).toEqual({ action, actor_label: w, note: '矩阵测试', photos: ['m.jpg'] });
        tally.allowed++;
        if (unlocated) tally.allowedAtDesk.push(`${state} ${action} by ${w}`);
      }
    }
  };

  for (const level of LEVELS) {
    // ≈800 API calls per level: on a loaded 2-core CI machine with PGlite this takes a minute or two.
    it(`cases at ${level} level: every state × action × principal`, () => everyCombination(level, false), 300_000);
  }
  it('unlocated cases at the district desk: every state × action × principal', async () => {
    await everyCombination('subdistrict', true);
    // Only the district command centre sees them: it may locate (定位落图) or merge them while open.
    const open = ['reported', 'accepted', 'dispatched', 'in_progress', 'returned', 'reopened'];
    expect(tally.allowedAtDesk.sort()).toEqual(open.flatMap((s) => [`${s} locate by center`, `${s} merge by center`]).sort());
  }, 300_000);

  it('read-only roles are refused by their grant and other jurisdictions do not see the case at all', async () => {
    for (const state of ['reported', 'in_progress', 'resolved', 'rated']) {
      const base = await insertCase(t.db, spec(state, 'grid'));
      const before = await snapshot(t.db, [base]);
      const outsiders = [['leader', 403, 'forbidden'], ['analyst', 403, 'forbidden'], ['kiosk', 403, 'forbidden'],
        ['gridB1', 404, 'not_found'], ['communityB', 404, 'not_found']] as const;
      await inParallel(ACTIONS.flatMap((action) => outsiders.map((o) => [action, ...o] as const)), async ([action, w, status, code]) => {
        const r = await post(w, base, { action, ...input() });
        expect(r.status, `${state} ${action} by ${w}`).toBe(status);
        expect(r.body.error.code).toBe(code);
      });
      expect(await snapshot(t.db, [base])).toEqual(before);
    }
  });

  it('covered every combination, both outcomes many times over', () => {
    // The four level tests and the desk test ran before this one (vitest runs a file's tests in order).
    expect(tally.allowed + tally.refused).toBe((LEVELS.length + 1) * STATES.length * ACTIONS.length * ACTING.length);
    expect(tally.allowed).toBeGreaterThan(200);
    expect(tally.refused).toBeGreaterThan(2000);
  });
});
