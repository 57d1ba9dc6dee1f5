-- name: secret
SELECT hmac_key FROM public_secret WHERE id = 1;

-- name: insertSecret
INSERT INTO public_secret (id, hmac_key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING;

-- name: recentCodes
-- When codes were issued to phone $1 in the last hour (self-requested and desk-issued alike).
SELECT created_at FROM public_code WHERE phone_hash = $1 AND created_at > now() - interval '1 hour';

-- name: insertCode
-- $1 phone hash, $2 masked phone, $3 purpose, $4 code, $5 issued by, $6 seconds valid. Earlier
-- unused codes of the phone and purpose stop counting (only the latest is checked).
WITH old AS (
  UPDATE public_code SET code = NULL WHERE phone_hash = $1 AND purpose = $3 AND used_at IS NULL AND code IS NOT NULL
)
INSERT INTO public_code (phone_hash, phone_masked, purpose, code, issued_by, expires_at)
VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6::int))
RETURNING id, expires_at;

-- name: liveCode
-- The phone's latest code for a purpose that can still be used (what the desk reads out).
SELECT id, code, expires_at FROM public_code
 WHERE phone_hash = $1 AND purpose = $2 AND code IS NOT NULL AND used_at IS NULL AND expires_at > now() AND attempts < $3
 ORDER BY created_at DESC, id DESC LIMIT 1;

-- name: latestCode
-- The latest code of phone $1 for purpose $2, locked while it is checked.
SELECT id, code, expires_at, attempts, used_at, now() AS now FROM public_code
 WHERE phone_hash = $1 AND purpose = $2
 ORDER BY created_at DESC, id DESC LIMIT 1
 FOR UPDATE;

-- name: codeAttempt
UPDATE public_code SET attempts = attempts + 1 WHERE id = $1;

-- name: codeUsed
UPDATE public_code SET used_at = now(), code = NULL WHERE id = $1;

-- name: upsertResident
INSERT INTO public_resident (phone_hash, phone_masked) VALUES ($1, $2)
ON CONFLICT (phone_hash) DO UPDATE SET phone_masked = EXCLUDED.phone_masked
RETURNING id;

-- name: residentByHash
SELECT id, phone_masked FROM public_resident WHERE phone_hash = $1;

-- name: insertTicket
INSERT INTO public_ticket (token_hash, resident_id, purpose, expires_at)
VALUES ($1, $2, $3, now() + make_interval(secs => $4::int))
RETURNING expires_at;

-- name: ticket
SELECT t.id, t.resident_id, t.purpose, r.phone_hash, r.phone_masked
  FROM public_ticket t JOIN public_resident r ON r.id = t.resident_id
 WHERE t.token_hash = $1 AND t.expires_at > now();

