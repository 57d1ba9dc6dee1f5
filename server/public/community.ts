// The public community page (向群众汇报) and resident votes (一年一事): this month's cases received
// and solved by category, the solve share and the projects done, with no personal data; the year's
// candidate projects and one vote per voter (a verified phone or a one-time link the desk issues),
// held once by the store's unique key. No HTTP here.
import type { CommunitySummary, PublicProject, VoteResults } from '../../core/public-contract.js';
import { checkVoteTarget, monthStart, solveShare, tally, voterKey, voteYear, type ProjectStatus } from '../../core/votes.js';
import { sha256 } from '../auth/principal.js';
import type { Db, Queryable } from '../db/db.js';
import { fail, ok, type Result } from '../http/errors.js';
import { newToken, SQL } from './identity.js';

export const dbNow = async (db: Queryable) => new Date((await db.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now);

export async function communityOf(db: Queryable, code: string): Promise<{ code: string; name: string } | null> {
  return (await db.query<{ code: string; name: string }>(SQL.community, [code])).rows[0] ?? null;
}

interface ProjectRow { id: number; community_code: string; year: number; title: string; description: string; status: ProjectStatus; done_at: Date | null }
const presentProject = (r: ProjectRow): PublicProject => ({
  id: r.id, communityCode: r.community_code, year: r.year, title: r.title, description: r.description, status: r.status,
  doneAt: r.done_at ? new Date(r.done_at).toISOString() : null,
});

export async function summary(db: Queryable, c: { code: string; name: string }): Promise<CommunitySummary> {
  const now = await dbNow(db);
  const start = monthStart(now);
  const rows = (await db.query<{ category: string; name: string; received: number; solved: number; synthetic: boolean }>(
    SQL.monthByCategory, [c.code, start])).rows;
  const received = rows.reduce((s, r) => s + r.received, 0);
  const solved = rows.reduce((s, r) => s + r.solved, 0);
  const done = (await db.query<{ id: number; year: number; title: string; description: string; done_at: Date }>(SQL.projectsDone, [c.code])).rows;
  const cn = new Date(start.getTime() + 8 * 3600_000);
  return {
    code: c.code, name: c.name, month: `${cn.getUTCFullYear()}-${String(cn.getUTCMonth() + 1).padStart(2, '0')}`,
    received, solved, solveShare: solveShare(received, solved),
    byCategory: rows.map((r) => ({ category: r.category, name: r.name, received: r.received, solved: r.solved })),
    projectsDone: done.map((p) => ({ id: p.id, year: p.year, title: p.title, description: p.description, doneAt: new Date(p.done_at).toISOString() })),
    synthetic: rows.some((r) => r.synthetic),
  };
}

export async function results(db: Queryable, c: { code: string; name: string }, year?: number): Promise<VoteResults> {
  const y = year ?? voteYear(await dbNow(db));
  const projects = (await db.query<ProjectRow>(SQL.projects, [c.code, y])).rows;
  const counts = new Map((await db.query<{ project_id: number; n: number }>(SQL.voteCounts, [c.code, y])).rows.map((r) => [r.project_id, r.n]));
  const t = tally(projects.map((p) => ({ id: p.id, title: p.title, status: p.status })), counts);
  const desc = new Map(projects.map((p) => [p.id, p.description]));
  return { communityCode: c.code, communityName: c.name, year: y, total: t.total, projects: t.rows.map((r) => ({ ...r, description: desc.get(r.projectId) ?? '' })) };
}

/**
 * One vote for a candidate project of this year in community `code`, by a verified resident or a
 * one-time link: 409 already_voted the second time (nothing changes), 404/400 for a project that
 * is not a candidate of this community and year.
 */
export async function castVote(db: Db, code: string, projectId: number, by: { residentId: number } | { linkToken: string }): Promise<Result<VoteResults>> {
  const c = await communityOf(db, code);
  if (!c) return fail('not_found', `community ${code} not found`);
  const out = await db.transaction(async (tx): Promise<Result<true>> => {
    const year = voteYear(await dbNow(tx));
    let voter: string;
    let linkId: number | null = null;
    if ('linkToken' in by) {
      const l = (await tx.query<{ id: number; community_code: string; year: number; used_at: Date | null }>(SQL.voteLink, [sha256(by.linkToken)])).rows[0];
      if (!l || l.community_code !== code || l.year !== year) return fail('verification_required', 'this voting link is not valid for this community and year');
      if (l.used_at) return fail('already_voted', 'this voting link has been used');
      linkId = l.id;
      voter = voterKey({ linkId: l.id });
    } else {
      voter = voterKey({ residentId: by.residentId });
    }
    const p = (await tx.query<ProjectRow>(SQL.projectById, [projectId])).rows[0];
    const check = checkVoteTarget(p ? { communityCode: p.community_code, year: p.year, status: p.status } : null, code, year);
    if (!check.ok) return fail(check.code, check.message);
    const row = (await tx.query(SQL.insertVote, [projectId, code, year, voter])).rows[0];
    if (!row) return fail('already_voted', `you have voted in ${c.name} for ${year} already`);
    if (linkId !== null) await tx.query(SQL.useVoteLink, [linkId]);
    return ok(true);
  });
  if (!out.ok) return out;
  return ok(await results(db, c));
}

export async function issueVoteLink(db: Queryable, code: string, year: number | undefined, by: string): Promise<{ token: string; url: string; year: number }> {
  const y = year ?? voteYear(await dbNow(db));
  const token = newToken();
  await db.query(SQL.insertVoteLink, [sha256(token), code, y, by]);
  return { token, url: `/public/${encodeURIComponent(code)}#vote=${token}`, year: y };
}

export async function addProject(db: Queryable, code: string, year: number | undefined, title: string, description: string, by: string): Promise<PublicProject> {
  const y = year ?? voteYear(await dbNow(db));
  return presentProject((await db.query<ProjectRow>(SQL.insertProject, [code, y, title, description, by])).rows[0]!);
}

export async function projectRow(db: Queryable, id: number): Promise<PublicProject | null> {
  const r = (await db.query<ProjectRow>(SQL.projectById, [id])).rows[0];
  return r ? presentProject(r) : null;
}

export async function setProjectStatus(db: Queryable, id: number, status: ProjectStatus): Promise<PublicProject> {
  return presentProject((await db.query<ProjectRow>(SQL.setProjectStatus, [id, status])).rows[0]!);
}

export async function projectsOf(db: Queryable, code: string, year: number): Promise<PublicProject[]> {
  return (await db.query<ProjectRow>(SQL.projects, [code, year])).rows.map(presentProject);
}
