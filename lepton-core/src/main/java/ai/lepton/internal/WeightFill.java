package ai.lepton.internal;

/**
 * Whether building layers on this thread draws initial weight values. A model loaded from a file
 * whose tensors were checked to be exactly the weights its config builds overwrites every weight at
 * once, so its build skips the random fill (most of a load's time): inside {@link #skip()} every
 * initializer gives zeros. Per thread, like {@code Tensor.noGrad()}.
 */
public final class WeightFill {
  private static final ThreadLocal<int[]> SKIP_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

  private WeightFill() {}

  /** A scope in which initializers give zeros: {@code try (var s = WeightFill.skip()) { ... }}. */
  public static Scope skip() {
    SKIP_DEPTH.get()[0]++;
    return new Scope();
  }

  /** True inside {@link #skip()} on this thread. */
  public static boolean skipped() {
    return SKIP_DEPTH.get()[0] > 0;
  }

  /** Closing the scope restores the random fill. */
  public static final class Scope implements AutoCloseable {
    private boolean closed;

    private Scope() {}

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        SKIP_DEPTH.get()[0]--;
      }
    }
  }
}
