package ai.lepton.server.crypto;

import ai.lepton.server.blobs.BlobStore;
import ai.lepton.server.blobs.S3ProxyServer;
import org.junit.jupiter.api.BeforeAll;

/** Encryption at rest over the S3 store, against S3Proxy: what S3 holds is ciphertext. */
class EncryptedS3BlobStoreTest extends EncryptedBlobStoreContract {
  private static S3ProxyServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3ProxyServer.shared();
  }

  @Override
  BlobStore newRawStore() {
    return BlobStore.s3(server.url(server.newBucket()));
  }
}
