-- Grid editor (issue 11): a draft per community with an optimistic lock, published versions of a
-- community's layout, lineage of grids (split from / merged into / successor), and retired grids.
--
-- Publishing replaces a community's grids in one transaction (server/grids/publish.ts): kept grids
-- keep their id, new grids are inserted, and a grid that is no longer in the layout is retired:
-- every row that pointed at it is moved first (buildings, facilities and open cases by location,
-- everything else — accounts, tokens, Party branches, staff, and tables added later — to its
-- successor via grid_reassign below), then its row is copied to grid_retired and deleted from grid.
-- So grid only ever holds live grids and no other query needs a "retired" filter.

-- The working copy. revision bumps on every draft save, discard, rollback, import and publish; the
-- row stays (grids NULL) when there is no draft, so the revision never goes back.
CREATE TABLE grid_draft (
  community_code   text PRIMARY KEY REFERENCES division(code) ON DELETE CASCADE,
  revision         integer NOT NULL DEFAULT 0 CHECK (revision >= 0),
  grids            jsonb CHECK (grids IS NULL OR jsonb_typeof(grids) = 'array'),  -- DraftGrid[] (core/grid-edit/contract.ts)
  saved_by         text,
  saved_by_account integer REFERENCES account(id) ON DELETE SET NULL,
  saved_at         timestamptz
);

-- A published layout: a snapshot of the community's grids (GeoJSON features with id, code, name,
-- households, residents, buildings) and of which grid every building was in (for comparisons).
CREATE TABLE grid_version (
  id             serial PRIMARY KEY,
  community_code text NOT NULL REFERENCES division(code) ON DELETE CASCADE,
  published_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  published_by   text NOT NULL,
  account_id     integer REFERENCES account(id) ON DELETE SET NULL,
  note           text,
  grids          jsonb NOT NULL CHECK (jsonb_typeof(grids) = 'array'),
  assignment     jsonb NOT NULL DEFAULT '{}'::jsonb,   -- {"<building id>": <grid id>}
  moved          jsonb NOT NULL DEFAULT '{}'::jsonb    -- what the publish moved (counts)
);
CREATE INDEX grid_version_community_idx ON grid_version (community_code, id DESC);

-- Lineage: grid_id derives from parent_id. Plain integers (no foreign keys): either side may be a
-- retired grid. kind: split_from (a new grid cut out of parent), merged_into (parent was merged into
-- grid), successor (parent was retired and grid took over its accounts, branches and staff).
CREATE TABLE grid_lineage (
  id         serial PRIMARY KEY,
  version_id integer NOT NULL REFERENCES grid_version(id) ON DELETE CASCADE,
  grid_id    integer NOT NULL,
  parent_id  integer NOT NULL,
  kind       text NOT NULL CHECK (kind IN ('split_from', 'merged_into', 'successor')),
  UNIQUE (version_id, grid_id, parent_id, kind)
);
CREATE INDEX grid_lineage_grid_idx ON grid_lineage (grid_id);
CREATE INDEX grid_lineage_parent_idx ON grid_lineage (parent_id);

-- Grids no longer in their community's layout. A rollback that brings one back re-inserts it
-- into grid with the same id and code.
CREATE TABLE grid_retired (
  id             integer PRIMARY KEY,
  code           text NOT NULL,
  name           text NOT NULL,
  community_code text NOT NULL REFERENCES division(code) ON DELETE CASCADE,
  geom           geometry(MultiPolygon, 4326) NOT NULL,
  households     integer NOT NULL,
  residents      integer NOT NULL,
  synthetic      boolean NOT NULL,
  dataset_id     text REFERENCES dataset(id) ON DELETE CASCADE,
  props          jsonb NOT NULL DEFAULT '{}'::jsonb,
  retired_at     timestamptz NOT NULL DEFAULT now(),
  version_id     integer REFERENCES grid_version(id) ON DELETE SET NULL,
  successor_id   integer
);
CREATE INDEX grid_retired_community_idx ON grid_retired (community_code);

-- The no-overlap rule becomes a constraint trigger so that a publish can defer it to commit
-- (SET CONSTRAINTS grid_no_overlap_trg DEFERRED): reshaping two neighbours one row at a time
-- passes through states where one overlaps the other's old shape. Outside a publish it is checked
-- at the end of each statement, as before. The row is read again: a deferred check sees the final shape.
CREATE OR REPLACE FUNCTION grid_no_overlap() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE other_code text; cur grid%ROWTYPE;
BEGIN
  SELECT * INTO cur FROM grid WHERE id = NEW.id;
  IF NOT FOUND THEN RETURN NULL; END IF;
  SELECT g.code INTO other_code FROM grid g
   WHERE g.community_code = cur.community_code AND g.id <> cur.id
     AND g.geom && cur.geom AND ST_Relate(g.geom, cur.geom, '2********')
   LIMIT 1;
  IF other_code IS NOT NULL THEN
    RAISE EXCEPTION 'grid % overlaps grid %', cur.code, other_code USING ERRCODE = '23P01';
  END IF;
  RETURN NULL;
END
$fn$;
DROP TRIGGER grid_no_overlap_trg ON grid;
CREATE CONSTRAINT TRIGGER grid_no_overlap_trg AFTER INSERT OR UPDATE OF geom, community_code ON grid
  DEFERRABLE INITIALLY IMMEDIATE FOR EACH ROW EXECUTE FUNCTION grid_no_overlap();

-- Point every row that references a retired grid at its successor. mapping: {"<old id>": <new id>}.
-- Walks every single-column foreign key to grid(id) found in the catalog (so tables added by later
-- migrations are covered), except the tables in skip (placed by location by the caller).
-- Returns the rows moved per table.column.
CREATE FUNCTION grid_reassign(mapping jsonb, skip text[]) RETURNS TABLE (target text, moved bigint)
LANGUAGE plpgsql AS $fn$
DECLARE r record; cnt bigint;
BEGIN
  FOR r IN
    SELECT c.conrelid::regclass::text AS t, a.attname::text AS col
      FROM pg_constraint c
      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
     WHERE c.contype = 'f' AND c.confrelid = 'grid'::regclass AND cardinality(c.conkey) = 1
     ORDER BY 1, 2
  LOOP
    CONTINUE WHEN r.t = ANY(skip);
    EXECUTE format('UPDATE %s x SET %I = m.value::int FROM jsonb_each_text($1) m WHERE x.%I = m.key::int', r.t, r.col, r.col)
      USING mapping;
    GET DIAGNOSTICS cnt = ROW_COUNT;
    target := r.t || '.' || r.col;
    moved := cnt;
    RETURN NEXT;
  END LOOP;
END
$fn$;
