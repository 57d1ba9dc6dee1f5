// Duplicates: open cases of the same category nearby in space and time are offered for merge; a
// merge keeps every reporter and source on the surviving case.
import type { Express } from 'express';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CaseView } from '../../core/workflow.js';
import { snapshot } from '../testing/cases.js';
import { fixtureApi, type Who } from '../testing/api.js';
import { testDbKind } from '../testing/db.js';
import { FIXTURE } from '../testing/fixture.js';
import type { CaseDetail } from './actions.js';

const f = fixtureApi();
const { as, updates } = f;
let wide: Express;
beforeAll(() => { wide = f.appWith({ DUPLICATE_RADIUS_M: '300', DUPLICATE_WINDOW_HOURS: '120' }); });
type W = Who;
let seq = 0;
async function report(w: W, lonLat: [number, number], over: Record<string, unknown> = {}): Promise<CaseView> {
  const r = await as(w).post('/api/incidents', {
    lon: lonLat[0], lat: lonLat[1], category: 'sanitation', description: '垃圾满溢', source: 'patrol', clientKey: `dup-${Date.now()}-${++seq}`, ...over,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}
const [x0, y0] = FIXTURE.pointA1;
const candidates = async (w: W, id: number, a = () => f.app) => {
  const r = await as(w, a).get(`/api/incidents/${id}/duplicates`).expect(200);
  return r.body as { radiusM: number; windowHours: number; duplicates: (CaseView & { distanceM: number })[] };
};

describe(`duplicates and merge on ${testDbKind()}`, () => {
  let first: CaseView;
  let second: CaseView;
  let far: CaseView;
  let old: CaseView;
  let closed: CaseView;

  it('offers open cases of the same category within the radius and window, inside the jurisdiction', async () => {
    first = await report('gridA1', [x0, y0]);
    // ≈ 9.5 m east, reported by the hotline.
    second = await report('subdistrict', [x0 + 0.0001, y0], { source: 'hotline_12345', description: '市民来电：垃圾桶满了' });
    far = await report('gridA1', [x0 + 0.002, y0]); // ≈ 190 m
    const otherCategory = await report('gridA1', [x0, y0], { category: 'noise' });
    closed = await report('gridA1', [x0, y0]);
    await f.t.db.query(`UPDATE incident SET status = 'closed' WHERE id = $1`, [closed.id]);
    old = await report('gridA1', [x0, y0]);
    await f.t.db.query(`UPDATE incident SET created_at = created_at - interval '100 hours' WHERE id = $1`, [old.id]);

    const found = await candidates('gridA1', second.id);
    expect(found).toMatchObject({ radiusM: 50, windowHours: 72 });
    expect(found.duplicates.map((d) => d.id)).toEqual([first.id]);
    expect(found.duplicates[0]!.distanceM).toBeGreaterThan(8);
    expect(found.duplicates[0]!.distanceM).toBeLessThan(11);
    expect((await candidates('gridA1', first.id)).duplicates.map((d) => d.id)).toEqual([second.id]);
    expect((await candidates('gridA1', otherCategory.id)).duplicates).toEqual([]);

    // The distance and the window are settings.
    const wider = (await candidates('gridA1', second.id, () => wide)).duplicates.map((d) => d.id);
    expect(wider.sort()).toEqual([first.id, far.id, old.id].sort());

    await as('gridB1').get(`/api/incidents/${second.id}/duplicates`).expect(404);
    expect((await candidates('leader', second.id)).duplicates.map((d) => d.id)).toEqual([first.id]);
  });

  it('a merge keeps every reporter and source on the surviving case, and records both sides', async () => {
    const seen = updates.length;
    const r = await as('gridA1').post(`/api/incidents/${second.id}/merge`, { into: first.id, note: '同一垃圾点' }).expect(200);
    expect(r.body.merged).toMatchObject({ id: second.id, status: 'duplicate', statusName: '重复', statusType: 'closed', mergedInto: first.id, deadlineAt: null });
    expect(r.body.into).toMatchObject({ id: first.id, status: 'reported', reporters: 2 });
    expect(updates.slice(seen).map((u) => u.id).sort()).toEqual([first.id, second.id].sort());

    const d = (await as('leader').get(`/api/incidents/${first.id}`).expect(200)).body as CaseDetail;
    expect(d.reporters.map((x) => [x.source, x.clientKey, x.reportedBy, x.mergedFrom])).toEqual([
      ['patrol', first.clientKey, 'gridA1', null],
      ['hotline_12345', second.clientKey, 'subdistrict', second.id],
    ]);
    expect(d.events.at(-1)).toMatchObject({ action: 'merged_in', actionName: '合并来件', fromState: 'reported', toState: 'reported',
      detail: { from: second.id }, actor: { label: 'gridA1' } });
    const gone = (await as('leader').get(`/api/incidents/${second.id}`).expect(200)).body as CaseDetail;
    expect(gone.events.at(-1)).toMatchObject({ action: 'merge', toState: 'duplicate', note: '同一垃圾点', detail: { into: first.id } });
    expect(gone.reporters).toHaveLength(1);
    // No longer offered as a candidate.
    expect((await candidates('gridA1', first.id)).duplicates).toEqual([]);
    expect(await f.t.db.query(`SELECT 1 FROM audit_log WHERE action = 'merge' AND resource_id = $1`, [String(second.id)]).then((q) => q.rows)).toHaveLength(1);
  });

  it('merging into a case that was itself a merge target keeps the whole chain (through /actions too)', async () => {
    const third = await report('communityA', [x0, y0 + 0.0001], { source: 'photo' });
    const r = await as('communityA').post(`/api/incidents/${third.id}/actions`, { action: 'merge', into: first.id }).expect(200);
    expect(r.body).toMatchObject({ id: third.id, status: 'duplicate', mergedInto: first.id });
    const survivor = (await as('subdistrict').get(`/api/incidents/${first.id}`).expect(200)).body as CaseDetail;
    expect(survivor.incident.reporters).toBe(3);
    expect(survivor.reporters.map((x) => x.source)).toEqual(['patrol', 'hotline_12345', 'photo']);
  });

  it('refuses bad merges and changes nothing', async () => {
    const fresh = await report('gridA1', [x0, y0]);
    const cases = [fresh.id, first.id, second.id, closed.id];
    const before = await snapshot(f.t.db, cases);
    const tries: [W, number, object, number, string][] = [
      ['gridA1', second.id, { into: first.id }, 409, 'invalid_transition'], // already a duplicate
      ['gridA1', fresh.id, { into: fresh.id }, 400, 'invalid_request'],
      ['gridA1', fresh.id, { into: closed.id }, 409, 'invalid_transition'],
      ['gridA1', fresh.id, { into: second.id }, 409, 'invalid_transition'],
      ['gridA1', fresh.id, { into: 999_999 }, 404, 'not_found'],
      ['gridA1', fresh.id, {}, 400, 'invalid_request'],
      ['gridB1', fresh.id, { into: first.id }, 404, 'not_found'],
      ['leader', fresh.id, { into: first.id }, 403, 'forbidden'],
      ['department', fresh.id, { into: first.id }, 404, 'not_found'],
    ];
    for (const [w, id, body, status, code] of tries) {
      const r = await as(w).post(`/api/incidents/${id}/merge`, body);
      expect(r.status, `${w} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`).toBe(status);
      expect(r.body.error.code).toBe(code);
    }
    // A case in grid B1 is outside grid A1's jurisdiction as a target too.
    const inB = await report('gridB1', FIXTURE.pointB1);
    const r = await as('gridA1').post(`/api/incidents/${fresh.id}/merge`, { into: inB.id });
    expect(r.status).toBe(404);
    expect(await snapshot(f.t.db, cases)).toEqual(before);
  });
});
