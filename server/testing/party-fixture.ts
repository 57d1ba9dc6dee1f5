// Party organisations and 一格三员 for the fixture district (server/testing/fixture.ts), for the
// wall and party tests. Grid A1 is fully covered (branch, building group on 1号楼, two 党员中心户)
// and fully staffed; grid A2 has no branch and only a grid worker; grid B1 has a branch with no
// groups below it and two of the three roles. Everything is synthetic.
import type { Db } from '../db/db.js';

export interface PartyFixture {
  committeeA: number;
  branchA1: number;
  groupA1: number;
  householdsA1: number[];
  committeeB: number;
  branchB1: number;
}

export async function loadPartyFixture(db: Db, g: { gridA1: number; gridA2: number; gridB1: number }): Promise<PartyFixture> {
  return db.transaction(async (tx) => {
    const org = async (parent: number | null, level: string, name: string, community: string, grid: number | null, building: number | null, members: number) =>
      (await tx.query<{ id: number }>(`INSERT INTO party_org (parent_id, level, name, community_code, grid_id, building_id, members, dataset_id)
                                        VALUES ($1, $2, $3, $4, $5, $6, $7, 'fixture') RETURNING id`,
      [parent, level, name, community, grid, building, members])).rows[0]!.id;
    const w1 = (await tx.query<{ id: number }>(`SELECT id FROM building WHERE osm_id = 'w1'`)).rows[0]!.id;
    const committeeA = await org(null, 'community_committee', '中共甲社区委员会', 'T0101', null, null, 60);
    const branchA1 = await org(committeeA, 'grid_branch', '甲社区第一网格党支部', 'T0101', g.gridA1, null, 24);
    const groupA1 = await org(branchA1, 'building_group', '1号楼楼栋党小组', 'T0101', g.gridA1, w1, 9);
    const householdsA1 = [
      await org(groupA1, 'member_household', '1号楼301室党员中心户', 'T0101', g.gridA1, w1, 2),
      await org(groupA1, 'member_household', '1号楼502室党员中心户', 'T0101', g.gridA1, w1, 1),
    ];
    const committeeB = await org(null, 'community_committee', '中共乙社区委员会', 'T0102', null, null, 40);
    const branchB1 = await org(committeeB, 'grid_branch', '乙社区第一网格党支部', 'T0102', g.gridB1, null, 15);
    const staff = `INSERT INTO grid_staff (grid_id, role, name, dataset_id) VALUES ($1, $2, $3, 'fixture')`;
    for (const [grid, role, name] of [
      [g.gridA1, 'grid_worker', '张网格'], [g.gridA1, 'community_worker', '李社工'], [g.gridA1, 'property_manager', '王物业'],
      [g.gridA2, 'grid_worker', '赵网格'],
      [g.gridB1, 'grid_worker', '钱网格'], [g.gridB1, 'community_worker', '孙社工'],
    ] as const) await tx.query(staff, [grid, role, name]);
    return { committeeA, branchA1, groupA1, householdsA1, committeeB, branchB1 };
  });
}
