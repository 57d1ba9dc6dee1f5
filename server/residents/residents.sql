-- name: list
-- People in the caller's jurisdiction, with their tags and last visit: $1 community codes (NULL =
-- all), $2 grid id (NULL = any), $3 tag code (NULL = any), $4 limit, $5 grid id asked for (NULL = any).
SELECT p.id, p.grid_id, g.name AS grid_name, p.building_id, p.name, p.phone, p.id_number, p.synthetic,
       COALESCE((SELECT array_agg(t.tag_code ORDER BY rt.sort, t.tag_code) FROM person_tag t JOIN resident_tag rt ON rt.code = t.tag_code WHERE t.person_id = p.id), '{}') AS tags,
       (SELECT max(v.visited_on)::text FROM person_visit v WHERE v.person_id = p.id) AS last_visit
  FROM person p JOIN grid g ON g.id = p.grid_id
 WHERE ($1::text[] IS NULL OR g.community_code = ANY($1::text[]))
   AND ($2::int IS NULL OR p.grid_id = $2::int)
   AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM person_tag t WHERE t.person_id = p.id AND t.tag_code = $3))
   AND ($5::int IS NULL OR p.grid_id = $5::int)
 ORDER BY p.grid_id, p.id
 LIMIT $4;

-- name: one
SELECT p.id, p.grid_id, g.name AS grid_name, p.building_id, p.name, p.phone, p.id_number, p.synthetic,
       COALESCE((SELECT array_agg(t.tag_code ORDER BY rt.sort, t.tag_code) FROM person_tag t JOIN resident_tag rt ON rt.code = t.tag_code WHERE t.person_id = p.id), '{}') AS tags,
       (SELECT max(v.visited_on)::text FROM person_visit v WHERE v.person_id = p.id) AS last_visit
  FROM person p JOIN grid g ON g.id = p.grid_id
 WHERE p.id = $1
   AND ($2::text[] IS NULL OR g.community_code = ANY($2::text[]))
   AND ($3::int IS NULL OR p.grid_id = $3::int);

-- name: houses
-- Houses in the jurisdiction: $1 communities, $2 grid, $3 tag, $4 limit.
SELECT h.id, h.grid_id, g.name AS grid_name, h.building_id, h.unit, h.owner_name, h.owner_phone, h.synthetic,
       COALESCE((SELECT array_agg(t.tag_code ORDER BY t.tag_code) FROM house_tag t WHERE t.house_id = h.id), '{}') AS tags
  FROM house h JOIN grid g ON g.id = h.grid_id
 WHERE ($1::text[] IS NULL OR g.community_code = ANY($1::text[]))
   AND ($2::int IS NULL OR h.grid_id = $2::int)
   AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM house_tag t WHERE t.house_id = h.id AND t.tag_code = $3))
 ORDER BY h.grid_id, h.id
 LIMIT $4;

-- name: firms
SELECT f.id, f.grid_id, g.name AS grid_name, f.building_id, f.name, f.credit_code, f.contact_name, f.contact_phone, f.synthetic,
       COALESCE((SELECT array_agg(t.tag_code ORDER BY t.tag_code) FROM firm_tag t WHERE t.firm_id = f.id), '{}') AS tags
  FROM firm f JOIN grid g ON g.id = f.grid_id
 WHERE ($1::text[] IS NULL OR g.community_code = ANY($1::text[]))
   AND ($2::int IS NULL OR f.grid_id = $2::int)
   AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM firm_tag t WHERE t.firm_id = f.id AND t.tag_code = $3))
 ORDER BY f.grid_id, f.id
 LIMIT $4;

-- name: byGrid
-- Records counted per grid and tag (people, houses and firms; tag codes are unique across kinds),
-- in the caller's jurisdiction: $1 community codes (NULL = all), $2 grid id (NULL = any), $3..$6 a
-- bbox (NULL = any), $7 limit of grids. Grids with none are listed with zeros; total = people.
WITH g AS (
  SELECT g.id, g.name, g.community_code, g.households FROM grid g
   WHERE ($1::text[] IS NULL OR g.community_code = ANY($1::text[]))
     AND ($2::int IS NULL OR g.id = $2::int)
     AND ($3::float8 IS NULL OR g.geom && ST_MakeEnvelope($3::float8, $4::float8, $5::float8, $6::float8, 4326))
   ORDER BY g.id
   LIMIT $7
), c AS (
  SELECT p.grid_id, t.tag_code, count(*)::int AS n FROM person p JOIN person_tag t ON t.person_id = p.id WHERE p.grid_id IN (SELECT id FROM g) GROUP BY 1, 2
  UNION ALL
  SELECT h.grid_id, t.tag_code, count(*)::int FROM house h JOIN house_tag t ON t.house_id = h.id WHERE h.grid_id IN (SELECT id FROM g) GROUP BY 1, 2
  UNION ALL
  SELECT f.grid_id, t.tag_code, count(*)::int FROM firm f JOIN firm_tag t ON t.firm_id = f.id WHERE f.grid_id IN (SELECT id FROM g) GROUP BY 1, 2
)
SELECT g.id AS grid_id, g.name AS grid_name, g.community_code, g.households,
       COALESCE((SELECT jsonb_object_agg(c.tag_code, c.n) FROM c WHERE c.grid_id = g.id), '{}'::jsonb) AS tags,
       (SELECT count(*)::int FROM person p WHERE p.grid_id = g.id) AS total
  FROM g
 ORDER BY g.id;

