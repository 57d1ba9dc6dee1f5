// 派往指定网格: a dispatch to the grid level may name the grid. The subdistrict sends a case that
// lies in no grid (a park, a river bank, a hole in the grid cover) to the grid that should take
// it; a community hands a case from one of its grids to another (改派). The grid must be in the
// dispatcher's jurisdiction and the case's subdistrict; every refusal has a stable code and
// changes nothing.
import { describe, expect, it } from 'vitest';
import type { CaseView } from '../../core/workflow.js';
import { fixtureApi, type Who } from '../testing/api.js';
import { snapshot } from '../testing/cases.js';
import { testDbKind } from '../testing/db.js';
import { FIXTURE } from '../testing/fixture.js';
import type { CaseDetail } from './actions.js';

const f = fixtureApi();
let seq = 0;

async function report(w: Who, at: [number, number]): Promise<CaseView> {
  const r = await f.as(w).post('/api/incidents', {
    lon: at[0], lat: at[1], category: 'sanitation', description: '绿地内积存垃圾', source: 'patrol', clientKey: `dg-${Date.now()}-${++seq}`,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}
const dispatch = (w: Who, id: number, body: Record<string, unknown>) => f.as(w).post(`/api/incidents/${id}/actions`, { action: 'dispatch', ...body });
const listed = async (w: Who) => ((await f.as(w).get('/api/incidents').expect(200)).body.incidents as CaseView[]).map((x) => x.id);
const state = async (id: number) => ({
  rows: await snapshot(f.t.db, [id]),
  events: (await f.t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM incident_event')).rows[0]!.n,
  updates: f.updates.length,
});

describe(`派往指定网格 (dispatch to a chosen grid) on ${testDbKind()}`, () => {
  it('the subdistrict sends a case in no grid to a grid: level, handler, deadline, trail, and the grid worker has it', async () => {
    const c = await report('subdistrict', FIXTURE.pointNoGrid);
    expect(c).toMatchObject({ gridId: null, communityCode: null, level: 'subdistrict' });
    // Without a grid there is nowhere at the grid level to go.
    expect((await dispatch('subdistrict', c.id, { level: 'grid' })).body.error.code).toBe('invalid_request');
    const n = f.updates.length;
    const r = await dispatch('subdistrict', c.id, { level: 'grid', gridId: f.grids.gridA1, note: '公园绿地归甲社区第01网格管理' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      status: 'dispatched', level: 'grid', handler: 'grid_worker', gridId: f.grids.gridA1, gridName: '甲社区第01网格',
      communityCode: 'T0101', subdistrictCode: 'T01', lon: FIXTURE.pointNoGrid[0], lat: FIXTURE.pointNoGrid[1],
    });
    expect(r.body.deadlineAt).not.toBeNull();
    const d: CaseDetail = (await f.as('subdistrict').get(`/api/incidents/${c.id}`).expect(200)).body;
    expect(d.events.at(-1)).toMatchObject({ action: 'dispatch', toLevel: 'grid', note: '公园绿地归甲社区第01网格管理', detail: { grid: f.grids.gridA1 } });
    expect(f.updates.slice(n).map((u) => u.id)).toContain(c.id);
    expect(await listed('gridA1')).toContain(c.id);
    expect(await listed('communityA')).toContain(c.id);
    expect(await listed('gridB1')).not.toContain(c.id);
    // The grid worker now acts on it.
    const allowed = (await f.as('gridA1').get(`/api/incidents/${c.id}`).expect(200)).body.allowedActions.map((a: { action: string }) => a.action);
    expect(allowed).toContain('start');
  });

  it('a community hands a case from one of its grids to another (改派), and only within its jurisdiction', async () => {
    const c = await report('communityA', FIXTURE.pointA1);
    expect(c).toMatchObject({ gridId: f.grids.gridA1, level: 'grid' });
    const before = await state(c.id);
    const out = await dispatch('communityA', c.id, { level: 'grid', gridId: f.grids.gridB1 });
    expect(out.status, JSON.stringify(out.body)).toBe(404);
    expect(out.body.error.code).toBe('not_found');
    expect(await state(c.id)).toEqual(before);
    const r = await dispatch('communityA', c.id, { level: 'grid', gridId: f.grids.gridA2 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ gridId: f.grids.gridA2, gridName: '甲社区第02网格', communityCode: 'T0101', level: 'grid', status: 'dispatched' });
    expect(await listed('gridA1')).not.toContain(c.id);
  });

  it('refusals have stable codes and change nothing', async () => {
    const c = await report('subdistrict', FIXTURE.pointNoGrid);
    const other = await f.t.db.query<{ id: number }>(`SELECT id FROM grid WHERE community_code <> 'T0101' ORDER BY id LIMIT 1`);
    const cases: [string, Who, Record<string, unknown>, number, string][] = [
      ['a grid that does not exist', 'subdistrict', { action: 'dispatch', level: 'grid', gridId: 987654 }, 404, 'not_found'],
      ['a grid with the community level', 'subdistrict', { action: 'dispatch', level: 'community', gridId: f.grids.gridA1 }, 400, 'invalid_request'],
      ['a grid id that is not a number', 'subdistrict', { action: 'dispatch', level: 'grid', gridId: '1; DROP TABLE grid' }, 400, 'invalid_request'],
      ['a community that does not hold the case', 'communityA', { action: 'dispatch', level: 'grid', gridId: f.grids.gridA1 }, 404, 'not_found'],
      ['the district leader (read only)', 'leader', { action: 'dispatch', level: 'grid', gridId: f.grids.gridA1 }, 403, 'forbidden'],
      ['a grid worker', 'gridA1', { action: 'dispatch', level: 'grid', gridId: other.rows[0]!.id }, 404, 'not_found'],
    ];
    for (const [name, w, body, status, code] of cases) {
      const before = await state(c.id);
      const r = await f.as(w).post(`/api/incidents/${c.id}/actions`, body);
      expect(r.status, `${name}: ${JSON.stringify(r.body)}`).toBe(status);
      expect(r.body.error.code, name).toBe(code);
      expect(await state(c.id), `${name} changed something`).toEqual(before);
    }
    await dispatch('subdistrict', c.id, { level: 'grid', gridId: f.grids.gridB1 }).expect(200);
  });
});
