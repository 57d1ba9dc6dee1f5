-- 15-minute life circle: inputs of the walking graph, stored results, and the figures summed from
-- them. Scope parameters as everywhere: community codes (NULL = all) and one grid id (NULL = none).

-- name: fingerprint
-- Changes when roads, buildings or facilities change (re-import, edits): the graph and every stored
-- time are then out of date. Facilities are few and edited one by one (server/facilities), so each
-- one's class, name and position is in it: a retag or a move changes the version.
SELECT md5(concat_ws('|',
  (SELECT count(*) || ':' || COALESCE(sum(id), 0) || ':' || COALESCE(round(sum(length_m)::numeric, 3), 0) || ':' || count(*) FILTER (WHERE walkable) FROM road),
  (SELECT count(*) || ':' || COALESCE(sum(id), 0) || ':' || COALESCE(round(sum(ST_X(ST_PointOnSurface(geom)))::numeric, 7), 0) FROM building),
  (SELECT count(*) || ':' || md5(COALESCE(string_agg(id || ',' || service_class || ',' || round(ST_X(geom)::numeric, 7) || ',' || round(ST_Y(geom)::numeric, 7)
                                                     || ',' || COALESCE(name, ''), ';' ORDER BY id), '')) FROM facility)
)) AS version;

-- name: roads
-- Every road row; the graph builder leaves out the non-walkable ones and counts them. Tunnels and
-- bridges are walked but not connected onto (a door does not open onto a flyover).
SELECT id, kind, walkable,
       ST_AsGeoJSON(geom, 9)::json -> 'coordinates' AS coords,
       NOT (COALESCE(props ->> 'bridge', 'no') NOT IN ('no', 'false')
            OR COALESCE(props ->> 'tunnel', 'no') NOT IN ('no', 'false')) AS snappable
  FROM road
 ORDER BY id;

-- name: buildings
-- Buildings reach the network from their point on surface (the point that also places them in a grid).
SELECT b.id, b.name, b.households, b.residents, b.residential, b.community_code, b.grid_id,
       ST_X(p) AS lon, ST_Y(p) AS lat
  FROM building b CROSS JOIN LATERAL ST_PointOnSurface(b.geom) AS p
 ORDER BY b.id;

-- name: facilities
SELECT f.id, f.name, f.service_class, ST_X(f.geom) AS lon, ST_Y(f.geom) AS lat
  FROM facility f
 ORDER BY f.service_class, f.id;

-- name: latestRun
SELECT id, computed_at, network_version, speed_mps, max_minutes, nodes, edges, components, excluded_roads, ms, unreachable
  FROM coverage_run ORDER BY id DESC LIMIT 1;

-- name: insertRun
INSERT INTO coverage_run (network_version, speed_mps, max_minutes, nodes, edges, components, excluded_roads, ms, unreachable)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
RETURNING id, computed_at;

-- name: clearResults
DELETE FROM coverage_building;

-- name: clearRuns
DELETE FROM coverage_run WHERE id <> $1;

-- name: insertResults
-- One class: parallel arrays of building ids, minutes (NULL = none), nearest facility, reachable.
INSERT INTO coverage_building (service_class, building_id, minutes, facility_id, reachable)
SELECT $1, t.b, t.m, t.f, t.r
  FROM unnest($2::int[], $3::float8[], $4::int[], $5::boolean[]) AS t(b, m, f, r);

-- name: classes
SELECT code, name, walk_minutes AS "walkMinutes", color FROM service_class ORDER BY sort, code;

-- name: facilityCounts
SELECT service_class AS code, count(*)::int AS n FROM facility GROUP BY service_class;

