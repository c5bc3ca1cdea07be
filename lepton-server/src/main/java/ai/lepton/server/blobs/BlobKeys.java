package ai.lepton.server.blobs;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * The rules of blob keys. Keys are made by the platform from ids it generated, never from names a
 * user typed, and are checked on every store call so that no key can become a path outside the
 * store: only {@code a-z 0-9 / _ -}, segments of at most {@value #MAX_SEGMENT} characters
 * separated by single slashes, no leading or trailing slash, no dots at all (so no {@code ..}), at
 * most {@value #MAX_LENGTH} characters.
 */
public final class BlobKeys {
  /** The longest key. */
  public static final int MAX_LENGTH = 512;
  /** The longest segment between slashes (file systems limit names to 255 bytes). */
  public static final int MAX_SEGMENT = 128;

  private static final Pattern PREFIX = Pattern.compile("([a-z0-9_-]+/?)*");
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private BlobKeys() {}

  /**
   * Returns {@code key} if it is a valid blob key.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static String validate(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("a blob key must not be empty");
    }
    if (key.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("a blob key must be at most " + MAX_LENGTH
          + " characters, received " + key.length());
    }
    // One pass instead of a regular expression: every blob read checks its key several times.
    boolean wellFormed = true;
    int segment = 0; // length of the segment so far
    int longest = 0;
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == '/') {
        wellFormed &= segment > 0; // no leading or double slash
        segment = 0;
      } else {
        wellFormed &= c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-';
        longest = Math.max(longest, ++segment);
      }
    }
    wellFormed &= segment > 0; // no trailing slash
    if (longest > MAX_SEGMENT) {
      throw new IllegalArgumentException("a blob key's segments must be at most " + MAX_SEGMENT
          + " characters each");
    }
    if (!wellFormed) {
      throw new IllegalArgumentException("invalid blob key '" + printable(key) + "': use only"
          + " a-z, 0-9, '_', '-' in segments separated by single '/', with no leading or"
          + " trailing '/'");
    }
    return key;
  }

  /**
   * Returns {@code prefix} if it can start a key ("" or segments, optionally ending in '/').
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static String validatePrefix(String prefix) {
    if (prefix == null || prefix.length() > MAX_LENGTH || !PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException("invalid blob key prefix '"
          + (prefix == null ? "null" : printable(prefix)) + "': use only a-z, 0-9, '_', '-'"
          + " and single '/' between segments");
    }
    return prefix;
  }

  /**
   * A new random key segment: 26 characters of lower-case base32, 130 bits of randomness, so that
   * keys cannot be guessed.
   */
  public static String randomSegment() {
    char[] out = new char[26];
    for (int i = 0; i < out.length; i++) {
      out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    }
    return new String(out);
  }

  // Keys in messages: shown escaped, so a hostile key cannot forge log lines.
  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < 80; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7f) {
        b.append(c);
      } else {
        b.append(String.format("\\u%04x", (int) c));
      }
    }
    return s.length() > 80 ? b + "..." : b.toString();
  }
}
