-- Loading the demo district (geojson/demo/). Every feature list arrives as one jsonb parameter and
-- is inserted with one INSERT … SELECT FROM jsonb_array_elements, so a layer is one round trip.

-- name: deleteGrids
DELETE FROM grid WHERE dataset_id = $1 OR code = ANY($2::text[]);

-- name: deleteDivisions
DELETE FROM division WHERE dataset_id = $1 OR code = ANY($2::text[]);

-- name: deleteDataset
DELETE FROM dataset WHERE id = $1;

-- name: insertDataset
INSERT INTO dataset (id, name, source, attribution, synthetic, bbox, summary)
VALUES ($1, $2, 'demo', $3, true, ST_MakeEnvelope($4, $5, $6, $7, 4326), $8::jsonb);

-- name: insertDivisions
-- Parents come first in the file; the foreign key is checked at the end of the statement anyway.
INSERT INTO division (code, parent_code, level, name, geom, synthetic_geometry, code_source, dataset_id, props)
SELECT p->>'code', p->>'parentCode', p->>'level', p->>'name',
       ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 4326)),
       COALESCE((p->>'syntheticGeometry')::boolean, true), COALESCE(p->>'codeSource', 'synthetic'), $1,
       p - 'code' - 'parentCode' - 'level' - 'name' - 'syntheticGeometry' - 'codeSource'
  FROM jsonb_array_elements($2::jsonb) AS t(f), LATERAL (SELECT f->'properties' AS p) AS x;

-- name: insertGrids
INSERT INTO grid (code, name, community_code, geom, households, residents, synthetic, dataset_id, props)
SELECT p->>'code', p->>'name', p->>'communityCode',
       ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 4326)),
       COALESCE((p->>'households')::int, 0), COALESCE((p->>'residents')::int, 0), COALESCE((p->>'synthetic')::boolean, true), $1,
       p - 'code' - 'name' - 'communityCode' - 'households' - 'residents' - 'synthetic'
  FROM jsonb_array_elements($2::jsonb) AS t(f), LATERAL (SELECT f->'properties' AS p) AS x;

-- name: insertBuildings
INSERT INTO building (dataset_id, osm_id, name, kind, geom, height_m, min_height_m, levels, residential,
                      households, residents, households_synthetic, props)
SELECT $1, p->>'osmId', p->>'name', p->>'kind',
       ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 4326)),
       (p->>'heightM')::float8, COALESCE((p->>'minHeightM')::float8, 0), (p->>'levels')::int,
       COALESCE((p->>'residential')::boolean, false), COALESCE((p->>'households')::int, 0),
       COALESCE((p->>'residents')::int, 0), COALESCE((p->>'householdsSynthetic')::boolean, true),
       p - 'osmId' - 'name' - 'kind' - 'heightM' - 'minHeightM' - 'levels' - 'residential' - 'households'
         - 'residents' - 'householdsSynthetic' - 'gridCode' - 'communityCode'
  FROM jsonb_array_elements($2::jsonb) AS t(f), LATERAL (SELECT f->'properties' AS p) AS x;

-- name: assignBuildings
-- A building belongs to the grid holding its point on surface (the same rule as everywhere else).
UPDATE building b SET grid_id = g.id, community_code = g.community_code
  FROM grid g
 WHERE b.dataset_id = $1 AND g.dataset_id = $1 AND ST_Intersects(g.geom, ST_PointOnSurface(b.geom));

-- name: insertRoads
INSERT INTO road (dataset_id, osm_id, name, kind, geom, length_m, walkable, footway, props)
SELECT $1, p->>'osmId', p->>'name', COALESCE(p->>'kind', 'road'), g, ST_Length(g::geography),
       COALESCE((p->>'walkable')::boolean, true), COALESCE((p->>'footway')::boolean, false),
       p - 'osmId' - 'name' - 'kind' - 'walkable' - 'footway'
  FROM jsonb_array_elements($2::jsonb) AS t(f),
       LATERAL (SELECT f->'properties' AS p, ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 4326) AS g) AS x;

-- name: insertBaseFeatures
INSERT INTO base_feature (dataset_id, layer, osm_id, kind, name, geom, props)
SELECT $1, $2, p->>'osmId', p->>'kind', p->>'name', ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 4326),
       p - 'osmId' - 'kind' - 'name'
  FROM jsonb_array_elements($3::jsonb) AS t(f), LATERAL (SELECT f->'properties' AS p) AS x;

-- name: insertFacilities
INSERT INTO facility (dataset_id, osm_id, name, kind, service_class, geom, synthetic, props)
SELECT $1, p->>'osmId', p->>'name', p->>'kind', p->>'serviceClass',
       ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 4326), COALESCE((p->>'synthetic')::boolean, false),
       p - 'osmId' - 'name' - 'kind' - 'serviceClass' - 'synthetic'
  FROM jsonb_array_elements($2::jsonb) AS t(f), LATERAL (SELECT f->'properties' AS p) AS x;

-- name: assignFacilities
UPDATE facility f SET grid_id = g.id, community_code = g.community_code
  FROM grid g
 WHERE f.dataset_id = $1 AND g.dataset_id = $1 AND ST_Intersects(g.geom, f.geom);

-- name: reservePartyIds
-- Ids are taken from the table's own sequence so the tree can be inserted in one statement.
SELECT nextval(pg_get_serial_sequence('party_org', 'id'))::int AS id FROM generate_series(1, $1::int);

-- name: insertPartyOrgs
INSERT INTO party_org (id, parent_id, level, name, community_code, grid_id, building_id, members, synthetic, dataset_id)
SELECT (e->>'id')::int, (e->>'parentId')::int, e->>'level', e->>'name', e->>'communityCode',
       (SELECT g.id FROM grid g WHERE g.code = e->>'gridCode'),
       (SELECT b.id FROM building b WHERE b.dataset_id = $1 AND b.osm_id = e->>'buildingOsmId' ORDER BY b.id LIMIT 1),
       COALESCE((e->>'members')::int, 0), COALESCE((e->>'synthetic')::boolean, true), $1
  FROM jsonb_array_elements($2::jsonb) AS t(e);

-- name: insertStaff
INSERT INTO grid_staff (grid_id, role, name, synthetic, dataset_id)
SELECT g.id, e->>'role', e->>'name', COALESCE((e->>'synthetic')::boolean, true), $1
  FROM jsonb_array_elements($2::jsonb) AS t(e)
  JOIN grid g ON g.code = e->>'gridCode';

-- name: isEmpty
SELECT NOT EXISTS (SELECT 1 FROM division) AS empty;
