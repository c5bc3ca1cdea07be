package ai.lepton.server.audit;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hash of an audit event: SHA-256 over its canonical encoding, which ends with the previous
 * event's hash. The encoding (docs/audit-log.md), in order: the ASCII tag {@code lepton-audit-v1};
 * organization id; sequence number (int64); time (int64 microseconds since the epoch); actor;
 * action; resource type; resource id; client address; outcome name; the number of details (int32)
 * then each name and value by name order; previous hash. A string is the byte 1, its UTF-8 length
 * (int32) and bytes; null is the byte 0. Integers are big-endian.
 */
final class AuditHash {
  /** The previous hash of an organization's first event. */
  static final String GENESIS = "0".repeat(64);

  private AuditHash() {}

  static String of(String organizationId, long sequence, Instant time, String actor,
      String action, String resourceType, String resourceId, String clientAddress,
      String outcome, Map<String, String> details, String previousHash) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write("lepton-audit-v1".getBytes(StandardCharsets.US_ASCII));
      string(out, organizationId);
      out.writeLong(sequence);
      out.writeLong(ChronoUnit.MICROS.between(Instant.EPOCH, time));
      string(out, actor);
      string(out, action);
      string(out, resourceType);
      string(out, resourceId);
      string(out, clientAddress);
      string(out, outcome);
      Map<String, String> sorted = new TreeMap<>(details);
      out.writeInt(sorted.size());
      for (Map.Entry<String, String> d : sorted.entrySet()) {
        string(out, d.getKey());
        string(out, d.getValue());
      }
      string(out, previousHash);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(bytes.toByteArray()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK lacks SHA-256", e);
    }
  }

  private static void string(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeByte(0);
      return;
    }
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    out.writeByte(1);
    out.writeInt(utf8.length);
    out.write(utf8);
  }
}
