package ai.lepton.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ComputeContextTest {
  private static final SplittableRandom RNG = new SplittableRandom(5);
  private static final Tensor A = Tensor.uniform(RNG, -1f, 1f, 300, 400);
  private static final Tensor B = Tensor.uniform(RNG, -1f, 1f, 400, 200);

  /** What one training thread observed inside its context's scope. */
  private record Run(float[] product, Set<String> threads) {}

  /**
   * Inside {@code context}'s scope: a product big enough to split between threads, and the names
   * of the threads that ran the shares of parallel calls.
   */
  private static Run runIn(ComputeContext context, CyclicBarrier start) throws Exception {
    try (ComputeContext.Scope scope = context.enter()) {
      start.await();
      Set<String> names = ConcurrentHashMap.newKeySet();
      float[] product = null;
      for (int round = 0; round < 50; round++) {
        product = A.matmul(B).toFloatArray();
        ComputeContext.current().backend().forEachRange(64, 1,
            (from, to) -> names.add(Thread.currentThread().getName()));
      }
      return new Run(product, names);
    }
  }

  private static Set<Thread> workersOf(ComputeContext context) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith(context.name() + "-worker-"))
        .collect(Collectors.toSet());
  }

  @Test
  void twoContextsUsedAtOnceEachComputeCorrectlyOnTheirOwnWorkers() throws Exception {
    try (ComputeContext two = ComputeContext.vector(2);
        ComputeContext three = ComputeContext.vector(3)) {
      CyclicBarrier start = new CyclicBarrier(2);
      AtomicReference<Run> second = new AtomicReference<>();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread other = new Thread(() -> {
        try {
          second.set(runIn(three, start));
        } catch (Throwable e) {
          failure.set(e);
        }
      }, "caller-of-three");
      other.start();
      Run first = runIn(two, start);
      other.join();
      assertEquals(null, failure.get());

      String caller = Thread.currentThread().getName();
      for (String name : first.threads()) {
        assertTrue(name.equals(caller) || name.startsWith(two.name() + "-worker-"),
            "a share of the 2-thread context ran on " + name);
      }
      for (String name : second.get().threads()) {
        assertTrue(name.equals("caller-of-three") || name.startsWith(three.name() + "-worker-"),
            "a share of the 3-thread context ran on " + name);
      }
      assertEquals(1, workersOf(two).size(), "workers of the 2-thread context");
      assertEquals(2, workersOf(three).size(), "workers of the 3-thread context");

      // correct (against the reference) and, being reproducible, the same bits in both
      float[] expected;
      try (ComputeContext reference = ComputeContext.reference();
          ComputeContext.Scope scope = reference.enter()) {
        expected = A.matmul(B).toFloatArray();
      }
      assertArrayEquals(expected, first.product(), 1e-4f);
      assertArrayEquals(first.product(), second.get().product());
    }
  }

  @Test
  void theReferenceContextRunsTheReferenceBackend() {
    float[] x = {-3f, -0.5f, 0.1f, 0.7f, 2f, 9f, -20f, 0.3f, 1.1f, -1.7f, 0.05f, 4f, -0.9f,
        0.62f, 0.63f, -6f, 13f};
    try (ComputeContext reference = ComputeContext.reference();
        ComputeContext.Scope scope = reference.enter()) {
      assertEquals("reference", Tensor.backendName());
      assertEquals(1, reference.threads());
      float[] y = Tensor.of(x.clone(), x.length).tanh().toFloatArray();
      for (int i = 0; i < x.length; i++) {
        assertEquals((float) StrictMath.tanh(x[i]), y[i], "tanh(" + x[i] + ")");
      }
    }
  }

  @Test
  void scopesNestRestoreThePreviousContextAndAreNotInheritedByThreadsStartedInside()
      throws Exception {
    ComputeContext outside = ComputeContext.current();
    assertSame(ComputeContext.defaultContext(), outside);
    try (ComputeContext first = ComputeContext.vector(1);
        ComputeContext second = ComputeContext.reference()) {
      try (ComputeContext.Scope a = first.enter()) {
        assertSame(first, ComputeContext.current());
        try (ComputeContext.Scope b = second.enter()) {
          assertSame(second, ComputeContext.current());
          assertEquals("reference", Tensor.backendName());
        }
        assertSame(first, ComputeContext.current());
        AtomicReference<ComputeContext> seen = new AtomicReference<>();
        Thread prefetch = new Thread(() -> seen.set(ComputeContext.current()));
        prefetch.start();
        prefetch.join();
        assertSame(ComputeContext.defaultContext(), seen.get(),
            "a thread started in a scope does not inherit it");
      }
      assertSame(outside, ComputeContext.current());
    }
  }

  @Test
  void scopesMustBeClosedInReverseOrderOnTheirOwnThread() throws Exception {
    try (ComputeContext context = ComputeContext.reference()) {
      ComputeContext.Scope outer = context.enter();
      ComputeContext.Scope inner = context.enter();
      LeptonException e = assertThrows(LeptonException.class, outer::close);
      assertTrue(e.getMessage().contains("close scopes in reverse order"), e.getMessage());

      AtomicReference<Throwable> fromOther = new AtomicReference<>();
      Thread other = new Thread(() -> {
        try {
          inner.close();
        } catch (Throwable t) {
          fromOther.set(t);
        }
      });
      other.start();
      other.join();
      assertTrue(fromOther.get() instanceof LeptonException, String.valueOf(fromOther.get()));
      assertTrue(fromOther.get().getMessage().contains("must be closed by the thread that entered"),
          fromOther.get().getMessage());

      inner.close();
      outer.close();
      outer.close(); // a second close does nothing
      assertSame(ComputeContext.defaultContext(), ComputeContext.current());
    }
  }

  @Test
  void closingAContextStopsItsWorkerThreads() {
    ComputeContext context = ComputeContext.vector(4);
    try (ComputeContext.Scope scope = context.enter()) {
      A.matmul(B); // the workers take shares
    }
    Set<Thread> workers = workersOf(context);
    assertEquals(3, workers.size());
    context.close();
    for (Thread t : workers) {
      assertFalse(t.isAlive(), t.getName() + " still runs after close()");
    }
    context.close(); // a second close does nothing
  }

  @Test
  void aClosedContextCannotBeEnteredAndItsOpenScopesFailClearly() {
    ComputeContext context = ComputeContext.vector(2);
    ComputeContext.Scope scope = context.enter();
    try {
      context.close();
      LeptonException inScope = assertThrows(LeptonException.class, () -> A.matmul(B));
      assertTrue(inScope.getMessage().contains("was closed and its threads stopped"),
          inScope.getMessage());
    } finally {
      scope.close();
    }
    LeptonException enter = assertThrows(LeptonException.class, context::enter);
    assertTrue(enter.getMessage().contains(context.name() + ", vector("), enter.getMessage());
    assertTrue(enter.getMessage().contains("was closed"), enter.getMessage());
  }

  @Test
  void invalidRequestsSayWhatToDo() {
    LeptonException threads = assertThrows(LeptonException.class, () -> ComputeContext.vector(0));
    assertTrue(threads.getMessage().contains("threads must be from 1 to 1024. Received: 0"),
        threads.getMessage());
    // every thread but the caller starts at once: 2^31-1 must be refused before any starts
    LeptonException tooMany = assertThrows(LeptonException.class,
        () -> ComputeContext.vector(Integer.MAX_VALUE));
    assertTrue(tooMany.getMessage().contains("threads must be from 1 to 1024. Received: "
        + "2147483647"), tooMany.getMessage());
    LeptonException shared = assertThrows(LeptonException.class,
        () -> ComputeContext.defaultContext().close());
    assertTrue(shared.getMessage().contains("shared by the whole process and cannot be closed"),
        shared.getMessage());
  }
}
