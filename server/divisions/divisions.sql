-- name: district
-- The (single) district and its extent. bbox from the district geometry or, failing that, the data.
SELECT d.code, d.name,
       ST_XMin(e.box) AS xmin, ST_YMin(e.box) AS ymin, ST_XMax(e.box) AS xmax, ST_YMax(e.box) AS ymax,
       d.synthetic_geometry, ds.attribution, ds.synthetic AS dataset_synthetic
  FROM division d
  LEFT JOIN dataset ds ON ds.id = d.dataset_id
  CROSS JOIN LATERAL (SELECT COALESCE(d.geom::box2d, (SELECT ST_Extent(geom) FROM grid)) AS box) e
 WHERE d.level = 'district'
 ORDER BY d.code
 LIMIT 1;

-- name: tree
-- All divisions with grid counts and households, for building the tree in one pass.
SELECT d.code, d.name, d.level, d.parent_code, d.synthetic_geometry, d.code_source,
       COALESCE(g.grids, 0)::int AS grids, COALESCE(g.households, 0)::int AS households
  FROM division d
  LEFT JOIN (SELECT community_code, count(*) AS grids, sum(households) AS households
               FROM grid GROUP BY community_code) g ON g.community_code = d.code
 ORDER BY d.level, d.code;

-- name: geojson
-- Divisions of one level as a GeoJSON FeatureCollection, built by PostGIS. $2 visible codes (NULL = all).
SELECT json_build_object(
  'type', 'FeatureCollection',
  'features', COALESCE(json_agg(json_build_object(
     'type', 'Feature',
     'id', d.code,
     'geometry', ST_AsGeoJSON(d.geom, 7)::json,
     'properties', json_build_object('code', d.code, 'name', d.name, 'level', d.level,
        'parentCode', d.parent_code, 'syntheticGeometry', d.synthetic_geometry)
  ) ORDER BY d.code), '[]'::json)) AS fc
  FROM division d
 WHERE d.level = $1 AND d.geom IS NOT NULL
   AND ($2::text[] IS NULL OR d.code = ANY($2::text[]));

-- name: subtree
-- A division and all its descendants (codes), for filtering by division.
WITH RECURSIVE t AS (
  SELECT code, level FROM division WHERE code = $1
  UNION ALL
  SELECT d.code, d.level FROM division d JOIN t ON d.parent_code = t.code
)
SELECT code, level FROM t;

-- name: scopeExtent
-- Extent of a jurisdiction: a division ($1) or a grid ($2).
SELECT ST_XMin(b) AS xmin, ST_YMin(b) AS ymin, ST_XMax(b) AS xmax, ST_YMax(b) AS ymax
  FROM (SELECT COALESCE((SELECT geom::box2d FROM division WHERE code = $1),
                        (SELECT geom::box2d FROM grid WHERE id = $2)) AS b) e
 WHERE b IS NOT NULL;
