-- name: locateMany
-- Locate WGS84 points ($1 a JSON array of {i, lon, lat}) in one statement: grid, community,
-- subdistrict and district of each (and the grid's name, for the new case's view). The grid decides the community when there is one; otherwise
-- the community polygon; the rest follows the tree (each step by the GiST index).
WITH p AS (
  SELECT (e->>'i')::int AS i, ST_SetSRID(ST_MakePoint((e->>'lon')::float8, (e->>'lat')::float8), 4326) AS g
    FROM json_array_elements($1::json) AS t(e)
),
gh AS (
  SELECT p.i, p.g, hit.id AS grid_id, hit.name AS grid_name, hit.community_code AS grid_community
    FROM p LEFT JOIN LATERAL (
      SELECT g.id, g.name, g.community_code FROM grid g WHERE ST_Intersects(g.geom, p.g) ORDER BY g.id LIMIT 1
    ) hit ON true
),
c AS (
  SELECT gh.i, gh.g, gh.grid_id, gh.grid_name, COALESCE(gh.grid_community,
           (SELECT d.code FROM division d WHERE d.level = 'community' AND ST_Intersects(d.geom, gh.g) ORDER BY d.code LIMIT 1)
         ) AS community_code
    FROM gh
),
s AS (
  SELECT c.*, COALESCE(
           (SELECT d.parent_code FROM division d WHERE d.code = c.community_code),
           (SELECT d.code FROM division d WHERE d.level = 'subdistrict' AND ST_Intersects(d.geom, c.g) ORDER BY d.code LIMIT 1)
         ) AS subdistrict_code
    FROM c
)
SELECT s.i, s.grid_id, s.grid_name, s.community_code, s.subdistrict_code,
       COALESCE(
         (SELECT d.parent_code FROM division d WHERE d.code = s.subdistrict_code),
         (SELECT d.code FROM division d WHERE d.level = 'district' AND ST_Intersects(d.geom, s.g) ORDER BY d.code LIMIT 1)
       ) AS district_code
  FROM s
 ORDER BY s.i;

-- name: deskDistrict
-- The district whose desk takes unlocated hotline cases: among $1 (the operator's divisions and
-- their ancestors; NULL = any), the first district.
SELECT code FROM division WHERE level = 'district' AND ($1::text[] IS NULL OR code = ANY($1::text[])) ORDER BY code LIMIT 1;

-- name: knownCategories
SELECT code FROM incident_category WHERE code = ANY($1::text[]);

-- name: byClientKeys
SELECT id, client_key, body_hash, grid_id, community_code, subdistrict_code, district_code, department_id,
       reported_by_kind, reported_by_id
  FROM incident WHERE client_key = ANY($1::text[]);

-- name: insertMany
-- New cases with their reporter and first trail entry, in one statement. $1 a JSON array of cases
-- (no point: lon/lat null; photos and detail for the trail entry); $2–$5 who reported (kind, id,
-- label, role), $6 when. Keys stored meanwhile by a concurrent request are skipped (and replayed
-- after). Returns each new case's id, its trail entry's id and updated_at (the transaction's
-- clock even when $6 is a past time): with what the caller sent, the whole new case, unread.
WITH x AS (
  SELECT * FROM json_to_recordset($1::json) AS x(
    i int, client_key text, body_hash text, category text, description text, source text, lon float8, lat float8,
    input_crs text, grid_id int, community_code text, subdistrict_code text, district_code text, synthetic boolean,
    level text, handler text, deadline_at timestamptz, unlocated boolean, address text, media_url text, photos jsonb, detail jsonb)
),
ins AS (
  INSERT INTO incident (client_key, body_hash, category, description, source, geom, input_crs,
                        grid_id, community_code, subdistrict_code, district_code, synthetic,
                        level, handler, deadline_at, reported_by_kind, reported_by_id, reported_by_label, created_at,
                        unlocated, address, media_url)
  SELECT x.client_key, x.body_hash, x.category, x.description, x.source,
         CASE WHEN x.lon IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(x.lon, x.lat), 4326) END, x.input_crs,
         x.grid_id, x.community_code, x.subdistrict_code, x.district_code, x.synthetic,
         x.level, x.handler, x.deadline_at, $2, $3::int, $4, $6::timestamptz,
         x.unlocated, x.address, x.media_url
    FROM x
   ORDER BY x.client_key -- every transaction takes its keys in the same order: overlapping batches wait, never deadlock
  ON CONFLICT (client_key) DO NOTHING
  RETURNING id, client_key, source, level, updated_at
),
reporter AS (
  INSERT INTO incident_reporter (incident_id, source, client_key, reported_at, actor_kind, actor_id, actor_label)
  SELECT ins.id, ins.source, ins.client_key, $6::timestamptz, $2, $3::int, $4 FROM ins
),
report AS (
  INSERT INTO incident_event (incident_id, action, from_state, to_state, level, to_level, actor_kind, actor_id, actor_label,
                              actor_role, at, photos, detail)
  SELECT ins.id, 'report', NULL, 'reported', NULL, ins.level, $2, $3::int, $4, $5, $6::timestamptz, x.photos, x.detail
    FROM ins JOIN x ON x.client_key = ins.client_key
  RETURNING id, incident_id
)
SELECT ins.id, ins.client_key, report.id::text AS event_id, ins.updated_at FROM ins JOIN report ON report.incident_id = ins.id;

