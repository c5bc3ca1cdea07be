package ai.lepton.server.tenancy;

import ai.lepton.server.http.ApiException;
import java.util.Locale;

/**
 * What an API token may do, weakest first: read; write (create and change resources); admin (what
 * only admins and owners may do: manage members, departments and others' tokens). A token never
 * does more than its user's role allows. Browser sessions act with {@link #ADMIN}: their role is
 * the only limit.
 */
public enum Scope {
  READ, WRITE, ADMIN;

  /** Whether this scope allows what {@code needed} allows. */
  public boolean covers(Scope needed) {
    return ordinal() >= needed.ordinal();
  }

  /** The wire name: "read", "write" or "admin". */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The scope named {@code wire}.
   *
   * @throws ApiException INVALID_ARGUMENT for anything but read, write or admin
   */
  public static Scope parse(String wire) {
    for (Scope s : values()) {
      if (s.wire().equals(wire)) {
        return s;
      }
    }
    throw ApiException.invalid("scope must be one of read, write, admin; received "
        + Inputs.quote(wire));
  }
}
