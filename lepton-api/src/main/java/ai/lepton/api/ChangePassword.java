package ai.lepton.api;

/**
 * Sets the caller's password.
 *
 * @param currentPassword the password now, or null when none is set yet (after a sign-in link)
 * @param newPassword 12-256 characters
 */
public record ChangePassword(String currentPassword, String newPassword) {}
