package ai.lepton;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.function.ThrowingSupplier;

/** Assertions on Lepton's errors: the type alone does not prove that the right check fired. */
public final class LeptonAssertions {
  /** What refusing a hostile input from its declared sizes may cost: a second of CPU time. */
  private static final long QUICK_CPU_NANOS = 1_000_000_000L;
  /** Wall time after which a read that never ends is stopped. */
  private static final Duration HANG_GUARD = Duration.ofSeconds(20);

  private LeptonAssertions() {}

  /**
   * The LeptonException that reading a hostile input ends in, which must come quickly: within a
   * second of the reading thread's CPU time, whatever else runs on the machine, and within a 20 s
   * hang guard of wall time in case it never ends.
   */
  public static LeptonException refusedQuickly(Executable read) {
    return quickly(() -> assertThrows(LeptonException.class, read));
  }

  /** What {@code call} returns, within the CPU bound and the hang guard of {@link #refusedQuickly}. */
  public static <T> T quickly(ThrowingSupplier<T> call) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    return assertTimeoutPreemptively(HANG_GUARD, () -> {
      long start = threads.getCurrentThreadCpuTime();
      T result = call.get();
      long cpu = threads.getCurrentThreadCpuTime() - start;
      assertTrue(cpu < QUICK_CPU_NANOS, "took " + cpu / 1_000_000 + " ms of CPU time");
      return result;
    });
  }

  /**
   * Runs {@code call}, requires a {@link LeptonException} whose message contains {@code fragment},
   * and returns it for further checks.
   */
  public static LeptonException assertFailsWith(String fragment, Executable call) {
    LeptonException e = assertThrows(LeptonException.class, call);
    if (e.getMessage() == null || !e.getMessage().contains(fragment)) {
      fail("expected a LeptonException whose message contains \"" + fragment + "\", but it says: "
          + e.getMessage());
    }
    return e;
  }
}
