-- 15-minute life circle (issue 12): walking times from every building to the nearest facility of
-- each service class, computed by server/coverage on the walking graph of the imported roads.
-- Shares per community/grid are summed from these rows at query time (the limit is a parameter).

-- One computation. network_version fingerprints the roads, buildings and facilities it used: a
-- re-import changes it and the next request recomputes.
CREATE TABLE coverage_run (
  id              serial PRIMARY KEY,
  computed_at     timestamptz NOT NULL DEFAULT now(),
  network_version text NOT NULL,
  speed_mps       double precision NOT NULL CHECK (speed_mps > 0),
  max_minutes     double precision NOT NULL,
  nodes           integer NOT NULL,
  edges           integer NOT NULL,
  components      integer NOT NULL,
  excluded_roads  integer NOT NULL,
  ms              double precision NOT NULL,
  -- buildings (with households) and facilities farther than the snap distance from every walkable edge
  unreachable     jsonb NOT NULL DEFAULT '{"buildings":[],"facilities":[]}'::jsonb
);

-- minutes NULL: no facility of the class within max_minutes, or the building reaches no edge (reachable false).
CREATE TABLE coverage_building (
  service_class text NOT NULL REFERENCES service_class(code) ON DELETE CASCADE,
  building_id   integer NOT NULL REFERENCES building(id) ON DELETE CASCADE,
  minutes       double precision CHECK (minutes IS NULL OR minutes >= 0),
  facility_id   integer REFERENCES facility(id) ON DELETE SET NULL,
  reachable     boolean NOT NULL,
  PRIMARY KEY (service_class, building_id)
);
CREATE INDEX coverage_building_building_idx ON coverage_building (building_id);

-- Saved what-if scenarios: the changes, and their results at each class's walkMinutes (recomputed
-- when the network changed since).
CREATE TABLE coverage_scenario (
  id              serial PRIMARY KEY,
  name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  changes         jsonb NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  created_by      text NOT NULL,
  account_id      integer REFERENCES account(id) ON DELETE SET NULL,
  -- the jurisdiction it was made in (division code, or null for everything)
  scope_code      text,
  network_version text NOT NULL,
  computed_at     timestamptz NOT NULL DEFAULT now(),
  -- per class: building id → minutes for the changed classes only (unchanged = baseline)
  results         jsonb NOT NULL
);
