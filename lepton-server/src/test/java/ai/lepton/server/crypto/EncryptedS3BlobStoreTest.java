package ai.lepton.server.crypto;

import ai.lepton.server.blobs.BlobStore;
import ai.lepton.server.blobs.S3ProxyServer;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Encryption at rest over the S3 store, against S3Proxy: what S3 holds is ciphertext. */
class EncryptedS3BlobStoreTest extends EncryptedBlobStoreContract {
  @TempDir static Path dir;
  private static S3ProxyServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3ProxyServer.start(dir);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Override
  BlobStore newRawStore() {
    String bucket = "e" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    server.createBucket(bucket);
    return BlobStore.s3(server.url(bucket));
  }
}
