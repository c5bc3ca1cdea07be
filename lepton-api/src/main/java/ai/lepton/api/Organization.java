package ai.lepton.api;

import java.time.Instant;

/** An organization (a tenant): everything else on the platform belongs to one. */
public record Organization(String id, String name, Instant createdAt) {}
