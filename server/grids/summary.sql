-- The grid info card (GET /api/grids/:id/summary). Every query takes the grid id as $1; the grid
-- itself is looked up inside the caller's jurisdiction ($2 community codes, $3 one grid; NULL = any).

-- name: grid
SELECT g.id, g.name
  FROM grid g
 WHERE g.id = $1
   AND ($2::text[] IS NULL OR g.community_code = ANY($2::text[]))
   AND ($3::int IS NULL OR g.id = $3::int);

-- name: staff
-- 一格三员 of the grid by duty, in the order $2 (grid worker first).
SELECT s.role, s.name, s.phone, s.synthetic
  FROM grid_staff s
 WHERE s.grid_id = $1
 ORDER BY array_position($2::text[], s.role), s.id;

-- name: party
-- The grid's Party branches (网格党支部) and the counts of what sits below them in the grid.
SELECT COALESCE(json_agg(json_build_object('name', o.name, 'members', o.members) ORDER BY o.id)
                  FILTER (WHERE o.level = 'grid_branch'), '[]'::json) AS branches,
       count(*) FILTER (WHERE o.level = 'building_group')::int AS building_groups,
       count(*) FILTER (WHERE o.level = 'member_household')::int AS member_households,
       COALESCE(bool_or(o.synthetic), false) AS synthetic
  FROM party_org o
 WHERE o.grid_id = $1;

-- name: cases
-- Cases: open now, open and past their deadline (or marked overdue), reported since $2 (the start
-- of the Beijing month) — merged duplicates not counted — and the total as GET /api/incidents
-- lists them (every state). $1 one grid (NULL = any), $3 one department's cases only (NULL = all),
-- $4 now, $5 division codes (a subtree; NULL = any), $6 the caller's own grid (NULL = any).
SELECT count(*)::int AS total,
       count(*) FILTER (WHERE i.merged_into IS NULL AND s.type = 'open')::int AS open,
       count(*) FILTER (WHERE i.merged_into IS NULL AND s.type = 'open' AND (i.overdue OR i.deadline_at < $4::timestamptz))::int AS overdue,
       count(*) FILTER (WHERE i.merged_into IS NULL AND i.created_at >= $2::timestamptz)::int AS this_month
  FROM incident i JOIN incident_state s ON s.code = i.status
 WHERE ($1::int IS NULL OR i.grid_id = $1::int)
   AND ($3::int IS NULL OR i.department_id = $3::int)
   AND ($5::text[] IS NULL OR i.district_code = ANY($5::text[]) OR i.subdistrict_code = ANY($5::text[])
        OR i.community_code = ANY($5::text[]))
   AND ($6::int IS NULL OR i.grid_id = $6::int);
