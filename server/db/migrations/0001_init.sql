-- GridCommand base schema. Runs unchanged on embedded PGlite+PostGIS and on PostgreSQL/PostGIS.
-- All geometry is EPSG:4326 (CGCS2000 input is accepted as ≈ WGS84 and stored as 4326).
-- Every row that is not real imported data carries synthetic = true.

CREATE EXTENSION IF NOT EXISTS postgis;

-- A dataset is one import (an OSM file, a GeoJSON layer set, the demo district).
-- Re-importing the same dataset id deletes its rows (ON DELETE CASCADE) and inserts anew.
CREATE TABLE dataset (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  source      text NOT NULL CHECK (source IN ('osm', 'geojson', 'demo', 'generator')),
  attribution text,
  synthetic   boolean NOT NULL DEFAULT false,
  imported_at timestamptz NOT NULL DEFAULT now(),
  bbox        geometry(Polygon, 4326),
  summary     jsonb NOT NULL DEFAULT '{}'::jsonb
);

-- Division tree: district › subdistrict (街道) › community (社区). Grids live in their own table.
CREATE TABLE division (
  code        text PRIMARY KEY,
  parent_code text REFERENCES division(code) ON DELETE CASCADE,
  level       text NOT NULL CHECK (level IN ('district', 'subdistrict', 'community')),
  name        text NOT NULL,
  geom        geometry(MultiPolygon, 4326) CHECK (geom IS NULL OR ST_IsValid(geom)),
  synthetic_geometry boolean NOT NULL DEFAULT true,
  code_source text NOT NULL DEFAULT 'synthetic' CHECK (code_source IN ('nbs', 'synthetic')),
  dataset_id  text REFERENCES dataset(id) ON DELETE CASCADE,
  props       jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX division_parent_idx ON division (parent_code);
CREATE INDEX division_geom_idx ON division USING gist (geom);

-- Management grid (网格), ~200–300 households, inside exactly one community.
CREATE TABLE grid (
  id             serial PRIMARY KEY,
  code           text NOT NULL UNIQUE,
  name           text NOT NULL,
  community_code text NOT NULL REFERENCES division(code) ON DELETE CASCADE,
  geom           geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
  households     integer NOT NULL DEFAULT 0,
  residents      integer NOT NULL DEFAULT 0,
  synthetic      boolean NOT NULL DEFAULT true,
  dataset_id     text REFERENCES dataset(id) ON DELETE CASCADE,
  props          jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX grid_community_idx ON grid (community_code);
CREATE INDEX grid_geom_idx ON grid USING gist (geom);

-- Grids of one community never overlap (touching along an edge is fine).
CREATE FUNCTION grid_no_overlap() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE other_code text;
BEGIN
  SELECT g.code INTO other_code FROM grid g
   WHERE g.community_code = NEW.community_code AND g.id <> NEW.id
     AND g.geom && NEW.geom AND ST_Relate(g.geom, NEW.geom, '2********')
   LIMIT 1;
  IF other_code IS NOT NULL THEN
    RAISE EXCEPTION 'grid % overlaps grid %', NEW.code, other_code USING ERRCODE = '23P01';
  END IF;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER grid_no_overlap_trg BEFORE INSERT OR UPDATE OF geom, community_code ON grid
  FOR EACH ROW EXECUTE FUNCTION grid_no_overlap();

-- Buildings (楼栋). Households/residents are estimates unless imported (households_synthetic).
CREATE TABLE building (
  id                   serial PRIMARY KEY,
  dataset_id           text NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
  osm_id               text,
  name                 text,
  kind                 text,
  geom                 geometry(MultiPolygon, 4326) NOT NULL,
  height_m             double precision,
  min_height_m         double precision NOT NULL DEFAULT 0,
  levels               integer,
  residential          boolean NOT NULL DEFAULT false,
  households           integer NOT NULL DEFAULT 0,
  residents            integer NOT NULL DEFAULT 0,
  households_synthetic boolean NOT NULL DEFAULT true,
  grid_id              integer REFERENCES grid(id) ON DELETE SET NULL,
  community_code       text REFERENCES division(code) ON DELETE SET NULL,
  props                jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX building_geom_idx ON building USING gist (geom);
CREATE INDEX building_grid_idx ON building (grid_id);
CREATE INDEX building_dataset_idx ON building (dataset_id);

-- Roads and paths; walkable ones form the walking network (edges with length, footway or not).
CREATE TABLE road (
  id         serial PRIMARY KEY,
  dataset_id text NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
  osm_id     text,
  name       text,
  kind       text NOT NULL,
  geom       geometry(LineString, 4326) NOT NULL,
  length_m   double precision NOT NULL,
  walkable   boolean NOT NULL DEFAULT true,
  footway    boolean NOT NULL DEFAULT false,
  props      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX road_geom_idx ON road USING gist (geom);
CREATE INDEX road_dataset_idx ON road (dataset_id);

-- Other base-map layers: water, landuse, boundary, transit, place.
CREATE TABLE base_feature (
  id         serial PRIMARY KEY,
  dataset_id text NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
  layer      text NOT NULL CHECK (layer IN ('water', 'landuse', 'boundary', 'transit', 'place')),
  osm_id     text,
  kind       text,
  name       text,
  geom       geometry(Geometry, 4326) NOT NULL,
  props      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX base_feature_geom_idx ON base_feature USING gist (geom);
CREATE INDEX base_feature_layer_idx ON base_feature (layer);

-- The 15-minute circle's service classes are reference data (data/service-classes.json).
CREATE TABLE service_class (
  code         text PRIMARY KEY,
  name         text NOT NULL,
  sort         integer NOT NULL,
  walk_minutes integer NOT NULL,
  color        text NOT NULL
);

CREATE TABLE facility (
  id             serial PRIMARY KEY,
  dataset_id     text NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
  osm_id         text,
  name           text,
  kind           text,
  service_class  text NOT NULL REFERENCES service_class(code),
  geom           geometry(Point, 4326) NOT NULL,
  synthetic      boolean NOT NULL DEFAULT false,
  grid_id        integer REFERENCES grid(id) ON DELETE SET NULL,
  community_code text REFERENCES division(code) ON DELETE SET NULL,
  props          jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX facility_geom_idx ON facility USING gist (geom);
CREATE INDEX facility_class_idx ON facility (service_class);

-- Party organisations as a tree: 社区党委 › 网格党支部 › 楼栋党小组 › 党员中心户.
CREATE TABLE party_org (
  id             serial PRIMARY KEY,
  parent_id      integer REFERENCES party_org(id) ON DELETE CASCADE,
  level          text NOT NULL CHECK (level IN ('community_committee', 'grid_branch', 'building_group', 'member_household')),
  name           text NOT NULL,
  community_code text NOT NULL REFERENCES division(code) ON DELETE CASCADE,
  grid_id        integer REFERENCES grid(id) ON DELETE CASCADE,
  building_id    integer REFERENCES building(id) ON DELETE SET NULL,
  members        integer NOT NULL DEFAULT 0,
  synthetic      boolean NOT NULL DEFAULT true,
  dataset_id     text REFERENCES dataset(id) ON DELETE CASCADE
);
CREATE INDEX party_org_parent_idx ON party_org (parent_id);
CREATE INDEX party_org_grid_idx ON party_org (grid_id);

-- 一格三员: grid worker, community worker, property manager per grid.
CREATE TABLE grid_staff (
  id         serial PRIMARY KEY,
  grid_id    integer NOT NULL REFERENCES grid(id) ON DELETE CASCADE,
  role       text NOT NULL CHECK (role IN ('grid_worker', 'community_worker', 'property_manager')),
  name       text NOT NULL,
  synthetic  boolean NOT NULL DEFAULT true,
  dataset_id text REFERENCES dataset(id) ON DELETE CASCADE
);
CREATE INDEX grid_staff_grid_idx ON grid_staff (grid_id);

CREATE TABLE incident_category (
  code text PRIMARY KEY,
  name text NOT NULL,
  sort integer NOT NULL
);

-- Incidents (cases). client_key makes intake idempotent.
CREATE TABLE incident (
  id               serial PRIMARY KEY,
  client_key       text NOT NULL UNIQUE,
  body_hash        text NOT NULL,
  category         text NOT NULL REFERENCES incident_category(code),
  description      text NOT NULL DEFAULT '',
  source           text NOT NULL,
  status           text NOT NULL DEFAULT 'reported',
  geom             geometry(Point, 4326) NOT NULL,
  input_crs        text NOT NULL DEFAULT 'wgs84',
  grid_id          integer REFERENCES grid(id) ON DELETE SET NULL,
  community_code   text REFERENCES division(code) ON DELETE SET NULL,
  subdistrict_code text REFERENCES division(code) ON DELETE SET NULL,
  district_code    text REFERENCES division(code) ON DELETE SET NULL,
  synthetic        boolean NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incident_geom_idx ON incident USING gist (geom);
CREATE INDEX incident_updated_idx ON incident (updated_at);
CREATE INDEX incident_grid_idx ON incident (grid_id);
