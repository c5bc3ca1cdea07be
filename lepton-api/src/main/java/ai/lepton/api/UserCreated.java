package ai.lepton.api;

import java.time.Instant;

/**
 * A new user and the one-time link to hand them: it signs them in once, before it expires, and
 * they then set a password ({@code PUT /api/v1/me/password}).
 */
public record UserCreated(User user, String signInLink, Instant linkExpiresAt) {}
