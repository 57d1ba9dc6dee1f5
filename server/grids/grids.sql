-- name: list
-- Grids as GeoJSON features (id, geometry, properties; server/layers/filters.ts featureCollection
-- wraps them). $1..$4 bbox (NULL = any), $5 community codes (NULL = any), $6 limit, $7 one grid id
-- (NULL = any). One row more than the limit is read to report truncation.
SELECT g.id, ST_AsGeoJSON(g.geom, 7)::json AS geometry,
       json_build_object(
         'id', g.id, 'code', g.code, 'name', g.name,
         'communityCode', g.community_code, 'communityName', c.name,
         'households', g.households, 'residents', g.residents,
         'buildings', (SELECT count(*)::int FROM building b WHERE b.grid_id = g.id),
         'synthetic', g.synthetic) AS properties
  FROM grid g JOIN division c ON c.code = g.community_code
 WHERE ($1::float8 IS NULL OR g.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326))
   AND ($5::text[] IS NULL OR g.community_code = ANY($5::text[]))
   AND ($7::int IS NULL OR g.id = $7::int)
 ORDER BY g.id
 LIMIT $6 + 1;

-- name: one
-- $1 id, $2 community codes (NULL = any), $3 grid id (NULL = any): outside the scope reads as absent.
SELECT g.id, g.code, g.name, g.community_code, c.name AS community_name, g.households, g.residents,
       g.synthetic, ST_AsGeoJSON(g.geom, 7)::json AS geometry,
       (SELECT count(*)::int FROM building b WHERE b.grid_id = g.id) AS buildings
  FROM grid g JOIN division c ON c.code = g.community_code
 WHERE g.id = $1
   AND ($2::text[] IS NULL OR g.community_code = ANY($2::text[]))
   AND ($3::int IS NULL OR g.id = $3::int);
