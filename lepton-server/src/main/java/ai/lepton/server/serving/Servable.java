package ai.lepton.server.serving;

import ai.lepton.models.Model;
import ai.lepton.models.ModelArchive;
import ai.lepton.models.PredictOptions;
import ai.lepton.tensor.ComputeContext;
import ai.lepton.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One model version loaded and ready to predict: a Core {@link Model} built once from its file,
 * predicting without a graph, or an ONNX model in an ONNX Runtime session ({@link OnnxModel}),
 * behind a {@link DynamicBatcher} when batching is on. Safe for many request threads at once
 * (Core's inference is, see docs/concurrency.md; so are ONNX Runtime sessions). Close it to
 * retire it once no deployment routes to it: its batcher stops, and an ONNX session is freed
 * once the last request that {@link #acquire acquired} it has released it.
 */
public final class Servable implements AutoCloseable {
  /**
   * Where one request's forward pass runs: on its request thread alone. The server's request
   * threads already keep the cores busy under load, where splitting a pass over Core's workers
   * costs more in hand-offs than it saves (the MLP's server CPU per request at one connection
   * halved, docs/benchmarks.md); a batch of several requests still splits over every core.
   */
  private static final ComputeContext ONE_REQUEST = ComputeContext.vector(1);

  private final String name;
  private final String version;
  private final String versionId;
  private final String platform;
  private final DynamicBatcher.Predictor model;
  private final Signature signature;
  private final ServingMetrics.Meters meters;
  private final Limiter limiter;
  private final DynamicBatcher batcher;
  /** Frees the model's native memory (an ONNX session); null for a Core model (the heap's). */
  private final Runnable free;
  /** The requests that hold it, plus one for the deployment until it is retired; 0: freed. */
  private final AtomicInteger holders = new AtomicInteger(1);
  private final AtomicBoolean retired = new AtomicBoolean();

  private Servable(String name, String version, String versionId, String platform,
      DynamicBatcher.Predictor model, Runnable free, Signature signature,
      ServingMetrics.Meters meters, Limiter limiter, Batching batching) {
    this.name = name;
    this.version = version;
    this.versionId = versionId;
    this.platform = platform;
    this.model = model;
    this.free = free;
    this.signature = signature;
    this.meters = meters;
    this.limiter = limiter;
    this.batcher = batching.enabled()
        ? new DynamicBatcher(name + "-" + version, batching, this::predict, model, meters) : null;
  }

  /**
   * Builds the model of {@code archive} (an opened, checked model file) with its weights and
   * preprocessing, ready to answer as version {@code version} (the registry's model version
   * {@code versionId}, as the prediction log records it) of model {@code name}, within the limits
   * of {@code limiter} (its deployment's, shared with the deployment's other version).
   *
   * @throws ai.lepton.LeptonException if the file no longer loads (changed since it was opened,
   *     truncated)
   */
  static Servable load(String organizationId, String name, String version, String versionId,
      ModelArchive archive, Batching batching, Limiter limiter, ServingMetrics metrics) {
    Model model = archive.load();
    Signature signature = Signature.of(archive.inputs(), archive.outputs(),
        model.preprocessing().orElse(null), model.classNames().orElse(List.of()));
    DynamicBatcher.Predictor predictor = (inputs, rows) -> {
      List<Tensor> x = new ArrayList<>(inputs.size());
      for (int i = 0; i < inputs.size(); i++) {
        int[] sample = signature.sampleShape(i);
        int[] shape = new int[sample.length + 1];
        shape[0] = rows;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        x.add(Tensor.wrap(inputs.get(i), shape)); // the decoder's arrays, this request's own
      }
      List<Tensor> y = model.predict(x, PredictOptions.DEFAULTS.batchSize(rows));
      List<float[]> out = new ArrayList<>(y.size());
      for (Tensor t : y) {
        out.add(t.toFloatArray());
      }
      return out;
    };
    return new Servable(name, version, versionId, "lepton", predictor, null, signature,
        metrics.meters(organizationId, name, version), limiter, batching);
  }

  /**
   * Opens {@code file}, an ONNX model, in an ONNX Runtime session (one intra-op thread per
   * request thread), ready to answer as version {@code version} of model {@code name}. It takes
   * tensors only (FP32, or INT64 for token ids): an ONNX model has no saved preprocessing for
   * raw rows or texts.
   *
   * @throws ai.lepton.LeptonException when ONNX Runtime cannot load it, or its inputs are not
   *     FP32 or INT64 tensors, or its outputs not FP32, with the samples first and a fixed
   *     sample shape (the message says how to export it)
   */
  static Servable onnx(String organizationId, String name, String version, String versionId,
      byte[] file, Batching batching, Limiter limiter, ServingMetrics metrics) {
    OnnxModel model = OnnxModel.load(file);
    return new Servable(name, version, versionId, "onnxruntime_onnx", model::predict,
        model::close, model.signature(), metrics.meters(organizationId, name, version), limiter,
        batching);
  }

  public String name() {
    return name;
  }

  public String version() {
    return version;
  }

  /** The registry's id of the model version it serves. */
  String versionId() {
    return versionId;
  }

  /** The OIP metadata's platform: {@code lepton} or {@code onnxruntime_onnx} (Triton's name). */
  String platform() {
    return platform;
  }

  Signature signature() {
    return signature;
  }

  ServingMetrics.Meters meters() {
    return meters;
  }

  Limiter limiter() {
    return limiter;
  }

  /**
   * The outputs for {@code rows} samples of each input (checked by the decoder), through the
   * batcher when batching is on. A caller that may race with a rollout holds it
   * ({@link #acquire}) meanwhile.
   *
   * @throws ai.lepton.LeptonException if the model refuses these values
   * @throws IllegalStateException for an ONNX model freed already (retired and not held)
   */
  List<float[]> infer(List<float[]> inputs, int rows) {
    if (batcher == null) {
      meters.batch(rows, 1);
      return predict(inputs, rows);
    }
    CompletableFuture<List<float[]>> result = batcher.submit(inputs, rows);
    if (result == null) { // retired by a rollout after this request found it: still answers
      meters.batch(rows, 1);
      return predict(inputs, rows);
    }
    try {
      return result.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** One request's forward pass over {@code rows} samples: one array per output, row-major. */
  List<float[]> predict(List<float[]> inputs, int rows) {
    try (ComputeContext.Scope ignored = ONE_REQUEST.enter()) {
      return model.predict(inputs, rows);
    }
  }

  /**
   * Holds it for one request, so that its model is not freed while the request uses it, until
   * {@link #release}. False once it is retired and freed: the request finds what the deployment
   * serves now instead. A Core model is never freed (a request that found it before a rollout
   * still gets its answer).
   */
  boolean acquire() {
    if (free == null) {
      return true;
    }
    for (int n = holders.get(); n > 0; n = holders.get()) {
      if (holders.compareAndSet(n, n + 1)) {
        return true;
      }
    }
    return false;
  }

  /** Lets go of what {@link #acquire} held; the last one frees a retired model. */
  void release() {
    if (free != null && holders.decrementAndGet() == 0) {
      free.run();
    }
  }

  /**
   * Retires it: its batcher answers the requests it holds and stops; requests that still come
   * (found just before a rollout switched) predict on their own threads while they hold it. An
   * ONNX session is freed once no request holds it.
   */
  @Override
  public void close() {
    if (!retired.compareAndSet(false, true)) {
      return;
    }
    if (batcher != null) {
      batcher.close();
    }
    release();
  }
}
