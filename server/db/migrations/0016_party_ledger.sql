-- Party branch ledger (支部台账) and 一格三员 rosters (issue 14).
-- Members and activities hang off a 网格党支部 (party_org level 'grid_branch'), never off a grid
-- directly: the branch carries the grid, so a grid publish (grid_reassign and partyFollowBuildings
-- in server/grids/publish.sql) moves the branch and its whole ledger with it.

-- 一格三员 by duty: 网格员, 社区民警, 法律顾问, 城管/执法, 志愿者 (the existing community worker
-- and property manager stay valid), each with a contact number (masked by role when shown).
ALTER TABLE grid_staff DROP CONSTRAINT grid_staff_role_check;
ALTER TABLE grid_staff ADD CONSTRAINT grid_staff_role_check CHECK (role IN (
  'grid_worker', 'community_worker', 'property_manager', 'police', 'legal_advisor', 'law_enforcement', 'volunteer'));
ALTER TABLE grid_staff ADD COLUMN phone text CHECK (phone IS NULL OR phone ~ '^[0-9][0-9-]{4,19}$');

-- Party members of a grid branch.
CREATE TABLE party_member (
  id         serial PRIMARY KEY,
  branch_id  integer NOT NULL REFERENCES party_org(id) ON DELETE CASCADE,
  name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
  phone      text CHECK (phone IS NULL OR phone ~ '^[0-9][0-9-]{4,19}$'),
  joined_on  date,
  synthetic  boolean NOT NULL DEFAULT false,
  dataset_id text REFERENCES dataset(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX party_member_branch_idx ON party_member (branch_id);

-- Branch activities: 主题党日 (theme_day), 志愿服务 (volunteer), 走访 (visit).
CREATE TABLE party_activity (
  id         serial PRIMARY KEY,
  branch_id  integer NOT NULL REFERENCES party_org(id) ON DELETE CASCADE,
  kind       text NOT NULL CHECK (kind IN ('theme_day', 'volunteer', 'visit')),
  held_on    date NOT NULL,
  place      text NOT NULL CHECK (length(place) BETWEEN 1 AND 100),
  note       text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
  created_by text NOT NULL,
  synthetic  boolean NOT NULL DEFAULT false,
  dataset_id text REFERENCES dataset(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX party_activity_branch_idx ON party_activity (branch_id, held_on);

CREATE TABLE party_activity_attendee (
  activity_id integer NOT NULL REFERENCES party_activity(id) ON DELETE CASCADE,
  member_id   integer NOT NULL REFERENCES party_member(id) ON DELETE CASCADE,
  PRIMARY KEY (activity_id, member_id)
);
CREATE INDEX party_activity_attendee_member_idx ON party_activity_attendee (member_id);

-- Photos of an activity (the photo table of migration 0005; uploaded through POST /api/photos).
CREATE TABLE party_activity_photo (
  activity_id integer NOT NULL REFERENCES party_activity(id) ON DELETE CASCADE,
  photo_id    integer NOT NULL REFERENCES photo(id) ON DELETE RESTRICT,
  PRIMARY KEY (activity_id, photo_id)
);
CREATE INDEX party_activity_photo_photo_idx ON party_activity_photo (photo_id);

-- 党员中心户 (party_org level 'member_household') and the buildings whose households they serve.
CREATE TABLE party_household_link (
  household_id integer NOT NULL REFERENCES party_org(id) ON DELETE CASCADE,
  building_id  integer NOT NULL REFERENCES building(id) ON DELETE CASCADE,
  households   integer NOT NULL DEFAULT 1 CHECK (households BETWEEN 1 AND 500),
  synthetic    boolean NOT NULL DEFAULT false,
  dataset_id   text REFERENCES dataset(id) ON DELETE CASCADE,
  PRIMARY KEY (household_id, building_id)
);
CREATE INDEX party_household_link_building_idx ON party_household_link (building_id);
