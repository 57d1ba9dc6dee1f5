-- name: thresholds
SELECT kind, params, updated_at, updated_by FROM warning_threshold ORDER BY kind;

-- name: setThreshold
-- $1 kind, $2 params (validated), $3 who. Returns the params before the change.
UPDATE warning_threshold t SET params = $2::jsonb, updated_at = now(), updated_by = $3
  FROM (SELECT kind, params FROM warning_threshold WHERE kind = $1 FOR UPDATE) old
 WHERE t.kind = old.kind
RETURNING old.params AS before;

-- name: tryLock
-- One scan at a time across processes sharing the database (released at the end of the transaction).
SELECT pg_try_advisory_xact_lock($1::bigint) AS got;

-- name: areaCases
-- Cases reported in [$1, $2) with a community (merged duplicates not counted: their survivor is).
SELECT i.id, i.category, i.community_code AS area, (extract(epoch FROM i.created_at) * 1000)::float8 AS at, i.synthetic
  FROM incident i
 WHERE i.created_at >= $1::timestamptz AND i.created_at < $2::timestamptz
   AND i.community_code IS NOT NULL AND i.merged_into IS NULL;

-- name: placedCases
-- Located cases reported in [$1, $2), with their position.
SELECT i.id, i.category, ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat, i.grid_id, i.community_code AS area,
       (extract(epoch FROM i.created_at) * 1000)::float8 AS at, i.synthetic
  FROM incident i
 WHERE i.created_at >= $1::timestamptz AND i.created_at < $2::timestamptz
   AND i.geom IS NOT NULL AND i.merged_into IS NULL;

-- name: deadlineEnds
-- Grid-level deadlines that ended in [$1, $2) (on time or not), for the cases' grids.
SELECT i.grid_id, (extract(epoch FROM e.at) * 1000)::float8 AS at, e.on_time, i.synthetic
  FROM incident_event e JOIN incident i ON i.id = e.incident_id
 WHERE e.at >= $1::timestamptz AND e.at < $2::timestamptz
   AND e.on_time IS NOT NULL AND e.level = 'grid' AND i.grid_id IS NOT NULL;

-- name: openClusters
SELECT key, case_ids FROM warning WHERE kind = 'cluster' AND status <> 'closed';

-- name: upsert
-- $1 kind, $2 key, $3 category, $4 grid, $5 community (NULL: the grid's), $6 evidence, $7 case ids,
-- $8 synthetic. A closed warning stays closed; an unchanged one is not touched.
WITH place AS (
  SELECT COALESCE($5::text, (SELECT community_code FROM grid WHERE id = $4::int)) AS community_code
), up AS (
  SELECT p.community_code, s.code AS subdistrict_code, s.parent_code AS district_code
    FROM place p LEFT JOIN division c ON c.code = p.community_code LEFT JOIN division s ON s.code = c.parent_code
)
INSERT INTO warning (kind, key, category, grid_id, community_code, subdistrict_code, district_code, evidence, case_ids, synthetic)
SELECT $1, $2, $3, $4::int, up.community_code, up.subdistrict_code, up.district_code, $6::jsonb, $7::int[], $8 FROM up
ON CONFLICT (key) DO UPDATE SET evidence = EXCLUDED.evidence, case_ids = EXCLUDED.case_ids, synthetic = EXCLUDED.synthetic, updated_at = now()
 WHERE warning.status <> 'closed' AND (warning.evidence IS DISTINCT FROM EXCLUDED.evidence OR warning.case_ids IS DISTINCT FROM EXCLUDED.case_ids)
RETURNING id, (xmax = 0) AS inserted;

-- name: list
-- Warnings in a jurisdiction: $1 division codes (NULL = all), $2 one grid (NULL = any), $3 statuses,
-- $4 kind (NULL = any), $5 ids (NULL = any), $6 limit. Newest first.
SELECT w.*, g.name AS grid_name, c.name AS community_name, cat.name AS category_name, a.display_name AS assignee_name
  FROM warning w
  LEFT JOIN grid g ON g.id = w.grid_id
  LEFT JOIN division c ON c.code = w.community_code
  LEFT JOIN incident_category cat ON cat.code = w.category
  LEFT JOIN account a ON a.id = w.assigned_to
 WHERE ($1::text[] IS NULL OR w.community_code = ANY($1::text[]))
   AND ($2::int IS NULL OR w.grid_id = $2::int)
   AND w.status = ANY($3::text[])
   AND ($4::text IS NULL OR w.kind = $4)
   AND ($5::int[] IS NULL OR w.id = ANY($5::int[]))
 ORDER BY w.detected_at DESC, w.id DESC
 LIMIT $6;

-- name: acknowledge
UPDATE warning SET status = 'acknowledged', acknowledged_by = $2, acknowledged_at = now(), note = COALESCE($3, note), updated_at = now()
 WHERE id = $1 AND status = 'open'
RETURNING id;

-- name: assign
-- $1 warning, $2 account, $3 who. An open warning assigned is acknowledged too.
UPDATE warning SET assigned_to = $2, assigned_by = $3, assigned_at = now(), note = COALESCE($4, note),
       status = 'acknowledged', acknowledged_by = COALESCE(acknowledged_by, $3), acknowledged_at = COALESCE(acknowledged_at, now()),
       updated_at = now()
 WHERE id = $1 AND status <> 'closed'
RETURNING id;

-- name: close
UPDATE warning SET status = 'closed', closed_by = $2, closed_at = now(), note = COALESCE($3, note), updated_at = now()
 WHERE id = $1 AND status <> 'closed'
RETURNING id;

-- name: assignee
-- An account a warning may be assigned to: active, with its binding (and its grid's community).
SELECT a.id, a.display_name, a.role, a.division_code, a.grid_id, g.community_code AS grid_community_code, a.active
  FROM account a LEFT JOIN grid g ON g.id = a.grid_id
 WHERE a.id = $1;

-- name: assignees
-- Active accounts of the given roles bound inside $2 division codes (NULL = anywhere) or to grid $3.
SELECT a.id, a.display_name, a.role, a.division_code, a.grid_id, g.community_code AS grid_community_code
  FROM account a LEFT JOIN grid g ON g.id = a.grid_id
 WHERE a.active AND a.role = ANY($1::text[])
   AND ($2::text[] IS NULL OR a.division_code = ANY($2::text[]) OR g.community_code = ANY($2::text[]))
   AND ($3::int IS NULL OR a.grid_id = $3::int)
 ORDER BY a.role, a.display_name, a.id
 LIMIT 500;
