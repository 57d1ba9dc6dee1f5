-- The importer's shared first step (server/import/import.sql): a batch of features as a JSON array
-- of {geom (GeoJSON, WGS84), …} becomes one row each with its geometry parsed, repaired where
-- invalid (ST_MakeValid, keeping the feature's own dimension), and clipped to an optional
-- rectangle (WKT, EPSG:4326). The inserts keep only their table-specific part.
--   i           position in the batch (1-based)     e      the feature's JSON
--   gt          ST_CollectionExtract type of the feature (1 point, 2 line, 3 polygon)
--   was_valid   the geometry was valid as given     g1     the repaired geometry
--   was_clipped g1 reached outside the rectangle    g2     g1 cut at the rectangle (may be empty)
CREATE FUNCTION import_prepare(features json, clip text)
RETURNS TABLE (i bigint, e json, gt int, was_valid boolean, g1 geometry, was_clipped boolean, g2 geometry)
LANGUAGE sql STABLE AS $fn$
  WITH env AS (
    SELECT CASE WHEN clip IS NULL THEN NULL ELSE ST_GeomFromText(clip, 4326) END AS box
  ), src AS (
    SELECT t.i, t.e, g0, ST_Dimension(g0) + 1 AS gt
      FROM json_array_elements(features) WITH ORDINALITY AS t(e, i)
      CROSS JOIN LATERAL ST_SetSRID(ST_GeomFromGeoJSON(t.e->>'geom'), 4326) AS g0
  ), fixed AS (
    SELECT src.i, src.e, src.gt, ST_IsValid(g0) AS was_valid,
           CASE WHEN ST_IsValid(g0) THEN g0 ELSE ST_CollectionExtract(ST_MakeValid(g0), src.gt) END AS g1
      FROM src
  )
  SELECT f.i, f.e, f.gt, f.was_valid, f.g1,
         (box IS NOT NULL AND NOT ST_IsEmpty(f.g1) AND NOT ST_CoveredBy(f.g1, box)) AS was_clipped,
         CASE WHEN box IS NULL OR ST_IsEmpty(f.g1) OR ST_CoveredBy(f.g1, box) THEN f.g1
              ELSE ST_CollectionExtract(ST_Intersection(f.g1, box), f.gt) END AS g2
    FROM fixed f CROSS JOIN env
$fn$;
