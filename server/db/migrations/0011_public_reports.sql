-- Residents without an account (随手拍 public report page, 一年一事 votes). A resident is known by a
-- keyed hash of their mobile number (HMAC with a per-installation key kept in public_secret) and the
-- masked number; the full number lives only in incident_contact, like every caller's, for staff
-- with resident_pii read_full to call back.
CREATE TABLE public_secret (
  id       integer PRIMARY KEY CHECK (id = 1),
  hmac_key text NOT NULL CHECK (length(hmac_key) >= 32)
);

CREATE TABLE public_resident (
  id           serial PRIMARY KEY,
  phone_hash   text NOT NULL UNIQUE CHECK (phone_hash ~ '^[0-9a-f]{64}$'),
  phone_masked text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- Verification codes: issued at the resident's request (a configured SMS sender delivers them) or
-- by the desk (服务台 reads it to the resident). The code is kept only while it can be used.
CREATE TABLE public_code (
  id           bigserial PRIMARY KEY,
  phone_hash   text NOT NULL,
  phone_masked text NOT NULL,
  purpose      text NOT NULL CHECK (purpose IN ('report', 'vote')),
  code         text CHECK (code ~ '^[0-9]{6}$'),
  issued_by    text NOT NULL CHECK (issued_by IN ('self', 'desk')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  attempts     integer NOT NULL DEFAULT 0,
  used_at      timestamptz
);
CREATE INDEX public_code_phone_idx ON public_code (phone_hash, created_at);

-- A verified phone's short-lived ticket: the secret is given to the page once, only its hash is kept.
CREATE TABLE public_ticket (
  id          bigserial PRIMARY KEY,
  token_hash  text NOT NULL UNIQUE,
  resident_id integer NOT NULL REFERENCES public_resident(id) ON DELETE CASCADE,
  purpose     text NOT NULL CHECK (purpose IN ('report', 'vote')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);

-- A resident's report: the case in the one intake, and the private link's hash to follow and rate it.
CREATE TABLE public_report (
  id            serial PRIMARY KEY,
  incident_id   integer NOT NULL UNIQUE REFERENCES incident(id) ON DELETE CASCADE,
  resident_id   integer NOT NULL REFERENCES public_resident(id) ON DELETE RESTRICT,
  track_hash    text NOT NULL UNIQUE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  rating        text CHECK (rating IN ('satisfied', 'basically_satisfied', 'dissatisfied')),
  rating_note   text,
  rated_at      timestamptz,
  -- Staff found the report invalid (无效举报): it earns no points.
  rejected_at   timestamptz,
  rejected_note text,
  CHECK ((rating IS NULL) = (rated_at IS NULL))
);
CREATE INDEX public_report_resident_idx ON public_report (resident_id, created_at);

-- Photos uploaded from the public page belong to the resident (created_by_id = public_resident.id).
ALTER TABLE photo DROP CONSTRAINT photo_created_by_kind_check;
ALTER TABLE photo ADD CONSTRAINT photo_created_by_kind_check CHECK (created_by_kind IN ('account', 'token', 'resident'));
