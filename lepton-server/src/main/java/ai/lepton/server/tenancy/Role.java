package ai.lepton.server.tenancy;

import ai.lepton.server.http.ApiException;
import java.util.Locale;

/**
 * A member's role in an organization, strongest first: an owner may do everything (delete the
 * organization, name other owners), an admin manages members, departments and other members'
 * tokens, a member creates projects and datasets, a viewer reads.
 */
public enum Role {
  OWNER, ADMIN, MEMBER, VIEWER;

  /** Whether this role may do what {@code minimum} may. */
  public boolean atLeast(Role minimum) {
    return ordinal() <= minimum.ordinal();
  }

  /** The wire name: "owner", "admin", "member" or "viewer". */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The role named {@code wire}.
   *
   * @throws ApiException INVALID_ARGUMENT for anything but owner, admin, member or viewer
   */
  public static Role parse(String wire) {
    for (Role r : values()) {
      if (r.wire().equals(wire)) {
        return r;
      }
    }
    throw ApiException.invalid("role must be one of owner, admin, member, viewer; received "
        + Inputs.quote(wire));
  }
}
