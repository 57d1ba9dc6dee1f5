-- Grid editor (issue 11): the working set of one community, drafts with an optimistic lock, and
-- the authoritative validation of a layout in PostGIS. Grids come in as a JSON array of
-- {key, name, geometry} (GeoJSON, WGS84) and are parsed once per query.

-- name: communities
-- Communities in scope ($1 community codes, NULL = all) with their published grids and households.
SELECT c.code, c.name, c.parent_code AS "subdistrictCode",
       (SELECT count(*)::int FROM grid g WHERE g.community_code = c.code) AS grids,
       (SELECT COALESCE(sum(g.households), 0)::int FROM grid g WHERE g.community_code = c.code) AS households,
       EXISTS (SELECT 1 FROM grid_draft d WHERE d.community_code = c.code AND d.grids IS NOT NULL) AS draft
  FROM division c
 WHERE c.level = 'community' AND ($1::text[] IS NULL OR c.code = ANY($1::text[]))
 ORDER BY c.code;

-- name: community
-- One community with its subdistrict and district (geometry may be NULL for parents), the
-- district's household band (division.props.gridBand) and the draft row.
SELECT c.code, c.name, ST_AsGeoJSON(c.geom, 7)::json AS geometry,
       s.code AS sub_code, s.name AS sub_name, ST_AsGeoJSON(s.geom, 7)::json AS sub_geometry,
       d.code AS district_code, d.name AS district_name, ST_AsGeoJSON(d.geom, 7)::json AS district_geometry,
       (d.props->'gridBand'->>'min')::int AS band_min, (d.props->'gridBand'->>'max')::int AS band_max,
       COALESCE(gd.revision, 0) AS revision, gd.grids AS draft_grids, gd.saved_by, gd.saved_at
  FROM division c
  LEFT JOIN division s ON s.code = c.parent_code
  LEFT JOIN division d ON d.code = s.parent_code
  LEFT JOIN grid_draft gd ON gd.community_code = c.code
 WHERE c.code = $1 AND c.level = 'community';

-- name: publishedGrids
-- The community's grids as draft grids (key = id) with their figures.
SELECT g.id, g.id::text AS key, g.code, g.name, ST_AsGeoJSON(g.geom, 7)::json AS geometry,
       g.households, g.residents,
       (SELECT count(*)::int FROM building b WHERE b.grid_id = g.id) AS buildings
  FROM grid g
 WHERE g.community_code = $1
 ORDER BY g.code, g.id;

-- name: gridCodes
-- Codes of the community's grids (live or retired) by id, for draft grids that name a published id.
-- $1 ids, $2 community.
SELECT id, code FROM grid WHERE id = ANY($1::int[]) AND community_code = $2
UNION ALL
SELECT id, code FROM grid_retired WHERE id = ANY($1::int[]) AND community_code = $2;

-- name: buildings
-- Buildings reaching into the community (outline, figures; households are estimates when synthetic).
SELECT b.id, ST_AsGeoJSON(b.geom, 7)::json AS geometry, b.name, b.households, b.residents,
       b.households_synthetic AS synthetic
  FROM building b JOIN division c ON c.code = $1
 WHERE b.geom && c.geom AND ST_Intersects(b.geom, c.geom)
 ORDER BY b.id;

-- name: roads
-- Roads within 100 m of the community, for snapping.
SELECT r.id, ST_AsGeoJSON(r.geom, 7)::json AS geometry, r.name, r.kind
  FROM road r JOIN division c ON c.code = $1
 WHERE r.geom && ST_Expand(c.geom, 0.001) AND ST_DWithin(r.geom::geography, c.geom::geography, 100)
 ORDER BY r.id;

-- name: versions
SELECT id, published_at AS "publishedAt", published_by AS "publishedBy", note
  FROM grid_version WHERE community_code = $1 ORDER BY id DESC;

-- name: insertDraft
-- The first save of a community (base revision 0, no row yet); a concurrent first save loses.
-- $1 community, $2 grids jsonb (NULL = none), $3 who, $4 account id.
INSERT INTO grid_draft (community_code, revision, grids, saved_by, saved_by_account, saved_at)
VALUES ($1, 1, $2::jsonb, $3, $4, clock_timestamp())
ON CONFLICT (community_code) DO NOTHING
RETURNING revision;

