package ai.lepton.server.serving;

import ai.lepton.data.Idx;
import ai.lepton.layers.Conv2D;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Flatten;
import ai.lepton.layers.MaxPooling2D;
import ai.lepton.models.Fit;
import ai.lepton.models.ModelArchive;
import ai.lepton.models.Sequential;
import ai.lepton.server.blobs.BlobStore;
import ai.lepton.server.crypto.EncryptedBlobStore;
import ai.lepton.server.crypto.KeyService;
import ai.lepton.server.crypto.MasterKey;
import ai.lepton.server.db.Database;
import ai.lepton.server.http.Api;
import ai.lepton.server.http.Json;
import ai.lepton.server.http.Route;
import ai.lepton.server.monitoring.MonitoringLimits;
import ai.lepton.server.monitoring.MonitoringService;
import ai.lepton.server.monitoring.PredictionLog;
import ai.lepton.server.monitoring.Retrainer;
import ai.lepton.tensor.Tensor;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The server of {@code bench/serving}: the Fashion-MNIST MLP and CNN, each trained for a moment
 * on a slice of the training set, served over the Open Inference Protocol with and without
 * dynamic batching ({@code mlp}, {@code mlp-batched}, {@code cnn}, {@code cnn-batched}), the
 * MLP's weights exported to ONNX and served by ONNX Runtime ({@code onnx-mlp},
 * {@code onnx-mlp-batched}), and
 * {@code POST /bench/noop}, which reads the same body and does no work: the HTTP ceiling. Both go
 * through the same pipeline (request id, metrics, error mapping); the caller is fixed, so token
 * checks are not part of the figures. Every answer is logged to the server's prediction log, as
 * in production (batched into an H2 database, payloads encrypted into a directory), except those
 * of {@code mlp-unlogged} and {@code cnn-unlogged}, the same models whose answers build their
 * log samples but are not queued: the log's cost, measured in the same sitting. Writes one
 * request body per model ({@code mlp.json}, {@code cnn.json}: the first test image) to
 * {@code args[0]}, then prints {@code port=<port>}.
 */
final class ServingBench {
  private static final String DATA = "/usr/share/datasets/fashion-mnist/";

  private ServingBench() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    Path dir = Path.of(args[0]);
    Batching batching = new Batching(64, Duration.ZERO);
    Tensor pixels = Idx.read(Path.of(DATA + "train-images-idx3-ubyte.gz")).slice(0, 0, 6000)
        .div(255f);
    Tensor labels = Idx.read(Path.of(DATA + "train-labels-idx1-ubyte.gz")).slice(0, 0, 6000);
    // the architectures of bench/peer_fastapi.py (Lepton's Fashion-MNIST templates)
    Sequential mlp = new Sequential().add(new Dense(128, "relu")).add(new Dense(10, "softmax"));
    Sequential cnn = new Sequential().add(new Conv2D(32, 3, 3, "relu")).add(new MaxPooling2D())
        .add(new Conv2D(64, 3, 3, "relu")).add(new MaxPooling2D()).add(new Flatten())
        .add(new Dense(128, "relu")).add(new Dense(10, "softmax"));
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ServingMetrics metrics = new ServingMetrics(registry);
    Map<String, Servable> served = new HashMap<>();
    // far above what it answers: the limiter's bucket is on the measured path, never refusing
    ServingLimits limits = new ServingLimits(8L << 20, 4_000_000, 1024, 1e9, 1_000_000_000);
    for (Sequential model : List.of(mlp, cnn)) {
      String name = model == mlp ? "mlp" : "cnn";
      model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
      Tensor images = model == mlp ? pixels.reshape(6000, 784) : pixels.reshape(6000, 28, 28, 1);
      model.fit(images, labels, Fit.epochs(1).batchSize(64).verbose(0));
      Path file = dir.resolve(name + ".lepton");
      model.save(file);
      ModelArchive archive = ModelArchive.open(file);
      served.put(name, Servable.load("bench", name, "1", "mv_" + name, archive, Batching.NONE,
          new Limiter(limits, System::nanoTime), metrics));
      served.put(name + "-batched", Servable.load("bench", name + "-batched", "1",
          "mv_" + name, archive, batching, new Limiter(limits, System::nanoTime), metrics));
      served.put(name + "-unlogged", Servable.load("bench", name + "-unlogged", "1",
          "mv_" + name, archive, Batching.NONE, new Limiter(limits, System::nanoTime), metrics));
      writeBody(dir.resolve(name + ".json"), images.slice(0, 0, 1).toFloatArray(),
          archive.inputs().get(0).name(), archive.inputs().get(0).shape());
      if (model == mlp) { // the same weights in ONNX Runtime, for the same request body
        byte[] onnx = OnnxFiles.dense(mlp, archive.inputs().get(0).name(),
            archive.outputs().get(0).name(), null);
        served.put("onnx-mlp", Servable.onnx("bench", "onnx-mlp", "1", "mv_onnx", onnx,
            Batching.NONE, new Limiter(limits, System::nanoTime), metrics));
        served.put("onnx-mlp-batched", Servable.onnx("bench", "onnx-mlp-batched", "1",
            "mv_onnx", onnx, batching, new Limiter(limits, System::nanoTime), metrics));
      }
    }
    Servables servables = (org, name, version) -> Optional.ofNullable(served.get(name));
    Clock clock = Clock.systemUTC();
    // the encrypted H2 file `lepton server` makes: an in-memory H2 kept every logged row on the
    // 1 GB heap, and its growth, not the log, set the logged targets' GC cost
    Database db = Database.embedded(dir.resolve("db"), "benchpassword");
    EncryptedBlobStore blobs = new EncryptedBlobStore(BlobStore.directory(dir.resolve("blobs")),
        new KeyService(db, MasterKey.generate(), clock));
    MonitoringService monitoring = MonitoringService.create(db, blobs, null, null, clock,
        (org, version) -> Optional.empty(), Retrainer.NONE, MonitoringLimits.DEFAULT);
    PredictionLog logged = monitoring.predictionLog();
    PredictionLog log = (org, deployment, version, samples, latency) ->
        deployment.endsWith("-unlogged") ? "prd_unlogged"
            : logged.log(org, deployment, version, samples, latency);
    List<Route> routes = new ArrayList<>(new OipRoutes(servables, ctx -> "bench", log, "bench")
        .routes());
    routes.add(Route.post("/bench/noop").tag("bench").summary("reads the body, does no work")
        .publicAccess().status(200).handle(ctx -> {
          try (var in = ctx.req().getInputStream()) {
            in.transferTo(OutputStream.nullOutputStream());
          }
          ctx.contentType("application/json").result("{\"model_name\":\"noop\"}");
        }));
    var server = new Api(Json.mapper(), registry, ctx -> false, routes)
        .create("127.0.0.1", Integer.parseInt(args.length > 1 ? args[1] : "0")).start();
    System.out.println("port=" + server.port());
    System.out.flush();
    Thread.currentThread().join();
  }

  private static void writeBody(Path file, float[] pixels, String input, List<Integer> shape)
      throws IOException {
    StringBuilder sb = new StringBuilder("{\"inputs\":[{\"name\":\"" + input + "\",\"shape\":[1");
    for (int d = 1; d < shape.size(); d++) {
      sb.append(',').append(shape.get(d));
    }
    sb.append("],\"datatype\":\"FP32\",\"data\":[");
    for (int i = 0; i < pixels.length; i++) {
      sb.append(i == 0 ? "" : ",").append(pixels[i]);
    }
    Files.writeString(file, sb.append("]}]}").toString());
  }
}
