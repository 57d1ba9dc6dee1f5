-- name: list
-- Special-care residents in the caller's jurisdiction: $1 community codes (NULL = all), $2 grid id
-- (NULL = any), $3 care group (NULL = any), $4 limit.
SELECT r.id, r.grid_id, g.name AS grid_name, r.building_id, r.name, r.phone, r.care_group, r.synthetic
  FROM resident_care r JOIN grid g ON g.id = r.grid_id
 WHERE ($1::text[] IS NULL OR g.community_code = ANY($1::text[]))
   AND ($2::int IS NULL OR r.grid_id = $2::int)
   AND ($3::text IS NULL OR r.care_group = $3)
 ORDER BY r.grid_id, r.id
 LIMIT $4;

-- name: one
SELECT r.id, r.grid_id, g.name AS grid_name, r.building_id, r.name, r.phone, r.care_group, r.synthetic
  FROM resident_care r JOIN grid g ON g.id = r.grid_id
 WHERE r.id = $1
   AND ($2::text[] IS NULL OR g.community_code = ANY($2::text[]))
   AND ($3::int IS NULL OR r.grid_id = $3::int);

-- name: seedSynthetic
-- Deterministic synthetic special-care residents: about one per 40 households of each grid, with
-- made-up names and numbers (never real people). Only for grids that have none yet.
INSERT INTO resident_care (grid_id, building_id, name, phone, care_group, synthetic, dataset_id)
SELECT g.id,
       (SELECT b.id FROM building b WHERE b.grid_id = g.id ORDER BY b.id OFFSET (n % GREATEST(1, (SELECT count(*) FROM building b2 WHERE b2.grid_id = g.id))) LIMIT 1),
       (ARRAY['王','李','张','刘','陈','杨','赵','黄','周','吴','徐','孙'])[1 + (g.id * 7 + n * 13) % 12] ||
       (ARRAY['秀英','桂兰','建国','淑珍','志强','海燕','国华','玉梅','德明','丽华'])[1 + (g.id * 11 + n * 3) % 10],
       '13' || lpad(((g.id * 7919 + n * 104729) % 1000000000)::text, 9, '0'),
       (ARRAY['dibao','empty_nest_elderly','disabled','veteran','left_behind_child'])[1 + (g.id + n) % 5],
       true, g.dataset_id
  FROM grid g
  CROSS JOIN LATERAL generate_series(1, GREATEST(1, g.households / 40)) AS n
 WHERE NOT EXISTS (SELECT 1 FROM resident_care r WHERE r.grid_id = g.id);

-- name: byGrid
-- Special-care residents counted per grid and group, in the caller's jurisdiction: $1 community
-- codes (NULL = all), $2 grid id (NULL = any). Grids with none are listed with zeros.
SELECT g.id AS grid_id, g.name AS grid_name, g.community_code, g.households,
       COALESCE(jsonb_object_agg(r.care_group, r.n) FILTER (WHERE r.care_group IS NOT NULL), '{}'::jsonb) AS groups,
       COALESCE(sum(r.n), 0)::int AS total
  FROM grid g
  LEFT JOIN (SELECT grid_id, care_group, count(*)::int AS n FROM resident_care GROUP BY grid_id, care_group) r ON r.grid_id = g.id
 WHERE ($1::text[] IS NULL OR g.community_code = ANY($1::text[]))
   AND ($2::int IS NULL OR g.id = $2::int)
 GROUP BY g.id
 ORDER BY g.id;
