package ai.lepton.server.registry;

import ai.lepton.server.ServerConfig;
import ai.lepton.server.TestPlatform;
import ai.lepton.server.blobs.BlobStore;
import ai.lepton.server.db.Database;
import java.util.List;
import java.util.function.Supplier;

/**
 * The running server of the registry's tests ({@link TestPlatform}), and the blob store behind it,
 * to check what was (not) stored.
 */
final class RegistryPlatform extends TestPlatform {
  RegistryPlatform(ServerConfig config, Supplier<Database> db) {
    super(config, db);
  }

  /** {@code /api/v1/orgs/{org}/models} + path. */
  String models(String path) {
    return "/api/v1/orgs/" + org + "/models" + path;
  }

  /** Pushes {@code file} as a version of {@code model}; {@code query} as is ("format=onnx"). */
  Response push(String model, String token, String query, byte[] file) {
    return putBytes(models("/" + model + "/versions?" + query), token, file);
  }

  // ---------------------------------------------------------------- what is stored

  int versionRows() {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM model_version")
        .mapTo(Integer.class).one());
  }

  /** The keys of every organization's model blobs, in whichever store the server uses. */
  List<String> modelBlobKeys() {
    try (BlobStore blobs = BlobStore.fromUrl(config.blobsUrl(),
        config.dataDir().resolve("blobs"))) {
      return blobs.list("orgs/").stream().filter(k -> k.contains("/models/")).toList();
    }
  }
}
