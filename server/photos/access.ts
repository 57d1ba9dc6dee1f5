// Who may see or attach a photo: the principal who uploaded it, anyone who can see a case it is
// on, or anyone who can see the Party branch whose activity it is on. One rule for GET /api/photos/:id, intake and workflow actions.
import type { CasePhoto } from '../../core/contract.js';
import type { ActorRef } from '../../core/workflow.js';
import type { Scope } from '../auth/scope.js';
import type { Queryable } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import { caseInScope, type Located } from '../incidents/jurisdiction.js';

export const SQL = loadSql(new URL('./photos.sql', import.meta.url), ['insert', 'byUpload', 'byIds', 'casesOf', 'activitiesOf', 'ofIncident', 'link']);

export interface PhotoRow {
  id: number; sha256: string; mime: string; bytes: number; width: number; height: number;
  created_by_kind: string; created_by_id: number; created_at: Date;
}

export const photoUrl = (id: number) => `/api/photos/${id}`;
export const thumbUrl = (id: number) => `/api/photos/${id}/thumb`;

/** The photos among `ids` that `actor` (with `scope`) may see or attach, by id. */
export async function accessiblePhotos(db: Queryable, ids: number[], actor: ActorRef, scope: Scope): Promise<Map<number, PhotoRow>> {
  const out = new Map<number, PhotoRow>();
  if (ids.length === 0) return out;
  const rows = (await db.query<PhotoRow>(SQL.byIds, [ids])).rows;
  const cases = (await db.query<Located & { photo_id: number }>(SQL.casesOf, [ids])).rows;
  const activities = (await db.query<{ photo_id: number; grid_id: number | null; community_code: string }>(SQL.activitiesOf, [ids])).rows;
  for (const p of rows) {
    const mine = actor.kind !== 'system' && p.created_by_kind === actor.kind && p.created_by_id === actor.id;
    if (mine || cases.some((c) => c.photo_id === p.id && caseInScope(scope, c))
      || activities.some((a) => a.photo_id === p.id && activityInScope(scope, a))) out.set(p.id, p);
  }
  return out;
}

/** A Party branch activity's photo is seen by whoever sees the branch (its grid, its community or above). */
function activityInScope(scope: Scope, a: { grid_id: number | null; community_code: string }): boolean {
  switch (scope.kind) {
    case 'all': return true;
    case 'department': return false;
    case 'division': return scope.codes.includes(a.community_code);
    case 'grid': return a.grid_id === scope.gridId;
  }
}

export type { CasePhoto };

/** The photos on a case (the caller has been checked to see the case). */
export async function photosOfIncident(db: Queryable, incidentId: number): Promise<CasePhoto[]> {
  const rows = (await db.query<{ id: number; mime: string; bytes: number; width: number; height: number; added_at: Date;
    action: string | null; created_by_label: string }>(SQL.ofIncident, [incidentId])).rows;
  return rows.map((r) => ({
    id: r.id, url: photoUrl(r.id), thumbUrl: thumbUrl(r.id), mime: r.mime, bytes: r.bytes, width: r.width, height: r.height,
    action: r.action, addedAt: new Date(r.added_at).toISOString(), uploadedBy: r.created_by_label,
  }));
}
