package ai.lepton.server.blobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The blob contract on the S3 store, against a real S3-compatible server (S3Proxy as a
 * subprocess, signatures checked), with 5 MiB parts so that larger blobs go through multipart
 * uploads.
 */
class S3BlobStoreTest extends BlobStoreContract {
  private static S3ProxyServer server;
  private String bucket;
  private S3BlobStore store;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3ProxyServer.shared();
  }

  @BeforeEach
  void open() {
    bucket = server.newBucket();
    store = new S3BlobStore(S3Location.parse(server.url(bucket), Map.of()), 5 << 20);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Override
  BlobStore store() {
    return store;
  }

  @Override
  void assertNothingLeftBehind() throws IOException {
    // Whatever S3Proxy keeps on disk for objects and unfinished uploads sits in the bucket's
    // directory: only completed objects may be there.
    try (Stream<Path> files = Files.walk(server.bucketDirectory(bucket))) {
      List<String> found = files.filter(Files::isRegularFile)
          .map(p -> server.bucketDirectory(bucket).relativize(p).toString()).sorted().toList();
      assertEquals(store.list(""), found);
    }
  }

  @Test
  void aPrefixInTheUrlScopesEveryKey() {
    try (BlobStore scoped = BlobStore.s3(server.url(bucket).replace("?", "/node-a?"))) {
      scoped.put("x/y", TestStreams.generated(10, 1), 10);
      assertEquals(List.of("x/y"), scoped.list(""));
      assertTrue(scoped.exists("x/y"));
      assertEquals(List.of("node-a/x/y"), store.list(""));
    }
  }

  @Test
  void pingFailsForAMissingBucketOrWrongCredentials() {
    try (BlobStore missing = BlobStore.s3(server.url("no-such-bucket"))) {
      assertFalse(missing.ping());
    }
    try (BlobStore wrong = BlobStore.s3(server.url(bucket).replace("secretKey=", "secretKey=x"))) {
      assertFalse(wrong.ping());
    }
  }
}
