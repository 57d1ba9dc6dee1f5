-- name: insert
-- One row per uploader of a file; a retried upload by the same principal returns nothing here.
INSERT INTO photo (sha256, mime, bytes, width, height, created_by_kind, created_by_id, created_by_label)
VALUES ($1, $2, $3, $4, $5, $6, $7::int, $8)
ON CONFLICT (sha256, created_by_kind, created_by_id) DO NOTHING
RETURNING id, sha256, mime, bytes, width, height, created_at;

-- name: byUpload
SELECT id, sha256, mime, bytes, width, height, created_at
  FROM photo WHERE sha256 = $1 AND created_by_kind = $2 AND created_by_id = $3::int;

-- name: byIds
SELECT id, sha256, mime, bytes, width, height, created_by_kind, created_by_id, created_at
  FROM photo WHERE id = ANY($1::int[]);

-- name: casesOf
-- The cases photos $1 are on, with what the jurisdiction check needs.
SELECT ip.photo_id, i.id, i.grid_id, i.community_code, i.subdistrict_code, i.district_code, i.department_id
  FROM incident_photo ip JOIN incident i ON i.id = ip.incident_id
 WHERE ip.photo_id = ANY($1::int[]);

-- name: activitiesOf
-- The Party branch activities (支部台账) photos $1 are on, with the branch's grid and community.
SELECT ap.photo_id, o.grid_id, o.community_code
  FROM party_activity_photo ap JOIN party_activity a ON a.id = ap.activity_id JOIN party_org o ON o.id = a.branch_id
 WHERE ap.photo_id = ANY($1::int[]);

-- name: ofIncident
-- Photos on case $1 in the order they were added, with the trail entry they came with.
SELECT p.id, p.mime, p.bytes, p.width, p.height, ip.added_at, ip.event_id, e.action, p.created_by_label
  FROM incident_photo ip JOIN photo p ON p.id = ip.photo_id LEFT JOIN incident_event e ON e.id = ip.event_id
 WHERE ip.incident_id = $1
 ORDER BY ip.added_at, ip.event_id, p.id;

-- name: link
-- $1 a JSON array of {incident_id, photo_id, event_id}; $2 when. A photo already on a case stays
-- with the step it first came with.
INSERT INTO incident_photo (incident_id, photo_id, event_id, added_at)
SELECT x.incident_id, x.photo_id, x.event_id, $2::timestamptz
  FROM json_to_recordset($1::json) AS x(incident_id int, photo_id int, event_id bigint)
ON CONFLICT (incident_id, photo_id) DO NOTHING;