-- name: bumpDraft
-- Optimistic lock: stored only when $2 is the current revision. $1 community, $3 grids jsonb
-- (NULL = no draft), $4 who, $5 account id.
UPDATE grid_draft SET revision = revision + 1, grids = $3::jsonb, saved_by = $4, saved_by_account = $5, saved_at = clock_timestamp()
 WHERE community_code = $1 AND revision = $2::int
RETURNING revision;

-- name: draftState
SELECT revision, saved_by, saved_at FROM grid_draft WHERE community_code = $1;

-- name: lockDraft
-- Publish: the draft row, locked until commit.
SELECT revision, grids, saved_by, saved_at FROM grid_draft WHERE community_code = $1 FOR UPDATE;

-- name: figures
-- Households, residents and buildings per draft grid: a building counts in the grid holding its
-- point on surface. $1 grids json, $2 community.
WITH i AS (
  SELECT t.ord, t.e->>'key' AS key, ST_SetSRID(ST_GeomFromGeoJSON(t.e->>'geometry'), 4326) AS g
    FROM json_array_elements($1::json) WITH ORDINALITY AS t(e, ord)
), b AS (
  SELECT b.households, b.residents, ST_PointOnSurface(b.geom) AS p
    FROM building b JOIN division c ON c.code = $2
   WHERE b.geom && c.geom AND ST_Intersects(b.geom, c.geom)
)
SELECT i.key, COALESCE(sum(b.households), 0)::int AS households, COALESCE(sum(b.residents), 0)::int AS residents,
       count(b.p)::int AS buildings
  FROM i LEFT JOIN b ON i.g && b.p AND ST_Intersects(i.g, b.p)
 GROUP BY i.ord, i.key
 ORDER BY i.ord;

