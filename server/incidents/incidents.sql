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
INSERT INTO incident (client_key, body_hash, category, description, source, geom, input_crs,
                      grid_id, community_code, subdistrict_code, district_code, synthetic)
VALUES ($1, $2, $3, $4, $5, ST_SetSRID(ST_MakePoint($6::float8, $7::float8), 4326), $8, $9, $10, $11, $12, $13)
ON CONFLICT (client_key) DO NOTHING
RETURNING id;

-- name: select
-- The presenter's view of incidents. $1 ids.
SELECT i.id, i.client_key, i.category, i.description, i.source, i.status,
       ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat, i.input_crs,
       i.grid_id, g.name AS grid_name, i.community_code, i.subdistrict_code, i.district_code,
       i.synthetic, i.created_at, i.updated_at
  FROM incident i LEFT JOIN grid g ON g.id = i.grid_id
 WHERE i.id = ANY($1::int[])
 ORDER BY i.id;

-- name: list
-- $1 since (NULL = all), $2 division codes (NULL = all), $3 limit, $4 one grid (NULL = any),
-- $5 false to return nothing (a department before dispatch exists). Newest last.
SELECT * FROM (
  SELECT i.id, i.client_key, i.category, i.description, i.source, i.status,
         ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat, i.input_crs,
         i.grid_id, g.name AS grid_name, i.community_code, i.subdistrict_code, i.district_code,
         i.synthetic, i.created_at, i.updated_at
    FROM incident i LEFT JOIN grid g ON g.id = i.grid_id
   WHERE ($1::timestamptz IS NULL OR i.updated_at > $1::timestamptz)
     AND ($2::text[] IS NULL OR i.district_code = ANY($2::text[]) OR i.subdistrict_code = ANY($2::text[])
          OR i.community_code = ANY($2::text[]))
     AND ($4::int IS NULL OR i.grid_id = $4::int)
     AND $5::boolean
   ORDER BY i.updated_at DESC, i.id DESC
   LIMIT $3
) s ORDER BY updated_at, id;
