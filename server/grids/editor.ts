// Grid editor commands and queries (issue 11): a community's working set, drafts under an
// optimistic lock (revision), and server-side validation. Publishing is in publish.ts.
import type { FeatureCollection, LineString, MultiPolygon, Polygon } from 'geojson';
import {
  DEFAULT_BAND, type Band, type BuildingProps, type CommunityResponse, type CommunitySummary, type DraftGrid,
  type DraftGridOut, type RevisionConflictDetails, type RoadProps, type SetBandResponse, type Validation,
} from '../../core/grid-edit/contract.js';
import { mapFilter, type Scope } from '../auth/scope.js';
import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { fail, ok, type Result } from '../http/errors.js';
import { figuresOf, SQL, validateOnServer } from './validation.js';

export const OSM_ATTRIBUTION = '© OpenStreetMap contributors';

/** Is the community inside the principal's jurisdiction? Outside it reads as absent (404). */
export function communityInScope(scope: Scope, code: string): boolean {
  const f = mapFilter(scope);
  return f.communities === null || f.communities.includes(code);
}

export interface CommunityRow {
  code: string;
  name: string;
  geometry: MultiPolygon;
  sub_code: string | null;
  sub_name: string | null;
  sub_geometry: MultiPolygon | null;
  district_code: string | null;
  district_name: string | null;
  district_geometry: MultiPolygon | null;
  band_min: number | null;
  band_max: number | null;
  revision: number;
  draft_grids: DraftGrid[] | null;
  saved_by: string | null;
  saved_at: Date | string | null;
}

export const bandOf = (c: CommunityRow): Band =>
  c.band_min != null && c.band_max != null && c.band_min <= c.band_max ? { min: c.band_min, max: c.band_max } : { ...DEFAULT_BAND };

