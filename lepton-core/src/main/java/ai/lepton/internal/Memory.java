package ai.lepton.internal;

import ai.lepton.LeptonException;

/**
 * The heap budget of the readers: before allocating from sizes a file declares, a reader checks
 * that the allocation fits, so that a small hostile file fails with a clear error instead of an
 * {@code OutOfMemoryError} that could take down every other user of the JVM.
 */
public final class Memory {
  private Memory() {}

  /**
   * The most bytes one read may allocate: half the heap ({@code -Xmx}), leaving the other half to
   * the rest of the program. It depends only on the JVM's maximum heap, never on what happens to
   * be free, so the same input gets the same answer every time.
   */
  public static long budget() {
    return Runtime.getRuntime().maxMemory() / 2;
  }

  /**
   * Refuses an allocation of {@code bytes} over {@link #budget()}.
   *
   * @param what what would be allocated, naming the file; starts the message
   * @param fix what the caller can do besides raising the heap
   * @throws LeptonException if {@code bytes} is over the budget
   */
  public static void check(long bytes, String what, String fix) {
    if (bytes > budget()) {
      throw new LeptonException(what + " needs " + bytes + " bytes of memory, over the budget of "
          + budget() + " (half the maximum heap); " + fix + ", or give the JVM more heap with "
          + "-Xmx");
    }
  }
}
