// The wall's 一年一事 panel: the year's vote results of every community in a jurisdiction that put
// up candidate projects, in one query (a district has hundreds of communities; the public page asks
// for one). The tally is core/votes.ts's, so each community's figures equal what
// GET /api/public/communities/:code/votes answers. No HTTP here.
import type { WallVotes } from '../../core/contract.js';
import type { VoteResults } from '../../core/public-contract.js';
import { tally, voteYear, type ProjectStatus } from '../../core/votes.js';
import type { Queryable } from '../db/db.js';
import { loadSql } from '../db/sql.js';

const SQL = loadSql(new URL('./votes.sql', import.meta.url), ['projects']);

interface Row { id: number; community_code: string; community_name: string; title: string; description: string; status: ProjectStatus; votes: number }

/** Results of year `year` (default: this year in China by the database's clock) in `communities` (null: all). */
export async function wallVotes(db: Queryable, communities: string[] | null, year?: number): Promise<WallVotes> {
  const y = year ?? voteYear(new Date((await db.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now));
  const rows = (await db.query<Row>(SQL.projects, [y, communities])).rows;
  const byCommunity = new Map<string, Row[]>();
  for (const r of rows) byCommunity.set(r.community_code, [...(byCommunity.get(r.community_code) ?? []), r]);
  const out: VoteResults[] = [...byCommunity.values()].map((ps) => {
    const t = tally(ps.map((p) => ({ id: p.id, title: p.title, status: p.status })), new Map(ps.map((p) => [p.id, p.votes])));
    const desc = new Map(ps.map((p) => [p.id, p.description]));
    return {
      communityCode: ps[0]!.community_code, communityName: ps[0]!.community_name, year: y, total: t.total,
      projects: t.rows.map((r) => ({ ...r, description: desc.get(r.projectId) ?? '' })),
    };
  });
  return { year: y, communities: out };
}
