package ai.lepton.models;

import static ai.lepton.LeptonAssertions.assertFailsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.layers.Dense;
import ai.lepton.tensor.ComputeContext;
import ai.lepton.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

/** {@code Fit.compute}: a training runs on the context it is given, beside another on its own. */
class ComputeFitTest {
  private final Tensor x = Tensor.uniform(new SplittableRandom(5), -1, 1, 256, 32);
  private final Tensor y = Tensor.oneHot(x.argmax(1), 32);

  /**
   * Waits at {@code start} (if given), trains a seeded classifier on {@code context} while
   * recording the context its callbacks see, and returns the final weights, concatenated.
   */
  private float[] train(ComputeContext context, CyclicBarrier start, List<ComputeContext> seen)
      throws Exception {
    Sequential m = new Sequential().add(new Dense(64, "relu")).add(new Dense(32, "softmax"));
    m.compile("adam", "categorical_crossentropy");
    m.build(3, 32);
    if (start != null) {
      start.await();
    }
    m.fit(x, y, Fit.epochs(3).batchSize(32).seed(9).verbose(0).compute(context)
        .callbacks(e -> {
          if (e.kind() == TrainingEvent.Kind.BATCH_END) {
            seen.add(ComputeContext.current());
          }
        }));
    List<Float> all = new ArrayList<>();
    for (Tensor w : m.weights().values()) {
      for (float v : w.toFloatArray()) {
        all.add(v);
      }
    }
    float[] out = new float[all.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = all.get(i);
    }
    return out;
  }

  private CompletableFuture<float[]> trainAsync(ComputeContext context, CyclicBarrier start,
      List<ComputeContext> seen) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return train(context, start, seen);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @Test
  void twoTrainingsAtOnceEachRunOnTheirOwnContextAndMatchARunAlone() throws Exception {
    float[] alone;
    try (ComputeContext three = ComputeContext.vector(3)) {
      alone = train(three, null, new ArrayList<>());
    }
    try (ComputeContext one = ComputeContext.vector(1);
        ComputeContext two = ComputeContext.vector(2)) {
      CyclicBarrier start = new CyclicBarrier(2);
      List<ComputeContext> seenOne = Collections.synchronizedList(new ArrayList<>());
      List<ComputeContext> seenTwo = Collections.synchronizedList(new ArrayList<>());
      CompletableFuture<float[]> a = trainAsync(one, start, seenOne);
      CompletableFuture<float[]> b = trainAsync(two, start, seenTwo);
      assertArrayEquals(alone, a.get(), "one thread, beside another training");
      assertArrayEquals(alone, b.get(), "two threads, beside another training");
      assertEquals(24, seenOne.size()); // 3 epochs of 8 batches
      assertTrue(seenOne.stream().allMatch(c -> c == one), "callbacks see the training's context");
      assertTrue(seenTwo.stream().allMatch(c -> c == two), "callbacks see the training's context");
    }
    assertSame(ComputeContext.defaultContext(), ComputeContext.current(), "the scope ends with fit");
  }

  @Test
  void aNullContextIsRefusedWithTheFix() {
    assertFailsWith("omit the call", () -> Fit.epochs(1).compute(null));
  }
}
