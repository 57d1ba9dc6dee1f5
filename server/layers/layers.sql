-- Layers as GeoJSON features (id, geometry, properties; filters.ts featureCollection wraps them).
-- One row more than the limit ($6) is read to report truncation.

-- name: buildings
-- Buildings; heightM defaults to levels × 3 m, else 10 m.
-- $1..$4 bbox, $5 community codes, $6 limit, $7 grid id (NULL = no limit).
SELECT b.id, ST_AsGeoJSON(b.geom, 7)::json AS geometry,
       json_build_object(
         'id', b.id, 'name', b.name,
         'heightM', COALESCE(b.height_m, b.levels * 3.0, 10.0), 'minHeightM', b.min_height_m,
         'levels', b.levels, 'residential', b.residential,
         'households', b.households, 'residents', b.residents,
         'householdsSynthetic', b.households_synthetic, 'gridId', b.grid_id) AS properties
  FROM building b
 WHERE ($1::float8 IS NULL OR b.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326))
   AND ($5::text[] IS NULL OR b.community_code = ANY($5::text[]))
   AND ($7::int IS NULL OR b.grid_id = $7::int)
 ORDER BY b.id
 LIMIT $6 + 1;

-- name: facilities
-- $1..$4 bbox, $5 community codes, $6 limit, $7 service class, $8 grid id.
SELECT f.id, ST_AsGeoJSON(f.geom, 7)::json AS geometry,
       json_build_object(
         'id', f.id, 'name', f.name, 'kind', f.kind, 'serviceClass', f.service_class,
         'synthetic', f.synthetic, 'gridId', f.grid_id) AS properties
  FROM facility f
 WHERE ($1::float8 IS NULL OR f.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326))
   AND ($5::text[] IS NULL OR f.community_code = ANY($5::text[]))
   AND ($7::text IS NULL OR f.service_class = $7)
   AND ($8::int IS NULL OR f.grid_id = $8::int)
 ORDER BY f.id
 LIMIT $6 + 1;

-- name: serviceClasses
SELECT code, name, walk_minutes AS "walkMinutes", color FROM service_class ORDER BY sort, code;

-- name: categories
SELECT code, name FROM incident_category ORDER BY sort, code;
