package ai.lepton.models;

import ai.lepton.LeptonException;
import ai.lepton.callbacks.Callback;
import ai.lepton.callbacks.ProgressListener;
import ai.lepton.data.Dataset;
import ai.lepton.tensor.Tensor;
import java.util.ArrayList;
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
  private List<Callback> callbacks = List.of();
  private List<ProgressListener> listeners = List.of();

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
   * same seed gives the same training curve.
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
    Fit f = copy();
    f.validationX = x;
    f.validationY = y;
    f.validation = null;
    return f;
  }

  /** Validates on every batch of this dataset after each epoch (instead of a split). */
  public Fit validationData(Dataset data) {
    if (data == null) {
      throw new LeptonException("Fit.validationData: expected a dataset, received null");
    }
    Fit f = copy();
    f.validationX = null;
    f.validationY = null;
    f.validation = data;
    return f;
  }

  /** 0: silent, 1: a progress bar (default), 2: one line per epoch. */
  public Fit verbose(int level) {
    if (level < 0 || level > 2) {
      throw new LeptonException("Fit.verbose: expected 0, 1 or 2, received " + level);
    }
    Fit f = copy();
    f.verbose = level;
    return f;
  }

  public Fit callbacks(Callback... list) {
    Fit f = copy();
    f.callbacks = List.of(list);
    return f;
  }

  /** Adds a listener that receives every progress event (how the platform streams training). */
  public Fit listener(ProgressListener listener) {
    Fit f = copy();
    List<ProgressListener> l = new ArrayList<>(listeners);
    l.add(listener);
    f.listeners = List.copyOf(l);
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
    f.callbacks = callbacks;
    f.listeners = listeners;
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

  List<ProgressListener> listeners() {
    return listeners;
  }
}
