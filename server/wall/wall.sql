-- The command-centre wall (大屏): per-grid figures, KPI totals, rankings, sparklines and compact
-- case points. Every query takes the caller's jurisdiction the same way:
--   $1 division codes (a subtree: district/subdistrict/community codes; NULL = everything),
--   $2 one grid (NULL = any), $3 one department's cases only (NULL = all cases).
-- Merged duplicates never count (their survivor does). Unlocated cases have no point.

-- name: grids
-- Per grid: open and overdue cases now, cases reported since $5 (for the rate per 1,000
-- households), the Party organisation below it and its 一格三员 roles. $4 now.
WITH g AS (
  SELECT g.id, g.code, g.name, g.community_code, g.households
    FROM grid g
   WHERE ($1::text[] IS NULL OR g.community_code = ANY($1::text[]))
     AND ($2::int IS NULL OR g.id = $2::int)
),
c AS (
  SELECT i.grid_id,
         count(*) FILTER (WHERE s.type = 'open')::int AS open,
         count(*) FILTER (WHERE s.type = 'open' AND (i.overdue OR i.deadline_at < $4::timestamptz))::int AS overdue,
         count(*) FILTER (WHERE i.created_at >= $5::timestamptz)::int AS recent
    FROM incident i JOIN incident_state s ON s.code = i.status
   WHERE i.grid_id IN (SELECT id FROM g) AND i.merged_into IS NULL
     AND ($3::int IS NULL OR i.department_id = $3::int)
   GROUP BY i.grid_id
),
p AS (
  SELECT o.grid_id,
         count(*) FILTER (WHERE o.level = 'grid_branch')::int AS branches,
         COALESCE(sum(o.members) FILTER (WHERE o.level = 'grid_branch'), 0)::int AS members,
         count(*) FILTER (WHERE o.level = 'building_group')::int AS groups,
         count(*) FILTER (WHERE o.level = 'member_household')::int AS member_households
    FROM party_org o
   WHERE o.grid_id IN (SELECT id FROM g)
   GROUP BY o.grid_id
),
st AS (
  SELECT s.grid_id, array_agg(DISTINCT s.role ORDER BY s.role) AS roles
    FROM grid_staff s
   WHERE s.grid_id IN (SELECT id FROM g)
   GROUP BY s.grid_id
)
SELECT g.id, g.code, g.name, g.community_code, g.households,
       COALESCE(c.open, 0) AS open, COALESCE(c.overdue, 0) AS overdue, COALESCE(c.recent, 0) AS recent,
       COALESCE(p.branches, 0) AS branches, COALESCE(p.members, 0) AS members, COALESCE(p.groups, 0) AS groups,
       COALESCE(p.member_households, 0) AS member_households,
       COALESCE(st.roles, ARRAY[]::text[]) AS roles
  FROM g
  LEFT JOIN c ON c.grid_id = g.id
  LEFT JOIN p ON p.grid_id = g.id
  LEFT JOIN st ON st.grid_id = g.id
 ORDER BY g.id;

-- name: totals
-- KPI totals. $4 now, $5 start of today (Beijing), $6 window start (solved share, mean time to
-- resolve), $7 the actions that resolve a case. The solved share counts cases reported in the
-- window that are solved now, by the level of their latest resolution (as /api/reports/summary).
WITH c AS (
  SELECT i.id, i.created_at, i.resolved_at, i.overdue, i.deadline_at, s.type AS state_type
    FROM incident i JOIN incident_state s ON s.code = i.status
   WHERE ($1::text[] IS NULL OR i.district_code = ANY($1::text[]) OR i.subdistrict_code = ANY($1::text[])
          OR i.community_code = ANY($1::text[]))
     AND ($2::int IS NULL OR i.grid_id = $2::int)
     AND ($3::int IS NULL OR i.department_id = $3::int)
     AND i.merged_into IS NULL
),
solved AS (
  SELECT r.level
    FROM c
    JOIN LATERAL (SELECT e.level FROM incident_event e
                   WHERE e.incident_id = c.id AND e.action = ANY($7::text[])
                   ORDER BY e.id DESC LIMIT 1) r ON true
   WHERE c.state_type IN ('fixed', 'closed') AND c.created_at >= $6::timestamptz
)
SELECT count(*) FILTER (WHERE created_at >= $5::timestamptz)::int AS today,
       count(*) FILTER (WHERE resolved_at >= $5::timestamptz)::int AS resolved_today,
       count(*) FILTER (WHERE state_type = 'open')::int AS open,
       count(*) FILTER (WHERE state_type = 'open' AND (overdue OR deadline_at < $4::timestamptz))::int AS overdue,
       count(*) FILTER (WHERE created_at >= $6::timestamptz)::int AS recent,
       (SELECT count(*) FROM solved)::int AS solved,
       (SELECT count(*) FILTER (WHERE level = 'grid') FROM solved)::int AS solved_at_grid,
       (avg(extract(epoch FROM (resolved_at - created_at)) / 3600.0)
          FILTER (WHERE resolved_at >= $6::timestamptz AND resolved_at >= created_at))::float8 AS avg_close_hours
  FROM c;

