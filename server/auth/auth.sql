-- name: subtree
WITH RECURSIVE t AS (
  SELECT code, level, 0 AS depth FROM division WHERE code = $1
  UNION ALL
  SELECT d.code, d.level, t.depth + 1 FROM division d JOIN t ON d.parent_code = t.code
)
SELECT code, level FROM t ORDER BY depth, code;

-- name: ancestors
-- Strict ancestors of a division, nearest first.
WITH RECURSIVE a AS (
  SELECT parent_code AS code, 1 AS depth FROM division WHERE code = $1
  UNION ALL
  SELECT d.parent_code, a.depth + 1 FROM division d JOIN a ON d.code = a.code WHERE d.parent_code IS NOT NULL
)
SELECT code FROM a WHERE code IS NOT NULL ORDER BY depth;

-- name: otherDistricts
-- Is there a district other than $1? (A district binding means "everything" only when there is not.)
SELECT EXISTS (SELECT 1 FROM division WHERE level = 'district' AND code <> $1) AS other;

-- name: gridScope
SELECT community_code FROM grid WHERE id = $1;

-- name: accountByUsername
SELECT id, username, display_name, password_hash, role, division_code, grid_id, department_id,
       active, must_change_password
  FROM account WHERE username = $1;

-- name: accountById
SELECT id, username, display_name, role, division_code, grid_id, department_id, active, must_change_password
  FROM account WHERE id = $1;

-- name: countAccounts
SELECT count(*)::int AS n FROM account;

-- name: insertAccount
INSERT INTO account (username, display_name, password_hash, role, division_code, grid_id, department_id, must_change_password)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING id;

-- name: insertSession
INSERT INTO session (id, account_id, csrf_token, expires_at, ip, user_agent)
VALUES ($1, $2, $3, now() + make_interval(secs => $4::float8), $5, $6);

-- name: sessionLookup
-- A live session joined to an active account; touching last_seen_at is done separately.
SELECT s.id AS session_id, s.csrf_token, a.id, a.username, a.display_name, a.role,
       a.division_code, a.grid_id, a.department_id, a.must_change_password
  FROM session s JOIN account a ON a.id = s.account_id
 WHERE s.id = $1 AND s.expires_at > now() AND a.active;

-- name: deleteSession
DELETE FROM session WHERE id = $1;

-- name: deleteAccountSessions
DELETE FROM session WHERE account_id = $1 AND id <> COALESCE($2, '');

-- name: tokenLookup
SELECT t.id, t.name, t.kind, t.role, t.division_code, t.grid_id, t.department_id
  FROM api_token t
 WHERE t.token_hash = $1 AND t.revoked_at IS NULL;

-- name: touchToken
UPDATE api_token SET last_used_at = now() WHERE id = $1;

-- name: insertAudit
INSERT INTO audit_log (account_id, token_id, actor, action, resource, resource_id, outcome, ip, user_agent, detail)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb);

-- name: setPassword
UPDATE account SET password_hash = $2, must_change_password = false, password_changed_at = now() WHERE id = $1;
