-- Source queries for vector tiles, one per tile layer. Parameters: $1 z, $2 x, $3 y.
-- They are fragments spliced into the wrappers at the end, which also provide the CTE `scope`
-- (communities text[], grid_id int: the caller's jurisdiction; department_id int: a department
-- account's cases only; NULL = no limit; since, until timestamptz and open_too boolean: the
-- incidents layer's time window). The OSM base
-- layers (water, landuse, roads, boundaries) are public map data and not scoped; everything about
-- grids, buildings, households, facilities and incidents is.
-- Each returns (id, props jsonb, geom in EPSG:4326) for features touching the tile. The wrapper in
-- tiles/encode.ts turns them into MVT with ST_AsMVT where PostGIS has protobuf support; elsewhere
-- PostGIS pre-clips them to the buffered tile and geojson-vt + vt-pbf cut and encode them in Node.

-- name: water
SELECT f.id, jsonb_build_object('kind', f.kind) AS props, f.geom AS geom
  FROM base_feature f
 WHERE f.layer = 'water' AND f.geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326);

-- name: landuse
SELECT f.id, jsonb_build_object('kind', f.kind) AS props, f.geom AS geom
  FROM base_feature f
 WHERE f.layer = 'landuse' AND $1 >= 12 AND f.geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326);

-- name: roads
-- A generalised street network below zoom 14: only major roads and railways, simplified to half a
-- screen pixel (360° / 2^z / 512; a 256-pixel tile); a line that collapses is dropped. Residential
-- streets and paths appear from zoom 14, as in the style (client/src/map/maplibre/base-style.ts).
SELECT r.id, jsonb_strip_nulls(jsonb_build_object('kind', r.kind, 'name', r.name, 'footway', r.footway)) AS props,
       CASE WHEN $1 >= 14 THEN r.geom ELSE ST_Simplify(r.geom, 360.0::float8 / 512 / power(2, $1::int)) END AS geom
  FROM road r
 WHERE r.geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326)
   AND ($1 >= 14 OR r.kind IN ('motorway', 'motorway_link', 'trunk', 'trunk_link', 'primary', 'primary_link',
                               'secondary', 'secondary_link', 'tertiary', 'tertiary_link', 'major_road',
                               'rail', 'subway', 'light_rail', 'railway'));

-- name: buildings
-- Footprints from zoom 15: at 14 a city tile holds ~7,000 of them (~220 KiB, most of a tile's
-- time), each one or two screen pixels wide.
SELECT b.id, jsonb_build_object('height', COALESCE(b.height_m, b.levels * 3.0, 10.0),
                                'min_height', b.min_height_m, 'households', b.households) AS props,
       b.geom AS geom
  FROM building b, scope
 WHERE $1 >= 15 AND b.geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326)
   AND (scope.communities IS NULL OR b.community_code = ANY(scope.communities))
   AND (scope.grid_id IS NULL OR b.grid_id = scope.grid_id);

-- name: boundaries
SELECT f.id, jsonb_strip_nulls(jsonb_build_object('kind', f.kind, 'name', f.name)) AS props,
       f.geom AS geom
  FROM base_feature f
 WHERE f.layer = 'boundary' AND f.geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326);

-- name: grids
SELECT g.id, jsonb_build_object('id', g.id, 'code', g.code, 'name', g.name, 'households', g.households,
                                'community_code', g.community_code, 'synthetic', g.synthetic) AS props,
       g.geom AS geom
  FROM grid g, scope
 WHERE g.geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326)
   AND (scope.communities IS NULL OR g.community_code = ANY(scope.communities))
   AND (scope.grid_id IS NULL OR g.id = scope.grid_id);

-- name: communities
SELECT row_number() OVER (ORDER BY d.code) AS id,
       jsonb_build_object('code', d.code, 'name', d.name, 'level', d.level,
                          'synthetic', d.synthetic_geometry) AS props,
       d.geom AS geom
  FROM division d, scope
 WHERE d.geom IS NOT NULL AND d.geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326)
   AND (scope.communities IS NULL OR d.code = ANY(scope.communities));

