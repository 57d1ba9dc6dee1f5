-- Trend early-warning (趋势预警, issue 14): thresholds as data an admin edits (one JSON set per
-- kind, validated by core/trend/thresholds.ts), and the warnings a scan raised, with their
-- evidence. `key` names the subject and window (e.g. rising:<community>:<category>:<ISO week>):
-- unique, so scans in several processes, or repeated scans, never raise one warning twice.
CREATE TABLE warning_threshold (
  kind       text PRIMARY KEY CHECK (kind IN ('rising', 'cluster', 'on_time_drop')),
  params     jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text
);
INSERT INTO warning_threshold (kind, params) VALUES
  ('rising',       '{"enabled": true, "baselineWeeks": 4, "alpha": 0.01, "minCount": 5, "minRatio": 1.5}'),
  ('cluster',      '{"enabled": true, "radiusM": 50, "days": 7, "minCases": 3, "sameCategory": true}'),
  ('on_time_drop', '{"enabled": true, "windowDays": 30, "baselineDays": 90, "alpha": 0.01, "minCases": 10, "minDrop": 0.15}');

CREATE TABLE warning (
  id               serial PRIMARY KEY,
  kind             text NOT NULL CHECK (kind IN ('rising', 'cluster', 'on_time_drop')),
  key              text NOT NULL UNIQUE,
  status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'closed')),
  category         text REFERENCES incident_category(code) ON DELETE SET NULL,
  grid_id          integer REFERENCES grid(id) ON DELETE SET NULL,
  community_code   text REFERENCES division(code) ON DELETE CASCADE,
  subdistrict_code text REFERENCES division(code) ON DELETE SET NULL,
  district_code    text REFERENCES division(code) ON DELETE SET NULL,
  evidence         jsonb NOT NULL,
  -- the cases behind it (cluster members; empty for counts)
  case_ids         integer[] NOT NULL DEFAULT '{}',
  synthetic        boolean NOT NULL DEFAULT false,
  detected_at      timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  acknowledged_by  text,
  acknowledged_at  timestamptz,
  assigned_to      integer REFERENCES account(id) ON DELETE SET NULL,
  assigned_by      text,
  assigned_at      timestamptz,
  closed_by        text,
  closed_at        timestamptz,
  note             text
);
CREATE INDEX warning_status_idx ON warning (status, detected_at DESC);
CREATE INDEX warning_community_idx ON warning (community_code);
