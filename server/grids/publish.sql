-- Publishing a community's draft layout (server/grids/publish.ts), all in one transaction, and the
-- versions it creates. $n parameters throughout; grids as GeoJSON (WGS84).

-- name: deferOverlap
SET CONSTRAINTS grid_no_overlap_trg DEFERRED;

-- name: liveGrids
-- The community's grids, locked for the publish.
SELECT id, code, name, synthetic, dataset_id FROM grid WHERE community_code = $1 ORDER BY id FOR UPDATE;

-- name: allCodes
-- Every code the community's grids ever had (live and retired): new codes never reuse one.
SELECT code FROM grid WHERE community_code = $1 UNION SELECT code FROM grid_retired WHERE community_code = $1;

-- name: communityDataset
SELECT dataset_id FROM division WHERE code = $1;

-- name: updateGrid
UPDATE grid SET name = $2, geom = ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($3), 4326)) WHERE id = $1;

-- name: insertGrid
-- $1 id (NULL = a new serial id), $2 code, $3 name, $4 community, $5 GeoJSON, $6 synthetic, $7 dataset, $8 props.
INSERT INTO grid (id, code, name, community_code, geom, synthetic, dataset_id, props)
VALUES (COALESCE($1::int, nextval(pg_get_serial_sequence('grid', 'id'))::int), $2, $3, $4,
        ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($5), 4326)), $6, $7, COALESCE($8::jsonb, '{}'::jsonb))
RETURNING id;

-- name: unretire
-- A grid a rollback brings back: its archived row, removed from the archive.
DELETE FROM grid_retired WHERE id = $1 AND community_code = $2 RETURNING code, synthetic, dataset_id, props;

-- name: successors
-- For each retired grid ($1 ids) the live grid taking over: among its lineage candidates ($2 json
-- {"<retired id>": [ids]}; none = every grid of the community $3 that stays), the one overlapping
-- it most, else the nearest.
SELECT r.id AS retired,
       (SELECT g.id FROM grid g
         WHERE g.community_code = $3 AND NOT g.id = ANY($1::int[])
           AND (($2::jsonb)->(r.id::text) IS NULL OR g.id IN (SELECT value::int FROM jsonb_array_elements_text(($2::jsonb)->(r.id::text))))
         ORDER BY CASE WHEN g.geom && r.geom THEN ST_Area(ST_Intersection(g.geom, r.geom)) ELSE 0 END DESC,
                  ST_Distance(g.geom, r.geom), g.id
         LIMIT 1) AS successor
  FROM grid r WHERE r.id = ANY($1::int[])
 ORDER BY r.id;

-- name: placeBuildings
-- Every building of the community (by code, by grid, or by its point on surface inside the
-- community) goes to the live grid ($3 = retired ids excluded) holding its point on surface.
-- $2 = the community's grid ids before publishing. Returns the buildings that changed grid.
WITH c AS (SELECT geom FROM division WHERE code = $1),
b AS (
  SELECT b.id, b.grid_id AS old, b.households, p
    FROM building b CROSS JOIN c, LATERAL ST_PointOnSurface(b.geom) AS p
   WHERE b.community_code = $1 OR b.grid_id = ANY($2::int[]) OR (b.geom && c.geom AND ST_Intersects(c.geom, p))
), placed AS (
  SELECT b.id, b.old, b.households,
         (SELECT g.id FROM grid g WHERE g.community_code = $1 AND NOT g.id = ANY($3::int[]) AND g.geom && b.p AND ST_Intersects(g.geom, b.p)
           ORDER BY g.id LIMIT 1) AS new
    FROM b
)
UPDATE building x SET grid_id = placed.new, community_code = CASE WHEN placed.new IS NULL THEN x.community_code ELSE $1 END
  FROM placed
 WHERE x.id = placed.id AND x.grid_id IS DISTINCT FROM placed.new
RETURNING x.id, placed.old, placed.new, placed.households;

