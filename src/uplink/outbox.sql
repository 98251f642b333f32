-- The site's outbox (docs/design/multisite.md, "The outbox"), installed into the recording
-- index's database by uplink::Outbox::Install when sightline.yaml has a `site:` section. Every
-- statement is idempotent: it runs at every start. The rows are written by the triggers
-- below, inside the transaction that commits the row they report, whoever commits it (the
-- index thread, the API's audit log, `sightline user` in another process, recovery): a
-- committed event without its outbox row cannot exist (invariant 1).
-- Lanes: 0 alarm, 1 event, 2 audit, 3 inventory, 4 health (src/uplink/protocol.h).

-- 'epoch': drawn once; message ids are unique per (site, epoch, lane).
CREATE TABLE IF NOT EXISTS outbox_meta (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO outbox_meta (key, value) VALUES ('epoch', lower(hex(randomblob(16))));

-- The last id given out in each lane: ids never go back, even when every row of a lane has
-- been acknowledged and deleted.
CREATE TABLE IF NOT EXISTS outbox_lanes (
  lane INTEGER PRIMARY KEY,
  last_seq INTEGER NOT NULL DEFAULT 0
);

-- Messages not yet acknowledged by the centre (deleted at or below its watermark).
CREATE TABLE IF NOT EXISTS outbox (
  lane INTEGER NOT NULL,
  seq INTEGER NOT NULL,       -- the message id within its lane: 1, 2, 3, ... without gaps
  kind TEXT NOT NULL,         -- 'store_event', 'motion_event', 'audit'
  time_us INTEGER NOT NULL,   -- when it happened
  body TEXT NOT NULL,         -- a JSON object: the reported row as it was committed
  PRIMARY KEY (lane, seq)
) WITHOUT ROWID;

-- Appending: INSERT INTO outbox_append (lane, kind, time_us, body) gives the row the lane's
-- next id.
CREATE VIEW IF NOT EXISTS outbox_append AS SELECT lane, kind, time_us, body FROM outbox;
CREATE TRIGGER IF NOT EXISTS outbox_append_row INSTEAD OF INSERT ON outbox_append BEGIN
  INSERT OR IGNORE INTO outbox_lanes (lane) VALUES (NEW.lane);
  UPDATE outbox_lanes SET last_seq = last_seq + 1 WHERE lane = NEW.lane;
  INSERT INTO outbox (lane, seq, kind, time_us, body)
    SELECT NEW.lane, last_seq, NEW.kind, NEW.time_us, NEW.body FROM outbox_lanes WHERE lane = NEW.lane;
END;

-- Store events (storage too slow, disk full, data lost at recovery): the alarm lane.
CREATE TRIGGER IF NOT EXISTS outbox_store_event AFTER INSERT ON events BEGIN
  INSERT INTO outbox_append (lane, kind, time_us, body) VALUES (0, 'store_event', NEW.time_us,
    json_object('id', NEW.id, 'kind', NEW.kind, 'camera', NEW.camera, 'stream', NEW.stream,
                'message', NEW.message));
END;

-- Motion events, once closed (inserted closed, or an open one getting its end): the event
-- lane. The body is defined once, by this view.
-- Made anew each time: a site upgraded from a Sightline before 'source' gets it too.
DROP VIEW IF EXISTS outbox_motion_event_body;
CREATE VIEW outbox_motion_event_body AS
  SELECT id, end_us, json_object('id', id, 'camera', camera, 'stream', stream, 'start_us', start_us,
    'end_us', end_us, 'zones', zones, 'peak_fraction', peak_fraction, 'peak_us', peak_us,
    'source', source) AS body
  FROM motion_events;
CREATE TRIGGER IF NOT EXISTS outbox_motion_event_inserted AFTER INSERT ON motion_events
  WHEN NEW.end_us IS NOT NULL BEGIN
  INSERT INTO outbox_append (lane, kind, time_us, body)
    SELECT 1, 'motion_event', end_us, body FROM outbox_motion_event_body WHERE id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS outbox_motion_event_closed AFTER UPDATE OF end_us ON motion_events
  WHEN OLD.end_us IS NULL AND NEW.end_us IS NOT NULL BEGIN
  INSERT INTO outbox_append (lane, kind, time_us, body)
    SELECT 1, 'motion_event', end_us, body FROM outbox_motion_event_body WHERE id = NEW.id;
END;

-- Audit rows, with their chain hash, so the centre holds an off-box copy of the chain's head
-- (docs/design/audit.md): the audit lane.
CREATE TRIGGER IF NOT EXISTS outbox_audit AFTER INSERT ON audit BEGIN
  INSERT INTO outbox_append (lane, kind, time_us, body) VALUES (2, 'audit', NEW.time_us,
    json_object('id', NEW.id, 'user', NEW.user, 'action', NEW.action, 'camera', NEW.camera,
                'start_us', NEW.start_us, 'end_us', NEW.end_us, 'remote', NEW.remote,
                'detail', NEW.detail, 'ok', NEW.ok, 'hash', NEW.hash));
END;
