package ai.lepton.data;

import ai.lepton.LeptonException;
import ai.lepton.tensor.ComputeContext;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.IntFunction;

/**
 * Prepares the batches of one epoch on a daemon thread, at most {@code capacity} ahead of the
 * consumer (a bounded queue: the producer blocks when it is full). A failure in the producer is
 * queued in order and re-thrown by {@link #next} with the original as its cause. {@link #close}
 * interrupts the producer and waits for it, so no thread outlives the iteration.
 */
final class Prefetcher implements Dataset.Batches {
  /** What the producer queues after its last batch, or instead of the batch that failed. */
  private record End(int step, Throwable failure) {}

  private final BlockingQueue<Object> queue;
  private final Thread thread;
  private Object head; // taken from the queue, not yet returned by next()

  Prefetcher(int capacity, int batches, IntFunction<Dataset.Batch> prepare) {
    queue = new ArrayBlockingQueue<>(capacity);
    ComputeContext context = ComputeContext.current(); // batches are made where they are used
    thread = new Thread(() -> {
      int step = 0;
      try {
        try (var scope = context.enter()) {
          for (; step < batches; step++) {
            queue.put(prepare.apply(step));
          }
          queue.put(new End(batches, null));
        } catch (RuntimeException | Error e) {
          // Errors too (OutOfMemoryError): the consumer must hear of them, not wait forever.
          queue.put(new End(step, e));
        }
      } catch (InterruptedException e) {
        // close() interrupts a producer blocked on a full queue: the iteration is over and
        // nobody will take what is left, so ending here is the intended outcome.
      }
    }, "lepton-dataset-prefetch");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public boolean hasNext() {
    if (head == null) {
      try {
        head = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new LeptonException("interrupted while waiting for the next batch; the dataset's "
            + "prefetch thread was stopped", e);
      }
    }
    if (head instanceof End end && end.failure() != null) {
      throw new LeptonException("dataset: preparing batch " + end.step() + " failed: "
          + end.failure().getMessage(), end.failure());
    }
    return !(head instanceof End);
  }

  @Override
  public Dataset.Batch next() {
    if (!hasNext()) {
      throw new NoSuchElementException("the epoch has no more batches");
    }
    Dataset.Batch batch = (Dataset.Batch) head;
    head = null;
    return batch;
  }

  @Override
  public void close() {
    thread.interrupt();
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true; // keep waiting: the promise is that the thread has ended
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
