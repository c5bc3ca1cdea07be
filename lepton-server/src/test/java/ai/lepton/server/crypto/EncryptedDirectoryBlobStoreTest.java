package ai.lepton.server.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.blobs.BlobStore;
import ai.lepton.server.blobs.StoredBlob;
import ai.lepton.server.blobs.TestStreams;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Encryption at rest over the directory store, and proof that it streams. */
class EncryptedDirectoryBlobStoreTest extends EncryptedBlobStoreContract {
  @TempDir Path dir;
  @Override
  BlobStore newRawStore() {
    return BlobStore.directory(dir.resolve("blobs"));
  }

  /** Counts the bytes read through it, and calls a hook after each read. */
  static final class Counting extends FilterInputStream {
    private final Runnable afterRead;
    long count;

    Counting(InputStream in, Runnable afterRead) {
      super(in);
      this.afterRead = afterRead;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      count += b < 0 ? 0 : 1;
      afterRead.run();
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      count += Math.max(n, 0);
      afterRead.run();
      return n;
    }
  }

  /** The directory store, with the streams it reads and gives wrapped by the test. */
  private final class Watched implements BlobStore {
    UnaryOperator<InputStream> onPut = in -> in;
    UnaryOperator<InputStream> onOpen = in -> in;

    @Override
    public long put(String key, InputStream in, long maxBytes) {
      return raw().put(key, onPut.apply(in), maxBytes);
    }

    @Override
    public InputStream open(String key) {
      return onOpen.apply(raw().open(key));
    }

    @Override
    public boolean exists(String key) {
      return raw().exists(key);
    }

    @Override
    public void delete(String key) {
      raw().delete(key);
    }

    @Override
    public List<String> list(String prefix) {
      return raw().list(prefix);
    }

    @Override
    public boolean ping() {
      return raw().ping();
    }
  }

  /**
   * A 20 MB blob is written and read while never more than a segment or two (4 KiB each) sits
   * between the source and the store, in either direction: memory does not grow with the blob.
   */
  @Test
  void encryptsAndDecryptsAsAStreamHoldingAboutOneSegment() throws IOException {
    long size = 20L << 20;
    TestStreams.Generated source = TestStreams.generated(size, 42);
    Watched watched = new Watched();
    EncryptedBlobStore streaming = new EncryptedBlobStore(watched, keys);

    // Writing: how far the plaintext source runs ahead of the ciphertext the store has read.
    long[] ahead = {0};
    watched.onPut = in -> {
      Counting[] ciphertext = new Counting[1];
      ciphertext[0] = new Counting(in,
          () -> ahead[0] = Math.max(ahead[0], source.position() - ciphertext[0].count));
      return ciphertext[0];
    };
    StoredBlob stored = streaming.put("alpha", "big", source, size);
    assertEquals(size, stored.size());
    assertEquals(size, source.position());
    assertTrue(ahead[0] < 2 << 20, "the source ran " + ahead[0] + " bytes ahead");

    // Reading: how far the ciphertext read from the store runs ahead of the plaintext given out.
    Counting[] ciphertext = new Counting[1];
    watched.onOpen = in -> ciphertext[0] = new Counting(in, () -> { });
    long plaintextRead = 0;
    long behind = 0;
    byte[] buffer = new byte[64 * 1024];
    try (InputStream plaintext = streaming.open("alpha", "big")) {
      for (int n; (n = plaintext.read(buffer)) > 0; ) {
        plaintextRead += n;
        behind = Math.max(behind, ciphertext[0].count - plaintextRead);
      }
    }
    assertEquals(size, plaintextRead);
    assertTrue(behind < 3 << 20, "the ciphertext was read " + behind + " bytes ahead");
    try (InputStream plaintext = streaming.open("alpha", "big")) {
      assertEquals(stored.sha256(), TestStreams.sha256(plaintext));
    }
  }
}
