-- Upgrade of the account tables from version 1 to 2: the audit log's hash chain and
-- retention. Run by AccountStore::Migrate in the transaction that then chains the existing
-- rows (audit_log.h ChainUnhashedAuditRows) and records version 2. The part after the ALTER
-- and DROPs is the end of schema.sql, in the same words.

ALTER TABLE audit ADD COLUMN hash TEXT NOT NULL DEFAULT '';
DROP TRIGGER audit_no_update;
DROP TRIGGER audit_no_delete;

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
