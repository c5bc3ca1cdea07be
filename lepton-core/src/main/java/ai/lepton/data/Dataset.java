package ai.lepton.data;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * Samples served in batches for training, as a Keras/{@code tf.data} dataset: batched, shuffled
 * with a seed each epoch, optionally mapped or augmented, and prefetched on a background thread so
 * that training does not wait for decoding.
 *
 * <pre>{@code
 * Dataset train = Dataset.of(ImageFolder.reader().size(64, 64).list(Path.of("pets")))
 *     .batch(32).shuffle(true).seed(42).augment(Augment.create().flipHorizontal());
 * model.fit(train, Fit.epochs(10));
 * }</pre>
 *
 * <p>Sources are in-memory tensors ({@link #of(Tensor, Tensor)}), image files decoded per batch
 * ({@link #of(ImageFiles)}) or any {@link Source}. A batch carries a list of input tensors and a
 * list of target tensors, for models with several inputs or outputs. Immutable: each option
 * returns a changed copy. Iterate with {@link #epoch} in try-with-resources.
 */
public final class Dataset {
  /** The most batches {@link #prefetch} prepares ahead: its queue is allocated at that size. */
  public static final int MAX_PREFETCH = 1024;

  /**
   * One batch: the tensors a model takes and the ones it should predict, each with the batch
   * first.
   */
  public record Batch(List<Tensor> inputs, List<Tensor> targets) {
    public Batch {
      inputs = List.copyOf(Args.nonNull(inputs, "Batch", "inputs"));
      targets = List.copyOf(Args.nonNull(targets, "Batch", "targets"));
      if (inputs.isEmpty()) {
        throw new LeptonException("a batch needs at least one input tensor; received none");
      }
      int n = inputs.get(0).rank() == 0 ? -1 : inputs.get(0).dim(0);
      for (Tensor t : concat(inputs, targets)) {
        if (t.rank() == 0 || t.dim(0) != n) {
          throw new LeptonException("every tensor of a batch needs the same number of samples "
              + "first; received shapes " + shapes(inputs) + " and " + shapes(targets));
        }
      }
    }

    /** A batch of one input and one target. */
    public Batch(Tensor x, Tensor y) {
      this(List.of(Args.nonNull(x, "Batch", "x")), List.of(Args.nonNull(y, "Batch", "y")));
    }

    /** The number of samples. */
    public int size() {
      return inputs.get(0).dim(0);
    }

    /** The only input; for models with several, use {@link #inputs}. */
    public Tensor x() {
      return only(inputs, "input");
    }

    /** The only target; for models with several outputs, use {@link #targets}. */
    public Tensor y() {
      return only(targets, "target");
    }

    private static Tensor only(List<Tensor> list, String what) {
      if (list.size() != 1) {
        throw new LeptonException("expected a batch with one " + what + " tensor, received "
            + list.size() + "; a model with several " + what + "s takes the whole list");
      }
      return list.get(0);
    }
  }

  /**
   * Produces the samples at given indices as one batch, for data too large or too slow to hold as
   * tensors. Called from the prefetch thread: it must be safe to call from a thread other than the
   * one that made it (one call at a time).
   */
  @FunctionalInterface
  public interface Source {
    /** The samples at {@code indices}, in that order. */
    Batch read(int[] indices);
  }

  /**
   * The batches of one epoch. Close it (try-with-resources) to stop the prefetch thread when
   * iteration ends early. With prefetch, {@code hasNext} waits for the next batch, so it too throws
   * when preparing that batch failed.
   */
  public interface Batches extends Iterator<Batch>, AutoCloseable {
    /**
     * {@inheritDoc}
     *
     * @throws LeptonException if preparing the batch failed (its cause is the source's error)
     */
    @Override
    boolean hasNext();

    /**
     * {@inheritDoc}
     *
     * @throws LeptonException if preparing the batch failed (its cause is the source's error)
     */
    @Override
    Batch next();

    /** Stops preparing batches and waits for the prefetch thread to end. */
    @Override
    void close();
  }

  /** One step applied to every batch after reading, with a generator seeded per batch. */
  private interface Step {
    Batch apply(Batch batch, SplittableRandom rng);
  }

  private final int size;
  private final Source source;
  private final int batchSize;
  private final boolean shuffle;
  private final long seed;
  private final List<Step> steps;
  private final int prefetch;

  private Dataset(int size, Source source, int batchSize, boolean shuffle, long seed,
      List<Step> steps, int prefetch) {
    this.size = size;
    this.source = source;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.seed = seed;
    this.steps = List.copyOf(steps);
    this.prefetch = prefetch;
  }

  /** In-memory samples: one input {@code x} and one target {@code y}, the batch first. */
  public static Dataset of(Tensor x, Tensor y) {
    Args.nonNull(x, "Dataset.of", "x");
    Args.nonNull(y, "Dataset.of", "y");
    return of(List.of(x), List.of(y));
  }

  /**
   * In-memory samples with several inputs or targets, each tensor with the samples first. Batches
   * of consecutive samples are slices, others gathers. No prefetch by default (copying from memory
   * is fast); batches of 32, not shuffled.
   *
   * @throws LeptonException if there are no samples or the tensors disagree on their number
   */
  public static Dataset of(List<Tensor> inputs, List<Tensor> targets) {
    Args.noNulls(inputs, "Dataset.of", "inputs");
    Args.noNulls(targets, "Dataset.of", "targets");
    Batch all = new Batch(inputs, targets); // checks the sample counts
    if (all.size() == 0) {
      throw new LeptonException("a dataset needs at least one sample; received tensors of shapes "
          + shapes(inputs) + " and " + shapes(targets));
    }
    Source slices = indices -> {
      boolean consecutive = true;
      for (int i = 1; i < indices.length && consecutive; i++) {
        consecutive = indices[i] == indices[i - 1] + 1;
      }
      int from = indices[0];
      UnaryOperator<Tensor> pick = consecutive
          ? t -> t.slice(0, from, from + indices.length) : t -> t.gather(0, indices);
      return new Batch(all.inputs().stream().map(pick).toList(),
          all.targets().stream().map(pick).toList());
    };
    return new Dataset(all.size(), slices, 32, false, 0, List.of(), 0);
  }

  /**
   * Images decoded one batch at a time: inputs {@code [batch, height, width, channels]} (floats
   * 0..255), targets the class labels {@code [batch]} (as floats, for
   * {@code sparse_categorical_crossentropy}). Prefetches 2 batches by default; batches of 32, not
   * shuffled (call {@code shuffle(true)} for training).
   */
  public static Dataset of(ImageFiles images) {
    Args.nonNull(images, "Dataset.of", "images");
    int[] labels = images.labels();
    Source decode = indices -> {
      float[] y = new float[indices.length];
      for (int i = 0; i < indices.length; i++) {
        y[i] = labels[indices[i]];
      }
      return new Batch(images.decode(indices), Tensor.of(y, indices.length));
    };
    return new Dataset(images.size(), decode, 32, false, 0, List.of(), 2);
  }

  /**
   * {@code size} samples read by {@code source} one batch at a time. Prefetches 2 batches by
   * default; batches of 32, not shuffled.
   */
  public static Dataset of(int size, Source source) {
    if (size < 1 || source == null) {
      throw new LeptonException("Dataset.of: expected a positive number of samples and a source, "
          + "received size=" + size + ", source=" + source);
    }
    return new Dataset(size, source, 32, false, 0, List.of(), 2);
  }

  /** Samples per batch (the last batch of an epoch may be smaller); default 32. */
  public Dataset batch(int batchSize) {
    if (batchSize < 1) {
      throw new LeptonException("Dataset.batch: expected a positive batch size, received "
          + batchSize);
    }
    return new Dataset(size, source, batchSize, shuffle, seed, steps, prefetch);
  }

  /** Whether to reshuffle all samples before each epoch; default false. */
  public Dataset shuffle(boolean shuffle) {
    return new Dataset(size, source, batchSize, shuffle, seed, steps, prefetch);
  }

  /**
   * Seeds shuffling and the random steps ({@link #augment}); default 0. The same seed gives the
   * same batches in every epoch, whatever the thread timing.
   */
  public Dataset seed(long seed) {
    return new Dataset(size, source, batchSize, shuffle, seed, steps, prefetch);
  }

  /** Applies {@code fn} to every batch after the steps already added (on the prefetch thread). */
  public Dataset map(UnaryOperator<Batch> fn) {
    Args.nonNull(fn, "Dataset.map", "fn");
    return withStep((batch, rng) -> fn.apply(batch));
  }

  /**
   * Augments the first input of every batch (images {@code [batch, height, width, channels]}),
   * seeded from {@link #seed}, the epoch and the batch. Use it on training data only.
   */
  public Dataset augment(Augment augment) {
    Args.nonNull(augment, "Dataset.augment", "augment");
    return withStep((batch, rng) -> {
      List<Tensor> inputs = new ArrayList<>(batch.inputs());
      inputs.set(0, augment.apply(inputs.get(0), rng));
      return new Batch(inputs, batch.targets());
    });
  }

  private Dataset withStep(Step step) {
    List<Step> more = new ArrayList<>(steps);
    more.add(step);
    return new Dataset(size, source, batchSize, shuffle, seed, more, prefetch);
  }

  /**
   * Prepares up to {@code batches} batches ahead on a background thread (0: none, each batch is
   * prepared when asked for).
   *
   * @throws LeptonException if {@code batches} is not from 0 to {@link #MAX_PREFETCH}
   */
  public Dataset prefetch(int batches) {
    if (batches < 0 || batches > MAX_PREFETCH) {
      throw new LeptonException("Dataset.prefetch: expected 0 to " + MAX_PREFETCH
          + " batches, received " + batches + "; a few batches ahead keep training busy");
    }
    return new Dataset(size, source, batchSize, shuffle, seed, steps, batches);
  }

  /** The number of samples. */
  public int size() {
    return size;
  }

  public int batchSize() {
    return batchSize;
  }

  /** Batches per epoch. */
  public int batches() {
    return (size + batchSize - 1) / batchSize;
  }

  /**
   * The batches of epoch {@code epoch} (0 first), which fixes the shuffle order and random steps.
   * Batches are prepared on a background (daemon) thread when {@link #prefetch} is positive;
   * close the result to stop it early.
   *
   * @throws LeptonException if {@code epoch} is negative
   */
  public Batches epoch(int epoch) {
    if (epoch < 0) {
      throw new LeptonException("Dataset.epoch: expected an epoch of 0 or more, received "
          + epoch);
    }
    int[] order = order(epoch);
    int batches = batches();
    if (prefetch == 0) {
      return new Batches() {
        private int step;

        @Override
        public boolean hasNext() {
          return step < batches;
        }

        @Override
        public Batch next() {
          if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " has " + batches + " batches");
          }
          return prepare(order, epoch, step++);
        }

        @Override
        public void close() {}
      };
    }
    return new Prefetcher(prefetch, batches, step -> prepare(order, epoch, step));
  }

  private Batch prepare(int[] order, int epoch, int step) {
    int from = step * batchSize;
    Batch batch = source.read(Arrays.copyOfRange(order, from, Math.min(size, from + batchSize)));
    // One generator per (seed, epoch, batch): results do not depend on which batches ran before.
    SplittableRandom rng = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1))
        ^ (0xC2B2AE3D27D4EB4FL * (step + 1)));
    for (Step s : steps) {
      batch = s.apply(batch, rng);
    }
    return batch;
  }

  /** Sample order of one epoch: a seeded Fisher-Yates shuffle, or 0..size-1. */
  private int[] order(int epoch) {
    int[] order = new int[size];
    Arrays.setAll(order, i -> i);
    if (shuffle) {
      SplittableRandom rng = new SplittableRandom(seed + 0x9E3779B97F4A7C15L * epoch);
      for (int i = size - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    return order;
  }

  private static List<Tensor> concat(List<Tensor> a, List<Tensor> b) {
    List<Tensor> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static String shapes(List<Tensor> tensors) {
    return tensors.stream().map(t -> Arrays.toString(t.shape())).toList().toString();
  }
}