const iso = (t: Date | string | null): string | null => (t == null ? null : new Date(t).toISOString());
/** "2026-03-01 14:05" in China Standard Time, for messages. */
export const cst = (t: Date | string | null): string =>
  t == null ? '' : new Date(new Date(t).getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

/** The community row when it exists and is in scope. */
export async function communityFor(db: Queryable, scope: Scope, code: string): Promise<Result<CommunityRow>> {
  const row = communityInScope(scope, code) ? (await db.query<CommunityRow>(SQL.community, [code])).rows[0] : undefined;
  return row ? ok(row) : fail('not_found', `community ${code} not found`);
}

export async function listCommunities(db: Queryable, scope: Scope): Promise<CommunitySummary[]> {
  return (await db.query<CommunitySummary>(SQL.communities, [mapFilter(scope).communities])).rows;
}

/** Draft grids with their codes and figures. */
export async function gridsOut(db: Queryable, communityCode: string, grids: readonly DraftGrid[], band: Band): Promise<DraftGridOut[]> {
  const ids = grids.map((g) => g.id).filter((i): i is number => i != null);
  const codes = new Map((await db.query<{ id: number; code: string }>(SQL.gridCodes, [ids, communityCode])).rows.map((r) => [r.id, r.code]));
  const figs = await figuresOf(db, communityCode, grids, band);
  return grids.map((g, i) => ({
    ...g, code: g.id != null ? codes.get(g.id) ?? null : null,
    households: figs[i]?.households ?? 0, residents: figs[i]?.residents ?? 0, buildings: figs[i]?.buildings ?? 0,
  }));
}

export async function publishedGrids(db: Queryable, communityCode: string): Promise<DraftGridOut[]> {
  return (await db.query<DraftGridOut>(SQL.publishedGrids, [communityCode])).rows;
}

/** May this principal change the band of `district`? Only with the whole district in its jurisdiction. */
export function bandEditable(scope: Scope, district: string): boolean {
  return scope.kind === 'all' || (scope.kind === 'division' && scope.codes.includes(district));
}

/** Set (or with null clear) a district's band. Unknown or out-of-jurisdiction districts are 404 / 403. */
export async function setDistrictBand(db: Queryable, scope: Scope, district: string, band: Band | null): Promise<Result<{ response: SetBandResponse; before: Band | null }>> {
  if (!bandEditable(scope, district)) {
    const visible = scope.kind === 'division' && (scope.ancestors.includes(district));
    return visible ? fail('forbidden', 'changing the band needs the whole district in your jurisdiction') : fail('not_found', `district ${district} not found`);
  }
  const row = (await db.query<{ code: string; before: Band | null }>(SQL.setBand, [district, band ? JSON.stringify({ min: band.min, max: band.max }) : null])).rows[0];
  if (!row) return fail('not_found', `district ${district} not found`);
  return ok({ response: { district, band: band ?? { ...DEFAULT_BAND }, bandSource: band ? 'district' : 'default' }, before: row.before });
}

export async function loadCommunity(db: Queryable, c: CommunityRow, scope?: Scope): Promise<CommunityResponse> {
  const band = bandOf(c);
  const grids = c.draft_grids ? await gridsOut(db, c.code, c.draft_grids, band) : await publishedGrids(db, c.code);
  const buildings = (await db.query<{ id: number; geometry: MultiPolygon; name: string | null; households: number; residents: number; synthetic: boolean }>(
    SQL.buildings, [c.code])).rows;
  const roads = (await db.query<{ id: number; geometry: LineString; name: string | null; kind: string }>(SQL.roads, [c.code])).rows;
  const versions = (await db.query<{ id: number; publishedAt: Date; publishedBy: string; note: string | null }>(SQL.versions, [c.code])).rows;
  const bfc: FeatureCollection<MultiPolygon | Polygon, BuildingProps> = {
    type: 'FeatureCollection',
    features: buildings.map((b) => ({
      type: 'Feature', id: b.id, geometry: b.geometry,
      properties: { id: b.id, name: b.name, households: b.households, residents: b.residents, synthetic: b.synthetic },
    })),
  };
  const rfc: FeatureCollection<LineString, RoadProps> = {
    type: 'FeatureCollection',
    features: roads.map((r) => ({ type: 'Feature', id: r.id, geometry: r.geometry, properties: { id: r.id, name: r.name, kind: r.kind } })),
  };
  return {
    community: { code: c.code, name: c.name, geometry: c.geometry },
    subdistrict: { code: c.sub_code ?? '', geometry: c.sub_geometry },
    band,
    bandSource: c.band_min != null && c.band_max != null && c.band_min <= c.band_max ? 'district' : 'default',
    district: c.district_code ? { code: c.district_code, name: c.district_name ?? '', bandEditable: scope ? bandEditable(scope, c.district_code) : false } : null,
    revision: c.revision,
    draft: c.draft_grids ? { savedBy: c.saved_by ?? '', savedAt: iso(c.saved_at)! } : null,
    grids,
    buildings: bfc,
    roads: rfc,
    versions: versions.map((v) => ({ ...v, publishedAt: iso(v.publishedAt)! })),
    attribution: OSM_ATTRIBUTION,
    synthetic: buildings.some((b) => b.synthetic),
  };
}

/** The 409 for a stale base revision, naming who saved last and when. */
export async function revisionConflict(db: Queryable, communityCode: string, baseRevision: number): Promise<{ ok: false; error: ReturnType<typeof fail>['error'] }> {
  const s = (await db.query<{ revision: number; saved_by: string | null; saved_at: Date | null }>(SQL.draftState, [communityCode])).rows[0];
  const details: RevisionConflictDetails = { revision: s?.revision ?? 0, savedBy: s?.saved_by ?? null, savedAt: iso(s?.saved_at ?? null) };
  const who = details.savedBy ? `已被 ${details.savedBy} 于 ${cst(details.savedAt)}（北京时间）修改` : '已被他人修改';
  return fail('revision_conflict',
    `该社区的网格${who}，当前修订号 ${details.revision}，你的修改基于修订号 ${baseRevision}。请重新加载后再编辑，你的修改未保存。`, details);
}

/** Draft grids that name a published id must name a grid of this community (live or retired). */
export async function checkGridIds(db: Queryable, communityCode: string, grids: readonly DraftGrid[]): Promise<Result<true>> {
  const ids = grids.map((g) => g.id).filter((i): i is number => i != null);
  if (!ids.length) return ok(true);
  const r = await db.query<{ id: number }>(SQL.gridCodes, [ids, communityCode]);
  const known = new Set(r.rows.map((x) => x.id));
  const bad = ids.filter((i) => !known.has(i));
  return bad.length ? fail('invalid_request', `grid id ${bad.join(', ')} is not a grid of community ${communityCode}`) : ok(true);
}

export interface SaveOutcome {
  revision: number;
  validation: Validation;
}

/** Store a draft (grids null = discard) when baseRevision is current. */
export async function saveDraft(db: Queryable, who: Principal, c: CommunityRow, baseRevision: number, grids: DraftGrid[] | null): Promise<Result<SaveOutcome>> {
  if (grids) {
    const ids = await checkGridIds(db, c.code, grids);
    if (!ids.ok) return ids;
  }
  const validation = grids
    ? await validateOnServer(db, c.code, grids, bandOf(c))
    : { ok: true, problems: [], grids: [] };
  const json = grids ? JSON.stringify(grids) : null, account = who.kind === 'account' ? who.id : null;
  let r = await db.query<{ revision: number }>(SQL.bumpDraft, [c.code, baseRevision, json, who.name, account]);
  if (!r.rows[0] && baseRevision === 0) r = await db.query<{ revision: number }>(SQL.insertDraft, [c.code, json, who.name, account]);
  if (!r.rows[0]) return revisionConflict(db, c.code, baseRevision);
  return ok({ revision: r.rows[0].revision, validation });
}
