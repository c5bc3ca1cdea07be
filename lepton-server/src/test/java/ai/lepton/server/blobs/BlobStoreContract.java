package ai.lepton.server.blobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link BlobStore} does, run against each one. Sizes cross the S3 store's part size
 * (5 MiB in its test), so the multipart path is covered too.
 */
abstract class BlobStoreContract {
  static final long MB = 1 << 20;

  /** The store under test, empty at the start of each test. */
  abstract BlobStore store();

  /** Fails if the store holds partial data (temp files, upload parts) anywhere. */
  abstract void assertNothingLeftBehind() throws IOException;

  private static InputStream bytes(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void roundTripsSeveralMegabytesWithTheirSize() throws IOException {
    long size = 12 * MB + 12345;
    assertEquals(size, store().put("datasets/d1/v1", TestStreams.generated(size, 7), 20 * MB));
    assertTrue(store().exists("datasets/d1/v1"));
    try (InputStream in = store().open("datasets/d1/v1")) {
      assertEquals(TestStreams.sha256(size, 7), TestStreams.sha256(in));
    }
    assertNothingLeftBehind();
  }

  @Test
  void storesEmptyAndSmallBlobs() throws IOException {
    assertEquals(0, store().put("e", InputStream.nullInputStream(), 10));
    assertEquals(5, store().put("s", bytes("hello"), 5));
    try (InputStream in = store().open("s")) {
      assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), in.readAllBytes());
    }
    try (InputStream in = store().open("e")) {
      assertEquals(0, in.readAllBytes().length);
    }
  }

  @Test
  void aStreamOverTheLimitIsRefusedAndLeavesNothing() throws IOException {
    BlobTooLargeException small = assertThrows(BlobTooLargeException.class,
        () -> store().put("too/small", bytes("123456"), 5));
    assertTrue(small.getMessage().contains("limit of 5 bytes"), small.getMessage());
    BlobTooLargeException large = assertThrows(BlobTooLargeException.class,
        () -> store().put("too/large", TestStreams.generated(12 * MB, 1), 7 * MB));
    assertEquals(7 * MB, large.limit());
    assertFalse(store().exists("too/small"));
    assertFalse(store().exists("too/large"));
    assertEquals(List.of(), store().list(""));
    assertNothingLeftBehind();
  }

  @Test
  void aStreamThatFailsMidwayLeavesNothing() throws IOException {
    BlobException early = assertThrows(BlobException.class,
        () -> store().put("cut/early", TestStreams.failingAt(3 * MB, 2, MB), 20 * MB));
    assertTrue(early.getMessage().contains("cut/early"), early.getMessage());
    assertThrows(BlobException.class,
        () -> store().put("cut/late", TestStreams.failingAt(12 * MB, 2, 7 * MB), 20 * MB));
    assertFalse(store().exists("cut/early"));
    assertFalse(store().exists("cut/late"));
    assertEquals(List.of(), store().list(""));
    assertNothingLeftBehind();
  }

  @Test
  void aRefusedReplacementKeepsTheBlobThatWasThere() throws IOException {
    store().put("models/m1", bytes("version one"), 100);
    assertThrows(BlobTooLargeException.class,
        () -> store().put("models/m1", TestStreams.generated(1000, 3), 100));
    assertThrows(BlobException.class,
        () -> store().put("models/m1", TestStreams.failingAt(1000, 3, 50), 100_000));
    try (InputStream in = store().open("models/m1")) {
      assertEquals("version one", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void listsByPrefixSortedAndDeletes() {
    for (String key : List.of("orgs/b/x", "orgs/a/2", "orgs/a/1", "orgs/ab/1", "other")) {
      store().put(key, bytes(key), 100);
    }
    assertEquals(List.of("orgs/a/1", "orgs/a/2", "orgs/ab/1", "orgs/b/x", "other"),
        store().list(""));
    assertEquals(List.of("orgs/a/1", "orgs/a/2"), store().list("orgs/a/"));
    assertEquals(List.of("orgs/a/1", "orgs/a/2", "orgs/ab/1"), store().list("orgs/a"));
    assertEquals(List.of(), store().list("nothing/"));
    store().delete("orgs/a/1");
    store().delete("orgs/a/1"); // deleting a missing blob is not an error
    assertFalse(store().exists("orgs/a/1"));
    assertEquals(List.of("orgs/a/2"), store().list("orgs/a/"));
  }

  @Test
  void openingAMissingBlobSaysWhichKey() {
    BlobNotFoundException e = assertThrows(BlobNotFoundException.class,
        () -> store().open("no/such/blob"));
    assertTrue(e.getMessage().contains("no/such/blob"), e.getMessage());
    assertFalse(store().exists("no/such/blob"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"../x", "/abs", "a/../../b", "a/./b", "..", "a\\b", "..\\x",
      "%2e%2e/x", "a%2fb", "\u2024\u2024/x", "\uff0e\uff0e/x", "a\u2215b", "", "a//b", "a/",
      "UPPER", ".hidden", "a b", "a\u0000b", "a\nb", "caf\u00e9"})
  void keysThatCouldLeaveTheStoreAreRejectedByEveryCall(String key) {
    for (Runnable call : List.<Runnable>of(
        () -> store().put(key, bytes("x"), 10),
        () -> store().open(key),
        () -> store().exists(key),
        () -> store().delete(key))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
      assertTrue(e.getMessage().contains("blob key"), e.getMessage());
    }
    assertEquals(List.of(), store().list(""));
  }

  @Test
  void anOverlongKeyAndABadPrefixAreRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> store().put("a".repeat(BlobKeys.MAX_LENGTH + 1), bytes("x"), 10));
    assertTrue(e.getMessage().contains("at most " + BlobKeys.MAX_LENGTH), e.getMessage());
    String longest = "abcdefgh/".repeat(56) + "abcdefgh";
    assertEquals(BlobKeys.MAX_LENGTH, longest.length());
    store().put(longest, bytes("x"), 10);
    assertTrue(store().exists(longest));
    IllegalArgumentException segment = assertThrows(IllegalArgumentException.class,
        () -> store().put("a".repeat(BlobKeys.MAX_SEGMENT + 1), bytes("x"), 10));
    assertTrue(segment.getMessage().contains("segments must be at most"), segment.getMessage());
    store().put("a".repeat(BlobKeys.MAX_SEGMENT), bytes("x"), 10);
    assertThrows(IllegalArgumentException.class, () -> store().list("../"));
    assertThrows(IllegalArgumentException.class, () -> store().list("/"));
  }

  @Test
  void answersPing() {
    assertTrue(store().ping());
  }
}