-- name: tags
-- The tag list with the records carrying each tag in the jurisdiction: $1 communities, $2 grid.
SELECT rt.code, rt.name, rt.applies_to, rt.sensitive, rt.visit_days, rt.sort,
       (SELECT count(*)::int FROM person_tag t JOIN person p ON p.id = t.person_id JOIN grid g ON g.id = p.grid_id
         WHERE t.tag_code = rt.code AND ($1::text[] IS NULL OR g.community_code = ANY($1::text[])) AND ($2::int IS NULL OR g.id = $2::int))
     + (SELECT count(*)::int FROM house_tag t JOIN house h ON h.id = t.house_id JOIN grid g ON g.id = h.grid_id
         WHERE t.tag_code = rt.code AND ($1::text[] IS NULL OR g.community_code = ANY($1::text[])) AND ($2::int IS NULL OR g.id = $2::int))
     + (SELECT count(*)::int FROM firm_tag t JOIN firm f ON f.id = t.firm_id JOIN grid g ON g.id = f.grid_id
         WHERE t.tag_code = rt.code AND ($1::text[] IS NULL OR g.community_code = ANY($1::text[])) AND ($2::int IS NULL OR g.id = $2::int)) AS count
  FROM resident_tag rt
 ORDER BY rt.sort, rt.code;

-- name: tagList
SELECT code, name, applies_to, sensitive, visit_days, sort FROM resident_tag ORDER BY sort, code;

-- name: tagOne
SELECT code, name, applies_to, sensitive, visit_days, sort FROM resident_tag WHERE code = $1;

-- name: tagInsert
INSERT INTO resident_tag (code, name, applies_to, sensitive, visit_days, sort) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT DO NOTHING
RETURNING code, name, applies_to, sensitive, visit_days, sort;

-- name: tagUpdate
-- applies_to is fixed once a tag exists (records carry it).
UPDATE resident_tag SET name = $2, sensitive = $3, visit_days = $4, sort = $5 WHERE code = $1
RETURNING code, name, applies_to, sensitive, visit_days, sort;

-- name: tagNameTaken
SELECT code FROM resident_tag WHERE name = $1 AND code <> $2;

-- name: tagUses
SELECT (SELECT count(*) FROM person_tag WHERE tag_code = $1) + (SELECT count(*) FROM house_tag WHERE tag_code = $1)
     + (SELECT count(*) FROM firm_tag WHERE tag_code = $1) AS n;

-- name: tagDelete
DELETE FROM resident_tag WHERE code = $1 RETURNING code;

-- name: setPersonTagsClear
DELETE FROM person_tag WHERE person_id = $1;

-- name: setPersonTagsAdd
INSERT INTO person_tag (person_id, tag_code) SELECT $1, unnest($2::text[]);

-- name: visitInsert
INSERT INTO person_visit (person_id, account_id, actor, visited_on, note) VALUES ($1, $2, $3, $4::date, $5)
RETURNING id, person_id, visited_on::text AS visited_on, note, actor;

-- name: visitCandidates
-- People with at least one tag that has a visit interval, in the jurisdiction, with their tags and
-- last visit: $1 communities, $2 grid.
SELECT p.id, p.name, p.phone, p.grid_id, g.name AS grid_name, p.building_id, b.name AS building_name,
       array_agg(t.tag_code ORDER BY rt.sort) AS tags,
       (SELECT max(v.visited_on)::text FROM person_visit v WHERE v.person_id = p.id) AS last_visit
  FROM person p
  JOIN grid g ON g.id = p.grid_id
  JOIN person_tag t ON t.person_id = p.id
  JOIN resident_tag rt ON rt.code = t.tag_code
  LEFT JOIN building b ON b.id = p.building_id
 WHERE ($1::text[] IS NULL OR g.community_code = ANY($1::text[]))
   AND ($2::int IS NULL OR p.grid_id = $2::int)
 GROUP BY p.id, g.name, b.name
