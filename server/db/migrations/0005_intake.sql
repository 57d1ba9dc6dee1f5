-- Intake: nothing accepted is ever lost. Hotline cases that cannot be located (a point outside
-- the district, or an address only) are kept at the district desk flagged unlocated; the address
-- and an Open311 media_url are kept as given; callers' contact details stay in incident_contact;
-- photos are content-addressed files on disk with a row each, linked to cases.

-- A case given by address only has no point. Every other case still has one.
ALTER TABLE incident
  ALTER COLUMN geom DROP NOT NULL,
  ADD COLUMN unlocated boolean NOT NULL DEFAULT false,
  ADD COLUMN address   text,
  ADD COLUMN media_url text,
  ADD CONSTRAINT incident_located CHECK (unlocated OR geom IS NOT NULL);
-- The district desk's queue.
CREATE INDEX incident_unlocated_idx ON incident (created_at) WHERE unlocated;

-- Open311 callers give an e-mail, a device and an account id too (personal data, kept here).
ALTER TABLE incident_contact
  ADD COLUMN email      text,
  ADD COLUMN device_id  text,
  ADD COLUMN account_id text;

-- One row per uploader of a file: the file (uploads/<sha256>) is shared, so a retried upload is
-- the same photo, and "you uploaded it" stays answerable.
CREATE TABLE photo (
  id               serial PRIMARY KEY,
  sha256           text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  mime             text NOT NULL CHECK (mime IN ('image/jpeg', 'image/png', 'image/webp')),
  bytes            integer NOT NULL CHECK (bytes > 0),
  width            integer NOT NULL CHECK (width > 0),
  height           integer NOT NULL CHECK (height > 0),
  created_by_kind  text NOT NULL CHECK (created_by_kind IN ('account', 'token')),
  created_by_id    integer NOT NULL,
  created_by_label text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (sha256, created_by_kind, created_by_id)
);

-- Photos on a case: with the report, or with a workflow action (event_id says which).
CREATE TABLE incident_photo (
  incident_id integer NOT NULL REFERENCES incident(id) ON DELETE CASCADE,
  photo_id    integer NOT NULL REFERENCES photo(id) ON DELETE RESTRICT,
  event_id    bigint REFERENCES incident_event(id) ON DELETE SET NULL,
  added_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (incident_id, photo_id)
);
CREATE INDEX incident_photo_photo_idx ON incident_photo (photo_id);
