// Publishing a community's draft (issue 11) in ONE transaction: replace the community's grids
// (kept grids keep their id, new ones are inserted, a grid a rollback brings back gets its old id
// and code again, the rest are retired), move buildings and facilities to the grid holding their
// point on surface, open cases likewise, Party organisations, staff, special-care residents,
// accounts and tokens of retired grids to their successor (lineage, then largest overlap), then
// recount households and store a version with its lineage. Any failure rolls everything back.
import type { DraftGrid, LineageEntry, PublishResponse } from '../../core/grid-edit/contract.js';
import { BLOCKING_PROBLEMS } from '../../core/grid-edit/contract.js';
import type { Principal } from '../auth/principal.js';
import type { Db, Queryable } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import type { EventBus } from '../events/bus.js';
import { fail, ok, type Result } from '../http/errors.js';
import { selectIncidents } from '../incidents/commands.js';
import { bandOf, checkGridIds, revisionConflict, type CommunityRow } from './editor.js';
import { SQL as EDITOR_SQL, validateOnServer } from './validation.js';

export const SQL = loadSql(new URL('./publish.sql', import.meta.url), [
  'deferOverlap', 'liveGrids', 'allCodes', 'communityDataset', 'updateGrid', 'insertGrid', 'unretire', 'successors',
  'placeBuildings', 'placeFacilities', 'placeOpenIncidents', 'incidentsToSuccessor', 'residentsFollowBuildings',
  'partySnapshot', 'partyFollowBuildings', 'reassign', 'retire', 'totals', 'snapshot', 'versionCount', 'insertVersion',
  'finishVersion', 'insertLineage', 'version', 'compareHouseholds', 'sameShape',
]);

/** Tables publish places by location itself; every other reference to a retired grid follows its successor. */
const PLACED_BY_LOCATION = ['building', 'facility', 'incident'];

export interface PublishOutcome extends PublishResponse {
  /** Open cases that changed grid, with the grid they were in (for the live screens). */
  movedIncidents: { id: number; oldGridId: number | null }[];
  households: number;
}

/** Next free code "<community>-NN" (never one the community used before). */
export function nextCodes(community: string, used: readonly string[], n: number): string[] {
  const taken = new Set(used);
  let max = 0;
  for (const c of used) {
    const m = new RegExp(`^${community.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`).exec(c);
    if (m) max = Math.max(max, Number(m[1]));
  }
  const out: string[] = [];
  for (let k = max + 1; out.length < n; k++) {
    const code = `${community}-${String(k).padStart(2, '0')}`;
    if (!taken.has(code)) out.push(code);
  }
  return out;
}

export interface PublishArgs {
  baseRevision: number;
  note?: string;
  /** Set by a rollback: the version whose layout is published (for the note and audit). */
  who: Principal;
}

type Publish = Result<PublishOutcome>;

/**
 * Publish the community's draft. Stale revision → revision_conflict; no draft → invalid_request;
 * blocking problems → validation_failed (details: the problems). Nothing is changed on any failure.
 */
export async function publishDraft(db: Db, c: CommunityRow, args: PublishArgs): Promise<Publish> {
  // A user error inside the transaction rolls it back by throwing this, then becomes the Result.
  class Refused extends Error { constructor(readonly result: { ok: false; error: ReturnType<typeof fail>['error'] }) { super('refused'); } }
  try {
    const value = await db.transaction(async (tx) => {
      const d = (await tx.query<{ revision: number; grids: DraftGrid[] | null }>(EDITOR_SQL.lockDraft, [c.code])).rows[0];
      if (!d || d.revision !== args.baseRevision) throw new Refused(await revisionConflict(tx, c.code, args.baseRevision));
      if (!d.grids) throw new Refused(fail('invalid_request', '该社区没有草稿可发布（no draft to publish）'));
      const grids = d.grids;
      const ids = await checkGridIds(tx, c.code, grids);
      if (!ids.ok) throw new Refused(ids);
      const band = bandOf(c);
      const validation = await validateOnServer(tx, c.code, grids, band);
      const blocking = validation.problems.filter((p) => BLOCKING_PROBLEMS.includes(p.code));
      if (blocking.length) {
        throw new Refused(fail('validation_failed', `网格划分有 ${blocking.length} 个问题，未发布：${blocking.slice(0, 3).map((p) => p.message).join('；')}`, { problems: blocking }));
      }
      return applyLayout(tx, c, grids, args, validation.grids.reduce((s, g) => s + g.households, 0));
    });
    return ok(value);
  } catch (e) {
    if (e instanceof Refused) return e.result;
    throw e;
  }
}