HAVING bool_or(rt.visit_days IS NOT NULL);

-- name: visitIntervals
SELECT code, visit_days FROM resident_tag WHERE visit_days IS NOT NULL;

-- name: seedSynthetic
-- Deterministic synthetic pool for grids that have no people yet: about one person per 40
-- households with one or two care tags, one house per 60 households (a third 出租屋), one firm per
-- 150 households (小微企业 / 九小场所). Made-up names and numbers, never real people; no id numbers.
WITH grids AS (
  SELECT g.id, g.households, g.dataset_id,
         (SELECT array_agg(b.id ORDER BY b.id) FROM building b WHERE b.grid_id = g.id) AS bs
    FROM grid g
   WHERE NOT EXISTS (SELECT 1 FROM person p WHERE p.grid_id = g.id)
), people AS (
  INSERT INTO person (grid_id, building_id, name, phone, synthetic, dataset_id)
  SELECT g.id, g.bs[1 + n % GREATEST(1, cardinality(g.bs))],
         (ARRAY['王','李','张','刘','陈','杨','赵','黄','周','吴','徐','孙'])[1 + (g.id * 7 + n * 13) % 12] ||
         (ARRAY['秀英','桂兰','建国','淑珍','志强','海燕','国华','玉梅','德明','丽华'])[1 + (g.id * 11 + n * 3) % 10],
         '13' || lpad(((g.id * 7919 + n * 104729) % 1000000000)::text, 9, '0'),
         true, g.dataset_id
    FROM grids g CROSS JOIN LATERAL generate_series(1, GREATEST(1, g.households / 40)) AS n
  RETURNING id, grid_id
), people_tags AS (
  INSERT INTO person_tag (person_id, tag_code)
  SELECT DISTINCT p.id, (ARRAY['dibao','empty_nest_elderly','disabled','veteran','left_behind_child','living_alone','key_person'])[1 + (p.id * k + p.grid_id) % 7]
    FROM people p CROSS JOIN LATERAL (SELECT unnest(CASE WHEN p.id % 3 = 0 THEN ARRAY[1, 5] ELSE ARRAY[1] END) AS k) kk
  RETURNING person_id
), houses AS (
  INSERT INTO house (grid_id, building_id, unit, owner_name, owner_phone, synthetic, dataset_id)
  SELECT g.id, g.bs[1 + n % cardinality(g.bs)],
         (1 + n / 6 % 4)::text || '单元' || (1 + n % 6)::text || lpad((1 + (n / 24) % 2)::text, 2, '0'),
         (ARRAY['郑','钱','冯','陈','褚','卫','蒋','沈'])[1 + (g.id + n * 5) % 8] || (ARRAY['立新','红梅','永强','春华','文静'])[1 + (g.id * 3 + n) % 5],
         '15' || lpad(((g.id * 6151 + n * 99991) % 1000000000)::text, 9, '0'),
         true, g.dataset_id
    FROM grids g CROSS JOIN LATERAL generate_series(1, GREATEST(1, g.households / 60)) AS n
   WHERE cardinality(g.bs) > 0
  ON CONFLICT DO NOTHING
  RETURNING id, grid_id
), house_tags AS (
  INSERT INTO house_tag (house_id, tag_code)
  SELECT h.id, CASE WHEN h.id % 7 = 0 THEN 'vacant' ELSE 'rental' END FROM houses h WHERE h.id % 3 = 0 OR h.id % 7 = 0
  RETURNING house_id
), firms AS (
  INSERT INTO firm (grid_id, building_id, name, contact_name, contact_phone, synthetic, dataset_id)
  SELECT g.id, g.bs[1 + (n * 7) % GREATEST(1, cardinality(g.bs))],
         (ARRAY['便民','惠民','鑫源','福达','安康','同心'])[1 + (g.id + n) % 6] || (ARRAY['超市','餐馆','五金店','理发店','快递站','洗衣店'])[1 + (g.id * 5 + n) % 6] || '（合成）',
         (ARRAY['何','吕','施','张'])[1 + n % 4] || '经理',
         '18' || lpad(((g.id * 4337 + n * 7919) % 1000000000)::text, 9, '0'),
         true, g.dataset_id
    FROM grids g CROSS JOIN LATERAL generate_series(1, GREATEST(1, g.households / 150)) AS n
  RETURNING id
), firm_tags AS (
  INSERT INTO firm_tag (firm_id, tag_code)
  SELECT f.id, CASE WHEN f.id % 2 = 0 THEN 'small_firm' ELSE 'nine_small' END FROM firms f
  RETURNING firm_id
)
SELECT (SELECT count(*) FROM people) AS people, (SELECT count(*) FROM people_tags) AS person_tags,
       (SELECT count(*) FROM houses) AS houses, (SELECT count(*) FROM house_tags) AS house_tags,
       (SELECT count(*) FROM firms) AS firms, (SELECT count(*) FROM firm_tags) AS firm_tags;

