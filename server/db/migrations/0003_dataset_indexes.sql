-- Replacing a dataset deletes its rows by dataset_id: index the tables that lacked it.
CREATE INDEX facility_dataset_idx ON facility (dataset_id);
CREATE INDEX base_feature_dataset_idx ON base_feature (dataset_id);
