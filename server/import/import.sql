-- Importer queries. Rows arrive in batches as a JSON array ($2) of
-- {osmId, name, kind, geom (GeoJSON, WGS84), props, …}; $3 is an optional clip rectangle (WKT, EPSG:4326)
-- — OSM extracts contain whole ways reaching far beyond the requested area.
-- Parsing, repair and clipping are the shared function import_prepare (migration 0006).
-- Each insert returns statistics for the summary:
--   n_in      rows received            kept      source rows that produced at least one DB row
--   inserted  DB rows written          repaired  invalid geometries fixed with ST_MakeValid
--   clipped   cut at the clip rectangle outside   entirely outside the clip rectangle

-- name: deleteDataset
DELETE FROM dataset WHERE id = $1;

-- name: insertDataset
INSERT INTO dataset (id, name, source, attribution, synthetic, summary)
VALUES ($1, $2, $3, $4, false, $5::jsonb);

-- name: insertBuildings
WITH clipped AS (SELECT * FROM import_prepare($2::json, $3::text)),
ins AS (
  INSERT INTO building (dataset_id, osm_id, name, kind, geom, height_m, min_height_m, levels, residential, props)
  SELECT $1, e->>'osmId', e->>'name', e->>'kind', ST_Multi(g2), (e->>'heightM')::float8,
         coalesce((e->>'minHeightM')::float8, 0), (e->>'levels')::int, coalesce((e->>'residential')::boolean, false),
         coalesce((e->'props')::jsonb, '{}'::jsonb) || CASE WHEN was_clipped THEN '{"clipped": true}'::jsonb ELSE '{}'::jsonb END
  FROM clipped WHERE NOT ST_IsEmpty(g2)
  RETURNING 1
)
SELECT count(*)::int AS n_in,
       (SELECT count(*) FROM ins)::int AS inserted,
       count(*) FILTER (WHERE NOT ST_IsEmpty(g2))::int AS kept,
       count(*) FILTER (WHERE NOT was_valid AND NOT ST_IsEmpty(g1))::int AS repaired,
       count(*) FILTER (WHERE was_clipped AND NOT ST_IsEmpty(g2))::int AS clipped,
       count(*) FILTER (WHERE was_clipped AND ST_IsEmpty(g2))::int AS outside,
       '{}'::json AS by_kind
FROM clipped;

-- name: insertRoads
-- Each line of a (multi)line is a road row of its own.
WITH clipped AS (SELECT * FROM import_prepare($2::json, $3::text)),
parts AS (
  SELECT c.i, c.e, c.was_clipped, d.geom AS g
  FROM clipped c CROSS JOIN LATERAL ST_Dump(c.g2) AS d
  WHERE ST_GeometryType(d.geom) = 'ST_LineString' AND ST_Length(d.geom) > 0
), ins AS (
  INSERT INTO road (dataset_id, osm_id, name, kind, geom, length_m, walkable, footway, props)
  SELECT $1, e->>'osmId', e->>'name', coalesce(e->>'kind', 'road'), g, ST_Length(g::geography),
         coalesce((e->>'walkable')::boolean, true), coalesce((e->>'footway')::boolean, false),
         coalesce((e->'props')::jsonb, '{}'::jsonb) || CASE WHEN was_clipped THEN '{"clipped": true}'::jsonb ELSE '{}'::jsonb END
  FROM parts
  RETURNING 1
)
SELECT count(*)::int AS n_in,
       (SELECT count(*) FROM ins)::int AS inserted,
       (SELECT count(DISTINCT i) FROM parts)::int AS kept,
       count(*) FILTER (WHERE NOT was_valid AND NOT ST_IsEmpty(g1))::int AS repaired,
       count(*) FILTER (WHERE was_clipped AND NOT ST_IsEmpty(g2))::int AS clipped,
       count(*) FILTER (WHERE was_clipped AND ST_IsEmpty(g2))::int AS outside,
       '{}'::json AS by_kind
FROM clipped;

