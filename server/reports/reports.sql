-- name: summary
-- Case statistics over the cases reported in [$1, $2) inside a jurisdiction ($3 division codes,
-- $4 one grid; NULL = no limit). Merged duplicates are not counted (their survivor is).
-- $5 the actions that resolve a case, $6 grids per quarter, $7 categories. Quarters are Beijing time.
WITH c AS (
  SELECT i.* FROM incident i
   WHERE ($1::timestamptz IS NULL OR i.created_at >= $1::timestamptz)
     AND ($2::timestamptz IS NULL OR i.created_at < $2::timestamptz)
     AND ($3::text[] IS NULL OR i.district_code = ANY($3::text[]) OR i.subdistrict_code = ANY($3::text[])
          OR i.community_code = ANY($3::text[]))
     AND ($4::int IS NULL OR i.grid_id = $4::int)
     AND i.merged_into IS NULL
),
typed AS (
  SELECT c.*, s.type AS state_type FROM c JOIN incident_state s ON s.code = c.status
),
solved AS (
  -- The latest resolution of every case that is solved now (fixed or closed), and its level.
  SELECT t.id, r.level
    FROM typed t
    JOIN LATERAL (SELECT e.level FROM incident_event e
                   WHERE e.incident_id = t.id AND e.action = ANY($5::text[])
                   ORDER BY e.id DESC LIMIT 1) r ON true
   WHERE t.state_type IN ('fixed', 'closed')
),
timed AS (
  -- Events that end a deadline, with the level and department the deadline belonged to.
  SELECT e.level, e.department_id, e.on_time FROM c JOIN incident_event e ON e.incident_id = c.id WHERE e.on_time IS NOT NULL
),
stays AS (
  -- Time spent in each state: from the event entering it to the next change of state.
  SELECT e.to_state AS state, extract(epoch FROM (lead(e.at) OVER (PARTITION BY e.incident_id ORDER BY e.id) - e.at)) / 3600.0 AS hours
    FROM c JOIN incident_event e ON e.incident_id = c.id
   WHERE e.from_state IS DISTINCT FROM e.to_state
),
quarters AS (
  SELECT to_char((c.created_at AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY"Q"Q') AS quarter, c.grid_id, count(*)::int AS n
    FROM c WHERE c.grid_id IS NOT NULL GROUP BY 1, 2
),
ranked AS (
  SELECT q.*, g.name AS grid_name, row_number() OVER (PARTITION BY q.quarter ORDER BY q.n DESC, q.grid_id) AS rk
    FROM quarters q JOIN grid g ON g.id = q.grid_id
)
SELECT
  (SELECT json_build_object(
     'total', count(*), 'open', count(*) FILTER (WHERE state_type = 'open'),
     'fixed', count(*) FILTER (WHERE state_type = 'fixed'), 'closed', count(*) FILTER (WHERE state_type = 'closed'),
     'overdue', count(*) FILTER (WHERE overdue), 'escalated', count(*) FILTER (WHERE escalations > 0)) FROM typed) AS totals,
  (SELECT json_build_object('solved', count(*), 'atGrid', count(*) FILTER (WHERE level = 'grid')) FROM solved) AS grid_solved,
  (SELECT COALESCE(json_agg(json_build_object('level', level, 'total', total, 'onTime', on_time) ORDER BY level), '[]'::json)
     FROM (SELECT level, count(*) AS total, count(*) FILTER (WHERE on_time) AS on_time FROM timed GROUP BY level) x) AS on_time_level,
  (SELECT COALESCE(json_agg(json_build_object('code', d.code, 'name', d.name, 'total', x.total, 'onTime', x.on_time) ORDER BY d.code), '[]'::json)
     FROM (SELECT department_id, count(*) AS total, count(*) FILTER (WHERE on_time) AS on_time
             FROM timed WHERE level = 'department' AND department_id IS NOT NULL GROUP BY department_id) x
     JOIN department d ON d.id = x.department_id) AS on_time_department,
  (SELECT COALESCE(json_agg(json_build_object('state', state, 'count', n, 'meanHours', mean) ORDER BY state), '[]'::json)
     FROM (SELECT state, count(*) AS n, avg(hours)::float8 AS mean FROM stays WHERE hours IS NOT NULL GROUP BY state) x) AS stage_hours,
  (SELECT COALESCE(json_agg(json_build_object('category', category, 'name', name, 'count', n) ORDER BY n DESC, category), '[]'::json)
     FROM (SELECT c.category, cat.name, count(*) AS n FROM c JOIN incident_category cat ON cat.code = c.category
            GROUP BY c.category, cat.name ORDER BY n DESC, c.category LIMIT $7) x) AS top_categories,
  (SELECT COALESCE(json_agg(json_build_object('quarter', quarter, 'gridId', grid_id, 'gridName', grid_name, 'count', n)
                            ORDER BY quarter, n DESC, grid_id), '[]'::json)
     FROM ranked WHERE rk <= $6) AS hotspots,
  (SELECT COALESCE(json_object_agg(rating, n), '{}'::json)
     FROM (SELECT rating, count(*) AS n FROM c WHERE rating IS NOT NULL GROUP BY rating) x) AS ratings;
