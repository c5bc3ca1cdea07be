package ai.lepton.api;

/**
 * A new API token. {@code token} ({@code lpt_...}) is shown this once: the server keeps only its
 * hash. Send it as {@code Authorization: Bearer <token>}.
 */
public record TokenCreated(String token, TokenInfo info) {}
