package ai.lepton.server.jobs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process pool: {@code slots} worker threads, each claiming and running one job at a time
 * with its own thread budget ({@link Worker.Settings#threads()}). An idle worker polls the queue
 * every {@code poll} and wakes at once when this process queues a job ({@link #wake}).
 */
final class LocalExecutor implements JobExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(LocalExecutor.class);

  private final List<Worker> workers;
  private final ScheduledExecutorService heartbeats;
  private final Duration poll;
  private final List<Thread> threads = new ArrayList<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition queued = lock.newCondition();
  private volatile boolean stopped;
  private long wakes;

  /**
   * @param workers one per slot
   * @param heartbeats the scheduler the workers heartbeat on; closed with this executor
   */
  LocalExecutor(List<Worker> workers, ScheduledExecutorService heartbeats, Duration poll) {
    this.workers = List.copyOf(workers);
    this.heartbeats = heartbeats;
    this.poll = poll;
  }

  /** A scheduler for the heartbeats of {@code slots} workers. */
  static ScheduledExecutorService heartbeatScheduler() {
    return Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "lepton-job-heartbeat");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public void start() {
    for (int i = 0; i < workers.size(); i++) {
      Worker w = workers.get(i);
      Thread t = new Thread(() -> loop(w), "lepton-job-worker-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  private void loop(Worker worker) {
    while (!stopped) {
      long seen;
      lock.lock();
      try {
        seen = wakes;
      } finally {
        lock.unlock();
      }
      boolean ran;
      try {
        ran = worker.runOnce();
      } catch (RuntimeException e) {
        LOG.error("a job worker failed to claim or end a job; it tries again", e);
        ran = false;
      }
      if (!ran) {
        lock.lock();
        try {
          if (wakes == seen && !stopped) { // nothing queued since the claim found none
            queued.await(poll.toMillis(), TimeUnit.MILLISECONDS);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } finally {
          lock.unlock();
        }
      }
    }
  }

  @Override
  public int slots() {
    return workers.size();
  }

  @Override
  public void wake() {
    lock.lock();
    try {
      wakes++;
      queued.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void cancelled(String jobId) {
    workers.forEach(w -> w.cancel(jobId));
  }

  @Override
  public void close() {
    stopped = true;
    workers.forEach(Worker::stop);
    wake();
    for (Thread t : threads) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    heartbeats.shutdownNow();
  }
}
