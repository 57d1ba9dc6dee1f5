-- Performance scoring (绩效考核, issue 14): the weight of each metric in the monthly score, data an
-- admin edits (PUT /api/performance/weights, validated by core/scoring.ts). Stored normalised: the
-- weights sum to 1.
CREATE TABLE score_weight (
  metric     text PRIMARY KEY CHECK (metric IN ('solveInGrid', 'onTime', 'satisfaction', 'verification', 'hotlineRepeat', 'branchActivity')),
  weight     double precision NOT NULL CHECK (weight >= 0 AND weight <= 1),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text
);
INSERT INTO score_weight (metric, weight) VALUES
  ('solveInGrid', 0.25), ('onTime', 0.25), ('satisfaction', 0.2), ('verification', 0.1), ('hotlineRepeat', 0.1), ('branchActivity', 0.1);
