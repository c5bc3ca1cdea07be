package ai.lepton.metrics;

import ai.lepton.LeptonException;
import ai.lepton.data.Dataset;
import ai.lepton.internal.Args;
import ai.lepton.models.Model;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;

/**
 * Targets and predictions of {@code samples} samples, flattened: {@code targets} holds
 * {@code samples * targetWidth} values, {@code predictions} {@code samples * width}, row by row.
 * What the evaluation reports are computed from.
 */
record Predictions(int samples, float[] targets, int targetWidth, float[] predictions,
    int width) {

  /**
   * Targets and predictions given as tensors: {@code [samples]} or {@code [samples, width]}.
   *
   * @throws LeptonException if either is null, of another rank, empty, or their sample counts
   *     differ
   */
  static Predictions of(String what, Tensor yTrue, Tensor yPred) {
    Args.nonNull(yTrue, what, "yTrue");
    Args.nonNull(yPred, what, "yPred");
    int n = samples(what, "yPred", yPred);
    if (samples(what, "yTrue", yTrue) != n) {
      throw new LeptonException(what + ": yTrue and yPred must hold the same number of samples; "
          + "received shapes " + Arrays.toString(yTrue.shape()) + " and "
          + Arrays.toString(yPred.shape()));
    }
    return new Predictions(n, yTrue.toFloatArray(), width(yTrue), yPred.toFloatArray(),
        width(yPred));
  }

  /**
   * The model's predictions on every batch of {@code data} (epoch 0 of its order) with the
   * batches' targets.
   *
   * @throws LeptonException if the model has several inputs or outputs, is not built, the data
   *     does not fit it, or holds no samples
   */
  static Predictions of(String what, Model model, Dataset data) {
    Args.nonNull(model, what, "model");
    Args.nonNull(data, what, "data");
    if (model.outputNames().size() != 1) {
      throw new LeptonException(what + ": an evaluation report covers a model with one output; "
          + "this one has " + model.outputNames() + "; evaluate each output's predictions with "
          + "the tensor form");
    }
    Growing targets = new Growing();
    Growing predictions = new Growing();
    int n = 0;
    int targetWidth = -1;
    int width = -1;
    try (Dataset.Batches batches = data.epoch(0)) {
      while (batches.hasNext()) {
        Dataset.Batch batch = batches.next();
        Tensor y = batch.y();
        Tensor p = model.predict(batch.inputs(), batch.size()).get(0);
        targetWidth = check(what, "the dataset's targets", y, targetWidth);
        width = check(what, "the model's predictions", p, width);
        targets.add(y.toFloatArray());
        predictions.add(p.toFloatArray());
        n += batch.size();
      }
    }
    if (n == 0) {
      throw new LeptonException(what + ": the dataset holds no samples; evaluate on a non-empty "
          + "held-out split");
    }
    return new Predictions(n, targets.array(), targetWidth, predictions.array(), width);
  }

  /** The batch's width, which must match the previous batches'. */
  private static int check(String what, String name, Tensor t, int width) {
    samples(what, name, t);
    int w = width(t);
    if (width >= 0 && w != width) {
      throw new LeptonException(what + ": " + name + " change width between batches (" + width
          + ", then " + w + "); every batch must hold samples of one shape");
    }
    return w;
  }

  private static int samples(String what, String name, Tensor t) {
    if (t.rank() < 1 || t.rank() > 2) {
      throw new LeptonException(what + ": expected " + name + " of shape [samples] or [samples, "
          + "width], received " + Arrays.toString(t.shape()));
    }
    if (t.dim(0) == 0) {
      throw new LeptonException(what + ": " + name + " hold no samples; a report needs at least "
          + "one");
    }
    return t.dim(0);
  }

  private static int width(Tensor t) {
    return t.rank() == 1 ? 1 : t.dim(1);
  }

  /**
   * Refuses NaN and infinite values, naming the first: a model that diverged has no meaningful
   * report, and a NaN would silently count as a wrong (or right) answer.
   */
  void requireFinite(String what) {
    for (int i = 0; i < predictions.length; i++) {
      if (!Float.isFinite(predictions[i])) {
        throw new LeptonException(what + ": prediction " + (i / width) + " holds " + predictions[i]
            + "; a report needs finite predictions: the model may have diverged (lower the "
            + "learning rate, scale the inputs) or been given non-finite inputs");
      }
    }
    for (int i = 0; i < targets.length; i++) {
      if (!Float.isFinite(targets[i])) {
        throw new LeptonException(what + ": target " + (i / targetWidth) + " holds " + targets[i]
            + "; targets must be finite numbers");
      }
    }
  }

  /** A float array that grows as batches arrive. */
  private static final class Growing {
    private float[] values = new float[1024];
    private int size;

    void add(float[] more) {
      if (size + more.length > values.length) {
        values = Arrays.copyOf(values, Math.max(values.length * 2, size + more.length));
      }
      System.arraycopy(more, 0, values, size, more.length);
      size += more.length;
    }

    float[] array() {
      return Arrays.copyOf(values, size);
    }
  }
}
