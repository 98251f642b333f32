-- Accounts and the audit log, in the recording index's database (src/store/schema.sql owns
-- the rest of the file). Applied by AccountStore::Open in one transaction; the row
-- ('auth_schema_version', N) in the store's meta table holds the version of these tables.
-- Times are Unix microseconds (UTC).

-- Names compare without regard to case: "Admin" and "admin" are one user.
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL,      -- Argon2id, "$argon2id$v=19$m=...,t=...,p=...$salt$hash"
  role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
  created_us INTEGER NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0
);

-- The cameras a viewer or operator may see; admins see every camera whatever is here, and a
-- non-admin without rows sees none.
CREATE TABLE user_cameras (
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  camera TEXT NOT NULL,
  PRIMARY KEY (user_id, camera)
) WITHOUT ROWID;

-- Logged-in browsers. The client holds the token; only its SHA-256 is here. A session ends
-- at expires_us (absolute) or when last_seen_us is older than the idle limit.
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,  -- SHA-256 hex
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_us INTEGER NOT NULL,
  expires_us INTEGER NOT NULL,
  last_seen_us INTEGER NOT NULL,
  remote TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Long-lived tokens for scripts, named per user. Only the SHA-256 of the token is here.
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,  -- SHA-256 hex
  created_us INTEGER NOT NULL,
  last_used_us INTEGER NOT NULL DEFAULT 0,
  UNIQUE (user_id, name)
);

-- Who did what, when, to which camera and time range: logins (successes and failures), views,
-- exports, user and permission changes. `user` is a name, not a reference, so that the record
-- outlives the account. Empty strings and zero times mean "not applicable". AUTOINCREMENT:
-- an id is never reused, so paging by id is stable.
CREATE TABLE audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time_us INTEGER NOT NULL,
  user TEXT NOT NULL COLLATE NOCASE,
  action TEXT NOT NULL,
  camera TEXT NOT NULL DEFAULT '',
  start_us INTEGER NOT NULL DEFAULT 0,
  end_us INTEGER NOT NULL DEFAULT 0,
  remote TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  ok INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX audit_by_time ON audit (time_us);
CREATE INDEX audit_by_user ON audit (user, id);
CREATE INDEX audit_by_camera ON audit (camera, id);

-- Append-only: no row is changed or deleted through SQL. This guards against mistakes and
-- against code paths gone wrong, not against someone who can write the file (they can drop
-- the triggers). How long the audit log is kept is an open question: until it is decided the
-- log grows forever, and a retention rule will come as a migration that replaces the delete
-- trigger.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
