-- Deployments: a name in an organization (the OIP model name, /v2/models/{name}) serving one
-- pinned model version and, during a canary, a second version with its share of the requests.
-- A deployment pins version ids (not aliases): moving an alias does not move a deployment; an
-- update does. Its batching settings are stored with it, so a restart serves it as it was.
CREATE TABLE deployment (
  id                 VARCHAR(40) PRIMARY KEY,
  org_id             VARCHAR(40) NOT NULL,
  name               VARCHAR(100) NOT NULL,
  primary_version_id VARCHAR(40) NOT NULL REFERENCES model_version (id),
  canary_version_id  VARCHAR(40) REFERENCES model_version (id),
  canary_percent     INTEGER NOT NULL,
  max_batch_size     INTEGER NOT NULL,
  max_delay_micros   BIGINT NOT NULL,
  created_by         VARCHAR(40) NOT NULL,
  created_at         TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_at         TIMESTAMP WITH TIME ZONE NOT NULL,
  CONSTRAINT deployment_name_unique UNIQUE (org_id, name),
  CONSTRAINT deployment_canary_percent CHECK (canary_percent BETWEEN 0 AND 100)
);
CREATE INDEX deployment_org ON deployment (org_id);
CREATE INDEX deployment_primary ON deployment (primary_version_id);
CREATE INDEX deployment_canary ON deployment (canary_version_id);

-- Tokens that reach one deployment's inference endpoints only (for an application that must not
-- hold a member's API token). Only the SHA-256 of a token is stored; it is shown once.
CREATE TABLE deployment_token (
  id            VARCHAR(40) PRIMARY KEY,
  org_id        VARCHAR(40) NOT NULL,
  deployment_id VARCHAR(40) NOT NULL REFERENCES deployment (id),
  name          VARCHAR(100) NOT NULL,
  token_hash    VARCHAR(64) NOT NULL,
  created_by    VARCHAR(40) NOT NULL,
  created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
  revoked_at    TIMESTAMP WITH TIME ZONE,
  CONSTRAINT deployment_token_hash_unique UNIQUE (token_hash)
);
CREATE INDEX deployment_token_deployment ON deployment_token (org_id, deployment_id);
