package ai.lepton.server.blobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The blob contract on the directory store, plus what is particular to files. */
class DirectoryBlobStoreTest extends BlobStoreContract {
  @TempDir Path dir;
  private BlobStore store;

  @BeforeEach
  void open() {
    store = BlobStore.directory(dir.resolve("blobs"));
  }

  @Override
  BlobStore store() {
    return store;
  }

  @Override
  void assertNothingLeftBehind() throws IOException {
    try (Stream<Path> parts = Files.list(dir.resolve("blobs/.tmp"))) {
      assertEquals(List.of(), parts.toList());
    }
  }

  @Test
  void keepsEachBlobAsAFileAtItsKey() throws IOException {
    store.put("orgs/o1/datasets/d", TestStreams.generated(100, 1), 100);
    assertEquals(TestStreams.sha256(100, 1),
        TestStreams.sha256(Files.newInputStream(dir.resolve("blobs/orgs/o1/datasets/d"))));
  }

  @Test
  void removesTempFilesACrashLeftBehindOnceStale() throws IOException {
    Path stale = Files.writeString(dir.resolve("blobs/.tmp/put-1.part"), "partial");
    Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(2, ChronoUnit.DAYS)));
    Path recent = Files.writeString(dir.resolve("blobs/.tmp/put-2.part"), "in flight");
    BlobStore.directory(dir.resolve("blobs"));
    assertTrue(Files.notExists(stale));
    assertTrue(Files.exists(recent));
    assertEquals(List.of(), store.list(""));
  }
}