-- name: validity
-- Per grid: valid (with GEOS's reason and where), area in m². $1 grids json.
SELECT t.e->>'key' AS key, ST_IsValid(g) AS valid, ST_IsValidReason(g) AS reason,
       ST_AsGeoJSON((ST_IsValidDetail(g)).location, 7)::json AS location,
       CASE WHEN ST_IsValid(g) THEN ST_Area(g::geography) END AS area_m2
  FROM json_array_elements($1::json) WITH ORDINALITY AS t(e, ord),
       LATERAL ST_SetSRID(ST_GeomFromGeoJSON(t.e->>'geometry'), 4326) AS g
 ORDER BY t.ord;

-- name: problems
-- Spatial problems among valid, non-empty grids ($1 json): overlaps (ST_Relate interiors), parts
-- outside the community (ST_Difference), gaps (community minus the union; only when $5 = every
-- grid is usable), nesting (community ⊂ subdistrict ⊂ district), buildings cut by a boundary (more
-- than $4 m × half the perimeter in two grids). $2 community, $3 area tolerance m².
WITH c AS (
  SELECT c.geom, c.name, s.geom AS sgeom, s.name AS sname, d.geom AS dgeom, d.name AS dname
    FROM division c LEFT JOIN division s ON s.code = c.parent_code LEFT JOIN division d ON d.code = s.parent_code
   WHERE c.code = $2
), v AS (
  SELECT t.ord, t.e->>'key' AS key, t.e->>'name' AS name, ST_SetSRID(ST_GeomFromGeoJSON(t.e->>'geometry'), 4326) AS g
    FROM json_array_elements($1::json) WITH ORDINALITY AS t(e, ord)
), overlap AS (
  SELECT ARRAY[a.key, b.key] AS keys, ARRAY[a.name, b.name] AS names, x
    FROM v a JOIN v b ON a.ord < b.ord AND a.g && b.g AND ST_Relate(a.g, b.g, '2********'),
         LATERAL ST_CollectionExtract(ST_Intersection(a.g, b.g), 3) AS x
), outside AS (
  SELECT ARRAY[v.key] AS keys, ARRAY[v.name] AS names, x
    FROM v CROSS JOIN c, LATERAL ST_CollectionExtract(ST_Difference(v.g, c.geom), 3) AS x
   WHERE NOT ST_CoveredBy(v.g, c.geom)
), gap AS (
  SELECT ST_Collect(d.geom) AS x, count(*) AS parts
    FROM c, LATERAL ST_Dump(ST_CollectionExtract(ST_Difference(c.geom, COALESCE((SELECT ST_Union(g) FROM v), 'POLYGON EMPTY'::geometry)), 3)) AS d
   WHERE $5::boolean AND ST_Area(d.geom::geography) > $3
), nesting AS (
  SELECT '社区' AS inner_name, c.sname AS outer_name, 'subdistrict' AS lvl, ST_CollectionExtract(ST_Difference(c.geom, c.sgeom), 3) AS x
    FROM c WHERE c.sgeom IS NOT NULL AND NOT ST_CoveredBy(c.geom, c.sgeom)
  UNION ALL
  SELECT '街道「' || c.sname || '」', c.dname, 'district', ST_CollectionExtract(ST_Difference(c.sgeom, c.dgeom), 3)
    FROM c WHERE c.sgeom IS NOT NULL AND c.dgeom IS NOT NULL AND NOT ST_CoveredBy(c.sgeom, c.dgeom)
), share AS (
  SELECT b.id, b.name AS bname, b.geom, v.ord, v.key, v.name
    FROM c JOIN building b ON b.geom && c.geom AND ST_Intersects(b.geom, c.geom)
    JOIN v ON b.geom && v.g AND ST_Intersects(b.geom, v.g)
   WHERE NOT ST_Within(b.geom, v.g)
     AND ST_Area(ST_Intersection(b.geom, v.g)::geography) > $4 * ST_Perimeter(b.geom::geography) / 2
), within AS (
  -- a building wholly inside one grid but with a share in another (overlapping grids) is cut too
  SELECT b.id, b.name AS bname, b.geom, v.ord, v.key, v.name
    FROM c JOIN building b ON b.geom && c.geom AND ST_Intersects(b.geom, c.geom)
    JOIN v ON b.geom && v.g AND ST_Within(b.geom, v.g)
   WHERE EXISTS (SELECT 1 FROM share s WHERE s.id = b.id)
), cut AS (
  SELECT id, bname, geom, array_agg(key ORDER BY ord) AS keys, array_agg(name ORDER BY ord) AS names
    FROM (SELECT * FROM share UNION SELECT * FROM within) s
   GROUP BY id, bname, geom
  HAVING count(*) >= 2
)
SELECT 'overlap' AS code, keys, names, ST_Area(x::geography) AS area_m2, ST_AsGeoJSON(x, 7)::json AS geometry,
       NULL::int AS building_id, NULL::text AS building_name, NULL::text AS extra
  FROM overlap WHERE ST_Area(x::geography) > $3
UNION ALL
SELECT 'outside_community', keys, names, ST_Area(x::geography), ST_AsGeoJSON(x, 7)::json, NULL, NULL, NULL
  FROM outside WHERE ST_Area(x::geography) > $3
UNION ALL
SELECT 'gap', ARRAY[]::text[], ARRAY[]::text[], ST_Area(x::geography), ST_AsGeoJSON(x, 7)::json, NULL, NULL, parts::text
  FROM gap WHERE x IS NOT NULL
UNION ALL
SELECT 'nesting', ARRAY[]::text[], ARRAY[inner_name, outer_name, lvl], ST_Area(x::geography), ST_AsGeoJSON(x, 7)::json, NULL, NULL, NULL
  FROM nesting WHERE ST_Area(x::geography) > $3
UNION ALL
SELECT 'cuts_building', keys, names, NULL, ST_AsGeoJSON(geom, 7)::json, id, bname, NULL
  FROM cut
ORDER BY 1, 2;

-- name: setBand
-- Set ($2 = {"min":…,"max":…}) or clear ($2 NULL) a district's household band (division.props.gridBand).
-- Returns the band before, so the audit can say what changed.
UPDATE division d
   SET props = CASE WHEN $2::jsonb IS NULL THEN COALESCE(d.props, '{}'::jsonb) - 'gridBand'
                    ELSE jsonb_set(COALESCE(d.props, '{}'::jsonb), '{gridBand}', $2::jsonb) END
  FROM (SELECT code, props->'gridBand' AS before FROM division WHERE code = $1 AND level = 'district') old
 WHERE d.code = old.code
RETURNING d.code, old.before;
