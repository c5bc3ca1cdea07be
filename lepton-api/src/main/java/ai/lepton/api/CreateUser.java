package ai.lepton.api;

/**
 * Creates a user, without a password: the answer carries a one-time sign-in link for them.
 *
 * @param email their sign-in name, at most 254 characters
 * @param displayName 1-100 characters, or null to use the email
 */
public record CreateUser(String email, String displayName) {}
