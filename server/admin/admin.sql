-- name: listAccounts
SELECT a.id, a.username, a.display_name, a.role, a.division_code, d.name AS division_name,
       a.grid_id, g.name AS grid_name, a.department_id, dep.name AS department_name,
       a.active, a.must_change_password, a.created_at
  FROM account a
  LEFT JOIN division d ON d.code = a.division_code
  LEFT JOIN grid g ON g.id = a.grid_id
  LEFT JOIN department dep ON dep.id = a.department_id
 ORDER BY a.id;

-- name: updateAccount
UPDATE account SET
  display_name  = COALESCE($2, display_name),
  role          = COALESCE($3, role),
  division_code = CASE WHEN $4::boolean THEN $5 ELSE division_code END,
  grid_id       = CASE WHEN $4::boolean THEN $6::int ELSE grid_id END,
  department_id = CASE WHEN $4::boolean THEN $7::int ELSE department_id END,
  active        = COALESCE($8, active)
WHERE id = $1
RETURNING id;

-- name: resetPassword
UPDATE account SET password_hash = $2, must_change_password = true, password_changed_at = now() WHERE id = $1;

-- name: endSessions
DELETE FROM session WHERE account_id = $1;

-- name: listTokens
-- With the names of the bindings (the admin page loads no grid list to look them up).
SELECT t.id, t.name, t.kind, t.role, t.prefix, t.division_code, d.name AS division_name, t.grid_id, g.name AS grid_name,
       t.department_id, dep.name AS department_name, t.created_at, t.last_used_at, t.revoked_at, a.username AS created_by
  FROM api_token t LEFT JOIN account a ON a.id = t.created_by
  LEFT JOIN division d ON d.code = t.division_code
  LEFT JOIN grid g ON g.id = t.grid_id
  LEFT JOIN department dep ON dep.id = t.department_id
 ORDER BY t.id;

-- name: insertToken
INSERT INTO api_token (token_hash, prefix, name, kind, role, division_code, grid_id, department_id, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
RETURNING id, created_at;

-- name: revokeToken
UPDATE api_token SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id;

-- name: tokenById
SELECT id, name, kind, role, division_code, grid_id, department_id, revoked_at FROM api_token WHERE id = $1;

-- name: rotateToken
UPDATE api_token SET token_hash = $2, prefix = $3, last_used_at = NULL WHERE id = $1 AND revoked_at IS NULL RETURNING id;

-- name: listDepartments
SELECT id, code, name, synthetic FROM department ORDER BY code;

-- name: insertDepartment
INSERT INTO department (code, name, synthetic) VALUES ($1, $2, $3) RETURNING id;

-- name: listAudit
SELECT id, at, actor, action, resource, resource_id, outcome, ip, user_agent, detail
  FROM audit_log
 WHERE ($1::timestamptz IS NULL OR at >= $1::timestamptz)
 ORDER BY id DESC
 LIMIT $2;
