-- Test fixture: schema.sql as it was at version 1, byte for byte below this line, to test
-- the upgrade of databases created by it (index_motion_test.cc).
-- The recording index: the current schema, applied as one migration to a new database.
-- docs/design/storage.md explains the protocol these tables serve; its invariants refer to
-- them. Times are Unix microseconds (UTC) unless a name says otherwise; sizes are bytes.
-- PRAGMA user_version holds the schema version (src/store/migrations.cc).

-- Facts about this database: 'db_uuid' (written into every storage directory's meta file, so
-- a disk and an index that do not belong together are detected) and 'generation' (raised at
-- every start, also mirrored into the meta files, so an index restored from a backup is
-- detected).
CREATE TABLE meta (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- Storage directories, identified by the uuid in their meta file, not by their path: a disk
-- may be mounted elsewhere and still be recognised.
CREATE TABLE dirs (
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  path TEXT NOT NULL
);

-- One row per (camera, stream) ever recorded. `bytes` and `max_duration_us` are kept up to
-- date by the triggers below: retention reads per-stream totals without a table scan, and a
-- range query bounds its index scan by the longest segment.
CREATE TABLE streams (
  id INTEGER PRIMARY KEY,
  camera TEXT NOT NULL,
  stream TEXT NOT NULL,
  bytes INTEGER NOT NULL DEFAULT 0,
  max_duration_us INTEGER NOT NULL DEFAULT 0,
  UNIQUE (camera, stream)
);

-- One row per segment file: <dir>/<camera>/<stream>/<seq, 10 digits>.mp4.
CREATE TABLE segments (
  id INTEGER PRIMARY KEY,
  stream_id INTEGER NOT NULL REFERENCES streams (id),
  seq INTEGER NOT NULL,             -- per-stream sequence; seq order is time order
  dir_id INTEGER NOT NULL REFERENCES dirs (id),
  start_us INTEGER NOT NULL,        -- wall time of the first frame
  end_us INTEGER NOT NULL,          -- start_us + media duration of the durable fragments
  codec TEXT NOT NULL,              -- RFC 6381, e.g. avc1.640028
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  init_length INTEGER NOT NULL,     -- bytes of ftyp + moov at the start of the file
  durable_length INTEGER NOT NULL,  -- fdatasync'ed and valid: init + the fragments below
  frames INTEGER NOT NULL,
  -- The fragments in the first durable_length bytes, packed by src/store/fragment_table.h:
  -- per fragment its length, duration, sample count and wall-clock offset.
  fragments BLOB NOT NULL,
  open INTEGER NOT NULL DEFAULT 1,      -- 1 while the recorder may still append
  protected INTEGER NOT NULL DEFAULT 0, -- 1: evidence lock, retention never deletes it
  UNIQUE (stream_id, seq)
);
CREATE INDEX segments_by_time ON segments (stream_id, start_us);

-- Files to delete (retention's step 1 moves rows here in the same transaction that deletes
-- them from segments); emptied after the unlink and the directory sync.
CREATE TABLE garbage (
  dir_id INTEGER NOT NULL REFERENCES dirs (id),
  path TEXT NOT NULL,               -- relative to the directory
  PRIMARY KEY (dir_id, path)
) WITHOUT ROWID;

-- Things an operator should know about: storage too slow, disk full, data lost at recovery.
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  time_us INTEGER NOT NULL,
  kind TEXT NOT NULL,               -- 'storage_too_slow', 'disk_full', 'recovery', ...
  camera TEXT NOT NULL DEFAULT '',
  stream TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL
);
CREATE INDEX events_by_time ON events (time_us);

CREATE TRIGGER segments_insert AFTER INSERT ON segments BEGIN
  UPDATE streams SET bytes = bytes + NEW.durable_length,
      max_duration_us = max(max_duration_us, NEW.end_us - NEW.start_us)
    WHERE id = NEW.stream_id;
END;
CREATE TRIGGER segments_update AFTER UPDATE OF durable_length, end_us ON segments BEGIN
  UPDATE streams SET bytes = bytes - OLD.durable_length + NEW.durable_length,
      max_duration_us = max(max_duration_us, NEW.end_us - NEW.start_us)
    WHERE id = NEW.stream_id;
END;
CREATE TRIGGER segments_delete AFTER DELETE ON segments BEGIN
  UPDATE streams SET bytes = bytes - OLD.durable_length WHERE id = OLD.stream_id;
END;
