// The token list carries the names of each token's binding (division, grid, department), so the
// admin page labels them without loading a city's grids.
import { describe, expect, it } from 'vitest';
import { fixtureApi } from '../testing/api.js';
import { adminSession } from '../testing/cases.js';

const f = fixtureApi();

describe('GET /api/tokens', () => {
  it('names each binding', async () => {
    const { agent, csrf } = await adminSession(f.app);
    const grid = (await f.t.db.query<{ name: string }>('SELECT name FROM grid WHERE id = $1', [f.grids.gridA1])).rows[0]!.name;
    const made = await agent.post('/api/tokens').set('X-CSRF-Token', csrf).send({ name: '网格大屏（测试）', kind: 'kiosk', gridId: f.grids.gridA1 });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const rows = (await agent.get('/api/tokens').expect(200)).body as { name: string; grid_id: number | null; grid_name: string | null; division_code: string | null; division_name: string | null }[];
    expect(rows.find((r) => r.name === '网格大屏（测试）')).toMatchObject({ grid_id: f.grids.gridA1, grid_name: grid });
    const bound = rows.find((r) => r.division_code === 'T0101');
    expect(bound?.division_name).toBeTruthy();
  });
});