-- name: placeFacilities
WITH f AS (
  SELECT f.id, (SELECT g.id FROM grid g WHERE g.community_code = $1 AND NOT g.id = ANY($3::int[]) AND g.geom && f.geom AND ST_Intersects(g.geom, f.geom)
                 ORDER BY g.id LIMIT 1) AS new
    FROM facility f JOIN division c ON c.code = $1
   WHERE f.community_code = $1 OR f.grid_id = ANY($2::int[]) OR (f.geom && c.geom AND ST_Intersects(c.geom, f.geom))
)
UPDATE facility x SET grid_id = f.new, community_code = CASE WHEN f.new IS NULL THEN x.community_code ELSE $1 END
  FROM f WHERE x.id = f.id AND x.grid_id IS DISTINCT FROM f.new
RETURNING x.id;

-- name: placeOpenIncidents
-- Open cases (state type not closed) with a point go to the live grid holding it.
WITH i AS (
  SELECT i.id, i.grid_id AS old,
         (SELECT g.id FROM grid g WHERE g.community_code = $1 AND NOT g.id = ANY($3::int[]) AND g.geom && i.geom AND ST_Intersects(g.geom, i.geom)
           ORDER BY g.id LIMIT 1) AS new
    FROM incident i JOIN incident_state s ON s.code = i.status
   WHERE s.type <> 'closed' AND i.geom IS NOT NULL AND (i.community_code = $1 OR i.grid_id = ANY($2::int[]))
)
UPDATE incident x SET grid_id = i.new, updated_at = now()
  FROM i WHERE x.id = i.id AND i.new IS NOT NULL AND x.grid_id IS DISTINCT FROM i.new
RETURNING x.id, i.old;

-- name: incidentsToSuccessor
-- The rest of a retired grid's cases (closed ones keep their history in the successor; unlocated
-- or unplaced open ones follow it too). $1 json {"<retired id>": successor id}.
UPDATE incident x SET grid_id = m.value::int, updated_at = CASE WHEN s.type <> 'closed' THEN now() ELSE x.updated_at END
  FROM jsonb_each_text($1::jsonb) m, incident_state s
 WHERE x.grid_id = m.key::int AND s.code = x.status
RETURNING x.id, m.key::int AS old, s.type <> 'closed' AS open;

-- name: residentsFollowBuildings
-- The resident data pool (people, houses, firms; migration 0017) follows its buildings.
WITH p AS (
  UPDATE person r SET grid_id = b.grid_id
    FROM building b
   WHERE r.building_id = b.id AND b.grid_id IS NOT NULL AND r.grid_id <> b.grid_id AND r.grid_id = ANY($1::int[])
  RETURNING r.id
), h AS (
  UPDATE house r SET grid_id = b.grid_id
    FROM building b
   WHERE r.building_id = b.id AND b.grid_id IS NOT NULL AND r.grid_id <> b.grid_id AND r.grid_id = ANY($1::int[])
  RETURNING r.id
), f AS (
  UPDATE firm r SET grid_id = b.grid_id
    FROM building b
   WHERE r.building_id = b.id AND b.grid_id IS NOT NULL AND r.grid_id <> b.grid_id AND r.grid_id = ANY($1::int[])
  RETURNING r.id
)
SELECT id FROM p UNION ALL SELECT id FROM h UNION ALL SELECT id FROM f;

-- name: partySnapshot
SELECT id, grid_id FROM party_org WHERE community_code = $1 AND grid_id IS NOT NULL;

-- name: partyFollowBuildings
-- Building groups and member households follow their building's grid; a group moves under that
-- grid's branch when it has one.
UPDATE party_org o SET grid_id = b.grid_id,
       parent_id = CASE WHEN o.level = 'building_group'
                        THEN COALESCE((SELECT br.id FROM party_org br WHERE br.level = 'grid_branch' AND br.grid_id = b.grid_id ORDER BY br.id LIMIT 1), o.parent_id)
                        ELSE o.parent_id END
  FROM building b
 WHERE o.building_id = b.id AND o.community_code = $1 AND o.level IN ('building_group', 'member_household')
   AND b.grid_id IS NOT NULL AND o.grid_id IS DISTINCT FROM b.grid_id
RETURNING o.id;

-- name: reassign
-- Every other reference to a retired grid → its successor (migration 0008, grid_reassign).
SELECT target, moved::int AS moved FROM grid_reassign($1::jsonb, $2::text[]);

