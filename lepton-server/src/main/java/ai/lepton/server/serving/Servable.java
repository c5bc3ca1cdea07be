package ai.lepton.server.serving;

import ai.lepton.models.Model;
import ai.lepton.models.ModelArchive;
import ai.lepton.models.PredictOptions;
import ai.lepton.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One model version loaded and ready to predict: a Core {@link Model} built once from its file,
 * predicting without a graph, behind a {@link DynamicBatcher} when batching is on. Safe for many
 * request threads at once (Core's inference is; see docs/concurrency.md). Close it to stop its
 * batcher once no deployment routes to it.
 */
public final class Servable implements AutoCloseable {
  private final String name;
  private final String version;
  private final String versionId;
  private final Model model;
  private final Signature signature;
  private final ServingMetrics.Meters meters;
  private final Limiter limiter;
  private final DynamicBatcher batcher;

  private Servable(String name, String version, String versionId, Model model,
      Signature signature, ServingMetrics.Meters meters, Limiter limiter, Batching batching) {
    this.name = name;
    this.version = version;
    this.versionId = versionId;
    this.model = model;
    this.signature = signature;
    this.meters = meters;
    this.limiter = limiter;
    this.batcher = batching.enabled()
        ? new DynamicBatcher(name + "-" + version, batching, this::predict, meters) : null;
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
    return new Servable(name, version, versionId, model, signature,
        metrics.meters(organizationId, name, version), limiter, batching);
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
   * batcher when batching is on.
   *
   * @throws ai.lepton.LeptonException if the model refuses these values
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

  /** One forward pass over {@code rows} samples: one array per output, row-major. */
  List<float[]> predict(List<float[]> inputs, int rows) {
    List<Tensor> x = new ArrayList<>(inputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      int[] sample = signature.sampleShape(i);
      int[] shape = new int[sample.length + 1];
      shape[0] = rows;
      System.arraycopy(sample, 0, shape, 1, sample.length);
      x.add(Tensor.of(inputs.get(i), shape));
    }
    List<Tensor> y = model.predict(x, PredictOptions.DEFAULTS.batchSize(rows));
    List<float[]> out = new ArrayList<>(y.size());
    for (Tensor t : y) {
      out.add(t.toFloatArray());
    }
    return out;
  }

  /**
   * Retires it: its batcher answers the requests it holds and stops; requests that still come
   * (found just before a rollout switched) predict on their own threads. Nothing fails.
   */
  @Override
  public void close() {
    if (batcher != null) {
      batcher.close();
    }
  }
}
