-- The incident workflow (data/incident-workflow.json, core/workflow.ts): states, the responsibility
-- ladder with deadlines, the trail of every action, every reporter of merged cases, and the
-- responsibility list an admin edits.

-- States as reference data; names and types are upserted from the JSON on every start. The codes
-- are inserted here too so that incident.status can reference them from the start.
CREATE TABLE incident_state (
  code text PRIMARY KEY,
  name text NOT NULL,
  type text NOT NULL CHECK (type IN ('open', 'closed', 'fixed')),
  sort integer NOT NULL
);
INSERT INTO incident_state (code, name, type, sort) VALUES
  ('reported', '已上报', 'open', 1), ('accepted', '已受理', 'open', 2), ('dispatched', '已派单', 'open', 3),
  ('in_progress', '处置中', 'open', 4), ('resolved', '已办结', 'fixed', 5), ('verified', '已核查', 'fixed', 6),
  ('closed', '已结案', 'closed', 7), ('rated', '已评价', 'closed', 8), ('returned', '退回', 'open', 9),
  ('reopened', '重新打开', 'open', 10), ('duplicate', '重复', 'closed', 11);

-- Responsibility list (责任清单): category ("*" = default) × level → handler and deadlines.
-- Seeded from data/responsibility.json when empty; afterwards edited through PUT /api/responsibility.
CREATE TABLE responsibility_rule (
  category       text NOT NULL,
  level          text NOT NULL CHECK (level IN ('grid', 'community', 'subdistrict', 'department')),
  handler        text NOT NULL,
  deadline_hours double precision NOT NULL CHECK (deadline_hours > 0),
  report_hours   double precision CHECK (report_hours > 0),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (category, level)
);

-- Only 'reported' could be stored before; anything else unknown starts over as reported.
UPDATE incident SET status = 'reported' WHERE status NOT IN (SELECT code FROM incident_state);

-- Where a case is on the ladder, who has it, until when, and who did what.
-- Actors are stored as kind (account | token | system) + id + the label at the time.
ALTER TABLE incident
  ADD CONSTRAINT incident_status_fk FOREIGN KEY (status) REFERENCES incident_state(code),
  ADD COLUMN level             text NOT NULL DEFAULT 'grid' CHECK (level IN ('grid', 'community', 'subdistrict', 'department')),
  ADD COLUMN handler           text,
  ADD COLUMN department_id     integer REFERENCES department(id) ON DELETE SET NULL,
  ADD COLUMN deadline_at       timestamptz,
  -- the deadline in force was missed (reset with each new deadline); overdue is sticky (超期件)
  ADD COLUMN deadline_missed   boolean NOT NULL DEFAULT false,
  ADD COLUMN overdue           boolean NOT NULL DEFAULT false,
  ADD COLUMN escalations       integer NOT NULL DEFAULT 0,
  ADD COLUMN reported_by_kind  text CHECK (reported_by_kind IN ('account', 'token', 'system')),
  ADD COLUMN reported_by_id    integer,
  ADD COLUMN reported_by_label text,
  ADD COLUMN resolved_by_kind  text CHECK (resolved_by_kind IN ('account', 'token', 'system')),
  ADD COLUMN resolved_by_id    integer,
  ADD COLUMN resolved_by_label text,
  ADD COLUMN resolved_at       timestamptz,
  ADD COLUMN resolved_level    text,
  ADD COLUMN verified_by_kind  text CHECK (verified_by_kind IN ('account', 'token', 'system')),
  ADD COLUMN verified_by_id    integer,
  ADD COLUMN verified_by_label text,
  ADD COLUMN verified_at       timestamptz,
  ADD COLUMN closed_by_kind    text CHECK (closed_by_kind IN ('account', 'token', 'system')),
  ADD COLUMN closed_by_id      integer,
  ADD COLUMN closed_by_label   text,
  ADD COLUMN closed_at         timestamptz,
  ADD COLUMN rating            text CHECK (rating IN ('satisfied', 'basically_satisfied', 'dissatisfied')),
  ADD COLUMN rated_at          timestamptz,
  ADD COLUMN merged_into       integer REFERENCES incident(id) ON DELETE SET NULL,
  ADD CONSTRAINT incident_department_level CHECK (department_id IS NULL OR level = 'department');
CREATE INDEX incident_status_idx ON incident (status);
CREATE INDEX incident_deadline_idx ON incident (deadline_at) WHERE NOT deadline_missed;
CREATE INDEX incident_department_idx ON incident (department_id);
CREATE INDEX incident_created_idx ON incident (created_at);
-- Duplicate search: same category, nearby, recent (ST_DWithin on geography).
CREATE INDEX incident_geog_idx ON incident USING gist ((geom::geography));

-- The trail: one row per action, readable by a leader. level/department_id/deadline_at are those
-- in force before the action; on_time says whether an action that ends a deadline met it.
CREATE TABLE incident_event (
  id            bigserial PRIMARY KEY,
  incident_id   integer NOT NULL REFERENCES incident(id) ON DELETE CASCADE,
  action        text NOT NULL,
  from_state    text,
  to_state      text NOT NULL,
  level         text,
  to_level      text NOT NULL,
  department_id integer REFERENCES department(id) ON DELETE SET NULL,
  deadline_at   timestamptz,
  on_time       boolean,
  actor_kind    text NOT NULL CHECK (actor_kind IN ('account', 'token', 'system')),
  actor_id      integer,
  actor_label   text NOT NULL,
  actor_role    text,
  at            timestamptz NOT NULL DEFAULT now(),
  note          text,
  photos        jsonb NOT NULL DEFAULT '[]'::jsonb,
  detail        jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX incident_event_incident_idx ON incident_event (incident_id, at, id);
CREATE INDEX incident_event_at_idx ON incident_event (at);

-- Every reporter and source of a case; a merged case's reporters are copied to the survivor.
CREATE TABLE incident_reporter (
  id          bigserial PRIMARY KEY,
  incident_id integer NOT NULL REFERENCES incident(id) ON DELETE CASCADE,
  source      text NOT NULL,
  client_key  text NOT NULL,
  reported_at timestamptz NOT NULL,
  actor_kind  text CHECK (actor_kind IN ('account', 'token', 'system')),
  actor_id    integer,
  actor_label text,
  merged_from integer REFERENCES incident(id) ON DELETE SET NULL,
  UNIQUE (incident_id, client_key)
);

-- Cases stored before the workflow existed: place them on the ladder and give them a trail.
UPDATE incident SET
  level = CASE WHEN grid_id IS NOT NULL THEN 'grid' WHEN community_code IS NOT NULL THEN 'community' ELSE 'subdistrict' END,
  handler = CASE WHEN grid_id IS NOT NULL THEN 'grid_worker' WHEN community_code IS NOT NULL THEN 'community' ELSE 'subdistrict' END;
INSERT INTO incident_reporter (incident_id, source, client_key, reported_at, actor_kind, actor_label)
SELECT id, source, client_key, created_at, 'system', '历史数据' FROM incident;
INSERT INTO incident_event (incident_id, action, from_state, to_state, level, to_level, actor_kind, actor_label, at)
SELECT id, 'report', NULL, status, NULL, level, 'system', '历史数据', created_at FROM incident;
