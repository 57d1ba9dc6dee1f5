-- Accounts, roles, jurisdiction, sessions, API/kiosk tokens, audit log, and residents' personal
-- data stored apart from everything else.

CREATE TABLE department (
  id        serial PRIMARY KEY,
  code      text NOT NULL UNIQUE,
  name      text NOT NULL,
  synthetic boolean NOT NULL DEFAULT true
);

-- A principal's jurisdiction: a division node (its subtree), one grid, or a department.
-- district-wide roles bind to the district node. Checked again in server/auth/scope.ts.
CREATE TABLE account (
  id                   serial PRIMARY KEY,
  username             text NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9_.-]{3,64}$'),
  display_name         text NOT NULL,
  password_hash        text NOT NULL,
  role                 text NOT NULL,
  division_code        text REFERENCES division(code) ON DELETE RESTRICT,
  grid_id              integer REFERENCES grid(id) ON DELETE RESTRICT,
  department_id        integer REFERENCES department(id) ON DELETE RESTRICT,
  active               boolean NOT NULL DEFAULT true,
  must_change_password boolean NOT NULL DEFAULT false,
  created_at           timestamptz NOT NULL DEFAULT now(),
  password_changed_at  timestamptz NOT NULL DEFAULT now(),
  -- exactly one jurisdiction; only an admin may have none (an empty system has no district yet)
  CHECK (num_nonnulls(division_code, grid_id, department_id) = 1
         OR (role = 'admin' AND num_nonnulls(division_code, grid_id, department_id) = 0))
);

CREATE TABLE session (
  id           text PRIMARY KEY,          -- sha256 of the cookie value; the value itself is never stored
  account_id   integer NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  csrf_token   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  ip           text,
  user_agent   text
);
CREATE INDEX session_account_idx ON session (account_id);

-- Machine (api) and wall-screen (kiosk) tokens, scoped like an account, revocable.
CREATE TABLE api_token (
  id            serial PRIMARY KEY,
  token_hash    text NOT NULL UNIQUE,     -- sha256 of the secret
  prefix        text NOT NULL,            -- first characters, to recognise a token in lists
  name          text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('api', 'kiosk')),
  role          text NOT NULL,
  division_code text REFERENCES division(code) ON DELETE RESTRICT,
  grid_id       integer REFERENCES grid(id) ON DELETE RESTRICT,
  department_id integer REFERENCES department(id) ON DELETE RESTRICT,
  created_by    integer REFERENCES account(id) ON DELETE SET NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz,
  CHECK (num_nonnulls(division_code, grid_id, department_id) = 1),
  CHECK (kind = 'api' OR role = 'kiosk')
);

CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  account_id  integer REFERENCES account(id) ON DELETE SET NULL,
  token_id    integer REFERENCES api_token(id) ON DELETE SET NULL,
  actor       text NOT NULL,              -- username or token name at the time
  action      text NOT NULL,              -- e.g. create, update, read_full, login, login_failed
  resource    text NOT NULL,
  resource_id text,
  outcome     text NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
  ip          text,
  user_agent  text,
  detail      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_at_idx ON audit_log (at);

-- Callers' personal data for hotline cases, kept apart from the case itself.
CREATE TABLE incident_contact (
  incident_id integer PRIMARY KEY REFERENCES incident(id) ON DELETE CASCADE,
  name        text,
  phone       text
);

-- Residents in special-care groups (低保, 空巢老人, 残疾人 …): personal data, synthetic in the demo.
CREATE TABLE resident_care (
  id          serial PRIMARY KEY,
  grid_id     integer NOT NULL REFERENCES grid(id) ON DELETE CASCADE,
  building_id integer REFERENCES building(id) ON DELETE SET NULL,
  name        text NOT NULL,
  phone       text NOT NULL,
  care_group  text NOT NULL CHECK (care_group IN ('dibao', 'empty_nest_elderly', 'disabled', 'veteran', 'left_behind_child')),
  synthetic   boolean NOT NULL DEFAULT true,
  dataset_id  text REFERENCES dataset(id) ON DELETE CASCADE
);
CREATE INDEX resident_care_grid_idx ON resident_care (grid_id);
