package ai.lepton.server.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.blobs.BlobException;
import ai.lepton.server.blobs.BlobNotFoundException;
import ai.lepton.server.blobs.BlobStore;
import ai.lepton.server.blobs.BlobTooLargeException;
import ai.lepton.server.blobs.StoredBlob;
import ai.lepton.server.blobs.TestStreams;
import ai.lepton.server.db.Database;
import ai.lepton.server.db.TestDatabases;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Encryption at rest over a blob store, run on each store: what reaches the store is ciphertext. */
abstract class EncryptedBlobStoreContract {
  static final String PATTERN = "LEPTON-RECOGNIZABLE-PLAINTEXT-0123456789;";

  private Database database;
  private BlobStore raw;
  KeyService keys;
  EncryptedBlobStore blobs;

  /** A new, empty raw store to put under the encrypted one. */
  abstract BlobStore newRawStore();

  /** The raw store under the encrypted one. */
  BlobStore raw() {
    return raw;
  }

  @BeforeEach
  void openEncrypted() {
    database = TestDatabases.h2();
    raw = newRawStore();
    keys = new KeyService(database, MasterKey.generate(), Clock.systemUTC());
    blobs = new EncryptedBlobStore(raw, keys);
  }

  @AfterEach
  void closeStores() {
    raw.close();
    database.close();
  }

  static byte[] patterned(int repeats) {
    return PATTERN.repeat(repeats).getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] read(InputStream in) throws IOException {
    try (in) {
      return in.readAllBytes();
    }
  }

  static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  @Test
  void storesCiphertextAndReadsBackThePlaintextWithItsSizeAndHash() throws IOException {
    byte[] plaintext = patterned(3000); // about 120 KB
    StoredBlob stored = blobs.put("o1", "datasets/d1", new ByteArrayInputStream(plaintext),
        1 << 20);
    assertEquals(new StoredBlob("datasets/d1", plaintext.length,
        TestStreams.sha256(new ByteArrayInputStream(plaintext))), stored);
    assertArrayEquals(plaintext, read(blobs.open("o1", "datasets/d1")));

    byte[] atRest = read(raw().open(EncryptedBlobStore.storageKey("o1", "datasets/d1")));
    assertEquals(List.of("orgs/o1/datasets/d1"), raw().list(""));
    assertFalse(contains(atRest, PATTERN.substring(0, 16).getBytes(StandardCharsets.US_ASCII)),
        "the plaintext pattern is in the stored bytes");
    assertTrue(atRest.length > plaintext.length); // header and tags
  }

  @Test
  void anotherOrganizationCannotReadABlobCopiedIntoItsSpace() throws IOException {
    blobs.put("alpha", "models/m", new ByteArrayInputStream(patterned(100)), 1 << 20);
    blobs.put("beta", "models/other", new ByteArrayInputStream(patterned(1)), 1 << 20);
    byte[] ciphertext = read(raw().open(EncryptedBlobStore.storageKey("alpha", "models/m")));
    raw().put(EncryptedBlobStore.storageKey("beta", "models/m"),
        new ByteArrayInputStream(ciphertext), 1 << 20);
    BlobException e = assertThrows(BlobException.class, () -> read(blobs.open("beta", "models/m")));
    assertTrue(e.getMessage().contains("cannot be decrypted"), e.getMessage());
    assertTrue(e.getMessage().contains("organization beta"), e.getMessage());

    // An organization that has no keys at all fails the same way.
    raw().put(EncryptedBlobStore.storageKey("gamma", "models/m"),
        new ByteArrayInputStream(ciphertext), 1 << 20);
    BlobException none = assertThrows(BlobException.class, () -> blobs.open("gamma", "models/m"));
    assertTrue(none.getMessage().contains("cannot be decrypted"), none.getMessage());
  }

  @Test
  void aBlobCopiedToAnotherKeyDoesNotDecrypt() throws IOException {
    blobs.put("alpha", "a", new ByteArrayInputStream(patterned(10)), 1 << 20);
    raw().put(EncryptedBlobStore.storageKey("alpha", "b"),
        raw().open(EncryptedBlobStore.storageKey("alpha", "a")), 1 << 20);
    BlobException e = assertThrows(BlobException.class, () -> read(blobs.open("alpha", "b")));
    assertTrue(e.getMessage().contains("blob b of organization alpha cannot be decrypted"),
        e.getMessage());
  }

  @Test
  void alteredOrTruncatedCiphertextFailsClearly() throws IOException {
    byte[] plaintext = patterned(60_000); // about 2.4 MB: many segments
    blobs.put("alpha", "d", new ByteArrayInputStream(plaintext), 10 << 20);
    String at = EncryptedBlobStore.storageKey("alpha", "d");
    byte[] ciphertext = read(raw().open(at));

    byte[] flipped = ciphertext.clone();
    flipped[flipped.length / 2] ^= 1;
    raw().put(at, new ByteArrayInputStream(flipped), 10 << 20);
    BlobException altered = assertThrows(BlobException.class, () -> read(blobs.open("alpha", "d")));
    assertTrue(altered.getMessage().contains("cannot be decrypted"), altered.getMessage());

    raw().put(at, new ByteArrayInputStream(Arrays.copyOf(ciphertext, ciphertext.length - 100)),
        10 << 20);
    assertThrows(BlobException.class, () -> read(blobs.open("alpha", "d")));

    // A cut exactly at a segment boundary is caught too: the last segment is marked as last.
    raw().put(at, new ByteArrayInputStream(Arrays.copyOf(ciphertext, 1 << 20)), 10 << 20);
    assertThrows(BlobException.class, () -> read(blobs.open("alpha", "d")));
  }

