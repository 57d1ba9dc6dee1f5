-- Reporter points (随手拍 积分) and resident votes (一年一事).

-- The rules an admin sets; one row.
CREATE TABLE points_rule (
  id               integer PRIMARY KEY CHECK (id = 1),
  per_valid_report integer NOT NULL CHECK (per_valid_report BETWEEN 0 AND 1000),
  photo_bonus      integer NOT NULL CHECK (photo_bonus BETWEEN 0 AND 1000),
  daily_cap        integer NOT NULL CHECK (daily_cap BETWEEN 0 AND 100000),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  updated_by       text NOT NULL DEFAULT 'default'
);
INSERT INTO points_rule (id, per_valid_report, photo_bonus, daily_cap) VALUES (1, 10, 2, 50);

-- The ledger: every change of a resident's points is one row with its reason; balances are sums.
CREATE TABLE points_ledger (
  id             bigserial PRIMARY KEY,
  resident_id    integer NOT NULL REFERENCES public_resident(id) ON DELETE RESTRICT,
  community_code text REFERENCES division(code) ON DELETE SET NULL,
  delta          integer NOT NULL CHECK (delta <> 0),
  reason         text NOT NULL CHECK (reason IN ('valid_report', 'adjustment', 'reversal')),
  note           text NOT NULL CHECK (length(note) > 0),
  -- valid_report: the surviving case the award is for (one per merged group); reversal: the same case.
  incident_id    integer REFERENCES incident(id) ON DELETE SET NULL,
  actor          text NOT NULL,
  at             timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX points_ledger_award_once ON points_ledger (incident_id) WHERE reason = 'valid_report';
CREATE UNIQUE INDEX points_ledger_reversal_once ON points_ledger (incident_id) WHERE reason = 'reversal';
CREATE INDEX points_ledger_resident_idx ON points_ledger (resident_id, at);
CREATE INDEX points_ledger_community_idx ON points_ledger (community_code);

-- The year's candidate projects per community, and the ones done.
CREATE TABLE public_project (
  id             serial PRIMARY KEY,
  community_code text NOT NULL REFERENCES division(code) ON DELETE CASCADE,
  year           integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  title          text NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
  description    text NOT NULL DEFAULT '',
  status         text NOT NULL DEFAULT 'candidate' CHECK (status IN ('candidate', 'chosen', 'done')),
  done_at        timestamptz,
  created_by     text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'done') = (done_at IS NOT NULL))
);
CREATE INDEX public_project_community_idx ON public_project (community_code, year);

-- One-time voting links the desk hands out (for residents without a mobile number).
CREATE TABLE public_vote_link (
  id             serial PRIMARY KEY,
  token_hash     text NOT NULL UNIQUE,
  community_code text NOT NULL REFERENCES division(code) ON DELETE CASCADE,
  year           integer NOT NULL,
  issued_by      text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  used_at        timestamptz
);

-- One vote per voter (a verified resident or a link) per community and year.
CREATE TABLE public_vote (
  id             bigserial PRIMARY KEY,
  project_id     integer NOT NULL REFERENCES public_project(id) ON DELETE CASCADE,
  community_code text NOT NULL REFERENCES division(code) ON DELETE CASCADE,
  year           integer NOT NULL,
  voter          text NOT NULL CHECK (voter ~ '^(resident|link):[0-9]+$'),
  at             timestamptz NOT NULL DEFAULT now(),
  UNIQUE (community_code, year, voter)
);
CREATE INDEX public_vote_project_idx ON public_vote (project_id);
