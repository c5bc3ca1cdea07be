-- A deployment's own request limits, each NULL for the server's (ServingLimits): the rate and
-- burst of its token bucket, the largest request body and the most samples per request. The
-- service keeps each at most the server's ceiling; serving takes the lower of the two again, so a
-- ceiling the operator lowers later holds for deployments stored before.
ALTER TABLE deployment ADD COLUMN requests_per_second DOUBLE PRECISION;
ALTER TABLE deployment ADD COLUMN burst INTEGER;
ALTER TABLE deployment ADD COLUMN max_request_bytes BIGINT;
ALTER TABLE deployment ADD COLUMN max_request_samples INTEGER;
ALTER TABLE deployment ADD CONSTRAINT deployment_limits CHECK (
  (requests_per_second IS NULL OR requests_per_second > 0)
  AND (burst IS NULL OR burst >= 1)
  AND (max_request_bytes IS NULL OR max_request_bytes >= 1)
  AND (max_request_samples IS NULL OR max_request_samples >= 1));
