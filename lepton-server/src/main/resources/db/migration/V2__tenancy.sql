-- Tenancy and identity: organizations, nested departments, users, memberships, projects, API
-- tokens, browser sessions and one-time sign-in links. Ids are random 128-bit values with a type
-- prefix (org_, dept_, usr_, prj_, tok_), so they cannot be guessed. Secrets (tokens, session ids,
-- sign-in codes) are stored only as SHA-256 hashes, in lowercase hex. ("user" is reserved: the
-- table is app_user.)

CREATE TABLE organization (
  id          VARCHAR(40) PRIMARY KEY,
  name        VARCHAR(100) NOT NULL,
  created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE department (
  id          VARCHAR(40) PRIMARY KEY,
  org_id      VARCHAR(40) NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
  parent_id   VARCHAR(40) REFERENCES department (id),
  name        VARCHAR(100) NOT NULL,
  created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX department_org ON department (org_id, parent_id);

CREATE TABLE app_user (
  id                  VARCHAR(40) PRIMARY KEY,
  email               VARCHAR(254) NOT NULL UNIQUE,
  display_name        VARCHAR(100) NOT NULL,
  password_hash       VARCHAR(200),
  installation_admin  BOOLEAN NOT NULL,
  created_at          TIMESTAMP WITH TIME ZONE NOT NULL
);

-- One membership per user and organization; department_id, when set, limits the role to that
-- department and the departments inside it.
CREATE TABLE membership (
  org_id         VARCHAR(40) NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
  user_id        VARCHAR(40) NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
  member_role    VARCHAR(10) NOT NULL,
  department_id  VARCHAR(40) REFERENCES department (id),
  created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (org_id, user_id)
);
CREATE INDEX membership_user ON membership (user_id);

CREATE TABLE project (
  id             VARCHAR(40) PRIMARY KEY,
  org_id         VARCHAR(40) NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
  department_id  VARCHAR(40) REFERENCES department (id),
  name           VARCHAR(100) NOT NULL,
  description    VARCHAR(1000) NOT NULL,
  created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  UNIQUE (org_id, name)
);

CREATE TABLE api_token (
  id            VARCHAR(40) PRIMARY KEY,
  org_id        VARCHAR(40) NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
  user_id       VARCHAR(40) NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
  token_name    VARCHAR(100) NOT NULL,
  token_hash    VARCHAR(64) NOT NULL UNIQUE,
  token_scope   VARCHAR(10) NOT NULL,
  project_id    VARCHAR(40) REFERENCES project (id) ON DELETE CASCADE,
  created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
  expires_at    TIMESTAMP WITH TIME ZONE NOT NULL,
  revoked_at    TIMESTAMP WITH TIME ZONE,
  last_used_at  TIMESTAMP WITH TIME ZONE
);
CREATE INDEX api_token_org_user ON api_token (org_id, user_id);

CREATE TABLE user_session (
  id_hash       VARCHAR(64) PRIMARY KEY,
  user_id       VARCHAR(40) NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
  csrf_token    VARCHAR(64) NOT NULL,
  created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
  last_seen_at  TIMESTAMP WITH TIME ZONE NOT NULL,
  expires_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX user_session_user ON user_session (user_id);

CREATE TABLE signin_link (
  code_hash   VARCHAR(64) PRIMARY KEY,
  user_id     VARCHAR(40) NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
  created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
  expires_at  TIMESTAMP WITH TIME ZONE NOT NULL,
  used_at     TIMESTAMP WITH TIME ZONE
);
