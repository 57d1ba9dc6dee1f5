// Synthetic cases and deadlines written straight into the database for the warning and
// performance tests (fixture district): exact counts at exact times. Everything is synthetic.
import type { Queryable } from '../db/db.js';

export interface CaseSpec {
  category: string;
  lon: number;
  lat: number;
  gridId: number | null;
  community: string | null;
  at: Date;
}

let serial = 0;

/** Insert located synthetic cases (reported, at grid level); returns their ids. */
export async function insertCases(db: Queryable, cases: CaseSpec[]): Promise<number[]> {
  if (!cases.length) return [];
  const keys = cases.map(() => `synthetic-test-${process.pid}-${++serial}`);
  const rows = await db.query<{ id: number }>(
    `INSERT INTO incident (client_key, body_hash, category, source, geom, grid_id, community_code, subdistrict_code, district_code, synthetic, created_at, updated_at)
     SELECT k, 'test', c, 'patrol', ST_SetSRID(ST_MakePoint(x, y), 4326), g, m, s.code, s.parent_code, true, t, t
       FROM unnest($1::text[], $2::text[], $3::float8[], $4::float8[], $5::int[], $6::text[], $7::timestamptz[]) AS u(k, c, x, y, g, m, t)
       LEFT JOIN division cm ON cm.code = u.m LEFT JOIN division s ON s.code = cm.parent_code
     RETURNING id`,
    [keys, cases.map((c) => c.category), cases.map((c) => c.lon), cases.map((c) => c.lat), cases.map((c) => c.gridId),
      cases.map((c) => c.community), cases.map((c) => c.at)]);
  return rows.rows.map((r) => r.id);
}

/**
 * A grid-level deadline ended at `at`, on time or not, on a new synthetic case of that grid
 * reported `reportedDaysBefore` days earlier (by default long before, so the cases themselves stay
 * out of the weekly counts and the places).
 */
export async function insertDeadlineEnds(db: Queryable, gridId: number, community: string, ends: { at: Date; onTime: boolean }[],
  reportedDaysBefore = 200): Promise<void> {
  const ids = await insertCases(db, ends.map((e) => ({ category: 'sanitation', lon: 121.497, lat: 31.235, gridId, community,
    at: new Date(e.at.getTime() - reportedDaysBefore * 86_400_000) })));
  await db.query(
    `INSERT INTO incident_event (incident_id, action, from_state, to_state, level, to_level, on_time, actor_kind, actor_label, at)
     SELECT i, 'resolve', 'in_progress', 'resolved', 'grid', 'grid', o, 'system', '测试（合成数据）', t
       FROM unnest($1::int[], $2::bool[], $3::timestamptz[]) AS u(i, o, t)`,
    [ids, ends.map((e) => e.onTime), ends.map((e) => e.at)]);
}
