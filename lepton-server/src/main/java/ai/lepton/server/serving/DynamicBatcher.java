package ai.lepton.server.serving;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Coalesces concurrent requests to one servable into batches: one thread takes the first waiting
 * request, waits at most the queue delay for others (up to the batch size in samples), predicts
 * once on their rows stacked, and hands each caller its own rows of every output. A batch that
 * fails is predicted again request by request, so a bad request fails alone and never poisons
 * the others' answers. Closing it answers what is queued, then stops.
 *
 * <p>A request that finds the batcher idle (nothing queued, no batch being predicted) is
 * predicted at once on its own thread: handing it to the batcher's thread and back costs tens of
 * microseconds, more than a small model's forward pass, and there is nothing to batch it with.
 * While that prediction runs, requests that come queue for the batcher's thread, so batches form
 * as soon as requests overlap. A request predicted on its own (on its thread, or alone in a
 * batch) goes to the {@code alone} predictor, a batch of several requests to {@code together}.
 */
final class DynamicBatcher implements AutoCloseable {
  /** What a batch is computed by: {@code rows} samples of each input, row-major. */
  @FunctionalInterface
  interface Predictor {
    /** One array per output: {@code rows} samples, row-major. */
    List<float[]> predict(List<float[]> inputs, int rows);
  }

  /** Told about every batch: its size and how long each request waited for it. */
  interface Listener {
    void batch(int rows, int requests);

    void queued(long nanos);
  }

  private record Pending(List<float[]> inputs, int rows, long enqueued,
      CompletableFuture<List<float[]>> result) {}

  /** Queued by close(), to wake the worker. */
  private static final Pending CLOSE = new Pending(List.of(), 0, 0, null);

  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Predictor alone;
  private final Predictor together;
  private final Listener listener;
  private final int maxRows;
  private final long maxDelayNanos;
  private final Thread worker;
  /** Predictions running now, on the batcher's thread or a caller's. */
  private final AtomicInteger predicting = new AtomicInteger();
  private volatile boolean closed;

  DynamicBatcher(String name, Batching batching, Predictor alone, Predictor together,
      Listener listener) {
    this.alone = alone;
    this.together = together;
    this.listener = listener;
    this.maxRows = batching.maxBatchSize();
    this.maxDelayNanos = batching.maxQueueDelay().toNanos();
    this.worker = new Thread(this::run, "lepton-batcher-" + name);
    worker.setDaemon(true);
    worker.start();
  }

  /**
   * Queues {@code rows} samples for the next batch, or predicts them at once on the calling
   * thread when the batcher is idle.
   *
   * @return their outputs, or the failure of predicting them on their own; null once the batcher
   *     is closed (the caller predicts itself)
   */
  CompletableFuture<List<float[]>> submit(List<float[]> inputs, int rows) {
    if (closed) {
      return null;
    }
    Pending p = new Pending(inputs, rows, System.nanoTime(), new CompletableFuture<>());
    if (queue.isEmpty() && predicting.compareAndSet(0, 1)) {
      try {
        compute(List.of(p), rows);
      } finally {
        predicting.decrementAndGet();
      }
      return p.result();
    }
    queue.add(p);
    // close() may have come meanwhile and the worker drained the queue and stopped: a request
    // still in the queue is taken back; one that is gone is the worker's to answer
    if (closed && queue.remove(p)) {
      return null;
    }
    return p.result();
  }

  private void run() {
    Pending carried = null;
    List<Pending> batch = new ArrayList<>();
    while (true) {
      try {
        Pending first = carried != null ? carried : closed ? queue.poll() : queue.take();
        carried = null;
        if (first == null) {
          return; // closed, and every request queued before is answered
        }
        if (first == CLOSE) {
          continue;
        }
        batch.clear();
        batch.add(first);
        int rows = first.rows();
        long deadline = first.enqueued() + maxDelayNanos;
        while (rows < maxRows) {
          long wait = closed ? 0 : deadline - System.nanoTime();
          Pending next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
          if (next == null) {
            break;
          }
          if (next == CLOSE) {
            continue;
          }
          if (rows + next.rows() > maxRows) {
            carried = next; // it opens the next batch
            break;
          }
          batch.add(next);
          rows += next.rows();
        }
        predicting.incrementAndGet();
        try {
          compute(batch, rows);
        } finally {
          predicting.decrementAndGet();
        }
      } catch (InterruptedException e) {
        // never interrupted by close(); only a JVM shutting down gets here
        for (Pending p; (p = queue.poll()) != null; ) {
          p.result().completeExceptionally(new IllegalStateException("the server is stopping"));
        }
        return;
      }
    }
  }

  private void compute(List<Pending> batch, int rows) {
    long now = System.nanoTime();
    for (Pending p : batch) {
      listener.queued(now - p.enqueued());
    }
    listener.batch(rows, batch.size());
    if (batch.size() == 1) {
      computeAlone(batch.get(0));
      return;
    }
    List<float[]> outputs;
    try {
      outputs = together.predict(stack(batch, rows), rows);
    } catch (RuntimeException e) {
      // one request's values broke the batch: each answers for itself
      for (Pending p : batch) {
        computeAlone(p);
      }
      return;
    }
    int from = 0;
    for (Pending p : batch) {
      List<float[]> own = new ArrayList<>(outputs.size());
      for (float[] out : outputs) {
        int perSample = out.length / rows;
        own.add(Arrays.copyOfRange(out, from * perSample, (from + p.rows())
            * perSample));
      }
      from += p.rows();
      p.result().complete(own);
    }
  }

  private void computeAlone(Pending p) {
    try {
      p.result().complete(alone.predict(p.inputs(), p.rows()));
    } catch (RuntimeException e) {
      p.result().completeExceptionally(e);
    }
  }

  /** Each input's rows of every request, one after the other. */
  private static List<float[]> stack(List<Pending> batch, int rows) {
    int inputs = batch.get(0).inputs().size();
    List<float[]> stacked = new ArrayList<>(inputs);
    for (int i = 0; i < inputs; i++) {
      int perSample = batch.get(0).inputs().get(i).length / batch.get(0).rows();
      float[] all = new float[rows * perSample];
      int at = 0;
      for (Pending p : batch) {
        float[] part = p.inputs().get(i);
        System.arraycopy(part, 0, all, at, part.length);
        at += part.length;
      }
      stacked.add(all);
    }
    return stacked;
  }

  /**
   * Stops taking requests ({@link #submit} answers null from now on) and returns once those
   * already queued are answered: a version retired during a rollout fails no request.
   */
  @Override
  public void close() {
    closed = true;
    queue.add(CLOSE); // wakes the worker if it waits for a first request
    try {
      worker.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
