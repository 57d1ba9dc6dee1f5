-- name: now
SELECT now() AS now;

-- name: rules
-- The responsibility list, shaped like core/routing.ts ResponsibilityRule.
SELECT category, level, handler, deadline_hours AS "deadlineHours", report_hours AS "reportHours"
  FROM responsibility_rule
 ORDER BY CASE level WHEN 'grid' THEN 1 WHEN 'community' THEN 2 WHEN 'subdistrict' THEN 3 ELSE 4 END,
          category = '*' DESC, category;

-- name: deleteRules
DELETE FROM responsibility_rule;

-- name: insertRules
-- $1 a JSON array of rules.
INSERT INTO responsibility_rule (category, level, handler, deadline_hours, report_hours)
SELECT e->>'category', e->>'level', e->>'handler', (e->>'deadlineHours')::float8, (e->>'reportHours')::float8
  FROM json_array_elements($1::json) AS t(e);

-- name: categories
SELECT code FROM incident_category ORDER BY sort, code;

-- name: departments
SELECT code FROM department ORDER BY code;

-- name: departmentByCode
SELECT id FROM department WHERE code = $1;

-- name: departmentCodeById
SELECT code FROM department WHERE id = $1;

-- name: lockCases
-- The workflow's view of cases, locked for the transaction (in id order, so two merges never deadlock).
SELECT i.id, i.status, i.level, i.category, i.grid_id, i.community_code, i.subdistrict_code, i.district_code,
       i.handler, i.department_id, dep.code AS department_code, i.deadline_at, i.deadline_missed, i.overdue,
       i.escalations, i.reported_by_kind, i.reported_by_id, i.reported_by_label,
       i.resolved_by_kind, i.resolved_by_id, i.resolved_by_label, i.resolved_at, i.resolved_level,
       i.verified_by_kind, i.verified_by_id, i.verified_by_label, i.verified_at,
       i.closed_by_kind, i.closed_by_id, i.closed_by_label, i.closed_at, i.rating, i.rated_at, i.merged_into, i.unlocated
  FROM incident i LEFT JOIN department dep ON dep.id = i.department_id
 WHERE i.id = ANY($1::int[])
 ORDER BY i.id
   FOR UPDATE OF i;

-- name: caseById
-- The same view without a lock (reads).
SELECT i.id, i.status, i.level, i.category, i.grid_id, i.community_code, i.subdistrict_code, i.district_code,
       i.handler, i.department_id, dep.code AS department_code, i.deadline_at, i.deadline_missed, i.overdue,
       i.escalations, i.reported_by_kind, i.reported_by_id, i.reported_by_label,
       i.resolved_by_kind, i.resolved_by_id, i.resolved_by_label, i.resolved_at, i.resolved_level,
       i.verified_by_kind, i.verified_by_id, i.verified_by_label, i.verified_at,
       i.closed_by_kind, i.closed_by_id, i.closed_by_label, i.closed_at, i.rating, i.rated_at, i.merged_into, i.unlocated
  FROM incident i LEFT JOIN department dep ON dep.id = i.department_id
 WHERE i.id = $1;

-- name: updateCase
UPDATE incident SET
  status = $2, level = $3, handler = $4, department_id = $5::int, deadline_at = $6::timestamptz,
  deadline_missed = $7, overdue = $8, escalations = $9,
  resolved_by_kind = $10, resolved_by_id = $11::int, resolved_by_label = $12, resolved_at = $13::timestamptz, resolved_level = $14,
  verified_by_kind = $15, verified_by_id = $16::int, verified_by_label = $17, verified_at = $18::timestamptz,
  closed_by_kind = $19, closed_by_id = $20::int, closed_by_label = $21, closed_at = $22::timestamptz,
  rating = $23, rated_at = $24::timestamptz, merged_into = $25::int,
  updated_at = now()
WHERE id = $1;

-- name: locateCase
-- Locate an unlocated case (action locate): its WGS84 point $2/$3 and the divisions locateMany
-- found for it. The workflow columns are written by updateCase in the same transaction.
UPDATE incident SET
  geom = ST_SetSRID(ST_MakePoint($2::float8, $3::float8), 4326), grid_id = $4::int, community_code = $5,
  subdistrict_code = $6, district_code = $7, unlocated = false, updated_at = now()
WHERE id = $1 AND unlocated;

-- name: assignGrid
-- Dispatch to a chosen grid (派往指定网格): the case's grid $2 and its community and subdistrict;
-- its point stays where it was reported. The workflow columns are written by updateCase.
UPDATE incident SET grid_id = $2::int, community_code = $3, subdistrict_code = $4, updated_at = now()
WHERE id = $1 AND NOT unlocated;

-- name: gridPoint
-- A point inside grid $1 (to locate a case to a grid with the same query as a point).
SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM grid WHERE id = $1::int) s;

-- name: touch
UPDATE incident SET updated_at = now() WHERE id = $1;

-- name: insertEvent
INSERT INTO incident_event (incident_id, action, from_state, to_state, level, to_level, department_id, deadline_at,
                            on_time, actor_kind, actor_id, actor_label, actor_role, at, note, photos, detail)
VALUES ($1, $2, $3, $4, $5, $6, $7::int, $8::timestamptz, $9::boolean, $10, $11::int, $12, $13, $14::timestamptz, $15,
        $16::jsonb, $17::jsonb)
RETURNING id;

-- name: trail
SELECT e.id, e.action, e.from_state, e.to_state, e.level, e.to_level, e.actor_kind, e.actor_id, e.actor_label,
       e.actor_role, e.at, e.note, e.photos, e.detail, e.deadline_at, e.on_time
  FROM incident_event e
 WHERE e.incident_id = $1
 ORDER BY e.id;

-- name: reporters
SELECT source, client_key, reported_at, actor_kind, actor_label, merged_from
  FROM incident_reporter
 WHERE incident_id = $1
 ORDER BY reported_at, id;

-- name: copyReporters
-- Every reporter and source of case $1 (including those merged into it before) onto case $2.
INSERT INTO incident_reporter (incident_id, source, client_key, reported_at, actor_kind, actor_id, actor_label, merged_from)
SELECT $2, source, client_key, reported_at, actor_kind, actor_id, actor_label, COALESCE(merged_from, $1)
  FROM incident_reporter
 WHERE incident_id = $1
ON CONFLICT (incident_id, client_key) DO NOTHING;

-- name: duplicates
-- Cases in states $4 of the same category as case $1, within $2 metres and $3 hours of it.
SELECT o.id, o.grid_id, o.community_code, o.subdistrict_code, o.district_code, o.department_id,
       ST_Distance(o.geom::geography, c.geom::geography) AS distance_m
  FROM incident c
  JOIN incident o ON o.id <> c.id AND o.category = c.category
 WHERE c.id = $1
   AND o.status = ANY($4::text[])
   AND ST_DWithin(o.geom::geography, c.geom::geography, $2::float8)
   AND o.created_at BETWEEN c.created_at - make_interval(secs => $3::float8 * 3600)
                        AND c.created_at + make_interval(secs => $3::float8 * 3600)
 ORDER BY distance_m, o.id
 LIMIT 50;

-- name: pastDeadline
-- Open cases whose deadline passed before $1 and was not yet acted on by the clock. $2 open states.
SELECT id FROM incident
 WHERE deadline_at < $1::timestamptz AND NOT deadline_missed AND status = ANY($2::text[])
 ORDER BY deadline_at, id
 LIMIT $3;
