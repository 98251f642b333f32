-- Accounts and the audit log, in the recording index's database (src/store/schema.sql owns
-- the rest of the file): the current schema, applied by AccountStore::Open in one transaction
-- to a new database. The row ('auth_schema_version', N) in the store's meta table holds the
-- version of these tables; an older database is brought here by the upgrade steps
-- (upgrade_v2.sql, upgrade_v3.sql, ...; AccountStore::Migrate), which must give the same tables, indexes and
-- triggers (account_store_test.cc compares them). Times are Unix microseconds (UTC).

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
  -- When the token stops working; 0: never (tokens made before version 3, and those created
  -- with no expiry on purpose).
  expires_us INTEGER NOT NULL DEFAULT 0,
  UNIQUE (user_id, name)
);

-- Who did what, when, to which camera and time range: logins (successes and failures), views,
-- exports, user and permission changes. `user` is a name, not a reference, so that the record
-- outlives the account. Empty strings and zero times mean "not applicable". AUTOINCREMENT:
-- an id is never reused, so paging by id is stable. `hash` chains the rows (version 2;
-- src/auth/audit_log.h): SHA-256 over the previous row's hash and this row's fields.
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
  ok INTEGER NOT NULL DEFAULT 1,
  hash TEXT NOT NULL DEFAULT ''  -- last: version 2 added it with ALTER TABLE
);
CREATE INDEX audit_by_time ON audit (time_us);
CREATE INDEX audit_by_user ON audit (user, id);
CREATE INDEX audit_by_camera ON audit (camera, id);

-- Version 2: the hash chain and retention. Everything below this line is also in
-- upgrade_v2.sql, in the same words.

-- Where the chain starts: retention drops the oldest rows (config auth.audit_retention) and
-- keeps here the id and hash of the last one dropped, so the first kept row still verifies.
-- 64 zeros and id 0 for a log that never dropped a row. One row.
CREATE TABLE audit_chain (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  origin_id INTEGER NOT NULL,
  origin_hash TEXT NOT NULL
);
INSERT INTO audit_chain (id, origin_id, origin_hash)
  VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Append-only: no row is changed through SQL (but for the hash of a row chained by the
-- upgrade to version 2), and only retention deletes: the oldest rows, after moving the chain's
-- origin past them; the origin only moves forward. This guards against mistakes and code
-- paths gone wrong; the hash chain makes edits by someone who can write the file (and drop
-- these triggers) visible to `sightline check`.
CREATE TRIGGER audit_no_update
  BEFORE UPDATE OF id, time_us, user, action, camera, start_us, end_us, remote, detail, ok
  ON audit BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
-- A row's hash is written once: at the INSERT, or by the upgrade that chains older rows.
CREATE TRIGGER audit_hash_once BEFORE UPDATE OF hash ON audit WHEN OLD.hash != '' BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  WHEN OLD.id > (SELECT origin_id FROM audit_chain WHERE id = 1) BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only: retention drops only the oldest rows');
END;
CREATE TRIGGER audit_chain_forward BEFORE UPDATE ON audit_chain
  WHEN NEW.id != OLD.id OR NEW.origin_id < OLD.origin_id BEGIN
  SELECT RAISE(ABORT, 'the audit chain origin only moves forward');
END;
CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain BEGIN
  SELECT RAISE(ABORT, 'the audit chain origin is kept');
END;
