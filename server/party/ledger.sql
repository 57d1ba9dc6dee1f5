-- The Party branch ledger (支部台账) and 一格三员 rosters. Jurisdiction parameters, where taken:
-- community codes (NULL = all) and one grid (NULL = any), as mapFilter/scopedDivision give them.

-- name: branches
-- 网格党支部 in scope: $1 community codes, $2 grid, $3 today (Beijing date), with members on
-- record, activities in the 30 days up to today and the latest activity.
SELECT o.id, o.name, o.grid_id, g.name AS grid_name, g.code AS grid_code, o.community_code, c.name AS community_name,
       o.members AS members_declared, o.synthetic,
       (SELECT count(*)::int FROM party_member m WHERE m.branch_id = o.id) AS members,
       (SELECT count(*)::int FROM party_activity a WHERE a.branch_id = o.id
          AND a.held_on BETWEEN $3::date - 29 AND $3::date) AS recent,
       (SELECT max(a.held_on)::text FROM party_activity a WHERE a.branch_id = o.id AND a.held_on <= $3::date) AS last_activity
  FROM party_org o
  JOIN grid g ON g.id = o.grid_id
  JOIN division c ON c.code = o.community_code
 WHERE o.level = 'grid_branch'
   AND ($1::text[] IS NULL OR o.community_code = ANY($1::text[]))
   AND ($2::int IS NULL OR o.grid_id = $2::int)
 ORDER BY o.community_code, g.code, o.id;

-- name: branch
-- One 网格党支部 inside the jurisdiction ($2 community codes, $3 grid); outside it reads as absent.
SELECT o.id, o.name, o.grid_id, g.name AS grid_name, o.community_code, c.name AS community_name, o.members AS members_declared, o.synthetic
  FROM party_org o
  JOIN grid g ON g.id = o.grid_id
  JOIN division c ON c.code = o.community_code
 WHERE o.id = $1 AND o.level = 'grid_branch'
   AND ($2::text[] IS NULL OR o.community_code = ANY($2::text[]))
   AND ($3::int IS NULL OR o.grid_id = $3::int);

-- name: members
SELECT m.id, m.name, m.phone, m.joined_on::text AS joined_on, m.synthetic
  FROM party_member m
 WHERE m.branch_id = $1
 ORDER BY m.id;

-- name: activities
-- The branch's activities, newest first ($2 at most), with attendees and photo ids.
SELECT a.id, a.kind, a.held_on::text AS held_on, a.place, a.note, a.created_by, a.synthetic, a.created_at,
       COALESCE((SELECT json_agg(json_build_object('id', m.id, 'name', m.name) ORDER BY m.id)
                   FROM party_activity_attendee t JOIN party_member m ON m.id = t.member_id WHERE t.activity_id = a.id), '[]'::json) AS attendees,
       COALESCE((SELECT array_agg(p.photo_id ORDER BY p.photo_id) FROM party_activity_photo p WHERE p.activity_id = a.id), ARRAY[]::int[]) AS photo_ids
  FROM party_activity a
 WHERE a.branch_id = $1
 ORDER BY a.held_on DESC, a.id DESC
 LIMIT $2;

-- name: activityDates
-- Activities of branches $1 held on or after $2 (for the monthly counts).
SELECT a.branch_id, a.held_on::text AS held_on, a.kind
  FROM party_activity a
 WHERE a.branch_id = ANY($1::int[]) AND a.held_on >= $2::date;

-- name: households
-- 党员中心户 in the branch's grid ($1 grid id) with the buildings they serve (named as in
-- gridBuildings: name, else address, else 楼栋 + id).
SELECT o.id, o.name, o.building_id, b.name AS building_name, o.synthetic,
       COALESCE((SELECT json_agg(json_build_object('buildingId', l.building_id,
                                                   'buildingName', COALESCE(lb.name, NULLIF(COALESCE(lb.props->>'address',
                                                     (lb.props->>'addr:street') || COALESCE(lb.props->>'addr:housenumber', ''),
                                                     (lb.props->>'addr_street') || COALESCE(lb.props->>'addr_housenumber', '')), ''), '楼栋' || lb.id),
                                                   'households', l.households) ORDER BY l.building_id)
                   FROM party_household_link l JOIN building lb ON lb.id = l.building_id WHERE l.household_id = o.id), '[]'::json) AS serves
  FROM party_org o
  LEFT JOIN building b ON b.id = o.building_id
 WHERE o.level = 'member_household' AND o.grid_id = $1
 ORDER BY o.id;

-- name: household
-- One 党员中心户 inside the jurisdiction ($2 community codes, $3 grid).
SELECT o.id, o.community_code, o.grid_id
  FROM party_org o
 WHERE o.id = $1 AND o.level = 'member_household'
   AND ($2::text[] IS NULL OR o.community_code = ANY($2::text[]))
   AND ($3::int IS NULL OR o.grid_id = $3::int);

-- name: linkTarget
-- Building $1 as a 党员中心户 link sees it: where it stands and how many households it has.
SELECT b.id, b.community_code, b.grid_id, b.households,
       COALESCE(b.name, NULLIF(COALESCE(b.props->>'address', (b.props->>'addr:street') || COALESCE(b.props->>'addr:housenumber', ''),
                (b.props->>'addr_street') || COALESCE(b.props->>'addr_housenumber', '')), ''), '楼栋' || b.id) AS label
  FROM building b
 WHERE b.id = $1;

