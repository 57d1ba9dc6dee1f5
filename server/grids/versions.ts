// Published versions of a community's layout: read one, compare two, roll back (load a version
// into the draft; publishing it is the normal publish).
import type { Feature, MultiPolygon } from 'geojson';
import type { CompareResponse, DraftGrid, VersionGridProps, VersionResponse } from '../../core/grid-edit/contract.js';
import type { Scope } from '../auth/scope.js';
import type { Queryable } from '../db/db.js';
import { fail, ok, type Result } from '../http/errors.js';
import { communityInScope } from './editor.js';
import { SQL } from './publish.js';

type VFeature = Feature<MultiPolygon, VersionGridProps>;

interface VersionRow {
  id: number;
  communityCode: string;
  publishedAt: Date;
  publishedBy: string;
  note: string | null;
  grids: VFeature[];
  assignment: Record<string, number>;
}

export async function versionFor(db: Queryable, scope: Scope, id: number): Promise<Result<VersionRow>> {
  const v = (await db.query<VersionRow>(SQL.version, [id])).rows[0];
  return v && communityInScope(scope, v.communityCode) ? ok(v) : fail('not_found', `version ${id} not found`);
}

export function presentVersion(v: VersionRow): VersionResponse {
  return {
    id: v.id, communityCode: v.communityCode, publishedAt: new Date(v.publishedAt).toISOString(), publishedBy: v.publishedBy, note: v.note,
    grids: { type: 'FeatureCollection', features: v.grids },
  };
}

/** A version's grids as draft grids (published ids kept, so a rollback publish restores identities). */
export function versionDraft(v: VersionRow): DraftGrid[] {
  return v.grids.map((f) => ({ id: f.properties.id, key: String(f.properties.id), name: f.properties.name, geometry: f.geometry }));
}

export async function compareVersions(db: Queryable, a: VersionRow, b: VersionRow): Promise<CompareResponse> {
  const inA = new Map(a.grids.map((f) => [f.properties.id, f]));
  const inB = new Map(b.grids.map((f) => [f.properties.id, f]));
  const both = b.grids.filter((f) => inA.has(f.properties.id));
  const same = new Map(both.length
    ? (await db.query<{ id: number; same: boolean }>(SQL.sameShape, [JSON.stringify(both.map((f) => ({
      id: f.properties.id, a: JSON.stringify(inA.get(f.properties.id)!.geometry), b: JSON.stringify(f.geometry),
    })))])).rows.map((r) => [r.id, r.same])
    : []);
  const changed = both
    .filter((f) => !same.get(f.properties.id) || f.properties.name !== inA.get(f.properties.id)!.properties.name)
    .map((f) => ({ ...f, properties: { ...f.properties, householdsBefore: inA.get(f.properties.id)!.properties.households } }));
  const hh = (await db.query<{ households: number }>(SQL.compareHouseholds, [JSON.stringify(a.assignment), JSON.stringify(b.assignment)])).rows[0]!;
  return {
    a: a.id, b: b.id,
    added: { type: 'FeatureCollection', features: b.grids.filter((f) => !inA.has(f.properties.id)) },
    removed: { type: 'FeatureCollection', features: a.grids.filter((f) => !inB.has(f.properties.id)) },
    changed: { type: 'FeatureCollection', features: changed },
    householdsMoved: hh.households,
  };
}
