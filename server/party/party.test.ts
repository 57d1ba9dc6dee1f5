// The Party organisation tree inside each jurisdiction, with grid ids and extents for fly-to.
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { EventBus } from '../events/bus.js';
import { createApp } from '../http/app.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { loadFixture } from '../testing/fixture.js';
import { loadPartyFixture, type PartyFixture } from '../testing/party-fixture.js';
import { loadPrincipals, type Principals } from '../testing/principals.js';
import { detectEncoder } from '../tiles/encode.js';
import type { PartyNode, PartyTree } from './tree.js';

let t: TestDb;
let app: Express;
let who: Principals;
let g: { gridA1: number; gridA2: number; gridB1: number };
let p: PartyFixture;

beforeAll(async () => {
  t = await createTestDb();
  g = await loadFixture(t.db);
  who = await loadPrincipals(t.db, g);
  p = await loadPartyFixture(t.db, g);
  app = createApp({ config: loadConfig({}), db: t.db, bus: new EventBus(), tileEncoder: await detectEncoder(t.db), log: () => undefined });
}, 180_000);
afterAll(async () => { await t?.drop(); });

const get = (w: keyof Principals['tokens'], path = '/api/party/tree') => request(app).get(path).set('Authorization', `Bearer ${who.tokens[w]}`);
/** The tree as [name, level, gridIds, children] for compact comparison. */
const shape = (n: PartyNode): unknown => [n.name, n.level, n.gridIds, n.children.map(shape)];

describe(`party tree on ${testDbKind()}`, () => {
  it('nests 社区党委 › 网格党支部 › 楼栋党小组 › 党员中心户 with grids, counts and extents', async () => {
    const tree = (await get('leader').expect(200)).body as PartyTree & { division: null };
    expect(tree.roots.map(shape)).toEqual([
      ['中共甲社区委员会', 'community_committee', [g.gridA1, g.gridA2], [
        ['甲社区第一网格党支部', 'grid_branch', [g.gridA1], [
          ['1号楼楼栋党小组', 'building_group', [g.gridA1], [
            ['1号楼301室党员中心户', 'member_household', [g.gridA1], []],
            ['1号楼502室党员中心户', 'member_household', [g.gridA1], []],
          ]],
        ]],
      ]],
      ['中共乙社区委员会', 'community_committee', [g.gridB1], [
        ['乙社区第一网格党支部', 'grid_branch', [g.gridB1], []],
      ]],
    ]);
    const a = tree.roots[0]!;
    expect(a).toMatchObject({ id: p.committeeA, levelName: '社区党委', communityCode: 'T0101', communityName: '甲社区', members: 60, synthetic: true,
      counts: { grid_branch: 1, building_group: 1, member_household: 2 } });
    // Committee: the community's extent; branch: its grid; household: its building.
    expect(a.bbox).toEqual([121.49, 31.23, 121.5, 31.24]);
    expect(a.children[0]!.bbox).toEqual([121.49, 31.23, 121.495, 31.24]);
    const household = a.children[0]!.children[0]!.children[0]!;
    expect(household).toMatchObject({ buildingName: '1号楼', gridName: '甲社区第01网格', levelName: '党员中心户' });
    expect(household.bbox).toEqual([121.492, 31.234, 121.493, 31.235]);
    expect(tree.uncovered.map((x) => x.gridId)).toEqual([g.gridA2]);
    expect(tree.grids.map((x) => [x.gridId, x.covered])).toEqual([[g.gridA1, true], [g.gridA2, false], [g.gridB1, true]]);
    expect(tree.totals).toEqual({ committees: 2, branches: 2, buildingGroups: 1, memberHouseholds: 2, branchMembers: 39, grids: 3, coveredGrids: 2, coverage: 0.6667 });
  });

  it('keeps each principal to their jurisdiction; a kiosk token reads like an account', async () => {
    const kiosk = (await get('kiosk').expect(200)).body as PartyTree;
    expect(kiosk.roots).toHaveLength(2);
    const b = (await get('communityB').expect(200)).body as PartyTree;
    expect(b.roots.map((n) => n.id)).toEqual([p.committeeB]);
    expect(b.uncovered).toEqual([]);
    // A grid worker sees the community's committee (covering only their grid) and their grid's organisations.
    const w = (await get('gridA1').expect(200)).body as PartyTree;
    expect((w.roots.map(shape)[0] as unknown[]).slice(0, 3)).toEqual(['中共甲社区委员会', 'community_committee', [g.gridA1]]);
    expect(w.grids.map((x) => x.gridId)).toEqual([g.gridA1]);
    expect(w.totals.coverage).toBe(1);
    const narrowed = (await get('leader', '/api/party/tree?division=T0102').expect(200)).body as PartyTree & { division: string };
    expect(narrowed.division).toBe('T0102');
    expect(narrowed.roots.map((n) => n.id)).toEqual([p.committeeB]);
    expect((await get('communityA', '/api/party/tree?division=T0102').expect(403)).body.error.code).toBe('forbidden');
    await get('leader', '/api/party/tree?division=NOPE').expect(404);
    await request(app).get('/api/party/tree').expect(401);
  });
});