-- name: linkHousehold
INSERT INTO party_household_link (household_id, building_id, households, synthetic)
VALUES ($1, $2, $3, false)
ON CONFLICT (household_id, building_id) DO UPDATE SET households = EXCLUDED.households, synthetic = false;

-- name: unlinkHousehold
DELETE FROM party_household_link WHERE household_id = $1 AND building_id = $2
RETURNING households;

-- name: gridBuildings
-- The buildings of grid $1 a 党员中心户 may serve: those with households, and any a 中心户 of the
-- grid serves already. Name, address (the demo's `address`, or OSM addr:street + housenumber),
-- households, the resident pool's houses registered in it (migration 0017) and the outline.
SELECT b.id, b.name,
       NULLIF(COALESCE(b.props->>'address', (b.props->>'addr:street') || COALESCE(b.props->>'addr:housenumber', ''),
                (b.props->>'addr_street') || COALESCE(b.props->>'addr_housenumber', '')), '') AS address,
       b.households, b.households_synthetic,
       (SELECT count(*)::int FROM house hs WHERE hs.building_id = b.id) AS houses,
       ST_AsGeoJSON(b.geom, 7)::json AS geometry
  FROM building b
 WHERE b.grid_id = $1
   AND (b.households > 0 OR EXISTS (SELECT 1 FROM party_household_link l JOIN party_org o ON o.id = l.household_id
                                     WHERE l.building_id = b.id AND o.grid_id = $1))
 ORDER BY b.id;

-- name: roster
-- 一格三员 of grid $1 by duty, in the duty order $2.
SELECT s.id, s.role, s.name, s.phone, s.synthetic
  FROM grid_staff s
 WHERE s.grid_id = $1
 ORDER BY array_position($2::text[], s.role), s.id;

-- name: gridInScope
SELECT g.id, g.name, g.community_code
  FROM grid g
 WHERE g.id = $1
   AND ($2::text[] IS NULL OR g.community_code = ANY($2::text[]))
   AND ($3::int IS NULL OR g.id = $3::int);

-- name: staffOne
-- One staff member inside the jurisdiction ($2 community codes, $3 grid).
SELECT s.id, s.role, s.name, s.phone, s.grid_id
  FROM grid_staff s JOIN grid g ON g.id = s.grid_id
 WHERE s.id = $1
   AND ($2::text[] IS NULL OR g.community_code = ANY($2::text[]))
   AND ($3::int IS NULL OR s.grid_id = $3::int);

-- name: memberOne
-- One Party member inside the jurisdiction ($2 community codes, $3 grid).
SELECT m.id, m.name, m.phone, m.branch_id
  FROM party_member m JOIN party_org o ON o.id = m.branch_id
 WHERE m.id = $1
   AND ($2::text[] IS NULL OR o.community_code = ANY($2::text[]))
   AND ($3::int IS NULL OR o.grid_id = $3::int);

-- name: ownPhotos
-- Of photos $1, those uploaded by this principal ($2 kind, $3 id): the ones it may attach.
SELECT id FROM photo WHERE id = ANY($1::int[]) AND created_by_kind = $2 AND created_by_id = $3::int;

-- name: insertActivity
INSERT INTO party_activity (branch_id, kind, held_on, place, note, created_by, synthetic)
VALUES ($1, $2, $3::date, $4, $5, $6, false)
RETURNING id;

-- name: insertAttendees
INSERT INTO party_activity_attendee (activity_id, member_id)
SELECT $1, unnest($2::int[]);

-- name: insertPhotos
INSERT INTO party_activity_photo (activity_id, photo_id)
SELECT $1, unnest($2::int[]);

-- name: insertMember
INSERT INTO party_member (branch_id, name, phone, joined_on, synthetic)
VALUES ($1, $2, $3, $4::date, false)
RETURNING id;

-- name: gridActivity
-- Every grid in scope ($1 community codes, $2 grid) with whether a branch covers it and its
-- branches' activities up to today ($3) since $4: the wall's 支部活动(30天) and the map.
SELECT g.id AS grid_id, g.name AS grid_name, g.community_code,
       EXISTS (SELECT 1 FROM party_org o WHERE o.grid_id = g.id AND o.level = 'grid_branch') AS has_branch,
       COALESCE((SELECT array_agg(a.held_on::text ORDER BY a.held_on)
                   FROM party_activity a JOIN party_org o ON o.id = a.branch_id
                  WHERE o.grid_id = g.id AND o.level = 'grid_branch' AND a.held_on BETWEEN $4::date AND $3::date), ARRAY[]::text[]) AS dates
  FROM grid g
 WHERE ($1::text[] IS NULL OR g.community_code = ANY($1::text[]))
   AND ($2::int IS NULL OR g.id = $2::int)
 ORDER BY g.id;

-- name: unitActivity
-- Branch activities held in [$1, $2) (dates) per unit of level $3 (grid | community | subdistrict)
-- inside $4 (division codes, NULL = all), with the number of branches (for the score's target).
SELECT CASE $3::text WHEN 'grid' THEN o.grid_id::text WHEN 'community' THEN o.community_code ELSE c.parent_code END AS key,
       count(DISTINCT o.id)::int AS branches,
       count(a.id)::int AS activities
  FROM party_org o
  JOIN division c ON c.code = o.community_code
  LEFT JOIN party_activity a ON a.branch_id = o.id AND a.held_on >= $1::date AND a.held_on < $2::date
 WHERE o.level = 'grid_branch' AND o.grid_id IS NOT NULL
   AND ($4::text[] IS NULL OR o.community_code = ANY($4::text[]) OR c.parent_code = ANY($4::text[]))
 GROUP BY 1;
