-- name: services
-- Incident categories as Open311 services: grouped by the department the responsibility list
-- whistles for them, described by the grid deadline.
SELECT c.code, c.name, COALESCE(dep.name, dept.handler) AS group_name, grid.deadline_hours
  FROM incident_category c
  LEFT JOIN LATERAL (
    SELECT r.handler FROM responsibility_rule r
     WHERE r.level = 'department' AND r.category IN (c.code, '*') ORDER BY r.category = '*' LIMIT 1
  ) dept ON true
  LEFT JOIN department dep ON dep.code = dept.handler
  LEFT JOIN LATERAL (
    SELECT r.deadline_hours FROM responsibility_rule r
     WHERE r.level = 'grid' AND r.category IN (c.code, '*') ORDER BY r.category = '*' LIMIT 1
  ) grid ON true
 ORDER BY c.sort, c.code;

-- name: requests
-- Cases as Open311 service requests. $1 ids (NULL = any), $2 categories (NULL = any), $3 from,
-- $4 until (NULL = open-ended), $5 states (NULL = any); the caller's jurisdiction: $6 division
-- codes (NULL = all), $7 one grid, $8 one department; $9 limit. Newest first.
SELECT i.id, i.category, c.name AS service_name, i.description, i.status,
       ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat, i.address, i.media_url, i.created_at, i.updated_at, i.deadline_at,
       CASE i.level WHEN 'department' THEN dep.name WHEN 'grid' THEN g.name WHEN 'community' THEN cd.name
                    ELSE COALESCE(sd.name, dd.name) END AS agency,
       (SELECT e.note FROM incident_event e WHERE e.incident_id = i.id AND e.note IS NOT NULL ORDER BY e.id DESC LIMIT 1) AS last_note
  FROM incident i
  JOIN incident_category c ON c.code = i.category
  LEFT JOIN grid g ON g.id = i.grid_id
  LEFT JOIN department dep ON dep.id = i.department_id
  LEFT JOIN division cd ON cd.code = i.community_code
  LEFT JOIN division sd ON sd.code = i.subdistrict_code
  LEFT JOIN division dd ON dd.code = i.district_code
 WHERE ($1::int[] IS NULL OR i.id = ANY($1::int[]))
   AND ($2::text[] IS NULL OR i.category = ANY($2::text[]))
   AND ($3::timestamptz IS NULL OR i.created_at >= $3::timestamptz)
   AND ($4::timestamptz IS NULL OR i.created_at <= $4::timestamptz)
   AND ($5::text[] IS NULL OR i.status = ANY($5::text[]))
   AND ($6::text[] IS NULL OR i.district_code = ANY($6::text[]) OR i.subdistrict_code = ANY($6::text[])
        OR i.community_code = ANY($6::text[]))
   AND ($7::int IS NULL OR i.grid_id = $7::int)
   AND ($8::int IS NULL OR i.department_id = $8::int)
 ORDER BY i.created_at DESC, i.id DESC
 LIMIT $9;

-- name: keyCreated
SELECT created_at FROM incident WHERE client_key = $1;