-- name: cells
-- Households and residents covered per community and class, and per class over the whole scope.
-- $1 communities, $2 grid id, $3 limit (NULL = each class's walk_minutes). area NULL + total = the scope.
SELECT b.community_code AS area, GROUPING(b.community_code) = 1 AS total, cb.service_class AS class,
       sum(b.households)::int AS households, sum(b.residents)::int AS residents,
       COALESCE(sum(b.households) FILTER (WHERE cb.minutes <= COALESCE($3::float8, sc.walk_minutes) + 1e-9), 0)::int AS covered_households,
       COALESCE(sum(b.residents) FILTER (WHERE cb.minutes <= COALESCE($3::float8, sc.walk_minutes) + 1e-9), 0)::int AS covered_residents
  FROM coverage_building cb
  JOIN building b ON b.id = cb.building_id
  JOIN service_class sc ON sc.code = cb.service_class
 WHERE (b.households > 0 OR b.residents > 0)
   AND ($1::text[] IS NULL OR b.community_code = ANY($1::text[]))
   AND ($2::int IS NULL OR b.grid_id = $2::int)
 GROUP BY GROUPING SETS ((b.community_code, cb.service_class), (cb.service_class));

-- name: gridCells
-- Per grid and class. $1 communities, $2 grid id, $3 limit, $4 class (NULL = all classes).
SELECT g.id AS grid_id, g.code, g.name, g.community_code, cb.service_class AS class,
       COALESCE(sum(b.households), 0)::int AS households, COALESCE(sum(b.residents), 0)::int AS residents,
       COALESCE(sum(b.households) FILTER (WHERE cb.minutes <= COALESCE($3::float8, sc.walk_minutes) + 1e-9), 0)::int AS covered_households,
       COALESCE(sum(b.residents) FILTER (WHERE cb.minutes <= COALESCE($3::float8, sc.walk_minutes) + 1e-9), 0)::int AS covered_residents
  FROM grid g
  JOIN building b ON b.grid_id = g.id AND (b.households > 0 OR b.residents > 0)
  JOIN coverage_building cb ON cb.building_id = b.id AND ($4::text IS NULL OR cb.service_class = $4::text)
  JOIN service_class sc ON sc.code = cb.service_class
 WHERE ($1::text[] IS NULL OR g.community_code = ANY($1::text[]))
   AND ($2::int IS NULL OR g.id = $2::int)
 GROUP BY g.id, g.code, g.name, g.community_code, cb.service_class
 ORDER BY g.id, cb.service_class;

-- name: gridsInScope
SELECT g.id AS grid_id, g.code, g.name, g.community_code, g.households, g.residents
  FROM grid g
 WHERE ($1::text[] IS NULL OR g.community_code = ANY($1::text[]))
   AND ($2::int IS NULL OR g.id = $2::int)
 ORDER BY g.id;

-- name: communities
-- Communities in scope (with households from their buildings).
SELECT d.code, d.name
  FROM division d
 WHERE d.level = 'community'
   AND ($1::text[] IS NULL OR d.code = ANY($1::text[]))
   AND ($2::int IS NULL OR d.code = (SELECT community_code FROM grid WHERE id = $2::int))
 ORDER BY d.code;

-- name: scopeArea
-- The area a summary's total stands for: the bound division, else the only district, else the grid.
SELECT code, name FROM division WHERE code = $1
UNION ALL
SELECT code, name FROM division WHERE $1::text IS NULL AND level = 'district' AND (SELECT count(*) FROM division WHERE level = 'district') = 1
LIMIT 1;

-- name: buildingsGeo
-- $1 class, $2 limit, $3..$6 bbox, $7 communities, $8 grid, $9 max features, $10 all buildings (else only with households)
SELECT b.id, ST_AsGeoJSON(b.geom, 7)::json AS geometry,
       json_build_object(
         'id', b.id, 'name', b.name, 'households', b.households, 'residents', b.residents,
         'communityCode', b.community_code, 'gridId', b.grid_id,
         'minutes', CASE WHEN cb.minutes IS NULL THEN NULL ELSE round(cb.minutes::numeric, 2) END,
         'covered', COALESCE(cb.minutes <= $2::float8 + 1e-9, false),
         'reachable', COALESCE(cb.reachable, false)) AS properties
  FROM building b
  LEFT JOIN coverage_building cb ON cb.building_id = b.id AND cb.service_class = $1
 WHERE ($3::float8 IS NULL OR b.geom && ST_MakeEnvelope($3, $4, $5, $6, 4326))
   AND ($7::text[] IS NULL OR b.community_code = ANY($7::text[]))
   AND ($8::int IS NULL OR b.grid_id = $8::int)
   AND ($10::boolean OR b.households > 0 OR b.residents > 0)
 ORDER BY b.id
 LIMIT $9 + 1;

-- name: gaps
-- Uncovered residential buildings of a class, buffered 25 m and merged per community; each merged
-- polygon carries the households of the buildings inside it.
-- $1 class, $2 limit, $3 communities, $4 grid id
WITH unc AS (
  SELECT b.id, b.community_code, b.households, b.residents, b.geom
    FROM building b
    JOIN coverage_building cb ON cb.building_id = b.id AND cb.service_class = $1
   WHERE b.households > 0
     AND (cb.minutes IS NULL OR cb.minutes > $2::float8 + 1e-9)
     AND ($3::text[] IS NULL OR b.community_code = ANY($3::text[]))
     AND ($4::int IS NULL OR b.grid_id = $4::int)
), merged AS (
  SELECT community_code, (ST_Dump(ST_Union(ST_Buffer(geom::geography, 25, 'quad_segs=4')::geometry))).geom AS geom
    FROM unc GROUP BY community_code
)
SELECT m.community_code, d.name AS community_name, ST_AsGeoJSON(m.geom, 7)::json AS geometry,
       (SELECT COALESCE(sum(u.households), 0)::int FROM unc u
         WHERE u.community_code IS NOT DISTINCT FROM m.community_code AND ST_Intersects(u.geom, m.geom)) AS households,
       (SELECT COALESCE(sum(u.residents), 0)::int FROM unc u
         WHERE u.community_code IS NOT DISTINCT FROM m.community_code AND ST_Intersects(u.geom, m.geom)) AS residents,
       (SELECT count(*)::int FROM unc u
         WHERE u.community_code IS NOT DISTINCT FROM m.community_code AND ST_Intersects(u.geom, m.geom)) AS buildings
  FROM merged m LEFT JOIN division d ON d.code = m.community_code
 ORDER BY households DESC, m.community_code;

-- name: facilityById
SELECT f.id, f.name, f.service_class, ST_X(f.geom) AS lon, ST_Y(f.geom) AS lat, f.community_code, f.grid_id
  FROM facility f WHERE f.id = $1;

-- name: candidates
-- Suggested-site candidates: non-residential buildings (no households) without a facility of the
-- class inside; optionally only in one community.
SELECT b.id FROM building b
 WHERE b.households = 0 AND NOT b.residential
   AND ($2::text IS NULL OR b.community_code = $2::text)
   AND ($3::text[] IS NULL OR b.community_code = ANY($3::text[]))
   AND NOT EXISTS (SELECT 1 FROM facility f WHERE f.service_class = $1 AND ST_Intersects(b.geom, f.geom))
 ORDER BY b.id;

-- name: insertScenario
INSERT INTO coverage_scenario (name, changes, created_by, account_id, scope_code, network_version, results)
VALUES ($1, $2::jsonb, $3, $4, $5, $6, $7::jsonb)
RETURNING id;

-- name: scenarios
-- $1 scope code (NULL = everything: all scenarios); a scoped planner sees the ones made in the same scope.
SELECT id, name, created_at, created_by, changes FROM coverage_scenario
 WHERE $1::text IS NULL OR scope_code = $1
 ORDER BY id DESC LIMIT 200;

-- name: scenarioById
SELECT id, name, created_at, created_by, changes, scope_code, network_version, computed_at, results
  FROM coverage_scenario WHERE id = $1;

-- name: updateScenarioResults
UPDATE coverage_scenario SET results = $2::jsonb, network_version = $3, computed_at = now() WHERE id = $1
RETURNING computed_at;

-- name: facilityIdsInScope
-- $1 class, $2 communities, $3 grid id
SELECT id FROM facility
 WHERE service_class = $1
   AND ($2::text[] IS NULL OR community_code = ANY($2::text[]))
   AND ($3::int IS NULL OR grid_id = $3::int);

-- name: wallScores
-- Per grid and class (and per class over the scope): households and those covered within the
-- class's walk_minutes, from the stored results. $1 division codes (NULL = all), $2 grid id.
SELECT b.grid_id, GROUPING(b.grid_id) = 1 AS total, cb.service_class AS class,
       sum(b.households)::int AS households,
       COALESCE(sum(b.households) FILTER (WHERE cb.minutes <= sc.walk_minutes + 1e-9), 0)::int AS covered
  FROM coverage_building cb
  JOIN building b ON b.id = cb.building_id AND b.households > 0
  JOIN grid g ON g.id = b.grid_id
  JOIN service_class sc ON sc.code = cb.service_class
 WHERE ($1::text[] IS NULL OR g.community_code = ANY($1::text[]))
   AND ($2::int IS NULL OR g.id = $2::int)
 GROUP BY GROUPING SETS ((b.grid_id, cb.service_class), (cb.service_class));
