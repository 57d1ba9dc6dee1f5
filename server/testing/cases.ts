// Workflow test helpers: put a case straight into any state (bypassing the workflow, to probe what
// may happen next), snapshot a case to prove a refusal changed nothing, and log in as the admin.
import request from 'supertest';
import type { Express } from 'express';
import { levelDef, type Level, type Rating } from '../../core/workflow.js';
import type { Db } from '../db/db.js';
import { ADMIN_PASSWORD } from './principals.js';

export interface CaseSpec {
  state: string;
  level: Level;
  lonLat: [number, number];
  category?: string;
  departmentId?: number | null;
  deadlineAt?: Date | null;
  /** api_token ids */
  reporterToken?: number | null;
  resolverToken?: number | null;
  rating?: Rating | null;
  createdAt?: Date;
}

let n = 0;

/** Insert a located case in the given state with a reporter row and a first trail entry. */
export async function insertCase(db: Db, s: CaseSpec): Promise<number> {
  const key = `case-${process.pid}-${Date.now().toString(36)}-${++n}`;
  return db.transaction(async (tx) => {
    const label = async (id: number | null | undefined) =>
      id == null ? null : (await tx.query<{ name: string }>('SELECT name FROM api_token WHERE id = $1', [id])).rows[0]!.name;
    const row = (await tx.query<{ id: number }>(
      `WITH p AS (SELECT ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326) AS g),
            loc AS (SELECT g.id AS grid_id, g.community_code, d.parent_code AS subdistrict_code, s.parent_code AS district_code
                      FROM grid g JOIN division d ON d.code = g.community_code JOIN division s ON s.code = d.parent_code, p
                     WHERE ST_Intersects(g.geom, p.g) LIMIT 1)
       INSERT INTO incident (client_key, body_hash, category, description, source, geom, grid_id, community_code, subdistrict_code,
                             district_code, status, level, handler, department_id, deadline_at,
                             reported_by_kind, reported_by_id, reported_by_label,
                             resolved_by_kind, resolved_by_id, resolved_by_label, resolved_at, resolved_level, rating, created_at)
       SELECT $3, 'test', $4, 'test case', 'patrol', p.g, loc.grid_id, loc.community_code, loc.subdistrict_code, loc.district_code,
              $5, $6, $15, $7::int, $8::timestamptz,
              CASE WHEN $9::int IS NULL THEN NULL ELSE 'token' END, $9::int, $10,
              CASE WHEN $11::int IS NULL THEN NULL ELSE 'token' END, $11::int, $12, CASE WHEN $11::int IS NULL THEN NULL ELSE now() END,
              CASE WHEN $11::int IS NULL THEN NULL ELSE $6 END, $13, COALESCE($14::timestamptz, now())
         FROM p, loc
       RETURNING id`,
      [s.lonLat[0], s.lonLat[1], key, s.category ?? 'sanitation', s.state, s.level, s.departmentId ?? null,
        s.deadlineAt === undefined ? new Date(Date.now() + 24 * 3_600_000) : s.deadlineAt,
        s.reporterToken ?? null, await label(s.reporterToken), s.resolverToken ?? null, await label(s.resolverToken),
        s.rating ?? null, s.createdAt ?? null, levelDef(s.level).handler])).rows[0]!;
    await tx.query(`INSERT INTO incident_reporter (incident_id, source, client_key, reported_at, actor_kind, actor_label)
                    VALUES ($1, 'patrol', $2, now(), 'system', 'test')`, [row.id, key]);
    await tx.query(`INSERT INTO incident_event (incident_id, action, to_state, to_level, actor_kind, actor_label)
                    VALUES ($1, 'report', $2, $3, 'system', 'test')`, [row.id, s.state, s.level]);
    return row.id;
  });
}

/** Everything a refused action must leave untouched: the row, its trail and its reporters. */
export async function snapshot(db: Db, ids: number[]): Promise<unknown> {
  return (await db.query(
    `SELECT i.id, to_jsonb(i) - 'geom' AS row,
            (SELECT count(*)::int FROM incident_event e WHERE e.incident_id = i.id) AS events,
            (SELECT count(*)::int FROM incident_reporter r WHERE r.incident_id = i.id) AS reporters
       FROM incident i WHERE i.id = ANY($1::int[]) ORDER BY i.id`, [ids])).rows;
}

/** An admin cookie session: a supertest agent and its CSRF token. */
export async function adminSession(app: Express) {
  const agent = request.agent(app);
  const r = await agent.post('/api/auth/login').send({ username: 'admin', password: ADMIN_PASSWORD });
  if (r.status !== 200) throw new Error(`admin login failed: ${r.status} ${JSON.stringify(r.body)}`);
  return { agent, csrf: r.body.account.csrfToken as string };
}

/** api_token ids by name (the principals' keys: gridA1, communityA, …). */
export async function tokenIds(db: Db): Promise<Record<string, number>> {
  const rows = (await db.query<{ id: number; name: string }>('SELECT id, name FROM api_token')).rows;
  return Object.fromEntries(rows.map((r) => [r.name, r.id]));
}
