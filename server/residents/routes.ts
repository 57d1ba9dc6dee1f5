// The resident data pool (人房企数据池, issue 14): people, houses and firms per grid with tags from
// a tag list an admin edits; counts per tag and grid for the map; visits for grid workers; import
// from CSV/.xlsx (import.ts). Personal data: lists are masked for everyone; the full record is
// shown only to roles with read_full on resident_pii, and every full view is audited. Every
// query is narrowed to the caller's jurisdiction (grid workers their grid, community staff their
// community).
import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { can, maskPhone } from '../../core/permissions.js';
import { MAX_IMPORT_BYTES, POOL_KINDS, type PoolKind } from '../../core/resident-import.js';
import { visitsDue, type PersonView, type ResidentTagView } from '../../core/resident-pool.js';
import { noStore } from '../auth/no-store.js';
import { audit, guard, principalOf } from '../auth/principal.js';
import { mapFilter } from '../auth/scope.js';
import type { Db, Queryable } from '../db/db.js';
import { fail, ok, route, sendError, type Result } from '../http/errors.js';
import { bboxParam, idParam, validate } from '../http/validate.js';
import { scopedDivision } from '../layers/filters.js';
import { checkFile, insertRows, maskName, preview } from './import.js';
import { SQL } from './queries.js';

export { SQL, maskName };

interface Row {
  id: number; grid_id: number; grid_name: string; building_id: number | null; name: string; phone: string;
  id_number: string | null; synthetic: boolean; tags: string[]; last_visit: string | null;
}
interface TagRow { code: string; name: string; applies_to: PoolKind; sensitive: boolean; visit_days: number | null; sort: number; count?: number }

/** The special-care tags of the old resident_care model, in display order (the migration kept them as tag codes). */
export const CARE_GROUPS = ['dibao', 'empty_nest_elderly', 'disabled', 'veteran', 'left_behind_child'] as const;

const maskId = (id: string | null) => (id ? `${id.slice(0, 3)}${'*'.repeat(11)}${id.slice(-4)}` : null);

function present(r: Row, full: boolean): PersonView {
  return {
    id: r.id, gridId: r.grid_id, gridName: r.grid_name, buildingId: r.building_id, tags: r.tags,
    name: full ? r.name : maskName(r.name), phone: full ? r.phone : maskPhone(r.phone), idNumber: full ? r.id_number : maskId(r.id_number),
    lastVisit: r.last_visit, masked: !full, synthetic: r.synthetic,
  };
}

const presentTag = (t: TagRow): ResidentTagView => ({
  code: t.code, name: t.name, appliesTo: t.applies_to, sensitive: t.sensitive, visitDays: t.visit_days, sort: t.sort,
  ...(t.count === undefined ? {} : { count: t.count }),
});

const tagCode = z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'lower-case letters, digits and _ (2–40), starting with a letter');
const tagBody = z.object({
  name: z.string().trim().min(1).max(20),
  sensitive: z.boolean().default(false),
  visitDays: z.number().int().min(1).max(366).nullable().default(null),
  sort: z.number().int().min(0).max(100000).default(1000),
}).strict();

const kindQuery = z.object({ kind: z.enum(POOL_KINDS as [PoolKind, ...PoolKind[]]).default('person') });

/** Today's date where the district is (Asia/Shanghai), YYYY-MM-DD. */
const todayCn = (now = new Date()) => new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

async function personInScope(db: Queryable, req: Request, id: number): Promise<Row | null> {
  const f = mapFilter(principalOf(req).scope);
  return (await db.query<Row>(SQL.one, [id, f.communities, f.gridId])).rows[0] ?? null;
}

/** Tag codes or names → codes for one kind; unknown or for another kind → unknown_tag. */
async function resolveTags(db: Queryable, kind: PoolKind, given: string[]): Promise<Result<string[]>> {
  const all = (await db.query<TagRow>(SQL.tagList)).rows;
  const out: string[] = [];
  for (const g of given) {
    const t = all.find((x) => x.code === g || x.name === g);
    if (!t) return fail('unknown_tag', `"${g}" is not in the tag list`, { tag: g });
    if (t.applies_to !== kind) return fail('unknown_tag', `"${t.name}" is a tag for ${t.applies_to}, not ${kind}`, { tag: g });
    if (!out.includes(t.code)) out.push(t.code);
  }
  return ok(out);
}

