package ai.lepton.server.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The batcher under real concurrency: a gate holds the batches that start with {@link #HOLD}
 * inside the predictor (one on its caller's thread, one on the batcher's) while other requests
 * queue, so which requests share a batch is known without sleeping.
 */
class DynamicBatcherTest {
  /** A sample value whose batch waits at the gate. */
  private static final float HOLD = 100;
  /** Each sample of one value v answers [2v, v + 1]; a negative value is refused. */
  private final List<Integer> batches = Collections.synchronizedList(new ArrayList<>());
  /** The rows of each batch that went to the predictor for several requests together. */
  private final List<Integer> together = Collections.synchronizedList(new ArrayList<>());
  private final List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
  private final Semaphore entered = new Semaphore(0);
  private final CountDownLatch gate = new CountDownLatch(1);
  private final List<Long> queued = Collections.synchronizedList(new ArrayList<>());
  private DynamicBatcher batcher;

  private List<float[]> predict(List<float[]> inputs, int rows) {
    batches.add(rows);
    threads.add(Thread.currentThread());
    if (inputs.get(0)[0] == HOLD) {
      entered.release();
      try {
        if (!gate.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never opened the gate");
        }
      } catch (InterruptedException e) {
        throw new IllegalStateException("interrupted", e);
      }
    }
    float[] x = inputs.get(0);
    float[] y = new float[rows * 2];
    for (int r = 0; r < rows; r++) {
      if (x[r] < 0) {
        throw new IllegalArgumentException("negative value " + x[r]);
      }
      y[2 * r] = 2 * x[r];
      y[2 * r + 1] = x[r] + 1;
    }
    return List.of(y);
  }

  private List<float[]> predictTogether(List<float[]> inputs, int rows) {
    together.add(rows);
    return predict(inputs, rows);
  }

  private DynamicBatcher start(Batching batching) {
    batcher = new DynamicBatcher("test", batching, this::predict, this::predictTogether,
        new DynamicBatcher.Listener() {
          @Override
          public void batch(int rows, int requests) {}

          @Override
          public void queued(long nanos) {
            queued.add(nanos);
          }
        });
    return batcher;
  }

  @AfterEach
  void close() {
    gate.countDown();
    batcher.close();
  }

  private CompletableFuture<List<float[]>> submit(float... values) {
    return batcher.submit(List.of(values), values.length);
  }

  /** Submits {@code value} from a new thread; the future completes with its answer. */
  private CompletableFuture<List<float[]>> submitAside(float value) {
    CompletableFuture<List<float[]>> answer = new CompletableFuture<>();
    new Thread(() -> {
      try {
        answer.complete(submit(value).get());
      } catch (Exception e) {
        answer.completeExceptionally(e);
      }
    }).start();
    return answer;
  }

  /**
   * Holds two predictions at the gate, the first on its caller's thread (the batcher was idle)
   * and the second on the batcher's (one was running), then submits {@code values} from many
   * threads: they queue for the batcher's next batch.
   */
  private List<CompletableFuture<List<float[]>>> queueBehindFirst(float... values)
      throws Exception {
    CompletableFuture<List<float[]>> first = submitAside(HOLD);
    assertEquals(true, entered.tryAcquire(30, TimeUnit.SECONDS));
    CompletableFuture<List<float[]>> second = submitAside(HOLD);
    assertEquals(true, entered.tryAcquire(30, TimeUnit.SECONDS));
    List<CompletableFuture<List<float[]>>> futures =
        Collections.synchronizedList(new ArrayList<>());
    CountDownLatch submitted = new CountDownLatch(values.length);
    List<Thread> threads = new ArrayList<>();
    for (float v : values) {
      Thread t = new Thread(() -> {
        futures.add(submit(v));
        submitted.countDown();
      });
      threads.add(t);
      t.start();
    }
    assertEquals(true, submitted.await(30, TimeUnit.SECONDS));
    for (Thread t : threads) {
      t.join();
    }
    gate.countDown();
    assertArrayEquals(new float[] {200, 101}, first.get().get(0));
    assertArrayEquals(new float[] {200, 101}, second.get().get(0));
    return futures;
  }

  @Test
  void requestsWaitingTogetherShareOneBatchAndEachGetsItsOwnRows() throws Exception {
    start(new Batching(64, Duration.ZERO));
    List<CompletableFuture<List<float[]>>> futures =
        queueBehindFirst(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    for (CompletableFuture<List<float[]>> f : futures) {
      float[] y = f.get().get(0);
      assertEquals(2, y.length);
      assertEquals(2 * (y[1] - 1), y[0], "each caller gets the rows of its own sample");
    }
    assertEquals(List.of(1, 1, 10), batches);
    assertEquals(List.of(10), together, "only the batch of several requests is predicted together");
    assertEquals(12, queued.size(), "every request's queue time is reported");
  }

  @Test
  void aRequestThatFindsTheBatcherIdleIsPredictedOnItsOwnThread() throws Exception {
    start(new Batching(64, Duration.ofMinutes(5)));
    CompletableFuture<List<float[]>> y = submit(3, 4);
    assertEquals(true, y.isDone(), "answered before submit returns, without waiting 5 minutes");
    assertArrayEquals(new float[] {6, 4, 8, 5}, y.get().get(0));
    assertEquals(List.of(Thread.currentThread()), threads);
    assertEquals(1, queued.size());
  }

  @Test
  void aBadRequestFailsAloneAndTheOthersInItsBatchAreAnswered() throws Exception {
    start(new Batching(64, Duration.ZERO));
    List<CompletableFuture<List<float[]>>> futures = queueBehindFirst(1, 2, -3, 4, 5);
    int failed = 0;
    for (CompletableFuture<List<float[]>> f : futures) {
      try {
        float[] y = f.get().get(0);
        assertEquals(2 * (y[1] - 1), y[0]);
      } catch (ExecutionException e) {
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        failed++;
      }
    }
    assertEquals(1, failed);
    // the two held, the batch of 5, then each of its requests alone
    assertEquals(List.of(1, 1, 5, 1, 1, 1, 1, 1), batches);
  }

  @Test
  void batchesHoldAtMostTheMaximumSamples() throws Exception {
    start(new Batching(4, Duration.ZERO));
    List<CompletableFuture<List<float[]>>> futures =
        queueBehindFirst(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    for (CompletableFuture<List<float[]>> f : futures) {
      f.get();
    }
    assertEquals(List.of(1, 1, 4, 4, 2), batches);
  }

  @Test
  void theFirstRequestWaitsForOthersUntilTheBatchIsFull() throws Exception {
    start(new Batching(3, Duration.ofMinutes(5)));
    CompletableFuture<List<float[]>> held = submitAside(HOLD); // the batcher is busy from now
    assertEquals(true, entered.tryAcquire(30, TimeUnit.SECONDS));
    CompletableFuture<List<float[]>> a = submit(1);
    CompletableFuture<List<float[]>> b = submit(2, 3);
    assertArrayEquals(new float[] {2, 2}, a.get().get(0));
    assertArrayEquals(new float[] {4, 3, 6, 4}, b.get().get(0));
    gate.countDown();
    held.get();
    assertEquals(List.of(1, 3), batches, "one batch of 1 + 2 samples, long before the delay");
  }

  @Test
  void closingAnswersTheRequestsStillWaitingThenRefusesNewOnes() throws Exception {
    start(new Batching(64, Duration.ZERO));
    CompletableFuture<List<float[]>> first = submitAside(HOLD);
    assertEquals(true, entered.tryAcquire(30, TimeUnit.SECONDS));
    CompletableFuture<List<float[]>> second = submitAside(HOLD);
    assertEquals(true, entered.tryAcquire(30, TimeUnit.SECONDS)); // the worker holds it
    CompletableFuture<List<float[]>> waiting = submit(2);
    Thread closer = new Thread(batcher::close);
    closer.start(); // returns once the worker has answered both it holds and the one queued
    gate.countDown();
    closer.join();
    assertArrayEquals(new float[] {200, 101}, first.get().get(0));
    assertArrayEquals(new float[] {200, 101}, second.get().get(0));
    assertArrayEquals(new float[] {4, 3}, waiting.get().get(0));
    assertNull(submit(3), "a closed batcher takes no request: its caller predicts");
  }
}
