-- Datasets and their immutable versions. Every row carries its organization, and every query of
-- the store filters by it. A version's content is one encrypted blob; a derived version names its
-- parent and the recipe (with the parameters it computed) that made it from the parent.
CREATE TABLE dataset (
  id          VARCHAR(40) PRIMARY KEY,
  org_id      VARCHAR(40) NOT NULL,
  project_id  VARCHAR(40),
  name        VARCHAR(100) NOT NULL,
  description VARCHAR(2000) NOT NULL,
  created_by  VARCHAR(40) NOT NULL,
  created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
  CONSTRAINT dataset_name_unique UNIQUE (org_id, name)
);
CREATE INDEX dataset_org ON dataset (org_id);

CREATE TABLE dataset_version (
  id             VARCHAR(40) PRIMARY KEY,
  org_id         VARCHAR(40) NOT NULL,
  dataset_id     VARCHAR(40) NOT NULL REFERENCES dataset (id),
  number         INTEGER NOT NULL,
  format         VARCHAR(20) NOT NULL,
  file_name      VARCHAR(255) NOT NULL,
  blob_key       VARCHAR(200) NOT NULL,
  size_bytes     BIGINT NOT NULL,
  sha256         VARCHAR(64) NOT NULL,
  profile_json   TEXT NOT NULL,
  parent_id      VARCHAR(40) REFERENCES dataset_version (id),
  recipe_json    TEXT,
  created_by     VARCHAR(40) NOT NULL,
  created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  CONSTRAINT dataset_version_number_unique UNIQUE (dataset_id, number)
);
CREATE INDEX dataset_version_org ON dataset_version (org_id, dataset_id);
