// Loads the demo district (geojson/demo/, built by scripts/build-demo.ts) into the database in one
// transaction. Reloading replaces the dataset: its row is deleted (ON DELETE CASCADE clears its
// buildings, roads, facilities, Party organisations, staff …) together with its divisions and
// grids, then everything is inserted anew. Base layers are real OSM data; divisions, grids,
// households, Party organisations, staff and facilities marked synthetic are not.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { Db, Queryable } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import { upsertReferenceData } from '../reference/reference.js';

export { upsertReferenceData };

export const DEMO_DIR = resolve(import.meta.dirname, '../../geojson/demo');

const SQL = loadSql(new URL('./load.sql', import.meta.url), [
  'deleteGrids', 'deleteDivisions', 'deleteDataset', 'insertDataset', 'insertDivisions', 'insertGrids', 'insertBuildings',
  'assignBuildings', 'insertRoads', 'insertBaseFeatures', 'insertFacilities', 'assignFacilities', 'reservePartyIds',
  'insertPartyOrgs', 'insertStaff', 'isEmpty',
  'seedStaffPhones', 'seedStaffDuties', 'seedMembers', 'seedActivities', 'seedAttendees', 'seedHouseholdLinks',
] as const);

const Manifest = z.object({
  datasetId: z.string().min(1),
  name: z.string(),
  attribution: z.string(),
  license: z.string(),
  districtCode: z.string(),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  center: z.tuple([z.number(), z.number()]),
  counts: z.record(z.string(), z.number()),
  synthetic: z.record(z.string(), z.boolean()),
}).passthrough();
export type DemoManifest = z.infer<typeof Manifest>;

const Feature = z.object({
  type: z.literal('Feature'),
  properties: z.record(z.string(), z.unknown()),
  geometry: z.object({ type: z.string() }).passthrough(),
});
const Collection = z.object({ type: z.literal('FeatureCollection'), features: z.array(Feature) });
type FeatureT = z.infer<typeof Feature>;

const PartyOrg = z.object({
  key: z.string(),
  parentKey: z.string().nullable(),
  level: z.enum(['community_committee', 'grid_branch', 'building_group', 'member_household']),
  name: z.string(),
  communityCode: z.string(),
  gridCode: z.string().nullable(),
  buildingOsmId: z.string().nullable(),
  members: z.number().int(),
  synthetic: z.boolean(),
});
const Staff = z.object({
  gridCode: z.string(),
  role: z.enum(['grid_worker', 'community_worker', 'property_manager']),
  name: z.string(),
  synthetic: z.boolean(),
});

/** Base layers (files) → base_feature.layer. */
const BASE_LAYERS = [['water', 'water'], ['landuse', 'landuse'], ['boundaries', 'boundary'], ['transit', 'transit'], ['places', 'place']] as const;

export interface DemoFiles {
  manifest: DemoManifest;
  divisions: FeatureT[];
  grids: FeatureT[];
  buildings: FeatureT[];
  roads: FeatureT[];
  facilities: FeatureT[];
  base: Record<(typeof BASE_LAYERS)[number][0], FeatureT[]>;
  partyOrgs: z.infer<typeof PartyOrg>[];
  staff: z.infer<typeof Staff>[];
}

export function readDemo(dir: string = DEMO_DIR): DemoFiles {
  const json = (name: string): unknown => JSON.parse(readFileSync(join(dir, name), 'utf8'));
  const layer = (name: string) => Collection.parse(json(`${name}.geojson`)).features;
  return {
    manifest: Manifest.parse(json('manifest.json')),
    divisions: layer('divisions'),
    grids: layer('grids'),
    buildings: layer('buildings'),
    roads: layer('roads'),
    facilities: layer('facilities'),
    base: Object.fromEntries(BASE_LAYERS.map(([file]) => [file, layer(file)])) as DemoFiles['base'],
    partyOrgs: z.array(PartyOrg).parse(json('party-orgs.json')),
    staff: z.array(Staff).parse(json('grid-staff.json')),
  };
}

/** True when the database holds no division at all (a first run). */
export async function isEmpty(db: Queryable): Promise<boolean> {
  const r = await db.query<{ empty: boolean }>(SQL.isEmpty);
  return r.rows[0]!.empty;
}

export async function loadDemo(db: Db, dir: string = DEMO_DIR): Promise<{ datasetId: string; counts: Record<string, number> }> {
  const d = readDemo(dir);
  const id = d.manifest.datasetId;
  const codes = [...d.divisions.map((f) => String(f.properties.code)), ...d.grids.map((f) => String(f.properties.code))];
  const counts: Record<string, number> = {};
  await db.transaction(async (tx) => {
    await upsertReferenceData(tx);
    await tx.query(SQL.deleteGrids, [id, codes]);
    await tx.query(SQL.deleteDivisions, [id, codes]);
    await tx.query(SQL.deleteDataset, [id]);
    const [x0, y0, x1, y1] = d.manifest.bbox;
    const summary = { ...d.manifest, loadedFrom: 'geojson/demo' };
    await tx.query(SQL.insertDataset, [id, d.manifest.name, d.manifest.attribution, x0, y0, x1, y1, JSON.stringify(summary)]);

    const insert = async (sql: string, features: unknown[], ...before: unknown[]) =>
      (await tx.query(sql, [id, ...before, JSON.stringify(features)])).rowCount;
    counts.divisions = await insert(SQL.insertDivisions, d.divisions);
    counts.grids = await insert(SQL.insertGrids, d.grids);
    counts.buildings = await insert(SQL.insertBuildings, d.buildings);
    await tx.query(SQL.assignBuildings, [id]);
    counts.roads = await insert(SQL.insertRoads, d.roads);
    for (const [file, layer] of BASE_LAYERS) counts[file] = await insert(SQL.insertBaseFeatures, d.base[file], layer);
    counts.facilities = await insert(SQL.insertFacilities, d.facilities);
    await tx.query(SQL.assignFacilities, [id]);

    // Party organisations: reserve ids, resolve keys to ids, insert the tree in one statement.
    const ids = (await tx.query<{ id: number }>(SQL.reservePartyIds, [d.partyOrgs.length])).rows.map((r) => r.id).sort((a, b) => a - b);
    const idOf = new Map(d.partyOrgs.map((o, i) => [o.key, ids[i]!]));
    const orgs = d.partyOrgs.map((o) => {
      const parentId = o.parentKey === null ? null : idOf.get(o.parentKey);
      if (parentId === undefined) throw new Error(`party organisation ${o.key}: unknown parent ${o.parentKey}`);
      return { ...o, id: idOf.get(o.key), parentId };
    });
    counts.partyOrgs = d.partyOrgs.length ? await insert(SQL.insertPartyOrgs, orgs) : 0;
    counts.gridStaff = d.staff.length ? await insert(SQL.insertStaff, d.staff) : 0;
    // The Party branch ledger (支部台账) and the other 一格三员 duties: synthetic, deterministic.
    await tx.query(SQL.seedStaffPhones, [id]);
    counts.gridDuties = (await tx.query(SQL.seedStaffDuties, [id])).rowCount;
    counts.partyMembers = (await tx.query(SQL.seedMembers, [id])).rowCount;
    counts.partyActivities = (await tx.query(SQL.seedActivities, [id])).rowCount;
    await tx.query(SQL.seedAttendees, [id]);
    counts.householdLinks = (await tx.query(SQL.seedHouseholdLinks, [id])).rowCount;
  });
  return { datasetId: id, counts };
}
