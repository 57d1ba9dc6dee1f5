// GET /api/wall/votes: the year's 一年一事 results of the communities in the caller's jurisdiction
// that put up projects, each equal to the public page's tally; any role that may open the wall.
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WallVotes } from '../../core/contract.js';
import type { VoteResults } from '../../core/public-contract.js';
import { voteYear } from '../../core/votes.js';
import { loadConfig } from '../config.js';
import { EventBus } from '../events/bus.js';
import { createApp } from '../http/app.js';
import { addProject, castVote, issueVoteLink, setProjectStatus } from '../public/community.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { FIXTURE, loadFixture } from '../testing/fixture.js';
import { loadPrincipals, type Principals } from '../testing/principals.js';
import { detectEncoder } from '../tiles/encode.js';

let t: TestDb;
let app: Express;
let who: Principals;
const year = voteYear(new Date());

beforeAll(async () => {
  t = await createTestDb();
  const g = await loadFixture(t.db);
  who = await loadPrincipals(t.db, g);
  app = createApp({ config: loadConfig({}), db: t.db, bus: new EventBus(), tileEncoder: await detectEncoder(t.db), log: () => undefined });
  // Community A: three candidates, votes 2 / 1 / 0; community B: one project, already chosen, no votes;
  // last year's project in A is not this year's.
  const a = [await addProject(t.db, FIXTURE.communityA, year, '加装电梯', '', 'test'),
    await addProject(t.db, FIXTURE.communityA, year, '口袋公园', '', 'test'),
    await addProject(t.db, FIXTURE.communityA, year, '充电车棚', '', 'test')];
  const b = await addProject(t.db, FIXTURE.communityB, year, '老旧管网改造', '', 'test');
  await addProject(t.db, FIXTURE.communityA, year - 1, '去年的项目', '', 'test');
  for (const p of [a[1]!, a[0]!, a[1]!]) {
    const link = await issueVoteLink(t.db, FIXTURE.communityA, year, 'test');
    const r = await castVote(t.db, FIXTURE.communityA, p.id, { linkToken: link.token });
    if (!r.ok) throw new Error(r.error.message);
  }
  await setProjectStatus(t.db, b.id, 'chosen');
}, 180_000);
afterAll(async () => { await t?.drop(); });

const get = (w: keyof Principals['tokens'], path: string) => request(app).get(path).set('Authorization', `Bearer ${who.tokens[w]}`);

describe(`wall votes on ${testDbKind()}`, () => {
  it('gives each community with projects its public tally, in the jurisdiction only', async () => {
    const all = (await get('kiosk', '/api/wall/votes').expect(200)).body as WallVotes;
    expect(all.year).toBe(year);
    expect(all.communities.map((c) => c.communityCode).sort()).toEqual([FIXTURE.communityA, FIXTURE.communityB]);
    for (const c of all.communities) {
      const pub = (await request(app).get(`/api/public/communities/${c.communityCode}/votes`).expect(200)).body as VoteResults;
      expect(c).toEqual(pub);
    }
    const a = all.communities.find((c) => c.communityCode === FIXTURE.communityA)!;
    expect(a.total).toBe(3);
    expect(a.projects.map((p) => [p.title, p.votes])).toEqual([['口袋公园', 2], ['加装电梯', 1], ['充电车棚', 0]]);
    expect(all.communities.find((c) => c.communityCode === FIXTURE.communityB)!.projects[0]).toMatchObject({ status: 'chosen', votes: 0 });

    // A community's staff and grid worker: their community only; a division narrows; another year.
    expect(((await get('communityB', '/api/wall/votes').expect(200)).body as WallVotes).communities.map((c) => c.communityCode)).toEqual([FIXTURE.communityB]);
    expect(((await get('gridA1', '/api/wall/votes').expect(200)).body as WallVotes).communities.map((c) => c.communityCode)).toEqual([FIXTURE.communityA]);
    expect(((await get('leader', `/api/wall/votes?division=${FIXTURE.communityA}`).expect(200)).body as WallVotes).communities).toHaveLength(1);
    await get('communityB', `/api/wall/votes?division=${FIXTURE.communityA}`).expect(403);
    const last = (await get('leader', `/api/wall/votes?year=${year - 1}`).expect(200)).body as WallVotes;
    expect(last.communities.map((c) => [c.communityCode, c.projects.length])).toEqual([[FIXTURE.communityA, 1]]);
  });

  it('is public data: roles without case access read it too; no credentials, no answer', async () => {
    expect(((await get('planner', '/api/wall/votes').expect(200)).body as WallVotes).communities).toHaveLength(2);
    await request(app).get('/api/wall/votes').expect(401);
    await get('leader', '/api/wall/votes?year=1999').expect(400);
    await get('leader', '/api/wall/votes?foo=1').expect(400);
  });
});