async function applyLayout(tx: Queryable, c: CommunityRow, grids: DraftGrid[], args: PublishArgs, households: number): Promise<PublishOutcome> {
  const who = args.who;
  const accountId = who.kind === 'account' ? who.id : null;
  await tx.query(SQL.deferOverlap);
  const live = (await tx.query<{ id: number; code: string; name: string; synthetic: boolean; dataset_id: string | null }>(SQL.liveGrids, [c.code])).rows;
  const liveIds = live.map((g) => g.id);
  const liveSet = new Set(liveIds);

  // The layout before, as the first version, when the community has none yet (so it can be rolled back to).
  if ((await tx.query<{ n: number }>(SQL.versionCount, [c.code])).rows[0]!.n === 0 && live.length) {
    const s = (await tx.query<{ grids: unknown; assignment: unknown }>(SQL.snapshot, [c.code])).rows[0]!;
    await tx.query(SQL.insertVersion, [c.code, who.name, accountId, '编辑前的划分（首次发布时自动保存）', JSON.stringify(s.grids), JSON.stringify(s.assignment), '{}']);
  }
  const version = (await tx.query<{ id: number; publishedAt: Date }>(SQL.insertVersion, [c.code, who.name, accountId, args.note ?? null, '[]', '{}', '{}'])).rows[0]!;

  const synthetic = live.length ? live.some((g) => g.synthetic) : true;
  const dataset = live.find((g) => g.dataset_id)?.dataset_id ?? (await tx.query<{ dataset_id: string | null }>(SQL.communityDataset, [c.code])).rows[0]?.dataset_id ?? null;
  const used = (await tx.query<{ code: string }>(SQL.allCodes, [c.code])).rows.map((r) => r.code);
  const fresh = nextCodes(c.code, used, grids.filter((g) => g.id == null).length);

  // Grids: update kept, bring back retired ones, insert new ones.
  const idOfKey = new Map<string, number>();
  const status = new Map<number, 'kept' | 'created'>();
  const codeOf = new Map(live.map((g) => [g.id, g.code]));
  for (const g of grids) {
    const geo = JSON.stringify(g.geometry);
    if (g.id != null && liveSet.has(g.id)) {
      await tx.query(SQL.updateGrid, [g.id, g.name, geo]);
      idOfKey.set(g.key, g.id);
      status.set(g.id, 'kept');
    } else if (g.id != null) {
      const r = (await tx.query<{ code: string; synthetic: boolean; dataset_id: string | null; props: unknown }>(SQL.unretire, [g.id, c.code])).rows[0]!;
      await tx.query(SQL.insertGrid, [g.id, r.code, g.name, c.code, geo, r.synthetic, r.dataset_id, JSON.stringify(r.props)]);
      idOfKey.set(g.key, g.id);
      codeOf.set(g.id, r.code);
      status.set(g.id, 'created');
    } else {
      const code = fresh.shift()!;
      const id = (await tx.query<{ id: number }>(SQL.insertGrid, [null, code, g.name, c.code, geo, synthetic, dataset, null])).rows[0]!.id;
      idOfKey.set(g.key, id);
      codeOf.set(id, code);
      status.set(id, 'created');
    }
  }
  const ref = (r: number | string): number | null => (typeof r === 'number' ? r : idOfKey.get(r) ?? (/^\d+$/.test(r) ? Number(r) : null));
  const retired = liveIds.filter((id) => !grids.some((g) => g.id === id));

  // Lineage from the draft: parents that were published grids.
  const lineageRows: { gridId: number; parentId: number; kind: 'split_from' | 'merged_into' | 'successor' }[] = [];
  const candidates: Record<string, number[]> = {};
  for (const g of grids) {
    const id = idOfKey.get(g.key)!;
    const split = g.lineage?.splitFrom != null ? ref(g.lineage.splitFrom) : null;
    if (split != null && split !== id) {
      lineageRows.push({ gridId: id, parentId: split, kind: 'split_from' });
      (candidates[split] ??= []).push(id);
    }
    for (const m of g.lineage?.mergedFrom ?? []) {
      const p = ref(m);
      if (p == null || p === id) continue;
      lineageRows.push({ gridId: id, parentId: p, kind: 'merged_into' });
      (candidates[p] ??= []).push(id);
    }
  }
  const successor = new Map<number, number>();
  if (retired.length) {
    const rows = (await tx.query<{ retired: number; successor: number | null }>(SQL.successors, [retired, JSON.stringify(candidates), c.code])).rows;
    for (const r of rows) {
      if (r.successor == null) throw new Error(`no successor for retired grid ${r.retired}`); // validation guarantees a grid
      successor.set(r.retired, r.successor);
      lineageRows.push({ gridId: r.successor, parentId: r.retired, kind: 'successor' });
    }
  }
  const mapping = JSON.stringify(Object.fromEntries(successor));

  // Move what references grids.
  const before = [...new Set([...liveIds])];
  const movedBuildings = (await tx.query<{ id: number; old: number | null; new: number | null; households: number }>(SQL.placeBuildings, [c.code, before, retired])).rows;
  await tx.query(SQL.placeFacilities, [c.code, before, retired]);
  const placed = (await tx.query<{ id: number; old: number | null }>(SQL.placeOpenIncidents, [c.code, before, retired])).rows;
  const rest = (await tx.query<{ id: number; old: number; open: boolean }>(SQL.incidentsToSuccessor, [mapping])).rows;
  const movedIncidents = [...placed.map((r) => ({ id: r.id, oldGridId: r.old })), ...rest.filter((r) => r.open).map((r) => ({ id: r.id, oldGridId: r.old }))];
  const allIds = [...new Set([...liveIds, ...idOfKey.values()])];
  await tx.query(SQL.residentsFollowBuildings, [allIds]);
  const partyBefore = new Map((await tx.query<{ id: number; grid_id: number }>(SQL.partySnapshot, [c.code])).rows.map((r) => [r.id, r.grid_id]));
  const reassigned = (await tx.query<{ target: string; moved: number }>(SQL.reassign, [mapping, PLACED_BY_LOCATION])).rows;
  await tx.query(SQL.partyFollowBuildings, [c.code]);
  const partyAfter = (await tx.query<{ id: number; grid_id: number }>(SQL.partySnapshot, [c.code])).rows;
  const partyMoved = partyAfter.filter((r) => partyBefore.has(r.id) && partyBefore.get(r.id) !== r.grid_id).length;
  const count = (target: string) => reassigned.filter((r) => r.target === target).reduce((s, r) => s + r.moved, 0);

  if (retired.length) await tx.query(SQL.retire, [retired, version.id, mapping]);
  await tx.query(SQL.totals, [c.code]);
  const snap = (await tx.query<{ grids: unknown; assignment: unknown }>(SQL.snapshot, [c.code])).rows[0]!;
  const moved = {
    buildings: movedBuildings.length,
    households: movedBuildings.reduce((s, b) => s + b.households, 0),
    partyOrgs: partyMoved,
    staff: count('grid_staff.grid_id'),
    incidents: movedIncidents.length,
    accounts: count('account.grid_id') + count('api_token.grid_id'),
  };
  await tx.query(SQL.finishVersion, [version.id, JSON.stringify(snap.grids), JSON.stringify(snap.assignment), JSON.stringify({ ...moved, reassigned })]);
  if (lineageRows.length) await tx.query(SQL.insertLineage, [version.id, JSON.stringify(lineageRows)]);
  const rev = (await tx.query<{ revision: number }>(EDITOR_SQL.bumpDraft, [c.code, args.baseRevision, null, who.name, accountId])).rows[0];
  if (!rev) throw new Error('draft row vanished during publish');

  const lineage: LineageEntry[] = [
    ...grids.map((g) => {
      const id = idOfKey.get(g.key)!;
      return {
        gridId: id, code: codeOf.get(id)!, name: g.name, status: status.get(id)!, key: g.key,
        splitFrom: lineageRows.find((l) => l.gridId === id && l.kind === 'split_from')?.parentId ?? null,
        mergedFrom: lineageRows.filter((l) => l.gridId === id && l.kind === 'merged_into').map((l) => l.parentId),
        successorId: null,
      };
    }),
    ...retired.map((id) => ({
      gridId: id, code: codeOf.get(id)!, name: live.find((g) => g.id === id)!.name, status: 'retired' as const, key: null,
      splitFrom: null, mergedFrom: [], successorId: successor.get(id) ?? null,
    })),
  ];
  return {
    version: { id: version.id, publishedAt: new Date(version.publishedAt).toISOString() },
    revision: rev.revision,
    moved,
    lineage,
    movedIncidents,
    households,
  };
}

/** After commit: tell open map pages and the screens of every moved case. */
export async function announcePublish(db: Db, bus: EventBus, communityCode: string, out: PublishOutcome): Promise<void> {
  const ids = (status: string) => out.lineage.filter((l) => l.status === status).map((l) => l.gridId);
  bus.publish('grids.published', { communityCode, versionId: out.version.id, grids: { add: ids('created'), update: ids('kept'), remove: ids('retired') } });
  if (!out.movedIncidents.length) return;
  const before = new Map(out.movedIncidents.map((m) => [m.id, m.oldGridId]));
  for (const incident of await selectIncidents(db, [...before.keys()])) {
    bus.publish('incident.updated', {
      incident,
      before: { districtCode: incident.districtCode, subdistrictCode: incident.subdistrictCode, communityCode: incident.communityCode, gridId: before.get(incident.id) ?? null },
    });
  }
}
