-- The prediction log in batches: a row per deployment and model version for each batch the log's
-- writer writes, instead of a row per sample, whose inserts into the table and its indexes cost
-- more than the request they logged. A batch spans at most a second; records holds its samples
-- (id, sample, time, latency, predicted class or value, line in the kept-payload blob) and
-- classes its per-class counts, in the format of ai.lepton.server.monitoring.PredictionBatches.
-- V15 moves the rows of table prediction here and drops it.
CREATE TABLE prediction_batch (
  id               VARCHAR(40) PRIMARY KEY,
  org_id           VARCHAR(40) NOT NULL,
  deployment       VARCHAR(100) NOT NULL,
  model_version_id VARCHAR(40) NOT NULL,
  first_at         TIMESTAMP WITH TIME ZONE NOT NULL,
  last_at          TIMESTAMP WITH TIME ZONE NOT NULL,
  samples          INTEGER NOT NULL,
  blob_key         VARCHAR(200),
  classes          BYTEA NOT NULL,
  records          BYTEA NOT NULL
);
CREATE INDEX prediction_batch_deployment ON prediction_batch (org_id, deployment, first_at);

-- Feedback keeps what its prediction predicted, and when, so that quality reads feedback alone.
ALTER TABLE prediction_feedback ADD COLUMN predicted_class VARCHAR(200);
ALTER TABLE prediction_feedback ADD COLUMN predicted_value DOUBLE PRECISION;
ALTER TABLE prediction_feedback ADD COLUMN predicted_at TIMESTAMP WITH TIME ZONE;
UPDATE prediction_feedback SET
  predicted_class = (SELECT p.predicted_class FROM prediction p
      WHERE p.id = prediction_feedback.prediction_id AND p.sample = prediction_feedback.sample),
  predicted_value = (SELECT p.predicted_value FROM prediction p
      WHERE p.id = prediction_feedback.prediction_id AND p.sample = prediction_feedback.sample),
  predicted_at = (SELECT p.predicted_at FROM prediction p
      WHERE p.id = prediction_feedback.prediction_id AND p.sample = prediction_feedback.sample);
DELETE FROM prediction_feedback WHERE predicted_at IS NULL;
ALTER TABLE prediction_feedback ALTER COLUMN predicted_at SET NOT NULL;
DROP INDEX prediction_feedback_deployment;
CREATE INDEX prediction_feedback_deployment
  ON prediction_feedback (org_id, deployment, predicted_at);
