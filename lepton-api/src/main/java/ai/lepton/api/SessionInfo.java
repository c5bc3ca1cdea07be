package ai.lepton.api;

import java.time.Instant;

/**
 * A browser session (its id travels only in the {@code lepton_session} cookie).
 *
 * @param csrfToken to send as the {@code X-CSRF-Token} header on every POST, PUT, PATCH and
 *     DELETE made with the cookie
 * @param expiresAt when it ends at the latest; it ends sooner after a long idle time
 * @param passwordSet false after a sign-in link, until the user sets a password
 */
public record SessionInfo(User user, String csrfToken, Instant expiresAt, boolean passwordSet) {}