-- name: series
-- Sparklines: cases reported and resolved per hour over the 24 hours before $4 (ago 0 = the last
-- hour), and reported per Beijing day over the 14 days before (ago 0 = today, $5 its start).
WITH c AS (
  SELECT i.created_at, i.resolved_at
    FROM incident i
   WHERE ($1::text[] IS NULL OR i.district_code = ANY($1::text[]) OR i.subdistrict_code = ANY($1::text[])
          OR i.community_code = ANY($1::text[]))
     AND ($2::int IS NULL OR i.grid_id = $2::int)
     AND ($3::int IS NULL OR i.department_id = $3::int)
     AND i.merged_into IS NULL
     AND (i.created_at >= $5::timestamptz - interval '13 days' OR i.resolved_at > $4::timestamptz - interval '24 hours')
)
SELECT 'created' AS kind, floor(extract(epoch FROM ($4::timestamptz - created_at)) / 3600)::int AS ago, count(*)::int AS n
  FROM c WHERE created_at > $4::timestamptz - interval '24 hours' AND created_at <= $4::timestamptz GROUP BY 2
UNION ALL
SELECT 'resolved', floor(extract(epoch FROM ($4::timestamptz - resolved_at)) / 3600)::int, count(*)::int
  FROM c WHERE resolved_at > $4::timestamptz - interval '24 hours' AND resolved_at <= $4::timestamptz GROUP BY 2
UNION ALL
SELECT 'daily', (13 - floor(extract(epoch FROM (created_at - ($5::timestamptz - interval '13 days'))) / 86400))::int, count(*)::int
  FROM c WHERE created_at >= $5::timestamptz - interval '13 days' AND created_at <= $4::timestamptz GROUP BY 2;

-- name: divisions
-- Subdistricts and communities in the jurisdiction with their households, grids and cases, for
-- the ranking: open and overdue now, reported today ($5) and since the window start ($6).
WITH d AS (
  SELECT d.code, d.name, d.level, d.parent_code
    FROM division d
   WHERE d.level IN ('subdistrict', 'community')
     AND ($1::text[] IS NULL OR d.code = ANY($1::text[]))
),
c AS (
  SELECT i.subdistrict_code, i.community_code, i.created_at, i.overdue, i.deadline_at, s.type AS state_type
    FROM incident i JOIN incident_state s ON s.code = i.status
   WHERE ($1::text[] IS NULL OR i.district_code = ANY($1::text[]) OR i.subdistrict_code = ANY($1::text[])
          OR i.community_code = ANY($1::text[]))
     AND ($2::int IS NULL OR i.grid_id = $2::int)
     AND ($3::int IS NULL OR i.department_id = $3::int)
     AND i.merged_into IS NULL
),
h AS (
  SELECT g.community_code, count(*)::int AS grids, COALESCE(sum(g.households), 0)::int AS households
    FROM grid g
   WHERE ($2::int IS NULL OR g.id = $2::int)
   GROUP BY g.community_code
)
SELECT d.code, d.name, d.level, d.parent_code,
       COALESCE((SELECT sum(h.grids) FROM h WHERE h.community_code = d.code
                    OR h.community_code IN (SELECT x.code FROM division x WHERE x.parent_code = d.code)), 0)::int AS grids,
       COALESCE((SELECT sum(h.households) FROM h WHERE h.community_code = d.code
                    OR h.community_code IN (SELECT x.code FROM division x WHERE x.parent_code = d.code)), 0)::int AS households,
       x.open, x.overdue, x.today, x.recent
  FROM d
  CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE c.state_type = 'open')::int AS open,
           count(*) FILTER (WHERE c.state_type = 'open' AND (c.overdue OR c.deadline_at < $4::timestamptz))::int AS overdue,
           count(*) FILTER (WHERE c.created_at >= $5::timestamptz)::int AS today,
           count(*) FILTER (WHERE c.created_at >= $6::timestamptz)::int AS recent
      FROM c WHERE c.community_code = d.code OR c.subdistrict_code = d.code
  ) x
 ORDER BY d.level DESC, d.code;

-- name: points
-- Located cases reported in [$4, $5), oldest first, at most $6: compact columns for the heat
-- map and the replay. t, r and d are epoch seconds (r = resolved, NULL while unresolved; d = the
-- deadline, NULL without one: the replay tells what was overdue at a past moment).
SELECT i.id, ST_X(i.geom)::float8 AS lon, ST_Y(i.geom)::float8 AS lat,
       extract(epoch FROM i.created_at)::float8 AS t,
       extract(epoch FROM i.resolved_at)::float8 AS r,
       extract(epoch FROM i.deadline_at)::float8 AS d,
       i.category, i.grid_id, s.type AS state_type, i.overdue
  FROM incident i JOIN incident_state s ON s.code = i.status
 WHERE ($1::text[] IS NULL OR i.district_code = ANY($1::text[]) OR i.subdistrict_code = ANY($1::text[])
        OR i.community_code = ANY($1::text[]))
   AND ($2::int IS NULL OR i.grid_id = $2::int)
   AND ($3::int IS NULL OR i.department_id = $3::int)
   AND i.merged_into IS NULL AND i.geom IS NOT NULL
   AND i.created_at >= $4::timestamptz AND i.created_at < $5::timestamptz
 ORDER BY i.created_at, i.id
 LIMIT $6;

-- name: gridInScope
-- $1 grid id, $2 division codes (NULL = any), $3 one grid (NULL = any).
SELECT g.id FROM grid g
 WHERE g.id = $1
   AND ($2::text[] IS NULL OR g.community_code = ANY($2::text[]))
   AND ($3::int IS NULL OR g.id = $3::int);
