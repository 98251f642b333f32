-- Schema upgrade 1 -> 2 (motion), run by Index::Migrate in one transaction on a version 1
-- database. The result must equal schema.sql (index_motion_test.cc compares them): the new
-- column, index, tables and triggers are written here as there.

ALTER TABLE segments ADD COLUMN motion INTEGER NOT NULL DEFAULT 0;
CREATE INDEX segments_by_motion ON segments (stream_id, motion, start_us);

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
