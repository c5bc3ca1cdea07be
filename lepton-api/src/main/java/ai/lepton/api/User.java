package ai.lepton.api;

import java.time.Instant;

/** A person who signs in; the same user may belong to several organizations. */
public record User(String id, String email, String displayName, Instant createdAt) {}