-- name: facilities
SELECT f.id, jsonb_strip_nulls(jsonb_build_object('id', f.id, 'name', f.name, 'service_class', f.service_class,
                                                  'synthetic', f.synthetic)) AS props,
       f.geom AS geom
  FROM facility f, scope
 WHERE f.geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326)
   AND (scope.communities IS NULL OR f.community_code = ANY(scope.communities))
   AND (scope.grid_id IS NULL OR f.grid_id = scope.grid_id);

-- name: incidents
-- Filtered like GET /api/incidents: a division jurisdiction matches a case by its district,
-- subdistrict or community (a case in a subdistrict but in no community is the subdistrict's).
-- The time window in two arms, so each finds its rows by an index (an OR of both scans the table):
-- cases reported in [since, until) (incident_created_idx), then — with open_too — the cases not yet
-- closed outside that range (incident_open_geom_idx, migration 0019: its predicate names the
-- closed states of 0004; the states table still decides what is open). The window is read from the
-- parameters ($7 since, $8 until, $9 open_too), not from `scope`, so the planner sees its values.
SELECT i.id, jsonb_build_object('id', i.id, 'category', i.category, 'status', i.status,
                                'synthetic', i.synthetic) AS props,
       i.geom AS geom
  FROM incident i, scope
 WHERE i.geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326)
   AND (scope.communities IS NULL OR i.district_code = ANY(scope.communities)
        OR i.subdistrict_code = ANY(scope.communities) OR i.community_code = ANY(scope.communities))
   AND (scope.grid_id IS NULL OR i.grid_id = scope.grid_id)
   AND (scope.department_id IS NULL OR i.department_id = scope.department_id)
   AND i.created_at >= $7::timestamptz AND ($8::timestamptz IS NULL OR i.created_at < $8::timestamptz)
UNION ALL
SELECT i.id, jsonb_build_object('id', i.id, 'category', i.category, 'status', i.status,
                                'synthetic', i.synthetic) AS props,
       i.geom AS geom
  FROM incident i, scope
 WHERE i.geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326)
   AND (scope.communities IS NULL OR i.district_code = ANY(scope.communities)
        OR i.subdistrict_code = ANY(scope.communities) OR i.community_code = ANY(scope.communities))
   AND (scope.grid_id IS NULL OR i.grid_id = scope.grid_id)
   AND (scope.department_id IS NULL OR i.department_id = scope.department_id)
   AND $9::boolean
   AND i.status NOT IN ('closed', 'rated', 'duplicate')
   AND i.status IN (SELECT st.code FROM incident_state st WHERE st.type <> 'closed')
   AND NOT (i.created_at >= $7::timestamptz AND ($8::timestamptz IS NULL OR i.created_at < $8::timestamptz))

-- name: nativeLayer
-- ST_AsMVT over one of the source queries above (spliced in by encode.ts; never user input).
WITH env AS (SELECT ST_TileEnvelope($1, $2, $3) AS e),
scope AS (SELECT $4::text[] AS communities, $5::int AS grid_id, $6::int AS department_id,
                 $7::timestamptz AS since, $8::timestamptz AS until, $9::boolean AS open_too)
SELECT ST_AsMVT(q, $10::text, 4096, 'geom', 'id') AS tile
  FROM (SELECT s.id::int8 AS id, s.props, ST_AsMVTGeom(ST_Transform(s.geom, 3857), env.e, 4096, 64, true) AS geom
          FROM (__SOURCE__) s, env) q
 WHERE q.geom IS NOT NULL;

-- name: portableLayer
-- For engines without ST_AsMVT: the tile's features (found by the GiST index) as WGS84 GeoJSON;
-- geojson-vt cuts and simplifies them exactly as maplibre does for GeoJSON sources. Clipping or
-- transforming in SQL first was measured slower on PGlite's WASM GEOS (docs/BENCHMARKS.md).
WITH scope AS (SELECT $4::text[] AS communities, $5::int AS grid_id, $6::int AS department_id,
                  $7::timestamptz AS since, $8::timestamptz AS until, $9::boolean AS open_too)
SELECT s.id::int8 AS id, s.props, ST_AsGeoJSON(s.geom, 7)::json AS geometry
  FROM (__SOURCE__) s;