  @Test
  void newKeysCutTheCiphertextIntoFourKibSegments() throws IOException {
    // A read allocates two segments whatever the blob's size, so small segments keep small reads
    // cheap. 10,000 bytes: a 40-byte header, then segments of 4,096 ciphertext bytes (the first
    // holds 4,040 plaintext bytes, the next 4,080, the last 1,880), each ending in a 16-byte tag.
    blobs.put("alpha", "s", new ByteArrayInputStream(new byte[10_000]), 1 << 20);
    assertEquals(10_000 + 40 + 3 * 16,
        read(raw().open(EncryptedBlobStore.storageKey("alpha", "s"))).length);
  }

  @Test
  void theLimitAppliesToThePlaintextAndARefusedOrFailedWriteLeavesNothing() {
    BlobTooLargeException e = assertThrows(BlobTooLargeException.class,
        () -> blobs.put("alpha", "big", TestStreams.generated(3 << 20, 1), 2 << 20));
    assertEquals(2 << 20, e.limit());
    assertThrows(BlobException.class,
        () -> blobs.put("alpha", "cut", TestStreams.failingAt(3 << 20, 1, 1 << 20), 10 << 20));
    blobs.put("alpha", "exact", TestStreams.generated(2 << 20, 1), 2 << 20);
    assertEquals(List.of("exact"), blobs.list("alpha", ""));
    assertEquals(List.of("orgs/alpha/exact"), raw().list(""));
  }

  @Test
  void eachOrganizationSeesOnlyItsOwnBlobs() {
    blobs.put("alpha", "datasets/1", new ByteArrayInputStream(new byte[1]), 1);
    blobs.put("alpha", "datasets/2", new ByteArrayInputStream(new byte[1]), 1);
    blobs.put("beta", "datasets/1", new ByteArrayInputStream(new byte[1]), 1);
    assertEquals(List.of("datasets/1", "datasets/2"), blobs.list("alpha", "datasets/"));
    assertEquals(List.of("datasets/1"), blobs.list("beta", ""));
    assertFalse(blobs.exists("beta", "datasets/2"));
    BlobNotFoundException missing = assertThrows(BlobNotFoundException.class,
        () -> blobs.open("beta", "datasets/2"));
    assertEquals("no blob at datasets/2", missing.getMessage());
    blobs.delete("beta", "datasets/2"); // another organization's key: nothing happens
    assertTrue(blobs.exists("alpha", "datasets/2"));
    blobs.delete("alpha", "datasets/2");
    assertEquals(List.of("datasets/1"), blobs.list("alpha", ""));
  }

  @Test
  void organizationIdsThatCouldLeaveTheirSpaceAreRejected() {
    for (String org : List.of("", "../x", "a/b", "A", "a".repeat(65))) {
      assertThrows(IllegalArgumentException.class,
          () -> blobs.put(org, "k", new ByteArrayInputStream(new byte[1]), 1), org);
      assertThrows(IllegalArgumentException.class, () -> blobs.list(org, ""), org);
    }
    assertThrows(IllegalArgumentException.class,
        () -> blobs.put("alpha", "../k", new ByteArrayInputStream(new byte[1]), 1));
  }

  @Test
  void anEmptyBlobRoundTrips() throws IOException {
    StoredBlob empty = blobs.put("alpha", "empty", InputStream.nullInputStream(), 0);
    assertEquals(0, empty.size());
    assertEquals(0, read(blobs.open("alpha", "empty")).length);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    blobs.open("alpha", "empty").transferTo(sink);
    assertEquals(0, sink.size());
  }

  @Test
  void anOrganizationsBlobsAreListedByOrganizationAndDeletedTogether() {
    for (String org : new String[] {"org_b", "org_a"}) {
      blobs.put(org, "datasets/ds_1/x", new ByteArrayInputStream(patterned(1)), 1 << 20);
      blobs.put(org, "models/m_1", new ByteArrayInputStream(patterned(1)), 1 << 20);
    }
    raw().put("elsewhere/y", new ByteArrayInputStream(patterned(1)), 1 << 20);
    assertEquals(List.of("org_a", "org_b"), blobs.organizations());
    assertEquals(2, blobs.deleteOrganization("org_a"));
    assertEquals(List.of("org_b"), blobs.organizations());
    assertEquals(List.of("datasets/ds_1/x", "models/m_1"), blobs.list("org_b", ""));
    assertTrue(raw().exists("elsewhere/y"), "only organizations' blobs are theirs to delete");
    assertEquals(0, blobs.deleteOrganization("org_a"));
  }
}
