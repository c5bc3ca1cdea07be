-- The model registry: registered models, their immutable versions, aliases and tags. Every row
-- carries its organization, and every query of the store filters by it. A version's file is one
-- encrypted blob. Deleting a version leaves a tombstone (its number is never given again, and the
-- lineage of versions fine-tuned from it still names it); its blob is deleted, its aliases and
-- tags go with it.
CREATE TABLE registered_model (
  id          VARCHAR(40) PRIMARY KEY,
  org_id      VARCHAR(40) NOT NULL,
  name        VARCHAR(100) NOT NULL,
  description VARCHAR(2000) NOT NULL,
  created_by  VARCHAR(40) NOT NULL,
  created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
  CONSTRAINT registered_model_name_unique UNIQUE (org_id, name)
);
CREATE INDEX registered_model_org ON registered_model (org_id);

CREATE TABLE model_version (
  id                  VARCHAR(40) PRIMARY KEY,
  org_id              VARCHAR(40) NOT NULL,
  model_id            VARCHAR(40) NOT NULL REFERENCES registered_model (id),
  number              INTEGER NOT NULL,
  format              VARCHAR(10) NOT NULL,
  blob_key            VARCHAR(200) NOT NULL,
  size_bytes          BIGINT NOT NULL,
  sha256              VARCHAR(64) NOT NULL,
  signature_json      TEXT NOT NULL,
  has_preprocessing   BOOLEAN NOT NULL,
  metrics_json        TEXT NOT NULL,
  evaluation_json     TEXT,
  source              VARCHAR(10) NOT NULL,
  run_id              VARCHAR(40),
  job_id              VARCHAR(40),
  dataset_version_id  VARCHAR(40),
  parameters_json     TEXT NOT NULL,
  parent_version_id   VARCHAR(40) REFERENCES model_version (id),
  created_by          VARCHAR(40) NOT NULL,
  created_at          TIMESTAMP WITH TIME ZONE NOT NULL,
  deleted_at          TIMESTAMP WITH TIME ZONE,
  deleted_by          VARCHAR(40),
  CONSTRAINT model_version_number_unique UNIQUE (model_id, number),
  CONSTRAINT model_version_format CHECK (format IN ('lepton', 'onnx')),
  CONSTRAINT model_version_source CHECK (source IN ('upload', 'run'))
);
CREATE INDEX model_version_org ON model_version (org_id, model_id);

CREATE TABLE model_alias (
  org_id      VARCHAR(40) NOT NULL,
  model_id    VARCHAR(40) NOT NULL REFERENCES registered_model (id),
  alias       VARCHAR(100) NOT NULL,
  version_id  VARCHAR(40) NOT NULL REFERENCES model_version (id),
  updated_by  VARCHAR(40) NOT NULL,
  updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (model_id, alias)
);
CREATE INDEX model_alias_version ON model_alias (version_id);

CREATE TABLE model_tag (
  org_id      VARCHAR(40) NOT NULL,
  version_id  VARCHAR(40) NOT NULL REFERENCES model_version (id),
  tag_key     VARCHAR(100) NOT NULL,
  tag_value   VARCHAR(500) NOT NULL,
  PRIMARY KEY (version_id, tag_key)
);
