-- The centre's catalogue in PostgreSQL 15 (docs/design/multisite.md, "The centre"). Applied by
-- central::Catalogue::Open at every start; every statement is idempotent.

-- Every site heard from.
CREATE TABLE IF NOT EXISTS sites (
  name TEXT PRIMARY KEY,
  first_seen TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_seen TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Per site, outbox epoch and lane: every message id at or below `watermark` is committed in
-- the lane's table. Written in the transaction that commits the messages; published to the
-- site (sl.SITE.ack) only after that commit.
CREATE TABLE IF NOT EXISTS lanes (
  site TEXT NOT NULL REFERENCES sites (name),
  epoch TEXT NOT NULL,
  lane TEXT NOT NULL,
  watermark BIGINT NOT NULL,
  PRIMARY KEY (site, epoch, lane)
);

-- One table per lane, all of one shape: the message id (site, epoch, seq) is the primary key,
-- so a message delivered twice is stored once (INSERT ... ON CONFLICT DO NOTHING). `body` is
-- the row the site reported, as the site committed it.
DO $$
DECLARE t TEXT;
BEGIN
  FOREACH t IN ARRAY ARRAY['alarms', 'events', 'audit', 'inventory', 'health'] LOOP
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I ('
                   '  site TEXT NOT NULL,'
                   '  epoch TEXT NOT NULL,'
                   '  seq BIGINT NOT NULL,'
                   '  kind TEXT NOT NULL,'
                   '  time_us BIGINT NOT NULL,'
                   '  camera TEXT NOT NULL DEFAULT '''','
                   '  body JSONB NOT NULL,'
                   '  received_at TIMESTAMPTZ NOT NULL DEFAULT now(),'
                   '  PRIMARY KEY (site, epoch, seq))', t);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (time_us)', t || '_by_time', t);
  END LOOP;
END $$;