-- name: insertBaseFeatures
-- Polygons stay polygons (ST_Multi), lines stay lines, points stay points.
WITH clipped AS (SELECT * FROM import_prepare($2::json, $3::text)),
ins AS (
  INSERT INTO base_feature (dataset_id, layer, osm_id, kind, name, geom, props)
  SELECT $1, e->>'layer', e->>'osmId', e->>'kind', e->>'name', CASE WHEN gt = 3 THEN ST_Multi(g2) ELSE g2 END,
         coalesce((e->'props')::jsonb, '{}'::jsonb) || CASE WHEN was_clipped THEN '{"clipped": true}'::jsonb ELSE '{}'::jsonb END
  FROM clipped WHERE NOT ST_IsEmpty(g2)
  RETURNING layer
)
SELECT count(*)::int AS n_in,
       (SELECT count(*) FROM ins)::int AS inserted,
       count(*) FILTER (WHERE NOT ST_IsEmpty(g2))::int AS kept,
       count(*) FILTER (WHERE NOT was_valid AND NOT ST_IsEmpty(g1))::int AS repaired,
       count(*) FILTER (WHERE was_clipped AND NOT ST_IsEmpty(g2))::int AS clipped,
       count(*) FILTER (WHERE was_clipped AND ST_IsEmpty(g2))::int AS outside,
       (SELECT coalesce(json_object_agg(layer, n), '{}'::json) FROM (SELECT layer, count(*) AS n FROM ins GROUP BY layer) x) AS by_kind
FROM clipped;

-- name: insertFacilities
-- Areas and lines become a point on their surface (after clipping, so the point is inside the area).
WITH clipped AS (SELECT * FROM import_prepare($2::json, $3::text)),
pts AS (
  SELECT i, e, CASE WHEN ST_GeometryType(g2) = 'ST_Point' THEN g2 ELSE ST_PointOnSurface(g2) END AS p
  FROM clipped WHERE NOT ST_IsEmpty(g2)
), ins AS (
  INSERT INTO facility (dataset_id, osm_id, name, kind, service_class, geom, props)
  SELECT $1, e->>'osmId', e->>'name', e->>'kind', e->>'serviceClass', p, coalesce((e->'props')::jsonb, '{}'::jsonb)
  FROM pts WHERE p IS NOT NULL AND NOT ST_IsEmpty(p)
  RETURNING service_class
)
SELECT count(*)::int AS n_in,
       (SELECT count(*) FROM ins)::int AS inserted,
       (SELECT count(*) FROM ins)::int AS kept,
       count(*) FILTER (WHERE NOT was_valid AND NOT ST_IsEmpty(g1))::int AS repaired,
       count(*) FILTER (WHERE was_clipped AND NOT ST_IsEmpty(g2) AND ST_Dimension(g1) > 0)::int AS clipped,
       count(*) FILTER (WHERE was_clipped AND ST_IsEmpty(g2))::int AS outside,
       (SELECT coalesce(json_object_agg(service_class, n), '{}'::json) FROM (SELECT service_class, count(*) AS n FROM ins GROUP BY service_class) x) AS by_kind
FROM clipped;

-- name: assignFacilityGrids
UPDATE facility f SET grid_id = g.id, community_code = g.community_code
FROM grid g
WHERE f.dataset_id = $1 AND g.geom && f.geom AND ST_Intersects(g.geom, f.geom);

-- name: assignFacilityCommunities
UPDATE facility f SET community_code = d.code
FROM division d
WHERE f.dataset_id = $1 AND f.community_code IS NULL AND d.level = 'community' AND d.geom IS NOT NULL
  AND d.geom && f.geom AND ST_Intersects(d.geom, f.geom);

-- name: assignBuildingGrids
UPDATE building b SET grid_id = g.id, community_code = g.community_code
FROM grid g
WHERE b.dataset_id = $1 AND g.geom && b.geom AND ST_Intersects(g.geom, ST_PointOnSurface(b.geom));

-- name: assignBuildingCommunities
UPDATE building b SET community_code = d.code
FROM division d
WHERE b.dataset_id = $1 AND b.community_code IS NULL AND d.level = 'community' AND d.geom IS NOT NULL
  AND d.geom && b.geom AND ST_Intersects(d.geom, ST_PointOnSurface(b.geom));

-- name: datasetExtent
WITH g AS (
  SELECT geom FROM building WHERE dataset_id = $1
  UNION ALL SELECT geom FROM road WHERE dataset_id = $1
  UNION ALL SELECT geom FROM base_feature WHERE dataset_id = $1
  UNION ALL SELECT geom FROM facility WHERE dataset_id = $1
), e AS (SELECT ST_Extent(geom) AS b FROM g)
SELECT ST_XMin(b)::float8 AS min_lon, ST_YMin(b)::float8 AS min_lat, ST_XMax(b)::float8 AS max_lon, ST_YMax(b)::float8 AS max_lat
FROM e;

-- name: finishDataset
UPDATE dataset
SET bbox = CASE WHEN $2::float8 IS NULL THEN NULL ELSE ST_MakeEnvelope($2::float8, $3::float8, $4::float8, $5::float8, 4326) END,
    summary = $6::jsonb
WHERE id = $1;
