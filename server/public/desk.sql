-- name: markDesk
-- The phone's ($1 hash) latest usable code for purpose $2 was handed out at the desk by $3.
UPDATE public_code SET desk_by = $3
 WHERE id = (SELECT id FROM public_code
              WHERE phone_hash = $1 AND purpose = $2 AND code IS NOT NULL AND used_at IS NULL
              ORDER BY created_at DESC, id DESC LIMIT 1)
RETURNING id;

-- name: deskCodes
-- Codes the desk account $1 handed out, newest first ($2 limit); never the code itself.
SELECT id, phone_masked, purpose, issued_by, created_at, expires_at, used_at, attempts, (code IS NOT NULL) AS has_code, now() AS now
  FROM public_code
 WHERE desk_by = $1
 ORDER BY created_at DESC, id DESC
 LIMIT $2;

-- name: voteLinks
-- One-time voting links of communities $1 (NULL = all), year $2 (NULL = any), newest first ($3 limit); never the token.
SELECT l.id, l.community_code, c.name AS community_name, l.year, l.issued_by, l.created_at, l.used_at
  FROM public_vote_link l JOIN division c ON c.code = l.community_code
 WHERE ($1::text[] IS NULL OR l.community_code = ANY($1::text[]))
   AND ($2::int IS NULL OR l.year = $2::int)
 ORDER BY l.created_at DESC, l.id DESC
 LIMIT $3;
