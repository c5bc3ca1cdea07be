package ai.lepton.models;

import ai.lepton.LeptonException;
import ai.lepton.data.Dataset;
import ai.lepton.internal.Args;
import ai.lepton.tensor.ComputeContext;
import ai.lepton.tensor.Tensor;
import java.util.List;

/**
 * Options of {@link Model#fit}, as Keras' {@code fit} arguments:
 * {@code Fit.epochs(10).batchSize(64).validationSplit(0.1).seed(42)}. Immutable: each method
 * returns a changed copy.
 */
public final class Fit {
  private int epochs;
  private int batchSize = 32;
  private boolean shuffle = true;
  private long seed = 0;
  private double validationSplit;
  private Tensor validationX;
  private Tensor validationY;
  private Dataset validation;
  private int verbose = 1;
  private int initialEpoch;
  private List<Callback> callbacks = List.of();
  private Cancellation cancellation = new Cancellation();
  private ComputeContext compute;

  private Fit() {}

  /** Starts the options with the number of epochs (at least 1). */
  public static Fit epochs(int epochs) {
    if (epochs <= 0) {
      throw new LeptonException("Fit.epochs: expected a positive number of epochs, received "
          + epochs);
    }
    Fit f = new Fit();
    f.epochs = epochs;
    return f;
  }

  /** Samples per gradient step; default 32. A {@code Dataset} keeps its own batch size. */
  public Fit batchSize(int size) {
    if (size <= 0) {
      throw new LeptonException("Fit.batchSize: expected a positive batch size, received " + size);
    }
    Fit f = copy();
    f.batchSize = size;
    return f;
  }

  /**
   * Whether to shuffle the training samples before each epoch; default true. A {@code Dataset}
   * shuffles as it was told to.
   */
  public Fit shuffle(boolean value) {
    Fit f = copy();
    f.shuffle = value;
    return f;
  }

  /**
   * Seeds shuffling, dropout and, if the model is not yet built, its initial weights; default 0. The
   * same seed gives the same training curve: each epoch's sample order and dropout masks are drawn
   * from (seed, epoch) alone, so a run resumed with {@link #initialEpoch} continues it exactly.
   */
  public Fit seed(long value) {
    Fit f = copy();
    f.seed = value;
    return f;
  }

  /**
   * Holds out the last {@code fraction} of the samples (before shuffling, as Keras does) for
   * validation.
   */
  public Fit validationSplit(double fraction) {
    if (!(fraction >= 0 && fraction < 1)) {
      throw new LeptonException("Fit.validationSplit: expected a fraction in [0, 1), received "
          + fraction);
    }
    Fit f = copy();
    f.validationSplit = fraction;
    return f;
  }

  /** Validates on these samples after each epoch (instead of a split). */
  public Fit validationData(Tensor x, Tensor y) {
    Args.nonNull(x, "Fit.validationData", "x");
    Args.nonNull(y, "Fit.validationData", "y");
    Fit f = copy();
    f.validationX = x;
    f.validationY = y;
    f.validation = null;
    return f;
  }

  /** Validates on every batch of this dataset after each epoch (instead of a split). */
  public Fit validationData(Dataset data) {
    Args.nonNull(data, "Fit.validationData", "data");
    Fit f = copy();
    f.validationX = null;
    f.validationY = null;
    f.validation = data;
    return f;
  }

  /**
   * How much {@code fit} prints to standard output, as Keras: 0 silent; 1 (default) a progress bar
   * redrawn in place on a terminal, and one line per epoch when standard output is not a terminal
   * (a log file, a container); 2 one line per epoch always.
   */
  public Fit verbose(int level) {
    if (level < 0 || level > 2) {
      throw new LeptonException("Fit.verbose: expected 0, 1 or 2, received " + level);
    }
    Fit f = copy();
    f.verbose = level;
    return f;
  }

  /**
   * Starts at this epoch (counted from 0), as Keras' {@code initial_epoch}: to resume a run from a
   * checkpoint written at the end of epoch {@code initialEpoch - 1}. With the same seed, data and
   * options, {@code Fit.epochs(4).initialEpoch(2)} on the checkpoint of epoch 2 gives the weights and
   * History values that {@code Fit.epochs(4)} gives for its epochs 3 and 4, bit for bit. Default 0.
   *
   * @throws LeptonException unless {@code 0 <= initialEpoch < epochs}
   */
  public Fit initialEpoch(int epoch) {
    if (epoch < 0 || epoch >= epochs) {
      throw new LeptonException("Fit.initialEpoch: expected an epoch in [0, " + epochs + ") for "
          + "Fit.epochs(" + epochs + "), received " + epoch + "; epochs is the epoch to end "
          + "before, as in Keras, not the number of epochs left");
    }
    Fit f = copy();
    f.initialEpoch = epoch;
    return f;
  }

  /**
   * The callbacks that receive every training event, in order (replacing any given before). With
   * {@code verbose} above 0 the progress output is one more callback, after these.
   *
   * @throws LeptonException if a callback is null
   */
  public Fit callbacks(Callback... callbacks) {
    Args.noNulls(callbacks, "Fit.callbacks", "callbacks");
    Fit f = copy();
    f.callbacks = List.of(callbacks);
    return f;
  }

  /**
   * Lets another thread stop the run with {@link Cancellation#cancel()}; see {@link Cancellation}.
   *
   * @throws LeptonException if {@code token} is null
   */
  public Fit cancellation(Cancellation token) {
    Args.nonNull(token, "Fit.cancellation", "token");
    Fit f = copy();
    f.cancellation = token;
    return f;
  }

  /**
   * Runs the training on {@code context}'s backend and threads instead of the calling thread's
   * current context (by default all cores), so that two trainings in one JVM each keep their own
   * thread budget: {@code Fit.epochs(10).compute(ComputeContext.vector(1))}. The caller owns the
   * context and closes it when done.
   *
   * @throws LeptonException if {@code context} is null
   */
  public Fit compute(ComputeContext context) {
    if (context == null) {
      throw new LeptonException("Fit.compute: expected a ComputeContext, received null; omit the call "
          + "to train on the current context");
    }
    Fit f = copy();
    f.compute = context;
    return f;
  }

  private Fit copy() {
    Fit f = new Fit();
    f.epochs = epochs;
    f.batchSize = batchSize;
    f.shuffle = shuffle;
    f.seed = seed;
    f.validationSplit = validationSplit;
    f.validationX = validationX;
    f.validationY = validationY;
    f.validation = validation;
    f.verbose = verbose;
    f.initialEpoch = initialEpoch;
    f.callbacks = callbacks;
    f.cancellation = cancellation;
    f.compute = compute;
    return f;
  }

  int epochs() {
    return epochs;
  }

  int batchSize() {
    return batchSize;
  }

  boolean shuffle() {
    return shuffle;
  }

  long seed() {
    return seed;
  }

  double validationSplit() {
    return validationSplit;
  }

  Tensor validationX() {
    return validationX;
  }

  Tensor validationY() {
    return validationY;
  }

  Dataset validationDataset() {
    return validation;
  }

  int verbose() {
    return verbose;
  }

  List<Callback> callbacks() {
    return callbacks;
  }

  int initialEpoch() {
    return initialEpoch;
  }

  Cancellation cancellation() {
    return cancellation;
  }

  /** The context training runs on: the one given to {@link #compute}, else the caller's current one. */
  ComputeContext computeContext() {
    return compute != null ? compute : ComputeContext.current();
  }
}
