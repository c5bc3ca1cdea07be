package ai.lepton.server.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.lepton.layers.Dense;
import ai.lepton.models.Sequential;
import ai.lepton.server.ServerConfig;
import ai.lepton.server.TestPlatform;
import ai.lepton.server.db.Database;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.util.function.Supplier;

/**
 * The running server of the deployments' tests ({@link TestPlatform}); {@link #restart} starts it
 * again on the same data (tokens stay valid).
 */
final class DeploymentPlatform extends TestPlatform {
  static final String ROW = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":"
      + "\"FP32\",\"data\":[1,2,3,4]}]}";

  DeploymentPlatform(ServerConfig config, Supplier<Database> db) {
    super(config, db);
  }

  /** A small Core model file: 4 features -> 8 relu -> 3 softmax, weights drawn from seed. */
  static byte[] model(long seed) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    sequential(seed).save(bytes);
    return bytes.toByteArray();
  }

  /** The same model exported to ONNX, with the same input and output names. */
  static byte[] onnxModel(long seed) {
    return OnnxFiles.dense(sequential(seed), "input", "dense_1", null);
  }

  static Sequential sequential(long seed) {
    Sequential model = new Sequential().add(new Dense(8, "relu")).add(new Dense(3, "softmax"));
    model.build(seed, 4);
    return model;
  }

  /** Pushes {@code file} as the next version of {@code model}. */
  void push(String model, String query, byte[] file) {
    Response r = putBytes(orgPath("/models/" + model + "/versions?" + query), owner, file);
    assertEquals(201, r.status(), r.body());
  }

  /** One inference of {@link #ROW} on deployment {@code name}. */
  Response infer(String name, String token) {
    return send(request("/v2/models/" + name + "/infer", token)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(ROW)));
  }
}
