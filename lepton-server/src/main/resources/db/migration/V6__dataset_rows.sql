-- A version's row count (as its profile counts rows, lines, images or samples), so that listing
-- versions needs no profile parsed; and an index on blob keys for the start-up sweep, which asks
-- of every stored dataset blob whether a version refers to it.
ALTER TABLE dataset_version ADD COLUMN row_count BIGINT NOT NULL DEFAULT 0;
CREATE INDEX dataset_version_blob ON dataset_version (blob_key);
