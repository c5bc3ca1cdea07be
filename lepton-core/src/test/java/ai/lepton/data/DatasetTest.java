package ai.lepton.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.tensor.ComputeContext;
import ai.lepton.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DatasetTest {
  /** Sample i has x = [i, 10 i] and y = i. */
  private static Dataset numbers(int n) {
    float[] x = new float[2 * n];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      x[2 * i] = i;
      x[2 * i + 1] = 10 * i;
      y[i] = i;
    }
    return Dataset.of(Tensor.of(x, n, 2), Tensor.of(y, n));
  }

  /** The targets of every batch of an epoch, in order. */
  private static List<float[]> targets(Dataset d, int epoch) {
    List<float[]> out = new ArrayList<>();
    try (Dataset.Batches batches = d.epoch(epoch)) {
      batches.forEachRemaining(b -> out.add(b.y().toFloatArray()));
    }
    return out;
  }

  @Test
  void batchesInMemorySamplesInOrderWithASmallerLastBatch() {
    Dataset d = numbers(7).batch(3);
    assertEquals(3, d.batches());
    List<float[]> ys = targets(d, 0);
    assertArrayEquals(new float[] {0, 1, 2}, ys.get(0));
    assertArrayEquals(new float[] {6}, ys.get(2));
    try (Dataset.Batches batches = d.epoch(0)) {
      Dataset.Batch first = batches.next();
      assertArrayEquals(new float[] {0, 0, 1, 10, 2, 20}, first.x().toFloatArray());
      assertEquals(3, first.size());
    }
  }

  @Test
  void shuffleIsAPermutationFixedBySeedAndEpoch() {
    Dataset d = numbers(50).batch(50).shuffle(true).seed(5);
    float[] epoch0 = targets(d, 0).get(0);
    assertArrayEquals(epoch0, targets(d, 0).get(0)); // same seed and epoch: same order
    assertArrayEquals(epoch0, targets(numbers(50).batch(50).shuffle(true).seed(5), 0).get(0));
    assertFalse(Arrays.equals(epoch0, targets(d, 1).get(0))); // each epoch reshuffles
    assertFalse(Arrays.equals(epoch0, targets(d.seed(6), 0).get(0)));
    float[] sorted = epoch0.clone();
    Arrays.sort(sorted);
    assertArrayEquals(targets(numbers(50).batch(50), 0).get(0), sorted);
  }

  @Test
  void carriesSeveralInputsAndTargets() {
    Tensor a = Tensor.of(new float[] {1, 2, 3}, 3, 1);
    Tensor b = Tensor.of(new float[] {4, 5, 6, 7, 8, 9}, 3, 2);
    Tensor y = Tensor.of(new float[] {0, 1, 0}, 3);
    Dataset d = Dataset.of(List.of(a, b), List.of(y, y)).batch(2).shuffle(true).seed(1);
    try (Dataset.Batches batches = d.epoch(0)) {
      Dataset.Batch batch = batches.next();
      assertEquals(2, batch.inputs().size());
      assertEquals(2, batch.targets().size());
      // Both inputs are gathered with the same indices: sample i has a = i + 1, b = 2i + 4.
      float[] av = batch.inputs().get(0).toFloatArray();
      float[] bv = batch.inputs().get(1).toFloatArray();
      for (int k = 0; k < 2; k++) {
        assertEquals(2 * (av[k] - 1) + 4, bv[2 * k]);
      }
      assertEquals("expected a batch with one input tensor, received 2; a model with several "
          + "inputs takes the whole list",
          assertThrows(LeptonException.class, batch::x).getMessage());
    }
    assertEquals("every tensor of a batch needs the same number of samples first; received "
        + "shapes [[3, 1]] and [[2]]", assertThrows(LeptonException.class,
            () -> Dataset.of(a, Tensor.zeros(2))).getMessage());
  }

  @Test
  void mapAndAugmentRunOnEveryBatchReproducibly() {
    Dataset doubled = numbers(4).batch(2).map(b -> new Dataset.Batch(b.x().mul(2), b.y()));
    try (Dataset.Batches batches = doubled.epoch(0)) {
      assertArrayEquals(new float[] {0, 0, 2, 20}, batches.next().x().toFloatArray());
    }
    Tensor images = Tensor.uniform(new java.util.SplittableRandom(3), 0, 1, 6, 4, 4, 1);
    Dataset augmented = Dataset.of(images, Tensor.zeros(6)).batch(3).seed(9)
        .augment(Augment.create().rotation(0.2).shift(0.3, 0.3));
    float[] first = firstX(augmented, 1);
    assertArrayEquals(first, firstX(augmented, 1)); // same seed, epoch, batch: same images
    assertFalse(Arrays.equals(first, firstX(augmented, 2))); // a new epoch draws anew
    assertFalse(Arrays.equals(first, images.slice(0, 0, 3).toFloatArray()));
  }

  private static float[] firstX(Dataset d, int epoch) {
    try (Dataset.Batches batches = d.prefetch(2).epoch(epoch)) {
      return batches.next().x().toFloatArray();
    }
  }

  /**
   * A source that records each read and the threads reading, and, when {@code failAt} is a batch's
   * first index, throws.
   */
  private static final class Recording implements Dataset.Source {
    final AtomicInteger reads = new AtomicInteger();
    final CountDownLatch readsDone;
    final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    final int failAt;

    Recording(int expectedReads, int failAt) {
      readsDone = new CountDownLatch(expectedReads);
      this.failAt = failAt;
    }

    @Override
    public Dataset.Batch read(int[] indices) {
      threads.add(Thread.currentThread());
      if (indices[0] == failAt) {
        throw new IllegalStateException("disk on fire at sample " + failAt);
      }
      reads.incrementAndGet();
      readsDone.countDown();
      float[] v = new float[indices.length];
      for (int i = 0; i < indices.length; i++) {
        v[i] = indices[i];
      }
      Tensor t = Tensor.of(v, indices.length);
      return new Dataset.Batch(t.reshape(indices.length, 1), t);
    }

    Thread producer() {
      assertEquals(1, threads.size());
      return threads.iterator().next();
    }
  }

  private static void awaitParked(Thread t) {
    // The producer blocks in put() on the full queue: wait for that state rather than sleeping.
    while (t.getState() != Thread.State.WAITING && t.isAlive()) {
      Thread.onSpinWait();
    }
  }

  @Test
  void prefetchPreparesBatchesAheadWhileTheConsumerHoldsAndStaysBounded()
      throws InterruptedException {
    Recording source = new Recording(3, -1);
    Dataset d = Dataset.of(100, source).batch(10).prefetch(2);
    try (Dataset.Batches batches = d.epoch(0)) {
      // No batch asked for yet, and three are read: two queued, one waiting for room.
      assertTrue(source.readsDone.await(10, TimeUnit.SECONDS));
      Thread producer = source.producer();
      assertNotSame(Thread.currentThread(), producer);
      assertTrue(producer.isDaemon());
      awaitParked(producer);
      assertEquals(3, source.reads.get());
      float[] got = new float[100];
      int n = 0;
      while (batches.hasNext()) {
        for (float v : batches.next().y().toFloatArray()) {
          got[n++] = v;
        }
      }
      assertEquals(100, n);
      for (int i = 0; i < 100; i++) {
        assertEquals(i, got[i]);
      }
      producer.join(10_000);
      assertFalse(producer.isAlive()); // the epoch ended, so did the thread
    }
  }

  @Test
  void closingEarlyEndsTheProducerThread() throws InterruptedException {
    Recording source = new Recording(1, -1);
    Dataset.Batches batches = Dataset.of(1000, source).batch(1).prefetch(4).epoch(0);
    assertEquals(0, batches.next().y().item());
    Thread producer = source.producer();
    batches.close();
    assertFalse(producer.isAlive());
    assertTrue(source.reads.get() < 1000);
  }

  @Test
  void aFailingSourceIsRethrownInTheConsumerWithItsCause() {
    Recording source = new Recording(2, 20);
    try (Dataset.Batches batches = Dataset.of(50, source).batch(10).epoch(0)) {
      assertEquals(0, batches.next().y().get(0));
      assertEquals(10, batches.next().y().get(0));
      LeptonException e = assertThrows(LeptonException.class, batches::next);
      assertEquals("dataset: preparing batch 2 failed: disk on fire at sample 20", e.getMessage());
      assertSame(IllegalStateException.class, e.getCause().getClass());
      Thread producer = source.producer();
      batches.close();
      assertFalse(producer.isAlive());
    }
  }

  @Test
  void thePrefetchThreadPreparesBatchesInTheContextTheEpochIsIteratedIn() {
    java.util.List<ComputeContext> seen =
        java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    Dataset d = numbers(20).batch(5).prefetch(2).map(b -> {
      seen.add(ComputeContext.current());
      return b;
    });
    try (ComputeContext reference = ComputeContext.reference();
        ComputeContext.Scope scope = reference.enter();
        Dataset.Batches batches = d.epoch(0)) {
      int n = 0;
      while (batches.hasNext()) {
        batches.next();
        n++;
      }
      assertEquals(4, n);
      assertEquals(java.util.Collections.nCopies(4, reference), seen);
    }
  }

  @Test
  void withoutPrefetchBatchesAreReadOnTheCallersThread() {
    Recording source = new Recording(5, -1);
    try (Dataset.Batches batches = Dataset.of(5, source).batch(1).prefetch(0).epoch(0)) {
      assertEquals(0, source.reads.get());
      batches.next();
      assertSame(Thread.currentThread(), source.producer());
    }
  }

  @Test
  void refusesBadOptions() {
    assertEquals("Dataset.batch: expected a positive batch size, received 0",
        assertThrows(LeptonException.class, () -> numbers(3).batch(0)).getMessage());
    assertEquals("Dataset.prefetch: expected 0 to 1024 batches, received -1; a few batches ahead "
        + "keep training busy",
        assertThrows(LeptonException.class, () -> numbers(3).prefetch(-1)).getMessage());
    // the prefetch queue is allocated at this size: 2^31-1 would be an OutOfMemoryError
    assertEquals("Dataset.prefetch: expected 0 to 1024 batches, received 2147483647; a few "
        + "batches ahead keep training busy", assertThrows(LeptonException.class,
            () -> numbers(3).prefetch(Integer.MAX_VALUE)).getMessage());
    assertEquals("a dataset needs at least one sample; received tensors of shapes [[0, 2]] and "
        + "[[0]]", assertThrows(LeptonException.class,
            () -> Dataset.of(Tensor.zeros(0, 2), Tensor.zeros(0))).getMessage());
  }
}
