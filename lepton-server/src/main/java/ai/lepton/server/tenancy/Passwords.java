package ai.lepton.server.tenancy;

import ai.lepton.api.ErrorCode;
import ai.lepton.server.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Password rules and hashing with Argon2id, stored in the PHC string format
 * ({@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}) so the parameters can be raised later and
 * old hashes still verify.
 *
 * <p>Parameters: Argon2id, version 1.3, 19 MiB of memory, 2 iterations, 1 lane, a 16-byte random
 * salt and a 32-byte hash: OWASP's recommended minimum for Argon2id (about 85 ms per hash on this
 * project's machines), strong against GPU guessing while keeping sign-in cheap for the server.
 */
final class Passwords {
  static final int MIN_LENGTH = 12;
  static final int MAX_LENGTH = 256;
  private static final int MEMORY_KIB = 19 * 1024;
  private static final int ITERATIONS = 2;
  private static final int PARALLELISM = 1;
  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  /**
   * Hashes running at once: each takes 19 MiB and a core for a while, so a flood of sign-ins must
   * queue here rather than exhaust the heap (the rate limits count only finished attempts).
   */
  private static final Semaphore RUNNING = new Semaphore(
      Math.max(2, Runtime.getRuntime().availableProcessors()));
  /** Verified against for an unknown email: a wrong email costs as long as a wrong password. */
  private static final String DUMMY = hash("not-a-password-of-anyone");

  private Passwords() {}

  /**
   * Checks the rules of a new password: 12 to 256 characters, not only spaces.
   *
   * @throws ApiException INVALID_ARGUMENT saying which rule failed
   */
  static void checkRules(String password) {
    if (password == null) {
      throw ApiException.invalid("newPassword is required: " + MIN_LENGTH + " to " + MAX_LENGTH
          + " characters");
    }
    int length = password.codePointCount(0, password.length());
    if (length < MIN_LENGTH) {
      throw ApiException.invalid("the password is too short: at least " + MIN_LENGTH
          + " characters, received " + length + "; a few unrelated words make a good one");
    }
    if (length > MAX_LENGTH) {
      throw ApiException.invalid("the password is too long: at most " + MAX_LENGTH
          + " characters, received " + length);
    }
    if (password.isBlank()) {
      throw ApiException.invalid("the password must not be only spaces");
    }
  }

  /** The PHC string of {@code password} with a new random salt. */
  static String hash(String password) {
    byte[] salt = Secrets.bytes(SALT_BYTES);
    byte[] h = argon2(password, salt, MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES);
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=" + PARALLELISM + "$"
        + b64.encodeToString(salt) + "$" + b64.encodeToString(h);
  }

  /**
   * Whether {@code password} matches {@code stored} (a PHC string from {@link #hash}), compared in
   * constant time. A null {@code stored} (no password set, or no such user) costs a whole hash
   * too and answers false.
   */
  static boolean verify(String password, String stored) {
    if (password == null || password.length() > MAX_LENGTH * 2) {
      return false;
    }
    boolean real = stored != null;
    String[] parts = (real ? stored : DUMMY).split("\\$");
    // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
    if (parts.length != 6 || !parts[1].equals("argon2id") || !parts[2].equals("v=19")) {
      throw new IllegalStateException("a stored password hash is not an Argon2id PHC string");
    }
    int m = 0;
    int t = 0;
    int p = 0;
    for (String kv : parts[3].split(",")) {
      int v = Integer.parseInt(kv.substring(2));
      switch (kv.charAt(0)) {
        case 'm' -> m = v;
        case 't' -> t = v;
        case 'p' -> p = v;
        default -> throw new IllegalStateException("unknown Argon2 parameter in a stored hash");
      }
    }
    Base64.Decoder b64 = Base64.getDecoder();
    byte[] salt = b64.decode(parts[4]);
    byte[] expected = b64.decode(parts[5]);
    byte[] actual = argon2(password, salt, m, t, p, expected.length);
    return MessageDigest.isEqual(expected, actual) && real;
  }

  private static byte[] argon2(String password, byte[] salt, int memoryKib, int iterations,
      int parallelism, int length) {
    try {
      if (!RUNNING.tryAcquire(10, TimeUnit.SECONDS)) {
        throw new ApiException(ErrorCode.UNAVAILABLE, "the server is busy checking passwords;"
            + " retry in a few seconds");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(ErrorCode.UNAVAILABLE, "the server is stopping; retry later");
    }
    try {
      return argon2Now(password, salt, memoryKib, iterations, parallelism, length);
    } finally {
      RUNNING.release();
    }
  }

  private static byte[] argon2Now(String password, byte[] salt, int memoryKib, int iterations,
      int parallelism, int length) {
    Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(memoryKib)
        .withIterations(iterations)
        .withParallelism(parallelism)
        .withSalt(salt)
        .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(params);
    byte[] out = new byte[length];
    generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
    return out;
  }
}