/**
 * The two upload routes take the file as the raw body (import.ts says why), so they are mounted
 * before the app's JSON-only rule; everything else is in residentRoutes.
 */
export function residentImportRoutes(db: Db): Router {
  const r = Router();
  const raw = express.raw({ type: () => true, limit: MAX_IMPORT_BYTES });
  const handle = (commit: boolean) => route(async (req: Request, res) => {
    const q = validate(kindQuery, { kind: req.query.kind });
    if (!q.ok) return q;
    const kind = q.value.kind;
    const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const me = principalOf(req);
    if (!commit) {
      const c = await checkFile(db, me.scope, kind, bytes);
      if (!c.ok) return c;
      return ok(preview(kind, c.value));
    }
    const out = await db.transaction(async (tx) => {
      const c = await checkFile(tx, me.scope, kind, bytes);
      if (!c.ok) return c;
      if (c.value.errors.length > 0) return ok({ errors: c.value.errors, format: c.value.format, ids: [] as number[] });
      const ids = await insertRows(tx, kind, c.value.rows);
      await audit(tx, req, { action: 'import', resource: 'resident', detail: { kind, format: c.value.format, rows: ids.length, first: ids[0] ?? null, last: ids.at(-1) ?? null } });
      return ok({ errors: [], format: c.value.format, ids });
    });
    if (!out.ok) return out;
    if (out.value.errors.length > 0) {
      await audit(db, req, { action: 'import', resource: 'resident', outcome: 'failed', detail: { kind, errors: out.value.errors.length } });
      return fail('validation_failed', `${out.value.errors.length} problem(s) in the file; nothing was imported`, {
        errors: out.value.errors.slice(0, 500), total: out.value.errors.length,
      });
    }
    res.status(201);
    return ok({ kind, format: out.value.format, imported: out.value.ids.length, ids: out.value.ids });
  });
  r.post('/api/residents/import/preview', guard('create', 'resident_pii'), noStore, raw, handle(false));
  r.post('/api/residents/import', guard('create', 'resident_pii'), noStore, raw, handle(true));
  // a body over the limit: express.raw's 413, in this API's error shape
  r.use('/api/residents/import', ((err, _req, res, next) => {
    if ((err as { type?: string })?.type === 'entity.too.large') { sendError(res, fail('payload_too_large', `a file may have at most ${MAX_IMPORT_BYTES} bytes`).error); return; }
    next(err);
  }) as express.ErrorRequestHandler);
  return r;
}

