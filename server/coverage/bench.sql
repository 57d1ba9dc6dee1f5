-- Benchmark-only queries (server/coverage/coverage.bench.ts).

-- name: buffer
-- The isochrone polygons as the API made them before they were traced in memory, kept as the
-- benchmark's baseline: each band's reached street pieces (a GeoJSON MultiLineString) buffered
-- $2 metres on the ellipsoid; the buffer of a MultiLineString is already their union.
SELECT t.i, ST_AsGeoJSON(ST_Multi(ST_CollectionExtract(
         ST_Buffer(ST_SetSRID(ST_GeomFromGeoJSON(t.g), 4326)::geography, $2::float8, 'quad_segs=4')::geometry, 3)), 7)::json AS geometry
  FROM json_array_elements_text($1::json) WITH ORDINALITY AS t(g, i)
 ORDER BY t.i;
