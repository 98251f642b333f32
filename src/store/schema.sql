-- The recording index: the current schema (version 2), applied as one migration to a new
-- database. An existing database is brought here by the numbered upgrade steps
-- (upgrade_v2.sql, ...; Index::Migrate in src/store/index.cc), which must give the same
-- tables, indexes and triggers (index_motion_test.cc compares them).
-- docs/design/storage.md explains the protocol these tables serve; its invariants refer to
-- them. Times are Unix microseconds (UTC) unless a name says otherwise; sizes are bytes.
-- PRAGMA user_version holds the schema version.

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
  -- 1: overlaps a closed motion event of the segment's camera (retention's motion tier); set
  -- by the triggers at the end, never cleared. Last: version 2 added it with ALTER TABLE.
  motion INTEGER NOT NULL DEFAULT 0,
  UNIQUE (stream_id, seq)
);
CREATE INDEX segments_by_time ON segments (stream_id, start_us);
-- Retention's tiers: the oldest segments with and without motion, each an index seek.
CREATE INDEX segments_by_motion ON segments (stream_id, motion, start_us);

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

-- Version 2: motion. Everything below this line is also in upgrade_v2.sql, in the same words.

-- Motion events of a camera, found on its analysed stream (role detect) by the motion
-- detector and event tracker. The interval includes pre- and post-capture.
CREATE TABLE motion_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: clients may keep ids
  camera TEXT NOT NULL,
  stream TEXT NOT NULL,                  -- the analysed stream
  start_us INTEGER NOT NULL,             -- first motion - pre_capture
  end_us INTEGER,                        -- last motion + post_capture; NULL while open
  zones TEXT NOT NULL DEFAULT '',        -- zones entered, comma-separated (names have no comma)
  peak_fraction REAL NOT NULL DEFAULT 0, -- the largest changed fraction of the picture
  peak_us INTEGER NOT NULL DEFAULT 0,    -- when: the thumbnail's moment
  thumbnail BLOB                         -- JPEG of the peak; NULL until the analysis sends one
);
CREATE INDEX motion_events_by_start ON motion_events (camera, start_us);
-- Overlap tests against recent segments read only the events that end after them.
CREATE INDEX motion_events_by_end ON motion_events (camera, end_us);

-- The motion grid of every analysed frame, in chunks of about 60 s per analysed stream
-- (src/store/motion_grid_chunk.h), so that "motion inside this rectangle between T1 and T2" is
-- answered without decoding video. A grid is 32 x 18 cells of one bit, 72 bytes: cell index =
-- row * 32 + column (row 0 at the top, column 0 at the left), byte index / 8, most
-- significant bit first (src/motion/motion_grid.h, MotionGrid::Serialize).
CREATE TABLE motion_grids (
  id INTEGER PRIMARY KEY,
  stream_id INTEGER NOT NULL REFERENCES streams (id),
  start_us INTEGER NOT NULL,  -- the first analysed frame
  end_us INTEGER NOT NULL,    -- exclusive; at most 120 s after start_us
  frames INTEGER NOT NULL,    -- frames analysed, with motion or not
  any_grid BLOB NOT NULL,     -- 72 bytes: the OR of the grids in data; read before data
  -- The frames with motion, in time order: a varint (unsigned LEB128) of milliseconds since
  -- start_us, then the frame's 72-byte grid. Last, so that the other columns stay in the
  -- row's first page; a search reads data only for chunks whose any_grid meets the query.
  data BLOB NOT NULL
);
CREATE INDEX motion_grids_by_time ON motion_grids (stream_id, start_us);

-- segments.motion is set when a segment and a closed motion event of its camera overlap, by
-- whichever of the two is written last: a new or growing segment looks for events ending after
-- its start; an event looks for segments when it is stored closed or closes. Open events flag
-- nothing (their end is unknown); retention keeps what they may cover instead.
CREATE TRIGGER segments_motion_insert AFTER INSERT ON segments WHEN NEW.motion = 0 BEGIN
  UPDATE segments SET motion = 1 WHERE id = NEW.id AND EXISTS (
    SELECT 1 FROM motion_events e
    WHERE e.camera = (SELECT camera FROM streams WHERE id = NEW.stream_id)
      AND e.end_us > NEW.start_us AND e.start_us < NEW.end_us);
END;
CREATE TRIGGER segments_motion_update AFTER UPDATE OF end_us ON segments WHEN NEW.motion = 0 BEGIN
  UPDATE segments SET motion = 1 WHERE id = NEW.id AND EXISTS (
    SELECT 1 FROM motion_events e
    WHERE e.camera = (SELECT camera FROM streams WHERE id = NEW.stream_id)
      AND e.end_us > NEW.start_us AND e.start_us < NEW.end_us);
END;
-- The lower bound on start_us (the camera's longest segment) lets the scan use
-- segments_by_time.
CREATE TRIGGER motion_events_insert AFTER INSERT ON motion_events WHEN NEW.end_us IS NOT NULL BEGIN
  UPDATE segments SET motion = 1
  WHERE motion = 0 AND stream_id IN (SELECT id FROM streams WHERE camera = NEW.camera)
    AND start_us < NEW.end_us AND end_us > NEW.start_us
    AND start_us >= NEW.start_us - (SELECT max(max_duration_us) FROM streams WHERE camera = NEW.camera);
END;
CREATE TRIGGER motion_events_update AFTER UPDATE OF start_us, end_us ON motion_events
    WHEN NEW.end_us IS NOT NULL BEGIN
  UPDATE segments SET motion = 1
  WHERE motion = 0 AND stream_id IN (SELECT id FROM streams WHERE camera = NEW.camera)
    AND start_us < NEW.end_us AND end_us > NEW.start_us
    AND start_us >= NEW.start_us - (SELECT max(max_duration_us) FROM streams WHERE camera = NEW.camera);
END;

-- Version 3: camera events. Everything below this line is also in upgrade_v3.sql, in the same
-- words.

-- What raised a motion event: '' for Sightline's own motion analysis; for events a camera
-- reported itself (ONVIF, src/onvif/events.h): 'onvif:motion', 'onvif:tamper' or
-- 'onvif:input:TOKEN'. Such events have stream '' (found on no stream) and no thumbnail grid.
ALTER TABLE motion_events ADD COLUMN source TEXT NOT NULL DEFAULT '';
