package ai.lepton.server.blobs;

import java.util.Objects;

/**
 * A blob as stored: its key, its size in bytes and the SHA-256 of its bytes (64 lower-case hex
 * digits).
 */
public record StoredBlob(String key, long size, String sha256) {
  public StoredBlob {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(sha256, "sha256");
    if (size < 0) {
      throw new IllegalArgumentException("size must be >= 0, received " + size);
    }
  }
}
