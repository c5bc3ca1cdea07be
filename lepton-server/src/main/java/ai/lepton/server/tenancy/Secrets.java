package ai.lepton.server.tenancy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Random ids and secrets, and the hashes secrets are stored as. Ids are 128 random bits in
 * lowercase base32 (26 characters) behind a type prefix ({@code org_}, {@code dept_}...), so
 * knowing one id says nothing about another. Secrets are 256 random bits in base64url; only their
 * SHA-256 is stored (they are random, so no slow hash is needed).
 */
final class Secrets {
  static final String TOKEN_PREFIX = "lpt_";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

  private Secrets() {}

  /** A new id: {@code prefix} + 26 base32 characters of 128 random bits. */
  static String id(String prefix) {
    byte[] b = bytes(16);
    StringBuilder s = new StringBuilder(prefix);
    int buffer = 0;
    int bits = 0;
    for (byte x : b) {
      buffer = (buffer << 8) | (x & 0xff);
      bits += 8;
      while (bits >= 5) {
        s.append(BASE32[(buffer >>> (bits - 5)) & 31]);
        bits -= 5;
      }
    }
    if (bits > 0) {
      s.append(BASE32[(buffer << (5 - bits)) & 31]);
    }
    return s.toString();
  }

  /** A new secret: 32 random bytes in base64url without padding (43 characters). */
  static String secret() {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(32));
  }

  /** A new API token: {@code lpt_} and a secret. */
  static String token() {
    return TOKEN_PREFIX + secret();
  }

  /** The stored form of a secret: SHA-256 of its UTF-8 bytes, lowercase hex. */
  static String hash(String secret) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(
          secret.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** Compares two strings in time independent of where they differ. */
  static boolean constantTimeEquals(String a, String b) {
    if (a == null || b == null) {
      return false;
    }
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8),
        b.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] bytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
