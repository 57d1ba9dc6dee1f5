-- The facility editor (issue 17). Points are WGS84 (the routes convert GCJ-02/BD-09 first).

-- name: locate
-- Place points ($1 a JSON array of {i, lon, lat}) in the division tree: grid, community (the grid's,
-- else the community polygon), subdistrict and district (the parent, else the polygon).
WITH p AS (
  SELECT (e->>'i')::int AS i, ST_SetSRID(ST_MakePoint((e->>'lon')::float8, (e->>'lat')::float8), 4326) AS g
    FROM json_array_elements($1::json) AS t(e)
),
gh AS (
  SELECT p.i, p.g, hit.id AS grid_id, hit.community_code AS grid_community
    FROM p LEFT JOIN LATERAL (
      SELECT g.id, g.community_code FROM grid g WHERE g.geom && p.g AND ST_Intersects(g.geom, p.g) ORDER BY g.id LIMIT 1
    ) hit ON true
),
c AS (
  SELECT gh.i, gh.g, gh.grid_id, COALESCE(gh.grid_community,
           (SELECT d.code FROM division d WHERE d.level = 'community' AND d.geom && gh.g AND ST_Intersects(d.geom, gh.g) ORDER BY d.code LIMIT 1)
         ) AS community_code
    FROM gh
),
s AS (
  SELECT c.*, COALESCE(
           (SELECT d.parent_code FROM division d WHERE d.code = c.community_code),
           (SELECT d.code FROM division d WHERE d.level = 'subdistrict' AND d.geom && c.g AND ST_Intersects(d.geom, c.g) ORDER BY d.code LIMIT 1)
         ) AS subdistrict_code
    FROM c
)
SELECT s.i, s.grid_id, s.community_code, s.subdistrict_code,
       COALESCE(
         (SELECT d.parent_code FROM division d WHERE d.code = s.subdistrict_code),
         (SELECT d.code FROM division d WHERE d.level = 'district' AND d.geom && s.g AND ST_Intersects(d.geom, s.g) ORDER BY d.code LIMIT 1)
       ) AS district_code
  FROM s
 ORDER BY s.i;

-- name: list
-- The editor's list: $1 community codes (NULL = all), $2 grid id (NULL = any), $3 class (NULL = any),
-- $4 limit (one more row is read to report truncation).
SELECT f.id, ST_AsGeoJSON(f.geom, 7)::json AS geometry,
       json_build_object(
         'id', f.id, 'name', f.name, 'kind', f.kind, 'serviceClass', f.service_class, 'source', f.source,
         'osmId', f.osm_id, 'attribution', d.attribution, 'synthetic', f.synthetic, 'gridId', f.grid_id,
         'communityCode', f.community_code, 'updatedAt', f.updated_at, 'updatedBy', f.updated_by) AS properties
  FROM facility f LEFT JOIN dataset d ON d.id = f.dataset_id
 WHERE ($1::text[] IS NULL OR f.community_code = ANY($1::text[]))
   AND ($2::int IS NULL OR f.grid_id = $2::int)
   AND ($3::text IS NULL OR f.service_class = $3)
 ORDER BY f.id
 LIMIT $4 + 1;

-- name: one
-- One facility as the editor shows it, with the division fields the jurisdiction check needs.
SELECT f.id, f.name, f.kind, f.service_class, f.source, f.osm_id, d.attribution, f.synthetic, f.grid_id,
       f.community_code, f.updated_at, f.updated_by, ST_X(f.geom) AS lon, ST_Y(f.geom) AS lat
  FROM facility f LEFT JOIN dataset d ON d.id = f.dataset_id
 WHERE f.id = $1;

-- name: oneForUpdate
SELECT f.id, f.name, f.kind, f.service_class, f.source, f.osm_id, f.grid_id, f.community_code,
       ST_X(f.geom) AS lon, ST_Y(f.geom) AS lat
  FROM facility f
 WHERE f.id = $1
   FOR UPDATE;

-- name: insertMany
-- Hand-added facilities ($1 a JSON array of {name, serviceClass, lon, lat, gridId, communityCode}),
-- $2 who added them. Returns the new ids in the array's order.
INSERT INTO facility (dataset_id, name, kind, service_class, geom, synthetic, grid_id, community_code, source, updated_at, updated_by)
SELECT NULL, e->>'name', 'manual', e->>'serviceClass',
       ST_SetSRID(ST_MakePoint((e->>'lon')::float8, (e->>'lat')::float8), 4326), false,
       (e->>'gridId')::int, e->>'communityCode', 'manual', now(), $2
  FROM json_array_elements($1::json) WITH ORDINALITY AS t(e, n)
 ORDER BY n
RETURNING id;

-- name: update
-- $1 id, $2 name, $3 class, $4 lon, $5 lat, $6 grid id, $7 community code, $8 who.
UPDATE facility
   SET name = $2, service_class = $3, geom = ST_SetSRID(ST_MakePoint($4, $5), 4326),
       grid_id = $6, community_code = $7, updated_at = now(), updated_by = $8
 WHERE id = $1;

-- name: delete
DELETE FROM facility WHERE id = $1;

-- name: classes
SELECT code, name FROM service_class ORDER BY sort, code;
