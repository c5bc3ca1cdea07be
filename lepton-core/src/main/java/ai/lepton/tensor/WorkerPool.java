package ai.lepton.tensor;

import ai.lepton.LeptonException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A few daemon threads that run the shares of one parallel call beside the calling thread.
 *
 * <p>Why not a {@code ForkJoinPool}: waking a parked thread costs tens of microseconds on these
 * machines, as much as a whole 128 x 128 GEMM. These workers spin for a short while after each
 * share, so back-to-back calls (pack-then-compute phases, the GEMMs of a training step) find them
 * awake. A share that no worker can take at once (all busy, e.g. several callers at a time) runs on
 * the caller, so a call never waits for work queued behind another call's.
 */
final class WorkerPool {
  /** How long an idle worker, or a caller waiting for its workers, spins before parking. */
  private static final long SPIN_NS = 100_000;
  /**
   * After this long a spinning thread yields its core on every turn: when other jobs crowd the
   * machine, the thread it waits for may be queued behind it on the same core.
   */
  private static final long BUSY_SPIN_NS = 5_000;

  private final Worker[] workers;
  /** Set once by {@link #close}; workers then exit and no share is offered to them again. */
  private volatile boolean closed;

  /** Starts {@code helpers} daemon threads named {@code name + "-worker-" + i}. */
  WorkerPool(int helpers, String name) {
    workers = new Worker[helpers];
    for (int i = 0; i < helpers; i++) {
      workers[i] = new Worker(name + "-worker-" + i);
      workers[i].start();
    }
  }

  /** The number of worker threads beside the calling thread. */
  int helpers() {
    return workers.length;
  }

  /** Whether every worker is parked (idle past its spin), so that waking it takes a while. */
  boolean parked() {
    for (Worker w : workers) {
      if (w.getState() != Thread.State.WAITING) {
        return false;
      }
    }
    return true;
  }

  /**
   * Stops the workers and waits until they have exited: a worker first finishes the share it is
   * running. Calls made afterwards (or still running) do their remaining shares on the caller, so
   * nothing is lost or left waiting. If the waiting thread is interrupted it stops waiting and
   * keeps its interrupt status.
   */
  void close() {
    closed = true;
    for (Worker w : workers) {
      LockSupport.unpark(w);
    }
    for (Worker w : workers) {
      try {
        w.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Runs {@code body.accept(t)} for every {@code t < tasks}, share 0 (and any share no worker could
   * take) on the calling thread, and returns when all are done. The first exception thrown by any
   * share is rethrown here, after every share has finished. Which thread runs a share depends on
   * timing, so a share's result must not depend on its thread.
   */
  void run(int tasks, IntConsumer body) {
    if (tasks <= 1 || workers.length == 0) {
      for (int t = 0; t < tasks; t++) {
        body.accept(t);
      }
      return;
    }
    Call call = new Call(body, Thread.currentThread());
    Share[] handedOut = new Share[tasks];
    Worker[] takenBy = new Worker[tasks];
    int w = 0;
    for (int t = 1; t < tasks && w < workers.length; t++) {
      Share share = new Share(call, t, new AtomicBoolean());
      call.pending.incrementAndGet();
      // Try each remaining worker once; a busy one is skipped, not waited for.
      while (w < workers.length && !workers[w].offer(share)) {
        w++;
      }
      if (w < workers.length) {
        handedOut[t] = share;
        takenBy[t] = workers[w];
        w++;
      } else {
        call.pending.decrementAndGet();
      }
    }
    for (int t = 0; t < tasks; t++) {
      if (handedOut[t] == null) {
        call.runShare(t);
      }
    }
    // A share no worker has started yet (it is still waking up) is taken back and run here, and
    // the worker's slot is freed at once: left to the worker, a slot cleared only once it wakes
    // made the next call (often microseconds later) find it "busy" and run every share alone.
    for (int t = 1; t < tasks; t++) {
      Share share = handedOut[t];
      if (share != null && share.claim()) {
        takenBy[t].withdraw(share);
        call.runShare(t);
        call.pending.decrementAndGet();
      }
    }
    call.awaitWorkers();
    call.rethrow();
  }

  /**
   * One turn of a wait that began at {@code start}: spin, then spin yielding the core, then park
   * until unparked. An unpark that comes before the park leaves a permit, so no wake-up is lost;
   * callers re-check their condition after every turn.
   */
  private static void pause(long start, Object blocker) {
    long waited = System.nanoTime() - start;
    if (waited < BUSY_SPIN_NS) {
      Thread.onSpinWait();
    } else if (waited < SPIN_NS) {
      Thread.yield();
    } else {
      LockSupport.park(blocker);
    }
  }

  /** Share {@code index} of a call; whoever claims it first (worker or caller) runs it. */
  private record Share(Call call, int index, AtomicBoolean claimed) {
    boolean claim() {
      return claimed.compareAndSet(false, true);
    }
  }

  /** One {@link #run} invocation: its body, the shares still running elsewhere, the first failure. */
  private static final class Call {
    final IntConsumer body;
    final Thread caller;
    final AtomicInteger pending = new AtomicInteger();
    final AtomicReference<Throwable> failure = new AtomicReference<>();

    Call(IntConsumer body, Thread caller) {
      this.body = body;
      this.caller = caller;
    }

    void runShare(int t) {
      try {
        body.accept(t);
      } catch (RuntimeException | Error e) {
        failure.compareAndSet(null, e);
      }
    }

    /** Called by a worker after its share; the last one wakes the caller. */
    void finishShare() {
      if (pending.decrementAndGet() == 0) {
        LockSupport.unpark(caller);
      }
    }

    void awaitWorkers() {
      long start = System.nanoTime();
      while (pending.get() != 0) {
        pause(start, this);
      }
    }

    void rethrow() {
      Throwable e = failure.get();
      if (e instanceof RuntimeException r) {
        throw r;
      }
      if (e instanceof Error err) {
        throw err;
      }
      if (e != null) {
        throw new LeptonException("a parallel kernel failed: " + e, e);
      }
    }
  }

  private final class Worker extends Thread {
    /** The share assigned to this worker; non-null from assignment until it is done or withdrawn. */
    private final AtomicReference<Share> slot = new AtomicReference<>();

    Worker(String name) {
      // No inherited thread locals: a worker serves its pool, not the compute context (or anything
      // else) of the thread that happened to create it.
      super(null, null, name, 0, false);
      setDaemon(true);
    }

    boolean offer(Share share) {
      if (closed || !slot.compareAndSet(null, share)) {
        return false;
      }
      LockSupport.unpark(this);
      return true;
    }

    /** Empties the slot if it still holds {@code share}, which its caller has taken back. */
    void withdraw(Share share) {
      slot.compareAndSet(share, null);
    }

    @Override
    public void run() {
      while (true) {
        Share s = awaitShare();
        if (s == null) {
          return; // closed
        }
        boolean mine = s.claim();
        if (mine) {
          s.call().runShare(s.index());
        }
        // Only this share's own entry is cleared: a withdrawn share's slot may already hold the
        // next call's share.
        slot.compareAndSet(s, null);
        if (mine) {
          s.call().finishShare();
        }
      }
    }

    /** The next share, or null once the pool is closed and no share is waiting. */
    private Share awaitShare() {
      long start = System.nanoTime();
      Share s;
      while ((s = slot.get()) == null) {
        if (closed) {
          return null;
        }
        pause(start, this);
      }
      return s;
    }
  }
}
