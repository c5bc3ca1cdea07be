-- Deleting a dataset version leaves a tombstone: its row stays, with when and by whom it was
-- deleted, so that its number is never given to another version and the lineage of versions
-- derived from it still names it. Its blob is deleted, and its profile (which holds a preview of
-- the data) is cleared.
ALTER TABLE dataset_version ADD COLUMN deleted_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE dataset_version ADD COLUMN deleted_by VARCHAR(40);
ALTER TABLE dataset_version ALTER COLUMN profile_json DROP NOT NULL;
