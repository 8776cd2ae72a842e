-- Accounts, login sessions and the audit log. Statements run in order by store.migrate()
-- after schema.sql; each is idempotent.

-- name: create_users
-- People who may log in. towns are county/town keys, counties county names: the places an
-- editor may write. Passwords are argon2 hashes, never plain text.
CREATE TABLE IF NOT EXISTS users (
    name VARCHAR PRIMARY KEY,
    display_name VARCHAR,
    role VARCHAR NOT NULL,
    counties VARCHAR[] NOT NULL DEFAULT [],
    towns VARCHAR[] NOT NULL DEFAULT [],
    disabled BOOLEAN NOT NULL DEFAULT false,
    password_hash VARCHAR NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    created_at TIMESTAMP,
    updated_at TIMESTAMP
);

-- name: create_login_sessions
-- A login that survives a reload: the browser keeps a random token, the database its sha256.
CREATE TABLE IF NOT EXISTS login_sessions (
    token_sha256 VARCHAR PRIMARY KEY,
    user_name VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen TIMESTAMP NOT NULL
);

-- name: create_audit_log
-- Append-only record of every write, login and user change. Nothing updates or deletes it.
CREATE TABLE IF NOT EXISTS audit_log (
    audit_id BIGINT PRIMARY KEY,  -- max + 1 under the write lock, so rows carried over by a restore keep order
    logged_at TIMESTAMP NOT NULL,
    user_name VARCHAR,
    action VARCHAR NOT NULL,
    scope VARCHAR,
    counts_json VARCHAR,
    file_name VARCHAR,
    sha256 VARCHAR,
    batch_id VARCHAR,
    detail VARCHAR
);
