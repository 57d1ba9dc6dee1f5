// Resident votes (一年一事): each community puts up the year's candidate projects; a resident votes
// once per community and year (a verified phone or a one-time link the desk issues), and the
// results are public. Pure: the server stores votes with a unique key that makes "once" hold.

export const PROJECT_STATUSES = ['candidate', 'chosen', 'done'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];
export const PROJECT_STATUS_TEXT: Record<ProjectStatus, string> = { candidate: '候选', chosen: '已选定', done: '已完成' };

/** The calendar year in China (UTC+8, no daylight saving) at `now`. */
export function voteYear(now: Date): number {
  return new Date(now.getTime() + 8 * 3600_000).getUTCFullYear();
}

/** The first instant of `now`'s month in China, as a Date (UTC). */
export function monthStart(now: Date): Date {
  const cn = new Date(now.getTime() + 8 * 3600_000);
  return new Date(Date.UTC(cn.getUTCFullYear(), cn.getUTCMonth(), 1) - 8 * 3600_000);
}

/** The one key per voter: a verified resident, or a desk-issued link. */
export const voterKey = (v: { residentId: number } | { linkId: number }): string =>
  'residentId' in v ? `resident:${v.residentId}` : `link:${v.linkId}`;

export type VoteCheck = { ok: true } | { ok: false; code: 'not_found' | 'invalid_request'; message: string };

/** May a vote for this project be cast in this community and year? (The once-only rule is the store's.) */
export function checkVoteTarget(p: { communityCode: string; year: number; status: ProjectStatus } | null,
  communityCode: string, year: number): VoteCheck {
  if (!p || p.communityCode !== communityCode) return { ok: false, code: 'not_found', message: 'no such candidate project in this community' };
  if (p.year !== year) return { ok: false, code: 'invalid_request', message: `the project is for ${p.year}, voting is for ${year}` };
  if (p.status !== 'candidate') return { ok: false, code: 'invalid_request', message: 'voting is open for candidate projects only' };
  return { ok: true };
}

export interface TallyRow { projectId: number; title: string; status: ProjectStatus; votes: number; share: number }

/** Results: every project with its votes and share of all votes (0 when none), most votes first. */
export function tally(projects: { id: number; title: string; status: ProjectStatus }[], votes: Map<number, number>): { total: number; rows: TallyRow[] } {
  const total = projects.reduce((s, p) => s + (votes.get(p.id) ?? 0), 0);
  const rows = projects.map((p) => {
    const v = votes.get(p.id) ?? 0;
    return { projectId: p.id, title: p.title, status: p.status, votes: v, share: total ? Math.round((v / total) * 1000) / 1000 : 0 };
  }).sort((a, b) => b.votes - a.votes || a.projectId - b.projectId);
  return { total, rows };
}

/** Solve share of a month: solved / received (null when nothing was received). */
export const solveShare = (received: number, solved: number): number | null =>
  received > 0 ? Math.round((solved / received) * 1000) / 1000 : null;
