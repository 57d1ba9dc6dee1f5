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

-- ---- Party branch ledger (支部台账) and 一格三员 duties, synthetic and deterministic (issue 14) ----
-- Everything below is made up for the demo (never real people or numbers) and flagged synthetic.
-- Ranks come from codes and names, not from serial ids, so every load gives the same ledger; dates
-- are counted back from today's Beijing date.

-- name: seedStaffPhones
UPDATE grid_staff s SET phone = '13' || lpad(((r.n * 7919 + 104729) % 1000000000)::text, 9, '0')
  FROM (SELECT s2.id, row_number() OVER (ORDER BY g.code, s2.role, s2.name)::int AS n
          FROM grid_staff s2 JOIN grid g ON g.id = s2.grid_id WHERE s2.dataset_id = $1) r
 WHERE s.id = r.id AND s.phone IS NULL;

-- name: seedStaffDuties
-- 社区民警, 法律顾问 and 城管/执法 bound to every grid of a community (one person each per community),
-- a 志愿者 per grid; some grids lack a 法律顾问 or a 志愿者, so the roster shows 未配备.
WITH g AS (
  SELECT g.id, g.code, dense_rank() OVER (ORDER BY g.community_code)::int AS c, row_number() OVER (ORDER BY g.code)::int AS n
    FROM grid g WHERE g.dataset_id = $1
), duty AS (
  SELECT g.id, d.role, d.k, g.c, g.n FROM g
  CROSS JOIN (VALUES ('police', 1), ('legal_advisor', 2), ('law_enforcement', 3), ('volunteer', 4)) AS d(role, k)
   WHERE NOT (d.role = 'legal_advisor' AND g.n % 5 = 0) AND NOT (d.role = 'volunteer' AND g.n % 3 = 0)
)
INSERT INTO grid_staff (grid_id, role, name, phone, synthetic, dataset_id)
SELECT id, role,
       (ARRAY['王','李','张','刘','陈','杨','赵','黄','周','吴','徐','孙','马','朱','胡','郭'])[1 + (CASE WHEN role = 'volunteer' THEN n ELSE c END * 7 + k * 5) % 16] ||
       (ARRAY['伟','敏','静','磊','洋','军','勇','杰','娜','强','涛','霞','斌','鹏','晨','欣'])[1 + (CASE WHEN role = 'volunteer' THEN n ELSE c END * 3 + k * 11) % 16] ||
       CASE role WHEN 'police' THEN '（民警）' ELSE '' END,
       '13' || lpad((((CASE WHEN role = 'volunteer' THEN 1000 + n ELSE c END)::bigint * 15485863 + k * 32452843) % 1000000000)::text, 9, '0'),
       true, $1
  FROM duty;

-- name: seedMembers
-- Party members of every grid branch: as many as the branch declares (at most 40).
WITH b AS (
  SELECT o.id, o.members, row_number() OVER (ORDER BY g.code, o.name)::int AS b
    FROM party_org o JOIN grid g ON g.id = o.grid_id
   WHERE o.dataset_id = $1 AND o.level = 'grid_branch'
)
INSERT INTO party_member (branch_id, name, phone, joined_on, synthetic, dataset_id)
SELECT b.id,
       (ARRAY['王','李','张','刘','陈','杨','赵','黄','周','吴','徐','孙','胡','朱','高','林','何','郭','马','罗'])[1 + (b.b * 7 + k * 13) % 20] ||
       (ARRAY['建华','秀英','国强','丽娟','志明','桂芳','海涛','玉兰','春生','红梅','德胜','淑华','振国','晓燕','文斌','凤英'])[1 + (b.b * 5 + k * 3) % 16],
       '139' || lpad(((b.b * 1000 + k) * 7919 % 100000000)::text, 8, '0'),
       DATE '1980-01-01' + ((b.b * 131 + k * 977) % 13000),
       true, $1
  FROM b CROSS JOIN LATERAL generate_series(1, LEAST(GREATEST(b.members, 3), 40)) AS k;

-- name: seedActivities
-- Six activities per branch over the last ~90 days; every fourth branch held none in the last 30
-- days (the wall flags its grid).
WITH b AS (
  SELECT o.id, row_number() OVER (ORDER BY g.code, o.name)::int AS b
    FROM party_org o JOIN grid g ON g.id = o.grid_id
   WHERE o.dataset_id = $1 AND o.level = 'grid_branch'
), today AS (SELECT (now() AT TIME ZONE 'UTC' + interval '8 hours')::date AS d)
INSERT INTO party_activity (branch_id, kind, held_on, place, note, created_by, synthetic, dataset_id)
SELECT b.id,
       (ARRAY['theme_day','volunteer','visit'])[1 + (b.b + j) % 3],
       today.d - CASE WHEN b.b % 4 = 3 THEN 31 + (b.b * 11 + j * 17) % 58
                      WHEN j = 1 THEN (b.b * 3) % 25
                      ELSE (b.b * 7 + j * 13) % 88 END,
       (ARRAY['社区党群服务中心','小区议事亭','居委会会议室','社区广场','楼道微家','养老服务站'])[1 + (b.b * 3 + j) % 6],
       '示意数据（合成）',
       '演示数据（合成）', true, $1
  FROM b CROSS JOIN today CROSS JOIN generate_series(1, 6) AS j;

-- name: seedAttendees
-- Attendees: a deterministic share of the branch's members (the first always comes).
WITH m AS (
  SELECT m.id, m.branch_id, row_number() OVER (PARTITION BY m.branch_id ORDER BY m.id)::int AS k FROM party_member m WHERE m.dataset_id = $1
), a AS (
  SELECT a.id, a.branch_id, row_number() OVER (PARTITION BY a.branch_id ORDER BY a.held_on, a.id)::int AS j FROM party_activity a WHERE a.dataset_id = $1
)
INSERT INTO party_activity_attendee (activity_id, member_id)
SELECT a.id, m.id FROM a JOIN m ON m.branch_id = a.branch_id
 WHERE m.k = 1 OR (m.k + a.j) % (2 + a.j % 3) = 0;

-- name: seedHouseholdLinks
-- Each 党员中心户 serves households of its own building and of the next building of its grid, never
-- more than the building has (the rule the ledger enforces on a saved link).
WITH h AS (
  SELECT o.id, o.building_id, o.grid_id, b.households AS own, row_number() OVER (ORDER BY o.name, b.osm_id)::int AS n
    FROM party_org o JOIN building b ON b.id = o.building_id
   WHERE o.dataset_id = $1 AND o.level = 'member_household'
), l AS (
  SELECT h.id, h.building_id, LEAST(3 + h.n % 8, h.own) AS households FROM h
  UNION ALL
  SELECT h.id, nb.id, LEAST(2 + h.n % 5, nb.households) FROM h
    CROSS JOIN LATERAL (SELECT b.id, b.households FROM building b WHERE b.grid_id = h.grid_id AND b.id <> h.building_id AND b.residential
                         ORDER BY b.osm_id LIMIT 1 OFFSET (h.n % 3)) nb
)
INSERT INTO party_household_link (household_id, building_id, households, synthetic, dataset_id)
SELECT id, building_id, households, true, $1 FROM l WHERE households > 0;
