package ai.lepton.internal;

import ai.lepton.LeptonException;
import java.util.Collection;

/**
 * Argument checks for public entry points, so that a null argument is answered by a
 * {@link LeptonException} that names the argument rather than by a NullPointerException from deep
 * inside a kernel.
 */
public final class Args {
  private Args() {}

  /**
   * Returns {@code value}, or throws for a null one.
   *
   * @param owner the entry point, as the user calls it ("Dense", "Tensor.add")
   * @param name the parameter's name in the signature, so the message points at the argument
   */
  public static <T> T nonNull(T value, String owner, String name) {
    if (value == null) {
      throw new LeptonException(owner + ": expected " + name + ", received null; pass a non-null "
          + name);
    }
    return value;
  }

  /** As {@link #nonNull}, for an array whose elements must not be null either. */
  public static <T> T[] noNulls(T[] values, String owner, String name) {
    nonNull(values, owner, name);
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        throw new LeptonException(owner + ": " + name + "[" + i + "] is null; pass "
            + values.length + " non-null values");
      }
    }
    return values;
  }

  /** As {@link #nonNull}, for a collection whose elements must not be null either. */
  public static <C extends Collection<?>> C noNulls(C values, String owner, String name) {
    nonNull(values, owner, name);
    int i = 0;
    for (Object v : values) {
      if (v == null) {
        throw new LeptonException(owner + ": element " + i + " of " + name + " is null; pass "
            + values.size() + " non-null values");
      }
      i++;
    }
    return values;
  }
}