-- name: retire
-- Archive the retired grids and delete them (nothing references them any more).
WITH r AS (DELETE FROM grid WHERE id = ANY($1::int[]) RETURNING *)
INSERT INTO grid_retired (id, code, name, community_code, geom, households, residents, synthetic, dataset_id, props, version_id, successor_id)
SELECT r.id, r.code, r.name, r.community_code, r.geom, r.households, r.residents, r.synthetic, r.dataset_id, r.props, $2,
       (($3::jsonb)->>(r.id::text))::int
  FROM r
RETURNING id;

-- name: totals
-- Households and residents of the community's grids from their buildings.
UPDATE grid g SET households = s.h, residents = s.r
  FROM (SELECT g2.id, COALESCE(sum(b.households), 0)::int AS h, COALESCE(sum(b.residents), 0)::int AS r
          FROM grid g2 LEFT JOIN building b ON b.grid_id = g2.id
         WHERE g2.community_code = $1 GROUP BY g2.id) s
 WHERE g.id = s.id;

-- name: snapshot
-- The community's live layout as version features, and which grid each building is in.
SELECT COALESCE((SELECT json_agg(json_build_object(
          'type', 'Feature', 'id', g.id, 'geometry', ST_AsGeoJSON(g.geom, 7)::json,
          'properties', json_build_object('id', g.id, 'code', g.code, 'name', g.name, 'households', g.households,
                                          'residents', g.residents,
                                          'buildings', (SELECT count(*)::int FROM building b WHERE b.grid_id = g.id)))
          ORDER BY g.code, g.id)
          FROM grid g WHERE g.community_code = $1), '[]'::json) AS grids,
       COALESCE((SELECT json_object_agg(b.id, b.grid_id)
                   FROM building b JOIN grid g ON g.id = b.grid_id WHERE g.community_code = $1), '{}'::json) AS assignment;

-- name: versionCount
SELECT count(*)::int AS n FROM grid_version WHERE community_code = $1;

-- name: insertVersion
INSERT INTO grid_version (community_code, published_by, account_id, note, grids, assignment, moved)
VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb)
RETURNING id, published_at AS "publishedAt";

-- name: finishVersion
UPDATE grid_version SET grids = $2::jsonb, assignment = $3::jsonb, moved = $4::jsonb WHERE id = $1;

-- name: insertLineage
INSERT INTO grid_lineage (version_id, grid_id, parent_id, kind)
SELECT $1, (e->>'gridId')::int, (e->>'parentId')::int, e->>'kind' FROM json_array_elements($2::json) AS e
ON CONFLICT DO NOTHING;

-- name: version
SELECT id, community_code AS "communityCode", published_at AS "publishedAt", published_by AS "publishedBy", note, grids, assignment
  FROM grid_version WHERE id = $1;

-- name: compareHouseholds
-- Households in buildings whose grid differs between two versions' assignments ($1, $2 jsonb).
SELECT COALESCE(sum(b.households), 0)::int AS households, count(*)::int AS buildings
  FROM (SELECT key FROM jsonb_each_text($1::jsonb) UNION SELECT key FROM jsonb_each_text($2::jsonb)) k
  JOIN building b ON b.id = k.key::int
 WHERE ($1::jsonb)->>k.key IS DISTINCT FROM ($2::jsonb)->>k.key;

-- name: sameShape
-- Whether two geometries are the same shape, per pair: $1 json [{id, a, b}]. Equal, or differing by
-- less than 1 m² (AREA_TOLERANCE_M2): a vertex added on an edge by a neighbour's edit, stored at
-- 1e-7°, lies a few millimetres off it and is not a change of the grid.
SELECT (e->>'id')::int AS id,
       ST_Equals(a, b) OR ST_Area(ST_SymDifference(a, b)::geography) < 1 AS same
  FROM json_array_elements($1::json) AS e,
       LATERAL (SELECT ST_SetSRID(ST_GeomFromGeoJSON(e->>'a'), 4326) AS a, ST_SetSRID(ST_GeomFromGeoJSON(e->>'b'), 4326) AS b) AS g;