-- name: gridsByRef
-- Grids of the district a file names, by code, name or id: $1 refs.
SELECT g.id, g.code, g.name, g.community_code FROM grid g
 WHERE g.code = ANY($1::text[]) OR g.name = ANY($1::text[]) OR g.id::text = ANY($1::text[]);

-- name: buildingsById
SELECT id, grid_id FROM building WHERE id = ANY($1::int[]);

-- name: existingIdNumbers
SELECT id_number FROM person WHERE id_number = ANY($1::text[]);

-- name: existingCreditCodes
SELECT credit_code FROM firm WHERE credit_code = ANY($1::text[]);

-- name: existingUnits
SELECT building_id || ':' || unit AS k FROM house WHERE building_id = ANY($1::int[]);

-- name: insertPeople
-- One statement per import: $1 json array of {grid, building, name, phone, idNumber, tags}.
WITH rows AS (
  SELECT r.ord, (r.v->>'grid')::int AS grid_id, (r.v->>'building')::int AS building_id, r.v->>'name' AS name,
         COALESCE(r.v->>'phone', '') AS phone, r.v->>'idNumber' AS id_number, r.v->'tags' AS tags
    FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS r(v, ord)
), ins AS (
  INSERT INTO person (grid_id, building_id, name, phone, id_number, synthetic)
  SELECT grid_id, building_id, name, phone, id_number, false FROM rows ORDER BY ord
  RETURNING id, id_number, grid_id, name, phone
), numbered AS (
  SELECT ins.id, row_number() OVER (ORDER BY ins.id) AS ord FROM ins
), tagged AS (
  INSERT INTO person_tag (person_id, tag_code)
  SELECT n.id, jsonb_array_elements_text(r.tags) FROM numbered n JOIN rows r ON r.ord = n.ord
  RETURNING person_id
)
SELECT (SELECT array_agg(id ORDER BY id) FROM ins) AS ids, (SELECT count(*)::int FROM tagged) AS tags;

-- name: insertHouses
WITH rows AS (
  SELECT r.ord, (r.v->>'grid')::int AS grid_id, (r.v->>'building')::int AS building_id, r.v->>'unit' AS unit,
         NULLIF(r.v->>'name', '') AS owner_name, r.v->>'phone' AS owner_phone, r.v->'tags' AS tags
    FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS r(v, ord)
), ins AS (
  INSERT INTO house (grid_id, building_id, unit, owner_name, owner_phone, synthetic)
  SELECT grid_id, building_id, unit, owner_name, owner_phone, false FROM rows ORDER BY ord
  RETURNING id
), numbered AS (
  SELECT ins.id, row_number() OVER (ORDER BY ins.id) AS ord FROM ins
), tagged AS (
  INSERT INTO house_tag (house_id, tag_code)
  SELECT n.id, jsonb_array_elements_text(r.tags) FROM numbered n JOIN rows r ON r.ord = n.ord
  RETURNING house_id
)
SELECT (SELECT array_agg(id ORDER BY id) FROM ins) AS ids, (SELECT count(*)::int FROM tagged) AS tags;

-- name: insertFirms
WITH rows AS (
  SELECT r.ord, (r.v->>'grid')::int AS grid_id, (r.v->>'building')::int AS building_id, r.v->>'name' AS name,
         r.v->>'creditCode' AS credit_code, r.v->>'contactName' AS contact_name, r.v->>'phone' AS contact_phone, r.v->'tags' AS tags
    FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS r(v, ord)
), ins AS (
  INSERT INTO firm (grid_id, building_id, name, credit_code, contact_name, contact_phone, synthetic)
  SELECT grid_id, building_id, name, credit_code, contact_name, contact_phone, false FROM rows ORDER BY ord
  RETURNING id
), numbered AS (
  SELECT ins.id, row_number() OVER (ORDER BY ins.id) AS ord FROM ins
), tagged AS (
  INSERT INTO firm_tag (firm_id, tag_code)
  SELECT n.id, jsonb_array_elements_text(r.tags) FROM numbered n JOIN rows r ON r.ord = n.ord
  RETURNING firm_id
)
SELECT (SELECT array_agg(id ORDER BY id) FROM ins) AS ids, (SELECT count(*)::int FROM tagged) AS tags;