-- name: insertContacts
-- Callers' contact details (personal data), $1 a JSON array.
INSERT INTO incident_contact (incident_id, name, phone, email, device_id, account_id)
SELECT x.incident_id, x.name, x.phone, x.email, x.device_id, x.account_id
  FROM json_to_recordset($1::json) AS x(incident_id int, name text, phone text, email text, device_id text, account_id text);

-- name: contacts
SELECT incident_id, name, phone, email, device_id, account_id FROM incident_contact WHERE incident_id = ANY($1::int[]);

-- name: select
-- The presenter's view of incidents. $1 ids.
SELECT i.id, i.client_key, i.category, i.description, i.source, i.status,
       ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat, i.input_crs,
       i.grid_id, g.name AS grid_name, i.community_code, i.subdistrict_code, i.district_code,
       i.synthetic, i.created_at, i.updated_at,
       i.level, i.handler, dep.code AS department_code, dep.name AS department_name, i.deadline_at, i.overdue,
       i.escalations, i.resolved_by_label, i.resolved_at, i.verified_by_label, i.verified_at, i.closed_at,
       i.rating, i.merged_into, (SELECT count(*)::int FROM incident_reporter r WHERE r.incident_id = i.id) AS reporters,
       i.unlocated, i.address, i.media_url
  FROM incident i LEFT JOIN grid g ON g.id = i.grid_id LEFT JOIN department dep ON dep.id = i.department_id
 WHERE i.id = ANY($1::int[])
 ORDER BY i.id;

-- name: list
-- $1 since (NULL = all), $2 division codes (NULL = all), $3 limit, $4 one grid (NULL = any),
-- $5 one department (NULL = any: departments see only the cases with them), $6 states (NULL = any),
-- $7 overdue (NULL = either), $8 level (NULL = any). Newest last.
SELECT * FROM (
  SELECT i.id, i.client_key, i.category, i.description, i.source, i.status,
         ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat, i.input_crs,
         i.grid_id, g.name AS grid_name, i.community_code, i.subdistrict_code, i.district_code,
         i.synthetic, i.created_at, i.updated_at,
         i.level, i.handler, dep.code AS department_code, dep.name AS department_name, i.deadline_at, i.overdue,
         i.escalations, i.resolved_by_label, i.resolved_at, i.verified_by_label, i.verified_at, i.closed_at,
         i.rating, i.merged_into, (SELECT count(*)::int FROM incident_reporter r WHERE r.incident_id = i.id) AS reporters,
         i.unlocated, i.address, i.media_url
    FROM incident i LEFT JOIN grid g ON g.id = i.grid_id LEFT JOIN department dep ON dep.id = i.department_id
   WHERE ($1::timestamptz IS NULL OR i.updated_at > $1::timestamptz)
     AND ($2::text[] IS NULL OR i.district_code = ANY($2::text[]) OR i.subdistrict_code = ANY($2::text[])
          OR i.community_code = ANY($2::text[]))
     AND ($4::int IS NULL OR i.grid_id = $4::int)
     AND ($5::int IS NULL OR i.department_id = $5::int)
     AND ($6::text[] IS NULL OR i.status = ANY($6::text[]))
     AND ($7::boolean IS NULL OR i.overdue = $7::boolean)
     AND ($8::text IS NULL OR i.level = $8::text)
   ORDER BY i.updated_at DESC, i.id DESC
   LIMIT $3
) s ORDER BY updated_at, id;