export function residentRoutes(db: Db): Router {
  const r = Router();
  r.use('/api/residents', noStore);

  // ---- the tag list (everyone who sees residents reads it; an admin edits it) ----
  r.get('/api/residents/tags', guard('read', 'resident_pii'), route(async (req) => {
    const f = mapFilter(principalOf(req).scope);
    return ok({ tags: (await db.query<TagRow>(SQL.tags, [f.communities, f.gridId])).rows.map(presentTag) });
  }));
  r.post('/api/residents/tags', guard('create', 'resident_tag'), route(async (req, res) => {
    const b = validate(tagBody.extend({ code: tagCode, appliesTo: z.enum(POOL_KINDS as [PoolKind, ...PoolKind[]]) }).strict(), req.body);
    if (!b.ok) return b;
    const v = b.value;
    if (v.visitDays !== null && v.appliesTo !== 'person') return fail('invalid_request', 'only tags for people have a visit interval');
    if ((await db.query(SQL.tagNameTaken, [v.name, v.code])).rows.length) return fail('conflict', `a tag named ${v.name} exists`);
    const row = (await db.query<TagRow>(SQL.tagInsert, [v.code, v.name, v.appliesTo, v.sensitive, v.visitDays, v.sort])).rows[0];
    if (!row) return fail('conflict', `tag ${v.code} exists`);
    await audit(db, req, { action: 'create', resource: 'resident_tag', resourceId: v.code, detail: { name: v.name, appliesTo: v.appliesTo } });
    res.status(201);
    return ok(presentTag(row));
  }));
  r.put('/api/residents/tags/:code', guard('update', 'resident_tag'), route(async (req) => {
    const p = validate(z.object({ code: tagCode }), req.params);
    if (!p.ok) return fail('unknown_tag', `"${String(req.params.code)}" is not in the tag list`);
    const b = validate(tagBody, req.body);
    if (!b.ok) return b;
    const before = (await db.query<TagRow>(SQL.tagOne, [p.value.code])).rows[0];
    if (!before) return fail('unknown_tag', `"${p.value.code}" is not in the tag list`);
    if (b.value.visitDays !== null && before.applies_to !== 'person') return fail('invalid_request', 'only tags for people have a visit interval');
    if ((await db.query(SQL.tagNameTaken, [b.value.name, p.value.code])).rows.length) return fail('conflict', `a tag named ${b.value.name} exists`);
    const row = (await db.query<TagRow>(SQL.tagUpdate, [p.value.code, b.value.name, b.value.sensitive, b.value.visitDays, b.value.sort])).rows[0]!;
    await audit(db, req, { action: 'update', resource: 'resident_tag', resourceId: p.value.code, detail: { before: presentTag(before), after: presentTag(row) } });
    return ok(presentTag(row));
  }));
  r.delete('/api/residents/tags/:code', guard('delete', 'resident_tag'), route(async (req) => {
    const p = validate(z.object({ code: tagCode }), req.params);
    if (!p.ok) return fail('unknown_tag', `"${String(req.params.code)}" is not in the tag list`);
    const result = await db.transaction(async (tx) => {
      const uses = Number((await tx.query<{ n: string | number }>(SQL.tagUses, [p.value.code])).rows[0]!.n);
      if (uses > 0) return fail('tag_in_use', `${uses} record(s) carry this tag; remove it from them first`, { uses });
      const gone = (await tx.query(SQL.tagDelete, [p.value.code])).rows[0];
      if (!gone) return fail('unknown_tag', `"${p.value.code}" is not in the tag list`);
      await audit(tx, req, { action: 'delete', resource: 'resident_tag', resourceId: p.value.code });
      return ok({ deleted: p.value.code });
    });
    return result;
  }));

  // ---- people, houses, firms (masked lists) ----
  const listSchema = z.object({
    division: z.string().min(1).max(64).optional(),
    tag: z.string().min(1).max(40).optional(),
    careGroup: z.string().min(1).max(40).optional(), // the old name of `tag`
    grid: z.coerce.number().int().positive().max(2 ** 31 - 1).optional(),
    limit: z.coerce.number().int().positive().max(5000).default(500),
  });
  r.get('/api/residents', guard('read', 'resident_pii'), route(async (req) => {
    const q = validate(listSchema, req.query);
    if (!q.ok) return q;
    const f = await scopedDivision(db, principalOf(req).scope, q.value.division);
    if (!f.ok) return f;
    const rows = (await db.query<Row>(SQL.list, [f.value.communities, f.value.gridId, q.value.tag ?? q.value.careGroup ?? null, q.value.limit, q.value.grid ?? null])).rows;
    return ok({ residents: rows.map((x) => present(x, false)), synthetic: rows.some((x) => x.synthetic) });
  }));
  r.get('/api/residents/houses', guard('read', 'resident_pii'), route(async (req) => {
    const q = validate(listSchema, req.query);
    if (!q.ok) return q;
    const f = await scopedDivision(db, principalOf(req).scope, q.value.division);
    if (!f.ok) return f;
    const rows = (await db.query<{ id: number; grid_id: number; grid_name: string; building_id: number | null; unit: string; owner_name: string | null; owner_phone: string | null; synthetic: boolean; tags: string[] }>(
      SQL.houses, [f.value.communities, f.value.gridId, q.value.tag ?? null, q.value.limit])).rows;
    return ok({
      houses: rows.map((h) => ({
        id: h.id, gridId: h.grid_id, gridName: h.grid_name, buildingId: h.building_id, unit: h.unit, tags: h.tags,
        owner: h.owner_name ? maskName(h.owner_name) : null, phone: h.owner_phone ? maskPhone(h.owner_phone) : null, masked: true, synthetic: h.synthetic,
      })),
    });
  }));
  r.get('/api/residents/firms', guard('read', 'resident_pii'), route(async (req) => {
    const q = validate(listSchema, req.query);
    if (!q.ok) return q;
    const f = await scopedDivision(db, principalOf(req).scope, q.value.division);
    if (!f.ok) return f;
    const rows = (await db.query<{ id: number; grid_id: number; grid_name: string; building_id: number | null; name: string; credit_code: string | null; contact_name: string | null; contact_phone: string | null; synthetic: boolean; tags: string[] }>(
      SQL.firms, [f.value.communities, f.value.gridId, q.value.tag ?? null, q.value.limit])).rows;
    return ok({
      firms: rows.map((x) => ({
        id: x.id, gridId: x.grid_id, gridName: x.grid_name, buildingId: x.building_id, name: x.name, creditCode: x.credit_code, tags: x.tags,
        contact: x.contact_name ? maskName(x.contact_name) : null, phone: x.contact_phone ? maskPhone(x.contact_phone) : null, masked: true, synthetic: x.synthetic,
      })),
    });
  }));

  /** Counts per grid and tag (no personal data): the map of /residents. Bounded: a division and/or a bbox, at most `limit` grids. */
  r.get('/api/residents/by-grid', guard('read', 'resident_pii'), route(async (req) => {
    const q = validate(z.object({
      division: z.string().min(1).max(64).optional(), bbox: z.string().optional(),
      limit: z.coerce.number().int().positive().max(5000).default(5000),
    }), req.query);
    if (!q.ok) return q;
    const bbox = bboxParam(q.value.bbox);
    if (!bbox.ok) return bbox;
    const me = principalOf(req);
    const f = await scopedDivision(db, me.scope, q.value.division);
    if (!f.ok) return f;
    const b = bbox.value ?? [null, null, null, null];
    const [rows, tags] = await Promise.all([
      db.query<{ grid_id: number; grid_name: string; community_code: string; households: number; tags: Record<string, number>; total: number }>(
        SQL.byGrid, [f.value.communities, f.value.gridId, ...b, q.value.limit]),
      db.query<TagRow>(SQL.tagList),
    ]);
    return ok({
      grids: rows.rows.map((x) => ({ gridId: x.grid_id, gridName: x.grid_name, communityCode: x.community_code, households: x.households, tags: x.tags, groups: x.tags, total: x.total })),
      tags: tags.rows.map(presentTag), groups: CARE_GROUPS, synthetic: true, truncated: rows.rows.length >= q.value.limit,
    });
  }));

  // ---- visits (走访): the grid worker's list of who is due, and recording a visit ----
  r.get('/api/residents/visits/due', guard('read', 'resident_pii'), route(async (req) => {
    const q = validate(z.object({ tag: z.string().min(1).max(40).optional(), limit: z.coerce.number().int().positive().max(2000).default(200) }), req.query);
    if (!q.ok) return q;
    const f = mapFilter(principalOf(req).scope);
    const [cands, intervals] = await Promise.all([
      db.query<{ id: number; name: string; phone: string; grid_id: number; grid_name: string; building_id: number | null; building_name: string | null; tags: string[]; last_visit: string | null }>(
        SQL.visitCandidates, [f.communities, f.gridId]),
      db.query<{ code: string; visit_days: number }>(SQL.visitIntervals),
    ]);
    const byId = new Map(cands.rows.map((c) => [c.id, c]));
    const interval = new Map(intervals.rows.filter((t) => !q.value.tag || t.code === q.value.tag).map((t) => [t.code, t.visit_days]));
    const today = todayCn();
    const due = visitsDue(cands.rows.map((c) => ({ id: c.id, tags: c.tags, lastVisit: c.last_visit })), interval, today);
    return ok({
      today, total: due.length,
      due: due.slice(0, q.value.limit).map((d) => {
        const c = byId.get(d.personId)!;
        return {
          ...d, name: maskName(c.name), phone: maskPhone(c.phone), gridId: c.grid_id, gridName: c.grid_name,
          buildingId: c.building_id, buildingName: c.building_name, masked: true,
        };
      }),
    });
  }));
  r.post('/api/residents/:id/visits', guard('update', 'resident_pii'), route(async (req, res) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const today = todayCn();
    const b = validate(z.object({
      date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'not a date').optional(),
      note: z.string().max(500).default(''),
    }).strict(), req.body ?? {});
    if (!b.ok) return b;
    const date = b.value.date ?? today;
    if (date > today) return fail('invalid_request', 'a visit cannot be in the future', { field: 'date' });
    if (Date.parse(`${today}T00:00:00Z`) - Date.parse(`${date}T00:00:00Z`) > 366 * 86_400_000) return fail('invalid_request', 'a visit more than a year ago', { field: 'date' });
    const person = await personInScope(db, req, p.value.id);
    if (!person) return fail('not_found', `resident ${p.value.id} not found`);
    const me = principalOf(req);
    const v = await db.transaction(async (tx) => {
      const row = (await tx.query<{ id: number; person_id: number; visited_on: string; note: string; actor: string }>(
        SQL.visitInsert, [person.id, me.kind === 'account' ? me.id : null, me.name, date, b.value.note])).rows[0]!;
      await audit(tx, req, { action: 'create', resource: 'person_visit', resourceId: person.id, detail: { visit: row.id, date } });
      return row;
    });
    res.status(201);
    return ok({ id: v.id, personId: v.person_id, visitedOn: v.visited_on, note: v.note, actor: v.actor });
  }));

  // ---- one person: masked, or in full (audited) ----
  r.get('/api/residents/:id', guard('read', 'resident_pii'), route(async (req) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const full = validate(z.object({ full: z.enum(['0', '1']).default('0') }), { full: req.query.full });
    if (!full.ok) return full;
    const me = principalOf(req);
    const row = await personInScope(db, req, p.value.id);
    if (!row) return fail('not_found', `resident ${p.value.id} not found`);
    if (full.value.full === '1') {
      if (!can(me.role, 'read_full', 'resident_pii')) {
        await audit(db, req, { action: 'read_full', resource: 'resident', resourceId: row.id, outcome: 'denied' });
        return fail('forbidden', `role ${me.role} may not see unmasked personal data`);
      }
      await audit(db, req, { action: 'read_full', resource: 'resident', resourceId: row.id });
      return ok(present(row, true));
    }
    return ok(present(row, false));
  }));
  /** Replace a person's tags (codes or names); an unknown tag, or one for houses/firms, is refused and nothing changes. */
  r.put('/api/residents/:id/tags', guard('update', 'resident_pii'), route(async (req) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const b = validate(z.object({ tags: z.array(z.string().min(1).max(40)).max(30) }).strict(), req.body);
    if (!b.ok) return b;
    const person = await personInScope(db, req, p.value.id);
    if (!person) return fail('not_found', `resident ${p.value.id} not found`);
    const codes = await resolveTags(db, 'person', b.value.tags);
    if (!codes.ok) return codes;
    await db.transaction(async (tx) => {
      await tx.query(SQL.setPersonTagsClear, [person.id]);
      if (codes.value.length) await tx.query(SQL.setPersonTagsAdd, [person.id, codes.value]);
      await audit(tx, req, { action: 'update', resource: 'resident', resourceId: person.id, detail: { tags: { before: person.tags, after: codes.value } } });
    });
    return ok(present((await personInScope(db, req, person.id))!, false));
  }));
  return r;
}
