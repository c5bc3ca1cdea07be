-- The audit log: per organization, events numbered from 1 and hash-chained (see docs/audit-log.md).
-- The chain's head holds the last number and hash; every append locks it (SELECT ... FOR UPDATE),
-- so one organization's appends queue up and the chain never forks.
CREATE TABLE audit_chain (
  organization_id VARCHAR(64) PRIMARY KEY,
  last_sequence   BIGINT NOT NULL,
  last_hash       VARCHAR(64) NOT NULL
);

CREATE TABLE audit_event (
  organization_id VARCHAR(64) NOT NULL,
  sequence_number BIGINT NOT NULL,
  occurred_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  actor           VARCHAR(200) NOT NULL,
  action          VARCHAR(100) NOT NULL,
  resource_type   VARCHAR(100),
  resource_id     VARCHAR(200),
  client_address  VARCHAR(100),
  outcome         VARCHAR(16) NOT NULL,
  details         TEXT NOT NULL,
  event_hash      VARCHAR(64) NOT NULL,
  previous_hash   VARCHAR(64) NOT NULL,
  PRIMARY KEY (organization_id, sequence_number)
);

CREATE INDEX audit_event_by_time ON audit_event (organization_id, occurred_at);
