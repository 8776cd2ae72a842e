-- Accounts, login sessions and the audit log.

-- name: user_by_name
-- One account, with its lock state.
SELECT name, display_name, role, counties, towns, disabled, password_hash, failed_logins, locked_until
FROM users WHERE name = $name;

-- name: user_list
-- Every account, without password hashes.
SELECT name, display_name, role, counties, towns, disabled, failed_logins, locked_until, created_at, updated_at
FROM users ORDER BY name;

-- name: user_count_admins
-- Enabled admins (the last one may not be disabled or demoted).
SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled;

-- name: user_insert
-- A new account.
INSERT INTO users (name, display_name, role, counties, towns, disabled, password_hash,
                   failed_logins, locked_until, created_at, updated_at)
VALUES ($name, $display_name, $role, $counties, $towns, false, $password_hash, 0, NULL, $now, $now);

-- name: user_update
-- Role, scope and display name of an account.
UPDATE users SET display_name = $display_name, role = $role, counties = $counties, towns = $towns,
                 updated_at = $now
WHERE name = $name;

-- name: user_set_password
-- A new password hash; clears the lock.
UPDATE users SET password_hash = $password_hash, failed_logins = 0, locked_until = NULL, updated_at = $now
WHERE name = $name;

-- name: user_set_disabled
-- Disable or enable an account.
UPDATE users SET disabled = $disabled, updated_at = $now WHERE name = $name;

-- name: user_login_failed
-- Count a wrong password; lock the account once the limit is reached.
UPDATE users SET failed_logins = failed_logins + 1,
                 locked_until = CASE WHEN failed_logins + 1 >= $max_failures THEN $lock_until ELSE locked_until END
WHERE name = $name;

-- name: user_login_ok
-- A good password clears the failure count.
UPDATE users SET failed_logins = 0, locked_until = NULL WHERE name = $name;

-- name: session_insert
-- Remember a login.
INSERT INTO login_sessions (token_sha256, user_name, created_at, last_seen) VALUES ($token_sha256, $user_name, $now, $now);

-- name: session_get
-- A remembered login.
SELECT token_sha256, user_name, created_at, last_seen FROM login_sessions WHERE token_sha256 = $token_sha256;

-- name: session_touch
-- Keep a login alive.
UPDATE login_sessions SET last_seen = $now WHERE token_sha256 = $token_sha256;

-- name: session_delete
-- Log out.
DELETE FROM login_sessions WHERE token_sha256 = $token_sha256;

-- name: session_delete_user
-- End every login of an account (disabled, or its password changed).
DELETE FROM login_sessions WHERE user_name = $user_name;

-- name: session_delete_idle
-- Forget logins idle since before the cutoff.
DELETE FROM login_sessions WHERE last_seen < $cutoff;

-- name: audit_insert
-- Append one audit row.
INSERT INTO audit_log (audit_id, logged_at, user_name, action, scope, counts_json, file_name, sha256, batch_id, detail)
SELECT coalesce(max(audit_id), 0) + 1, $at, $user_name, $action, $scope, $counts_json, $file_name, $sha256,
       $batch_id, $detail
FROM audit_log;

-- name: audit_entries
-- The audit log, newest first; optionally since a time, for one user, or touching given places.
SELECT audit_id, logged_at, user_name, action, scope, counts_json, file_name, sha256, batch_id, detail
FROM audit_log
WHERE ($since IS NULL OR logged_at >= $since)
  AND ($user_name IS NULL OR user_name = $user_name)
  AND ($action IS NULL OR action = $action)
ORDER BY audit_id DESC
LIMIT $limit;

-- name: auth_gazetteer_towns
-- county and town of every gazetteer town and of every town that holds projects (scope choices).
SELECT county, town FROM towns
UNION
SELECT DISTINCT county, town FROM projects WHERE county IS NOT NULL AND town IS NOT NULL;

-- name: carry_over_accounts
-- After a restore: accounts and sessions as they were just before it (attached as `prior`).
DELETE FROM users;
-- name: carry_over_users
-- (continued) the accounts of the prior file.
INSERT INTO users SELECT * FROM prior.users;
-- name: carry_over_sessions_clear
-- (continued) logins of the prior file.
DELETE FROM login_sessions;
-- name: carry_over_sessions
-- (continued)
INSERT INTO login_sessions SELECT * FROM prior.login_sessions;
-- name: carry_over_audit
-- (continued) audit rows the restored file lacks: the log outlives every restore.
INSERT INTO audit_log SELECT * FROM prior.audit_log
WHERE audit_id > (SELECT coalesce(max(audit_id), 0) FROM audit_log);

-- name: scope_stored_places
-- Where the projects an import would touch are now (registered frame scope_ids).
SELECT p.project_id, p.county, p.town FROM projects AS p JOIN scope_ids AS s USING (project_id);

-- name: scope_batch_places
-- Every county/town a batch touched: the projects as they are and their before-images.
SELECT p.county, p.town
FROM project_versions AS v JOIN projects AS p USING (project_id)
WHERE v.batch_id = $batch_id
UNION
SELECT json_extract_string(v.row_json, '$.project.county'), json_extract_string(v.row_json, '$.project.town')
FROM project_versions AS v
WHERE v.batch_id = $batch_id AND json_extract_string(v.row_json, '$.project.county') IS NOT NULL;
