package ai.lepton.server.registry;

import ai.lepton.server.ServerConfig;
import ai.lepton.server.blobs.S3ProxyServer;
import ai.lepton.server.db.TestDatabases;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The registry API with its blobs in a real S3-compatible server (S3Proxy, a fresh bucket for
 * each server) and the embedded H2 database.
 */
class RegistryRoutesS3Test extends RegistryRoutesContract {
  @Override
  RegistryPlatform start(Path dir) {
    S3ProxyServer s3;
    try {
      s3 = S3ProxyServer.shared();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return new RegistryPlatform(new ServerConfig("127.0.0.1", 0, dir, null, null, null,
        s3.url(s3.newBucket()), null, null, null, null, ServerConfig.DEFAULT_MAX_UPLOAD_BYTES),
        () -> TestDatabases.embedded(dir));
  }
}