-- name: reportsToday
-- Reports resident $1 filed since the start of the day in China.
SELECT count(*)::int AS n FROM public_report
 WHERE resident_id = $1 AND created_at >= (date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai');

-- name: insertPhoto
INSERT INTO photo (sha256, mime, bytes, width, height, created_by_kind, created_by_id, created_by_label)
VALUES ($1, $2, $3, $4, $5, 'resident', $6::int, $7)
ON CONFLICT (sha256, created_by_kind, created_by_id) DO NOTHING
RETURNING id, created_at;

-- name: photoByUpload
SELECT id, created_at FROM photo WHERE sha256 = $1 AND created_by_kind = 'resident' AND created_by_id = $2::int;

-- name: residentPhotos
-- Which of photos $1 resident $2 uploaded.
SELECT id FROM photo WHERE id = ANY($1::int[]) AND created_by_kind = 'resident' AND created_by_id = $2::int;

-- name: reportEvent
SELECT id FROM incident_event WHERE incident_id = $1 AND action = 'report' ORDER BY id LIMIT 1;

-- name: insertReport
INSERT INTO public_report (incident_id, resident_id, track_hash) VALUES ($1, $2, $3)
ON CONFLICT (incident_id) DO NOTHING;

-- name: reportOfIncident
SELECT id, resident_id FROM public_report WHERE incident_id = $1;

-- name: caseByTrack
-- The case behind a private link: what the resident may see (no staff names, no other reporter).
SELECT pr.id AS report_id, pr.resident_id, pr.rating, pr.rating_note, pr.rated_at, pr.rejected_at,
       i.id, i.category, c.name AS category_name, i.description, i.status, s.name AS status_name, s.type AS status_type,
       i.created_at, i.resolved_at, i.verified_at, i.closed_at, i.merged_into, i.community_code, d.name AS community_name,
       ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat
  FROM public_report pr
  JOIN incident i ON i.id = pr.incident_id
  JOIN incident_category c ON c.code = i.category
  JOIN incident_state s ON s.code = i.status
  LEFT JOIN division d ON d.code = i.community_code
 WHERE pr.track_hash = $1;

-- name: caseSteps
-- The trail as the resident sees it: what happened and when, never who.
SELECT action, to_state, at FROM incident_event WHERE incident_id = $1 ORDER BY at, id;

-- name: lockReport
SELECT pr.id, pr.incident_id, pr.rating, i.status FROM public_report pr JOIN incident i ON i.id = pr.incident_id
 WHERE pr.id = $1 FOR UPDATE OF pr;

-- name: rateReport
UPDATE public_report SET rating = $2, rating_note = $3, rated_at = now() WHERE id = $1 AND rating IS NULL;

-- name: rateIncident
-- The resident's rating is the case's satisfaction figure unless staff already recorded one (回访).
UPDATE incident SET rating = COALESCE(rating, $2), rated_at = COALESCE(rated_at, now()), updated_at = now() WHERE id = $1;

-- name: rateEvent
INSERT INTO incident_event (incident_id, action, from_state, to_state, level, to_level, actor_kind, actor_id, actor_label, actor_role, note, detail)
SELECT id, 'resident_rating', status, status, level, level, 'system', NULL, '居民（报告人）', NULL, $2, json_build_object('rating', $3::text)::jsonb
  FROM incident WHERE id = $1;

-- name: community
SELECT code, name FROM division WHERE code = $1 AND level = 'community';

-- name: communities
SELECT code, name FROM division WHERE level = 'community' ORDER BY code;

-- name: categories
SELECT code, name FROM incident_category ORDER BY sort, code;

-- name: district
SELECT d.code, d.name, ST_XMin(e) AS xmin, ST_YMin(e) AS ymin, ST_XMax(e) AS xmax, ST_YMax(e) AS ymax
  FROM division d, LATERAL (SELECT ST_Extent(geom)::geometry AS e FROM division WHERE code = d.code) x
 WHERE d.level = 'district' ORDER BY d.code LIMIT 1;

-- name: monthByCategory
-- Cases filed in community $1 since $2 (the month's start in China), by category: received (not
-- counting duplicates merged into another case) and solved (办结 or later), and any synthetic.
SELECT i.category, c.name, count(*)::int AS received,
       count(*) FILTER (WHERE s.type IN ('fixed', 'closed'))::int AS solved,
       bool_or(i.synthetic) AS synthetic
  FROM incident i JOIN incident_state s ON s.code = i.status JOIN incident_category c ON c.code = i.category
 WHERE i.community_code = $1 AND i.created_at >= $2 AND i.status <> 'duplicate'
 GROUP BY i.category, c.name, c.sort
 ORDER BY c.sort, i.category;

-- name: projects
SELECT id, community_code, year, title, description, status, done_at FROM public_project
 WHERE community_code = $1 AND year = $2 ORDER BY id;

-- name: projectsDone
-- Projects done in community $1 (any year), newest first.
SELECT id, year, title, description, done_at FROM public_project
 WHERE community_code = $1 AND status = 'done' ORDER BY done_at DESC, id DESC LIMIT 50;

-- name: projectById
SELECT id, community_code, year, title, description, status, done_at FROM public_project WHERE id = $1;

-- name: insertProject
INSERT INTO public_project (community_code, year, title, description, created_by) VALUES ($1, $2, $3, $4, $5)
RETURNING id, community_code, year, title, description, status, done_at;

-- name: setProjectStatus
UPDATE public_project SET status = $2, done_at = CASE WHEN $2 = 'done' THEN COALESCE(done_at, now()) ELSE NULL END
 WHERE id = $1
RETURNING id, community_code, year, title, description, status, done_at;

-- name: voteCounts
SELECT project_id, count(*)::int AS n FROM public_vote WHERE community_code = $1 AND year = $2 GROUP BY project_id;

-- name: insertVote
INSERT INTO public_vote (project_id, community_code, year, voter) VALUES ($1, $2, $3, $4)
ON CONFLICT (community_code, year, voter) DO NOTHING
RETURNING id;

-- name: insertVoteLink
INSERT INTO public_vote_link (token_hash, community_code, year, issued_by) VALUES ($1, $2, $3, $4)
RETURNING id, created_at;

-- name: voteLink
SELECT id, community_code, year, used_at FROM public_vote_link WHERE token_hash = $1 FOR UPDATE;

-- name: useVoteLink
UPDATE public_vote_link SET used_at = now() WHERE id = $1;

-- name: rules
SELECT per_valid_report, photo_bonus, daily_cap, updated_at, updated_by FROM points_rule WHERE id = 1;

-- name: setRules
UPDATE points_rule SET per_valid_report = $1, photo_bonus = $2, daily_cap = $3, updated_at = now(), updated_by = $4 WHERE id = 1
RETURNING per_valid_report, photo_bonus, daily_cap, updated_at, updated_by;

-- name: rootCase
-- The surviving case a case belongs to (following merged_into), locked for the award.
WITH RECURSIVE up(id, merged_into, depth) AS (
  SELECT id, merged_into, 0 FROM incident WHERE id = $1
  UNION ALL
  SELECT i.id, i.merged_into, up.depth + 1 FROM incident i JOIN up ON i.id = up.merged_into WHERE up.depth < 50
)
SELECT i.id, i.status, i.community_code FROM incident i
 WHERE i.id = (SELECT id FROM up ORDER BY depth DESC LIMIT 1)
 FOR UPDATE;

-- name: groupReports
-- Resident reports on case $1 and on every case merged into it (at any depth).
WITH RECURSIVE down(id, depth) AS (
  SELECT $1::int, 0
  UNION ALL
  SELECT i.id, down.depth + 1 FROM incident i JOIN down ON i.merged_into = down.id WHERE down.depth < 50
)
SELECT pr.resident_id, pr.incident_id, pr.created_at AS reported_at, pr.rejected_at IS NOT NULL AS rejected,
       EXISTS (SELECT 1 FROM incident_photo ip JOIN photo p ON p.id = ip.photo_id
                WHERE ip.incident_id = pr.incident_id AND p.created_by_kind = 'resident') AS has_photo
  FROM public_report pr JOIN down ON down.id = pr.incident_id;

-- name: awarded
SELECT EXISTS (SELECT 1 FROM points_ledger WHERE incident_id = $1 AND reason = 'valid_report') AS awarded,
       EXISTS (SELECT 1 FROM points_ledger WHERE incident_id = $1 AND reason = 'reversal') AS reversed;

-- name: earnedToday
SELECT COALESCE(sum(delta), 0)::int AS n FROM points_ledger
 WHERE resident_id = $1 AND reason = 'valid_report'
   AND at >= (date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai');

-- name: insertLedger
INSERT INTO points_ledger (resident_id, community_code, delta, reason, note, incident_id, actor)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT DO NOTHING
RETURNING id, resident_id, community_code, delta, reason, note, incident_id, actor, at;

-- name: balance
SELECT COALESCE(sum(delta), 0)::int AS n FROM points_ledger WHERE resident_id = $1;

-- name: awardOf
SELECT resident_id, community_code, delta FROM points_ledger WHERE incident_id = $1 AND reason = 'valid_report';

-- name: rejectReport
UPDATE public_report SET rejected_at = now(), rejected_note = $2 WHERE incident_id = $1 AND rejected_at IS NULL
RETURNING id;

-- name: ledger
-- The ledger of communities $1 (null = all), newest first, with the masked phone only.
SELECT l.id, l.resident_id, r.phone_masked, l.community_code, l.delta, l.reason, l.note, l.incident_id, l.actor, l.at
  FROM points_ledger l JOIN public_resident r ON r.id = l.resident_id
 WHERE ($1::text[] IS NULL OR l.community_code = ANY($1::text[]))
 ORDER BY l.at DESC, l.id DESC LIMIT $2;

-- name: board
-- Balances of the residents who earned in community $1.
SELECT r.id AS resident_id, r.phone_masked, sum(l.delta)::int AS points
  FROM points_ledger l JOIN public_resident r ON r.id = l.resident_id
 WHERE l.community_code = $1
 GROUP BY r.id, r.phone_masked;

-- name: reportPoints
-- Points resident $2 earned on case $1 (awards and their reversals).
SELECT COALESCE(sum(delta), 0)::int AS delta FROM points_ledger WHERE incident_id = $1 AND resident_id = $2;

-- name: incidentByKey
SELECT id FROM incident WHERE client_key = $1;

-- name: residentById
SELECT id, phone_masked FROM public_resident WHERE id = $1;

-- name: survivor
-- The case a merged case lives on in (following merged_into), with its state.
WITH RECURSIVE up(id, merged_into, depth) AS (
  SELECT id, merged_into, 0 FROM incident WHERE id = $1
  UNION ALL
  SELECT i.id, i.merged_into, up.depth + 1 FROM incident i JOIN up ON i.id = up.merged_into WHERE up.depth < 50
)
SELECT i.id, i.status, s.name AS status_name FROM incident i JOIN incident_state s ON s.code = i.status
 WHERE i.id = (SELECT id FROM up ORDER BY depth DESC LIMIT 1);

-- name: staffReports
-- Resident reports (随手拍) on cases of communities $1 (null = all) and grid $2 (null = any), newest
-- first, for the staff who mark them invalid or adjust points: the case and its state (and the state
-- of the case it lives on in when it was merged), whether the report was marked invalid, and the
-- points its resident holds for it (awards less reversals, on that surviving case). Masked phone only.
SELECT pr.incident_id AS case_id, pr.resident_id, r.phone_masked, pr.created_at AS reported_at, pr.rejected_at, pr.rejected_note,
       i.category, c.name AS category_name, i.description, i.status, s.name AS status_name, i.merged_into,
       i.community_code, d.name AS community_name, i.grid_id, root.id AS survivor_id, rs.status AS survivor_status,
       (SELECT COALESCE(sum(l.delta), 0)::int FROM points_ledger l WHERE l.incident_id = root.id AND l.resident_id = pr.resident_id) AS points
  FROM public_report pr
  JOIN public_resident r ON r.id = pr.resident_id
  JOIN incident i ON i.id = pr.incident_id
  JOIN incident_category c ON c.code = i.category
  JOIN incident_state s ON s.code = i.status
  LEFT JOIN division d ON d.code = i.community_code
  CROSS JOIN LATERAL (
    WITH RECURSIVE up(id, merged_into, depth) AS (
      SELECT i.id, i.merged_into, 0
      UNION ALL
      SELECT m.id, m.merged_into, up.depth + 1 FROM incident m JOIN up ON m.id = up.merged_into WHERE up.depth < 50
    )
    SELECT id FROM up ORDER BY depth DESC LIMIT 1
  ) root
  JOIN incident rs ON rs.id = root.id
 WHERE ($1::text[] IS NULL OR i.community_code = ANY($1::text[]))
   AND ($2::int IS NULL OR i.grid_id = $2::int)
 ORDER BY pr.created_at DESC, pr.id DESC
 LIMIT $3;
