package ai.lepton.server.tenancy;

import ai.lepton.server.http.ApiException;
import java.util.Locale;
import java.util.regex.Pattern;

/** Checks of the strings that come in from requests: lengths, control characters, emails. */
final class Inputs {
  static final int MAX_NAME = 100;
  static final int MAX_DESCRIPTION = 1000;
  static final int MAX_EMAIL = 254;
  /** Ids are a prefix and 26 base32 characters; anything much longer is no id of ours. */
  static final int MAX_ID = 40;
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");

  private Inputs() {}

  /**
   * A required name: trimmed, 1-100 characters, no control characters.
   *
   * @throws ApiException INVALID_ARGUMENT naming {@code field}
   */
  static String name(String field, String value) {
    if (value == null || value.isBlank()) {
      throw ApiException.invalid(field + " is required: 1-" + MAX_NAME + " characters");
    }
    String v = value.strip();
    return text(field, v, MAX_NAME);
  }

  /**
   * Optional text of at most {@code max} characters without control characters; longer free text
   * (descriptions, past the length of a name) may hold newlines and tabs.
   */
  static String text(String field, String value, int max) {
    if (value == null) {
      return "";
    }
    if (value.length() > max) {
      throw ApiException.invalid(field + " is too long: at most " + max + " characters, received "
          + value.length());
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean freeText = max > MAX_NAME && (c == '\n' || c == '\t');
      if (Character.isISOControl(c) && !freeText) {
        throw ApiException.invalid(field + " must not contain control characters (found U+"
            + String.format("%04X", (int) c) + " at index " + i + ")");
      }
    }
    return value;
  }

  /** A normalized (lowercase, trimmed) email address. */
  static String email(String value) {
    if (value == null || value.isBlank()) {
      throw ApiException.invalid("email is required");
    }
    String v = value.strip().toLowerCase(Locale.ROOT);
    if (v.length() > MAX_EMAIL) {
      throw ApiException.invalid("email is too long: at most " + MAX_EMAIL + " characters");
    }
    text("email", v, MAX_EMAIL);
    if (!EMAIL.matcher(v).matches()) {
      throw ApiException.invalid("email must look like name@example.org; received " + quote(v));
    }
    return v;
  }

  /** Whether {@code id} could be one of ours (bounded, printable); else it is simply not found. */
  static boolean plausibleId(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_ID) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_')) {
        return false;
      }
    }
    return true;
  }

  /** {@code value} quoted for a message, shortened so a hostile value cannot flood it. */
  static String quote(String value) {
    if (value == null) {
      return "nothing";
    }
    String v = value.length() > 40 ? value.substring(0, 40) + "..." : value;
    StringBuilder b = new StringBuilder("'");
    for (char c : v.toCharArray()) {
      b.append(Character.isISOControl(c) ? '?' : c);
    }
    return b.append('\'').toString();
  }
}
