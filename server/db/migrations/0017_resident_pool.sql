-- Resident data pool (人房企数据池, issue 14): people, houses and firms per grid, each with tags
-- from a tag list an admin edits; visits to people by grid workers.
--
-- resident_care (0002) becomes `person`: its rows keep their ids, and each row's care_group becomes
-- a tag of that person, so there is one model of residents, not two. Every grid reference is a
-- single-column foreign key to grid(id), so the grid editor's publish moves them with the rest
-- (grid_reassign walks the catalog).

-- The tag list. applies_to: which kind of record carries the tag. sensitive: the tag itself is
-- personal data (e.g. 低保, 重点人群); counts are shown, names only masked like all personal data.
-- visit_days: people with this tag are due for a visit every that many days (NULL = no visits).
CREATE TABLE resident_tag (
  code        text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
  name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 20),
  applies_to  text NOT NULL CHECK (applies_to IN ('person', 'house', 'firm')),
  sensitive   boolean NOT NULL DEFAULT false,
  visit_days  integer CHECK (visit_days BETWEEN 1 AND 366),
  sort        integer NOT NULL DEFAULT 0,
  CHECK (visit_days IS NULL OR applies_to = 'person')
);

INSERT INTO resident_tag (code, name, applies_to, sensitive, visit_days, sort) VALUES
  ('dibao',              '低保',     'person', true,  60,   10),
  ('empty_nest_elderly', '空巢老人', 'person', false, 30,   20),
  ('living_alone',       '独居',     'person', false, 30,   30),
  ('disabled',           '残疾人',   'person', true,  60,   40),
  ('key_person',         '重点人群', 'person', true,  30,   50),
  ('veteran',            '退役军人', 'person', false, NULL, 60),
  ('left_behind_child',  '留守儿童', 'person', false, 30,   70),
  ('rental',             '出租屋',   'house',  false, NULL, 110),
  ('vacant',             '空置房',   'house',  false, NULL, 120),
  ('small_firm',         '小微企业', 'firm',   false, NULL, 210),
  ('nine_small',         '九小场所', 'firm',   false, NULL, 220);

-- Houses (dwelling units) in a building of a grid.
CREATE TABLE house (
  id           serial PRIMARY KEY,
  grid_id      integer NOT NULL REFERENCES grid(id) ON DELETE CASCADE,
  building_id  integer REFERENCES building(id) ON DELETE SET NULL,
  unit         text NOT NULL CHECK (length(unit) BETWEEN 1 AND 40),   -- 2单元301
  owner_name   text,
  owner_phone  text,
  synthetic    boolean NOT NULL DEFAULT true,
  dataset_id   text REFERENCES dataset(id) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX house_grid_idx ON house (grid_id);
CREATE UNIQUE INDEX house_building_unit_key ON house (building_id, unit) WHERE building_id IS NOT NULL;

-- Firms (企业、商户) in a grid.
CREATE TABLE firm (
  id            serial PRIMARY KEY,
  grid_id       integer NOT NULL REFERENCES grid(id) ON DELETE CASCADE,
  building_id   integer REFERENCES building(id) ON DELETE SET NULL,
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  credit_code   text CHECK (credit_code ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),   -- 统一社会信用代码
  contact_name  text,
  contact_phone text,
  synthetic     boolean NOT NULL DEFAULT true,
  dataset_id    text REFERENCES dataset(id) ON DELETE CASCADE,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX firm_grid_idx ON firm (grid_id);
CREATE UNIQUE INDEX firm_credit_code_key ON firm (credit_code) WHERE credit_code IS NOT NULL;

-- People: resident_care evolved.
ALTER TABLE resident_care RENAME TO person;
ALTER SEQUENCE resident_care_id_seq RENAME TO person_id_seq;
ALTER INDEX resident_care_grid_idx RENAME TO person_grid_idx;
ALTER TABLE person
  ADD COLUMN id_number  text CHECK (id_number ~ '^[0-9]{17}[0-9X]$'),   -- 居民身份证号 (18 digits)
  ADD COLUMN house_id   integer REFERENCES house(id) ON DELETE SET NULL,
  ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
CREATE UNIQUE INDEX person_id_number_key ON person (id_number) WHERE id_number IS NOT NULL;

CREATE TABLE person_tag (
  person_id integer NOT NULL REFERENCES person(id) ON DELETE CASCADE,
  tag_code  text NOT NULL REFERENCES resident_tag(code) ON DELETE RESTRICT,
  PRIMARY KEY (person_id, tag_code)
);
CREATE INDEX person_tag_tag_idx ON person_tag (tag_code);
CREATE TABLE house_tag (
  house_id integer NOT NULL REFERENCES house(id) ON DELETE CASCADE,
  tag_code text NOT NULL REFERENCES resident_tag(code) ON DELETE RESTRICT,
  PRIMARY KEY (house_id, tag_code)
);
CREATE TABLE firm_tag (
  firm_id  integer NOT NULL REFERENCES firm(id) ON DELETE CASCADE,
  tag_code text NOT NULL REFERENCES resident_tag(code) ON DELETE RESTRICT,
  PRIMARY KEY (firm_id, tag_code)
);

-- The existing special-care rows: their group becomes a tag.
INSERT INTO person_tag (person_id, tag_code) SELECT id, care_group FROM person;
ALTER TABLE person DROP COLUMN care_group;

-- A grid worker's (or staff member's) visit to a person (走访).
CREATE TABLE person_visit (
  id          serial PRIMARY KEY,
  person_id   integer NOT NULL REFERENCES person(id) ON DELETE CASCADE,
  account_id  integer REFERENCES account(id) ON DELETE SET NULL,
  actor       text NOT NULL,
  visited_on  date NOT NULL,
  note        text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX person_visit_person_idx ON person_visit (person_id, visited_on DESC);
