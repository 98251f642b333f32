-- Schema upgrade 2 -> 3 (camera events), run by Index::Migrate in one transaction on a version
-- 2 database. schema.sql ends with the same statement, so that both give the same table.

-- What raised a motion event: '' for Sightline's own motion analysis; for events a camera
-- reported itself (ONVIF, src/onvif/events.h): 'onvif:motion', 'onvif:tamper' or
-- 'onvif:input:TOKEN'. Such events have stream '' (found on no stream) and no thumbnail grid.
ALTER TABLE motion_events ADD COLUMN source TEXT NOT NULL DEFAULT '';
