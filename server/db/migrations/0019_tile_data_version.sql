-- Tile cache invalidation (issue 13). The server caches encoded vector tiles of the layers whose
-- content depends only on the data (base map, buildings, grids, communities, facilities); a tile is
-- keyed by the data version below, so any change to those tables — an import or reload (often from
-- the CLI, another process), a published grid layout, an edited facility — makes every cached tile
-- of every server process stale.
--
-- One row per writing statement, inserted by a statement-level trigger. The version is the number
-- of rows (count(*)), not max(id): it grows exactly when a writing transaction commits, in
-- whatever order they commit, and readers see it only after the commit (a sequence would move
-- before the commit and let a reader cache old data under the new version). Inserts take no lock
-- another writer waits for, so concurrent writers of these tables never wait on each other here.
-- Incidents are not tracked: their tiles are live and never cached.
CREATE TABLE tile_data_change (
  id bigserial PRIMARY KEY,
  source text NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION tile_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tile_data_change (source) VALUES (TG_TABLE_NAME);
  RETURN NULL;
END
$$;

CREATE TRIGGER base_feature_tile_data AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON base_feature
  FOR EACH STATEMENT EXECUTE FUNCTION tile_data_changed();
CREATE TRIGGER road_tile_data AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON road
  FOR EACH STATEMENT EXECUTE FUNCTION tile_data_changed();
CREATE TRIGGER building_tile_data AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON building
  FOR EACH STATEMENT EXECUTE FUNCTION tile_data_changed();
CREATE TRIGGER grid_tile_data AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON grid
  FOR EACH STATEMENT EXECUTE FUNCTION tile_data_changed();
CREATE TRIGGER division_tile_data AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON division
  FOR EACH STATEMENT EXECUTE FUNCTION tile_data_changed();
CREATE TRIGGER facility_tile_data AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON facility
  FOR EACH STATEMENT EXECUTE FUNCTION tile_data_changed();

-- The incidents tile layer's "not yet closed" arm (server/tiles/tiles.sql): without it a z12 tile
-- of a city scanned the whole case table (the open cases are ~1% of a year's). The predicate names
-- the closed states of 0004; the tile query repeats it so the planner can use this index.
CREATE INDEX incident_open_geom_idx ON incident USING gist (geom) WHERE status NOT IN ('closed', 'rated', 'duplicate');
