package ai.lepton.losses;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.ConfigReader;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * The built-in losses, by factory or by Keras name. Every loss returns the mean over the batch of
 * the per-sample loss (Keras' {@code sum_over_batch_size}): element-wise losses average over the
 * last axis too, cross-entropies over classes sum over it.
 */
public final class Losses {
  /** Keras' {@code backend.epsilon()}: probabilities are clipped to {@code [EPSILON, 1 - EPSILON]}. */
  static final float EPSILON = 1e-7f;

  private static final String KNOWN_NAMES = "mean_squared_error (mse), mean_absolute_error (mae), "
      + "binary_crossentropy (bce), categorical_crossentropy, sparse_categorical_crossentropy, "
      + "huber (huber_loss); Keras class names such as MeanSquaredError work too";

  private Losses() {}

  /** {@code mean((yPred - yTrue)^2)}. */
  public static Loss meanSquaredError() {
    return new MeanSquaredError();
  }

  /** {@code mean(|yPred - yTrue|)}. */
  public static Loss meanAbsoluteError() {
    return new MeanAbsoluteError();
  }

  /**
   * Binary cross-entropy for 0/1 targets. With {@code fromLogits} the predictions are raw scores
   * and the loss is computed as {@code softplus(x) - x*z}, which never overflows; otherwise they
   * are probabilities, clipped to {@code [1e-7, 1 - 1e-7]} as Keras does, so that a confident wrong
   * prediction gives a large finite loss rather than infinity.
   */
  public static Loss binaryCrossentropy(boolean fromLogits) {
    return new BinaryCrossentropy(fromLogits);
  }

  /**
   * Cross-entropy for one-hot (or soft) targets over the last axis. With {@code fromLogits} it uses
   * a fused log-softmax; otherwise each row of probabilities is normalized to sum 1 and clipped to
   * {@code [1e-7, 1 - 1e-7]}, as Keras does.
   */
  public static Loss categoricalCrossentropy(boolean fromLogits) {
    return new CategoricalCrossentropy(fromLogits);
  }

  /**
   * Categorical cross-entropy for integer class labels stored as floats: {@code yTrue} of shape
   * {@code [B]} or {@code [B, 1]} against {@code yPred} of shape {@code [B, C]} (more generally,
   * {@code yPred}'s shape without its last axis, optionally followed by 1).
   */
  public static Loss sparseCategoricalCrossentropy(boolean fromLogits) {
    return new SparseCategoricalCrossentropy(fromLogits);
  }

  /**
   * The Huber loss: {@code 0.5 e^2} where {@code |e| <= delta}, {@code delta (|e| - 0.5 delta)}
   * beyond, with {@code e = yPred - yTrue}.
   *
   * @throws LeptonException if {@code delta} is not positive
   */
  public static Loss huber(float delta) {
    return new Huber(delta);
  }

  /**
   * A loss by Keras name with Keras defaults: {@code "mse"}, {@code "mean_squared_error"},
   * {@code "mae"}, {@code "mean_absolute_error"}, {@code "binary_crossentropy"} ({@code "bce"}),
   * {@code "categorical_crossentropy"}, {@code "sparse_categorical_crossentropy"},
   * {@code "huber"} ({@code "huber_loss"}, delta 1). Case and underscores are ignored, so Keras
   * class names such as {@code "SparseCategoricalCrossentropy"} work too. Cross-entropies expect
   * probabilities ({@code from_logits=false}).
   *
   * @throws LeptonException for an unknown name; the message lists the known ones
   */
  public static Loss get(String name) {
    return fromConfig(name, Map.of());
  }

  /**
   * Rebuilds a loss from its {@link Loss#name()} and {@link Loss#config()}; missing keys take the
   * Keras defaults.
   *
   * @throws LeptonException for an unknown name, an unknown config key or a value of the wrong type
   */
  public static Loss fromConfig(String name, Map<String, ?> config) {
    Args.nonNull(name, "Losses", "name");
    ConfigReader c = new ConfigReader(String.valueOf(name), config);
    Loss loss = switch (normalize(name)) {
      case "mse", "meansquarederror" -> meanSquaredError();
      case "mae", "meanabsoluteerror" -> meanAbsoluteError();
      case "bce", "binarycrossentropy" -> binaryCrossentropy(c.booleanValue("from_logits", false));
      case "categoricalcrossentropy" -> categoricalCrossentropy(
          c.booleanValue("from_logits", false));
      case "sparsecategoricalcrossentropy" -> sparseCategoricalCrossentropy(
          c.booleanValue("from_logits", false));
      case "huber", "huberloss" -> huber(c.floatValue("delta", 1f));
      default -> throw new LeptonException("Unknown loss '" + name + "'. Known losses: "
          + KNOWN_NAMES);
    };
    c.finish();
    return loss;
  }

  private static String normalize(String name) {
    return name == null ? "" : name.replace("_", "").toLowerCase(Locale.ROOT);
  }

  // ------------------------------------------------------------------ implementations

  private record MeanSquaredError() implements Loss {
    @Override
    public Tensor call(Tensor yTrue, Tensor yPred) {
      Args.nonNull(yTrue, name(), "yTrue");
      Args.nonNull(yPred, name(), "yPred");
      return yPred.sub(align(name(), yTrue, yPred)).square().mean();
    }

    @Override
    public String name() {
      return "mean_squared_error";
    }

    @Override
    public Map<String, Object> config() {
      return Map.of();
    }
  }

  private record MeanAbsoluteError() implements Loss {
    @Override
    public Tensor call(Tensor yTrue, Tensor yPred) {
      Args.nonNull(yTrue, name(), "yTrue");
      Args.nonNull(yPred, name(), "yPred");
      return yPred.sub(align(name(), yTrue, yPred)).abs().mean();
    }

    @Override
    public String name() {
      return "mean_absolute_error";
    }

    @Override
    public Map<String, Object> config() {
      return Map.of();
    }
  }

  private record BinaryCrossentropy(boolean fromLogits) implements Loss {
    @Override
    public Tensor call(Tensor yTrue, Tensor yPred) {
      Args.nonNull(yTrue, name(), "yTrue");
      Args.nonNull(yPred, name(), "yPred");
      Tensor z = align(name(), yTrue, yPred);
      if (fromLogits) {
        // softplus(x) - x*z equals max(x,0) - x*z + log(1 + exp(-|x|)); softplus is computed in
        // that overflow-free form, and the gradient comes out as sigmoid(x) - z.
        return yPred.softplus().sub(yPred.mul(z)).mean();
      }
      Tensor p = yPred.clamp(EPSILON, 1f - EPSILON);
      Tensor oneMinusZ = z.neg().add(1f);
      return z.mul(p.log()).add(oneMinusZ.mul(p.neg().add(1f).log())).neg().mean();
    }

    @Override
    public String name() {
      return "binary_crossentropy";
    }

    @Override
    public Map<String, Object> config() {
      return Map.of("from_logits", fromLogits);
    }
  }

  private record CategoricalCrossentropy(boolean fromLogits) implements Loss {
    @Override
    public Tensor call(Tensor yTrue, Tensor yPred) {
      Args.nonNull(yTrue, name(), "yTrue");
      Args.nonNull(yPred, name(), "yPred");
      requireClassAxis(name(), yPred);
      return crossEntropy(align(name(), yTrue, yPred), yPred, fromLogits);
    }

    @Override
    public String name() {
      return "categorical_crossentropy";
    }

    @Override
    public Map<String, Object> config() {
      return Map.of("from_logits", fromLogits);
    }
  }

  private record SparseCategoricalCrossentropy(boolean fromLogits) implements Loss {
    @Override
    public Tensor call(Tensor yTrue, Tensor yPred) {
      Args.nonNull(yTrue, name(), "yTrue");
      Args.nonNull(yPred, name(), "yPred");
      requireClassAxis(name(), yPred);
      int[] predShape = yPred.shape();
      int classes = predShape[predShape.length - 1];
      int[] labelShape = Arrays.copyOf(predShape, predShape.length - 1);
      int[] withOne = Arrays.copyOf(labelShape, labelShape.length + 1);
      withOne[labelShape.length] = 1;
      int[] trueShape = yTrue.shape();
      if (!Arrays.equals(trueShape, labelShape) && !Arrays.equals(trueShape, withOne)) {
        String hint = Arrays.equals(trueShape, predShape)
            ? "yTrue looks one-hot encoded: use categorical_crossentropy for one-hot targets"
            : "pass one integer label per sample, of shape " + Arrays.toString(labelShape);
        throw new LeptonException(name() + ": expected integer labels of shape "
            + Arrays.toString(labelShape) + " or " + Arrays.toString(withOne)
            + " for predictions of shape " + Arrays.toString(predShape) + ", received yTrue of "
            + "shape " + Arrays.toString(trueShape) + "; " + hint);
      }
      float[] labels = yTrue.toFloatArray();
      for (int i = 0; i < labels.length; i++) {
        float l = labels[i];
        if (l != Math.rint(l) || l < 0 || l >= classes) {
          throw new LeptonException(name() + ": label " + l + " at position " + i
              + " is not an integer class in [0, " + classes + "): the predictions have "
              + classes + " classes, so labels must be 0.." + (classes - 1)
              + " (labels starting at 1 need 1 subtracted; more classes need a wider output)");
        }
      }
      Tensor oneHot = Tensor.oneHot(yTrue.reshape(labelShape), classes);
      return crossEntropy(oneHot, yPred, fromLogits);
    }

    @Override
    public String name() {
      return "sparse_categorical_crossentropy";
    }

    @Override
    public Map<String, Object> config() {
      return Map.of("from_logits", fromLogits);
    }
  }

  private record Huber(float delta) implements Loss {
    Huber {
      if (!(delta > 0f) || Float.isInfinite(delta)) {
        throw new LeptonException("huber: expected a positive, finite delta, received delta="
            + delta);
      }
    }

    @Override
    public Tensor call(Tensor yTrue, Tensor yPred) {
      Args.nonNull(yTrue, name(), "yTrue");
      Args.nonNull(yPred, name(), "yPred");
      Tensor absError = yPred.sub(align(name(), yTrue, yPred)).abs();
      // Branch-free: the error splits into a quadratic part up to delta and a linear rest, which
      // gives 0.5 e^2 inside and delta (|e| - 0.5 delta) outside, with a continuous gradient.
      Tensor quadratic = absError.clamp(0f, delta);
      Tensor linear = absError.sub(quadratic);
      return quadratic.square().mul(0.5f).add(linear.mul(delta)).mean();
    }

    @Override
    public String name() {
      return "huber";
    }

    @Override
    public Map<String, Object> config() {
      return Map.of("delta", delta);
    }
  }

  // ------------------------------------------------------------------ shared helpers

  /** {@code -sum(target * log p)} over the last axis, averaged over the other axes. */
  private static Tensor crossEntropy(Tensor target, Tensor yPred, boolean fromLogits) {
    Tensor logP;
    if (fromLogits) {
      logP = yPred.logSoftmax(-1);
    } else {
      logP = yPred.div(yPred.sum(-1, true)).clamp(EPSILON, 1f - EPSILON).log();
    }
    return target.mul(logP).sum(-1, false).neg().mean();
  }

  private static void requireClassAxis(String loss, Tensor yPred) {
    if (yPred.rank() < 2) {
      throw new LeptonException(loss + ": expected predictions of shape [batch, classes], received "
          + "shape " + Arrays.toString(yPred.shape()) + "; for a single 0/1 output use "
          + "binary_crossentropy");
    }
  }

  /**
   * {@code yTrue} in {@code yPred}'s shape. As in Keras, a trailing dimension of size 1 on one side
   * only is dropped or added ({@code [64]} against {@code [64, 1]}); any other difference is an
   * error rather than a silent broadcast, which would compute a meaningless loss.
   */
  static Tensor align(String loss, Tensor yTrue, Tensor yPred) {
    int[] t = yTrue.shape();
    int[] p = yPred.shape();
    if (Arrays.equals(t, p)) {
      return yTrue;
    }
    if (dropsTrailingOne(t, p) || dropsTrailingOne(p, t)) {
      return yTrue.reshape(p);
    }
    String hint = t.length == p.length - 1 && Arrays.equals(t, Arrays.copyOf(p, t.length))
        ? "yTrue looks like integer class labels: use sparse_categorical_crossentropy, or one-hot "
            + "encode them with Tensor.oneHot(yTrue, " + p[p.length - 1] + ")"
        : "pass targets of the predictions' shape";
    throw new LeptonException(loss + ": yTrue shape " + Arrays.toString(t)
        + " does not match yPred shape " + Arrays.toString(p) + "; " + hint);
  }

  /** True when {@code longer} is {@code shorter} followed by one dimension of size 1. */
  private static boolean dropsTrailingOne(int[] shorter, int[] longer) {
    return longer.length == shorter.length + 1 && longer[longer.length - 1] == 1
        && Arrays.equals(shorter, Arrays.copyOf(longer, shorter.length));
  }
}
