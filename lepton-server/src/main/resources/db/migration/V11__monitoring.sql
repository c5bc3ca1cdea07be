-- Monitoring: the prediction log, feedback (ground truth) for logged predictions, each
-- deployment's monitor (thresholds and action) and the alerts it raised. Every row carries its
-- organization, and every query of the store filters by it. A deployment is named as its routes
-- name it (unique in its organization). A prediction is one sample of an inference request: the
-- request's id (returned to the caller) and the sample's index. Inputs and outputs, when sampled,
-- are kept encrypted in a batch blob (blob_key, the line in it); the row keeps only what quality
-- and prediction drift need: the predicted class or value.
CREATE TABLE prediction (
  id               VARCHAR(40) NOT NULL,
  sample           INTEGER NOT NULL,
  org_id           VARCHAR(40) NOT NULL,
  deployment       VARCHAR(100) NOT NULL,
  model_version_id VARCHAR(40) NOT NULL,
  predicted_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  latency_micros   BIGINT NOT NULL,
  predicted_class  VARCHAR(200),
  predicted_value  DOUBLE PRECISION,
  blob_key         VARCHAR(200),
  blob_line        INTEGER,
  PRIMARY KEY (id, sample)
);
CREATE INDEX prediction_deployment ON prediction (org_id, deployment, predicted_at);

-- Ground truth for one prediction, given once.
CREATE TABLE prediction_feedback (
  prediction_id    VARCHAR(40) NOT NULL,
  sample           INTEGER NOT NULL,
  org_id           VARCHAR(40) NOT NULL,
  deployment       VARCHAR(100) NOT NULL,
  ground_truth     VARCHAR(200) NOT NULL,
  given_by         VARCHAR(40) NOT NULL,
  given_at         TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (prediction_id, sample)
);
CREATE INDEX prediction_feedback_deployment ON prediction_feedback (org_id, deployment);

-- A deployment's thresholds: drift (PSI from, KS p-value under), quality (accuracy under, or
-- RMSE over for regression), the samples a window needs before they count, and what crossing
-- one does.
CREATE TABLE deployment_monitor (
  org_id           VARCHAR(40) NOT NULL,
  deployment       VARCHAR(100) NOT NULL,
  window_seconds   BIGINT NOT NULL,
  psi_threshold    DOUBLE PRECISION NOT NULL,
  ks_p_threshold   DOUBLE PRECISION NOT NULL,
  min_accuracy     DOUBLE PRECISION,
  max_rmse         DOUBLE PRECISION,
  min_samples      INTEGER NOT NULL,
  action           VARCHAR(10) NOT NULL,
  updated_by       VARCHAR(40) NOT NULL,
  updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (org_id, deployment),
  CONSTRAINT deployment_monitor_action CHECK (action IN ('alert', 'retrain'))
);

-- An alert: one per crossing (deployment, signal such as "psi:age" or "accuracy"), open until
-- the value is back on the right side of its threshold. At most one open alert per signal.
CREATE TABLE monitoring_alert (
  id               VARCHAR(40) PRIMARY KEY,
  org_id           VARCHAR(40) NOT NULL,
  deployment       VARCHAR(100) NOT NULL,
  signal           VARCHAR(200) NOT NULL,
  observed         DOUBLE PRECISION NOT NULL,
  threshold        DOUBLE PRECISION NOT NULL,
  message          VARCHAR(1000) NOT NULL,
  raised_at        TIMESTAMP WITH TIME ZONE NOT NULL,
  resolved_at      TIMESTAMP WITH TIME ZONE,
  retrain_job      VARCHAR(100)
);
CREATE INDEX monitoring_alert_deployment ON monitoring_alert (org_id, deployment, raised_at);
