-- name: locate
-- Locate a WGS84 point: its grid, community, subdistrict and district. The grid decides the
-- community when there is one; otherwise the community polygon; the rest follows the tree.
WITH p AS (SELECT ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326) AS g),
grid_hit AS (
  SELECT g.id, g.community_code FROM grid g, p WHERE ST_Intersects(g.geom, p.g) ORDER BY g.id LIMIT 1
),
community AS (
  SELECT COALESCE(
    (SELECT community_code FROM grid_hit),
    (SELECT d.code FROM division d, p WHERE d.level = 'community' AND ST_Intersects(d.geom, p.g) ORDER BY d.code LIMIT 1)
  ) AS code
),
subdistrict AS (
  SELECT COALESCE(
    (SELECT d.parent_code FROM division d, community c WHERE d.code = c.code),
    (SELECT d.code FROM division d, p WHERE d.level = 'subdistrict' AND ST_Intersects(d.geom, p.g) ORDER BY d.code LIMIT 1)
  ) AS code
),
district AS (
  SELECT COALESCE(
    (SELECT d.parent_code FROM division d, subdistrict s WHERE d.code = s.code),
    (SELECT d.code FROM division d, p WHERE d.level = 'district' AND ST_Intersects(d.geom, p.g) ORDER BY d.code LIMIT 1)
  ) AS code
)
SELECT (SELECT id FROM grid_hit) AS grid_id,
       (SELECT code FROM community) AS community_code,
       (SELECT code FROM subdistrict) AS subdistrict_code,
       (SELECT code FROM district) AS district_code;

-- name: categoryExists
SELECT 1 FROM incident_category WHERE code = $1;

-- name: byClientKey
SELECT id, body_hash, community_code, subdistrict_code, district_code, grid_id FROM incident WHERE client_key = $1;

-- name: insert
-- $14 level, $15 handler, $16 deadline, $17–$19 who reported, $20 when.
INSERT INTO incident (client_key, body_hash, category, description, source, geom, input_crs,
                      grid_id, community_code, subdistrict_code, district_code, synthetic,
                      level, handler, deadline_at, reported_by_kind, reported_by_id, reported_by_label, created_at)
VALUES ($1, $2, $3, $4, $5, ST_SetSRID(ST_MakePoint($6::float8, $7::float8), 4326), $8, $9, $10, $11, $12, $13,
        $14, $15, $16::timestamptz, $17, $18::int, $19, $20::timestamptz)
ON CONFLICT (client_key) DO NOTHING
RETURNING id;

-- name: select
-- The presenter's view of incidents. $1 ids.
SELECT i.id, i.client_key, i.category, i.description, i.source, i.status,
       ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat, i.input_crs,
       i.grid_id, g.name AS grid_name, i.community_code, i.subdistrict_code, i.district_code,
       i.synthetic, i.created_at, i.updated_at,
       i.level, i.handler, dep.code AS department_code, dep.name AS department_name, i.deadline_at, i.overdue,
       i.escalations, i.resolved_by_label, i.resolved_at, i.verified_by_label, i.verified_at, i.closed_at,
       i.rating, i.merged_into, (SELECT count(*)::int FROM incident_reporter r WHERE r.incident_id = i.id) AS reporters
  FROM incident i LEFT JOIN grid g ON g.id = i.grid_id LEFT JOIN department dep ON dep.id = i.department_id
 WHERE i.id = ANY($1::int[])
 ORDER BY i.id;

-- name: list
-- $1 since (NULL = all), $2 division codes (NULL = all), $3 limit, $4 one grid (NULL = any),
-- $5 one department (NULL = any: departments see only the cases with them), $6 states (NULL = any),
-- $7 overdue (NULL = either), $8 level (NULL = any). Newest last.
SELECT * FROM (
  SELECT i.id, i.client_key, i.category, i.description, i.source, i.status,
         ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat, i.input_crs,
         i.grid_id, g.name AS grid_name, i.community_code, i.subdistrict_code, i.district_code,
         i.synthetic, i.created_at, i.updated_at,
         i.level, i.handler, dep.code AS department_code, dep.name AS department_name, i.deadline_at, i.overdue,
         i.escalations, i.resolved_by_label, i.resolved_at, i.verified_by_label, i.verified_at, i.closed_at,
         i.rating, i.merged_into, (SELECT count(*)::int FROM incident_reporter r WHERE r.incident_id = i.id) AS reporters
    FROM incident i LEFT JOIN grid g ON g.id = i.grid_id LEFT JOIN department dep ON dep.id = i.department_id
   WHERE ($1::timestamptz IS NULL OR i.updated_at > $1::timestamptz)
     AND ($2::text[] IS NULL OR i.district_code = ANY($2::text[]) OR i.subdistrict_code = ANY($2::text[])
          OR i.community_code = ANY($2::text[]))
     AND ($4::int IS NULL OR i.grid_id = $4::int)
     AND ($5::int IS NULL OR i.department_id = $5::int)
     AND ($6::text[] IS NULL OR i.status = ANY($6::text[]))
     AND ($7::boolean IS NULL OR i.overdue = $7::boolean)
     AND ($8::text IS NULL OR i.level = $8::text)
   ORDER BY i.updated_at DESC, i.id DESC
   LIMIT $3
) s ORDER BY updated_at, id;

-- name: insertReporter
INSERT INTO incident_reporter (incident_id, source, client_key, reported_at, actor_kind, actor_id, actor_label)
VALUES ($1, $2, $3, $4::timestamptz, $5, $6::int, $7);
