// Residents in special-care groups (synthetic data) on the fixture district: the counts per grid
// the residents screen maps agree with the list; the list is masked for everyone; only the roles
// with resident_pii see either, each inside its jurisdiction; an unmasked record is audited.
import { describe, expect, it } from 'vitest';
import { can } from '../../core/permissions.js';
import { fixtureApi, type Who } from '../testing/api.js';
import { testDbKind } from '../testing/db.js';

const f = fixtureApi();

interface ByGrid { grids: { gridId: number; gridName: string; communityCode: string; groups: Record<string, number>; total: number }[]; groups: string[]; synthetic: boolean }
interface Resident { id: number; gridId: number; name: string; phone: string; careGroup: string; masked: boolean; synthetic: boolean }

describe(`resident groups on ${testDbKind()}`, () => {
  it('counts per grid and group match the masked list', async () => {
    const by = (await f.as('center').get('/api/residents/by-grid').expect(200)).body as ByGrid;
    expect(by.synthetic).toBe(true);
    expect(by.groups).toEqual(['dibao', 'empty_nest_elderly', 'disabled', 'veteran', 'left_behind_child']);
    expect(by.grids.map((g) => g.gridId).sort()).toEqual([f.grids.gridA1, f.grids.gridA2, f.grids.gridB1].sort());
    const list = ((await f.as('center').get('/api/residents?limit=5000').expect(200)).body as { residents: Resident[] }).residents;
    expect(list.length).toBeGreaterThan(0);
    for (const g of by.grids) {
      const mine = list.filter((r) => r.gridId === g.gridId);
      expect(g.total).toBe(mine.length);
      for (const [group, n] of Object.entries(g.groups)) expect(n).toBe(mine.filter((r) => r.careGroup === group).length);
    }
    for (const r of list) {
      expect(r.masked).toBe(true);
      expect(r.synthetic).toBe(true);
      expect(r.phone).toMatch(/^\d{3}\*{4}\d{4}$/);
      expect(r.name).toMatch(/^.\*+$/);
    }
  });

  it('only roles with resident_pii, each in its jurisdiction; unmasked views audited', async () => {
    for (const w of Object.keys(f.who.tokens) as Who[]) {
      const allowed = can(f.who.roles[w]!, 'read', 'resident_pii');
      const r = await f.as(w).get('/api/residents/by-grid');
      expect([w, r.status]).toEqual([w, allowed ? 200 : 403]);
    }
    const grid = (await f.as('gridA1').get('/api/residents/by-grid').expect(200)).body as ByGrid;
    expect(grid.grids.map((g) => g.gridId)).toEqual([f.grids.gridA1]);
    const comB = (await f.as('communityB').get('/api/residents/by-grid').expect(200)).body as ByGrid;
    expect(comB.grids.every((g) => g.communityCode === 'T0102')).toBe(true);
    expect((await f.as('communityB').get('/api/residents/by-grid?division=T0101').expect(403)).body.error.code).toBe('forbidden');
    const one = ((await f.as('gridA1').get('/api/residents').expect(200)).body as { residents: Resident[] }).residents[0]!;
    const full = (await f.as('gridA1').get(`/api/residents/${one.id}?full=1`).expect(200)).body as Resident;
    expect(full.masked).toBe(false);
    expect(full.phone).toMatch(/^1\d{10}$/);
    const log = (await f.t.db.query<{ action: string; resource_id: string }>(`SELECT action, resource_id FROM audit_log WHERE resource = 'resident' ORDER BY id DESC LIMIT 1`)).rows[0];
    expect(log).toEqual({ action: 'read_full', resource_id: String(one.id) });
  });
});
