-- Each organization's data keyset (Tink StreamingAead, AES256_GCM_HKDF_1MB), created on first
-- use, stored wrapped (encrypted) by the master key with the organization id as associated data.
-- master_key_id names the master key that wrapped it (not secret), for clear errors at start.
CREATE TABLE organization_keyset (
  organization_id VARCHAR(64) PRIMARY KEY,
  wrapped_keyset  BYTEA NOT NULL,
  master_key_id   BIGINT NOT NULL,
  created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
  rotated_at      TIMESTAMP WITH TIME ZONE
);
