-- name: weights
SELECT metric, weight, updated_at, updated_by FROM score_weight ORDER BY metric;

-- name: setWeight
UPDATE score_weight SET weight = $2, updated_at = now(), updated_by = $3 WHERE metric = $1;

-- name: counts
-- The counts behind the monthly score of every unit of one level in a jurisdiction, over the cases
-- reported in [$1, $2) (Beijing month; merged duplicates not counted: their survivor is).
-- $3 level (grid | community | subdistrict | department), $4 division codes (NULL = all),
-- $5 the actions that resolve a case, $6 hotline sources.
-- Deadlines count at the unit's own level and below (a grid: its grid-level deadlines; a
-- department: the deadlines it held). A hotline case is a repeat complaint when it was called in
-- more than once (duplicates merged into it bring their reporters).
WITH c AS (
  SELECT i.*,
         CASE $3::text WHEN 'grid' THEN i.grid_id::text WHEN 'community' THEN i.community_code
                       WHEN 'subdistrict' THEN i.subdistrict_code ELSE i.department_id::text END AS unit
    FROM incident i
   WHERE i.created_at >= $1::timestamptz AND i.created_at < $2::timestamptz AND i.merged_into IS NULL
     AND ($4::text[] IS NULL OR i.community_code = ANY($4::text[]) OR i.subdistrict_code = ANY($4::text[]) OR i.district_code = ANY($4::text[]))
),
units AS (
  SELECT g.id::text AS key, g.name, cm.name AS parent_name
    FROM grid g JOIN division cm ON cm.code = g.community_code
   WHERE $3::text = 'grid' AND ($4::text[] IS NULL OR g.community_code = ANY($4::text[]))
  UNION ALL
  SELECT d.code, d.name, p.name FROM division d LEFT JOIN division p ON p.code = d.parent_code
   WHERE $3::text IN ('community', 'subdistrict') AND d.level = $3::text AND ($4::text[] IS NULL OR d.code = ANY($4::text[]))
  UNION ALL
  SELECT dep.id::text, dep.name, NULL FROM department dep WHERE $3::text = 'department'
),
solved AS (
  SELECT c.unit, count(*) AS solved, count(*) FILTER (WHERE r.level = 'grid') AS at_grid
    FROM c JOIN incident_state s ON s.code = c.status AND s.type IN ('fixed', 'closed')
    JOIN LATERAL (SELECT e.level FROM incident_event e WHERE e.incident_id = c.id AND e.action = ANY($5::text[]) ORDER BY e.id DESC LIMIT 1) r ON true
   GROUP BY c.unit
),
timed AS (
  SELECT CASE WHEN $3::text = 'department' THEN e.department_id::text ELSE c.unit END AS unit,
         count(*) AS deadlines, count(*) FILTER (WHERE e.on_time) AS on_time
    FROM c JOIN incident_event e ON e.incident_id = c.id
   WHERE e.on_time IS NOT NULL
     AND CASE $3::text WHEN 'grid' THEN e.level = 'grid'
                       WHEN 'community' THEN e.level IN ('grid', 'community')
                       WHEN 'subdistrict' THEN e.level IN ('grid', 'community', 'subdistrict')
                       ELSE e.level = 'department' END
   GROUP BY 1
),
rated AS (
  SELECT c.unit, count(*) FILTER (WHERE c.rating = 'satisfied') AS satisfied,
         count(*) FILTER (WHERE c.rating = 'basically_satisfied') AS basically,
         count(*) FILTER (WHERE c.rating = 'dissatisfied') AS dissatisfied
    FROM c WHERE c.rating IS NOT NULL GROUP BY c.unit
),
verified AS (
  SELECT c.unit, count(*) AS verifications, count(*) FILTER (WHERE e.action = 'reject_verification') AS failures
    FROM c JOIN incident_event e ON e.incident_id = c.id
   WHERE e.action IN ('verify', 'reject_verification') GROUP BY c.unit
),
hot AS (
  SELECT c.unit, count(*) AS hotline,
         count(*) FILTER (WHERE (SELECT count(*) FROM incident_reporter r WHERE r.incident_id = c.id AND r.source = ANY($6::text[])) > 1) AS repeats
    FROM c WHERE c.source = ANY($6::text[]) GROUP BY c.unit
)
SELECT u.key, u.name, u.parent_name,
       COALESCE(s.solved, 0)::int AS solved, COALESCE(s.at_grid, 0)::int AS solved_at_grid,
       COALESCE(t.deadlines, 0)::int AS deadlines, COALESCE(t.on_time, 0)::int AS on_time,
       COALESCE(ra.satisfied, 0)::int AS satisfied, COALESCE(ra.basically, 0)::int AS basically, COALESCE(ra.dissatisfied, 0)::int AS dissatisfied,
       COALESCE(v.verifications, 0)::int AS verifications, COALESCE(v.failures, 0)::int AS failures,
       COALESCE(h.hotline, 0)::int AS hotline, COALESCE(h.repeats, 0)::int AS repeats
  FROM units u
  LEFT JOIN solved s ON s.unit = u.key
  LEFT JOIN timed t ON t.unit = u.key
  LEFT JOIN rated ra ON ra.unit = u.key
  LEFT JOIN verified v ON v.unit = u.key
  LEFT JOIN hot h ON h.unit = u.key
 ORDER BY u.key;
