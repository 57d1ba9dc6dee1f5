-- Party organisations (党建): 社区党委 › 网格党支部 › 楼栋党小组 › 党员中心户, inside a jurisdiction.
-- $1 division codes (NULL = everything), $2 one grid (NULL = any: a grid worker sees their
-- community's committee and their own grid's organisations only).

-- name: nodes
-- Every organisation with the grids it covers (a committee: the community's grids in scope; the
-- others: their grid) and the extent to fly to (its building, else its grid, else its community).
SELECT o.id, o.parent_id, o.level, o.name, o.community_code, c.name AS community_name,
       o.grid_id, g.name AS grid_name, o.building_id, b.name AS building_name, o.members, o.synthetic,
       CASE WHEN o.grid_id IS NULL
            THEN COALESCE((SELECT array_agg(x.id ORDER BY x.id) FROM grid x
                            WHERE x.community_code = o.community_code AND ($2::int IS NULL OR x.id = $2::int)), ARRAY[]::int[])
            ELSE ARRAY[o.grid_id] END AS grid_ids,
       ST_XMin(e.box) AS xmin, ST_YMin(e.box) AS ymin, ST_XMax(e.box) AS xmax, ST_YMax(e.box) AS ymax
  FROM party_org o
  JOIN division c ON c.code = o.community_code
  LEFT JOIN grid g ON g.id = o.grid_id
  LEFT JOIN building b ON b.id = o.building_id
  CROSS JOIN LATERAL (SELECT COALESCE(b.geom::box2d, g.geom::box2d, c.geom::box2d) AS box) e
 WHERE ($1::text[] IS NULL OR o.community_code = ANY($1::text[]))
   AND ($2::int IS NULL OR o.grid_id = $2::int OR o.grid_id IS NULL)
 ORDER BY o.community_code,
          CASE o.level WHEN 'community_committee' THEN 0 WHEN 'grid_branch' THEN 1 WHEN 'building_group' THEN 2 ELSE 3 END,
          o.grid_id NULLS FIRST, o.id;

-- name: grids
-- The grids in scope with whether a 网格党支部 covers them, and their extent.
SELECT g.id, g.code, g.name, g.community_code, c.name AS community_name, g.households,
       EXISTS (SELECT 1 FROM party_org o WHERE o.grid_id = g.id AND o.level = 'grid_branch') AS covered,
       ST_XMin(g.geom::box2d) AS xmin, ST_YMin(g.geom::box2d) AS ymin, ST_XMax(g.geom::box2d) AS xmax, ST_YMax(g.geom::box2d) AS ymax
  FROM grid g JOIN division c ON c.code = g.community_code
 WHERE ($1::text[] IS NULL OR g.community_code = ANY($1::text[]))
   AND ($2::int IS NULL OR g.id = $2::int)
 ORDER BY g.community_code, g.code;
