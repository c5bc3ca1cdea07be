package ai.lepton.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {
  private final WorkerPool pool = new WorkerPool(2, "worker-pool-test");

  @Test
  void runsEveryShareExactlyOnceEvenWithMoreSharesThanThreads() {
    for (int tasks : new int[] {1, 2, 3, 17}) {
      AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
      for (int round = 0; round < 200; round++) {
        pool.run(tasks, runs::incrementAndGet);
      }
      for (int t = 0; t < tasks; t++) {
        assertEquals(200, runs.get(t), "share " + t + " of " + tasks);
      }
    }
  }

  @Test
  void rethrowsAFailingShareOnlyAfterAllSharesFinished() {
    IllegalStateException boom = new IllegalStateException("boom");
    AtomicIntegerArray done = new AtomicIntegerArray(3);
    IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> pool.run(3, t -> {
      if (t == 1) {
        throw boom;
      }
      done.set(t, 1);
    }));
    assertSame(boom, thrown);
    assertEquals(1, done.get(0));
    assertEquals(1, done.get(2));
  }

  @Test
  void callersOnSeveralThreadsShareThePoolWithoutWaitingOnEachOther() throws InterruptedException {
    AtomicIntegerArray total = new AtomicIntegerArray(1);
    Thread[] callers = new Thread[4];
    for (int i = 0; i < callers.length; i++) {
      callers[i] = new Thread(() -> {
        for (int r = 0; r < 500; r++) {
          pool.run(3, t -> total.incrementAndGet(0));
        }
      });
      callers[i].start();
    }
    for (Thread c : callers) {
      c.join();
    }
    assertEquals(4 * 500 * 3, total.get(0));
  }

  @Test
  void aShareTakenBackFromASleepingWorkerLeavesItFreeForTheNextCall() {
    WorkerPool one = new WorkerPool(1, "worker-pool-test-one");
    for (int round = 0; round < 20; round++) {
      while (!one.parked()) { // a parked worker is slow to pick up the next share
        Thread.onSpinWait();
      }
      // The caller finishes share 0 at once and takes share 1 back before the worker wakes.
      one.run(2, t -> { });
      // Right after, share 0 waits for share 1 to run elsewhere: only the worker can run it.
      Thread caller = Thread.currentThread();
      AtomicReference<Thread> ranShare1 = new AtomicReference<>();
      one.run(2, t -> {
        if (t == 1) {
          ranShare1.set(Thread.currentThread());
          return;
        }
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (ranShare1.get() == null && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
      });
      assertTrue(ranShare1.get() != caller, "round " + round + ": share 1 ran on the caller after"
          + " share 0 had waited 2 s for the worker, so the worker was not offered it");
    }
  }

  @Test
  void aClosedPoolStopsItsWorkersAndRunsLaterCallsOnTheCaller() {
    WorkerPool closing = new WorkerPool(2, "worker-pool-test-closing");
    closing.run(3, t -> { });
    closing.close();
    Thread caller = Thread.currentThread();
    AtomicIntegerArray onCaller = new AtomicIntegerArray(3);
    closing.run(3, t -> onCaller.set(t, Thread.currentThread() == caller ? 1 : 0));
    for (int t = 0; t < 3; t++) {
      assertEquals(1, onCaller.get(t), "share " + t + " ran on the caller");
    }
    assertTrue(Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.getName().startsWith("worker-pool-test-closing")), "workers stopped");
  }
}
