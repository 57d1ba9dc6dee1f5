-- Facilities edited by hand (issue 17): planners add, move, retag and delete the facilities of the
-- 16 service classes, which OSM maps thinly. A facility added by hand belongs to no import
-- (dataset_id NULL, source 'manual'), so re-importing a dataset never deletes it; an imported
-- facility keeps its dataset (and so its attribution) when it is moved or retagged, and records
-- who changed it last. Every change is also in the audit log.
ALTER TABLE facility ALTER COLUMN dataset_id DROP NOT NULL;
ALTER TABLE facility ADD COLUMN source text NOT NULL DEFAULT 'import' CHECK (source IN ('import', 'manual'));
ALTER TABLE facility ADD CONSTRAINT facility_source_dataset CHECK (source = 'manual' OR dataset_id IS NOT NULL);
ALTER TABLE facility ADD COLUMN updated_at timestamptz;
ALTER TABLE facility ADD COLUMN updated_by text;
