package ai.lepton.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.layers.Dense;
import ai.lepton.tensor.ComputeContext;
import ai.lepton.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

class ComputeFitTest {
  private final Tensor x = Tensor.uniform(new SplittableRandom(5), -1, 1, 256, 32);
  private final Tensor y = Tensor.oneHot(x.argmax(1), 32);

  private static Sequential model() {
    Sequential m = new Sequential().add(new Dense(64, "relu")).add(new Dense(32, "softmax"));
    m.compile("adam", "categorical_crossentropy");
    m.build(3, 32);
    return m;
  }

  /** Trains on {@code context} and returns the final weights, all concatenated. */
  private float[] train(ComputeContext context, CyclicBarrier start, List<ComputeContext> seen) {
    Sequential m = model();
    Fit fit = Fit.epochs(3).batchSize(32).seed(9).verbose(0)
        .callbacks(e -> {
          if (e.kind() == TrainingEvent.Kind.BATCH_END) {
            seen.add(ComputeContext.current());
          }
        });
    if (start != null) {
      try {
        start.await();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    m.fit(x, y, context == null ? fit : fit.compute(context));
    return m.weights().values().stream().map(Tensor::toFloatArray)
        .reduce(new float[0], (a, b) -> {
          float[] c = java.util.Arrays.copyOf(a, a.length + b.length);
          System.arraycopy(b, 0, c, a.length, b.length);
          return c;
        });
  }

  @Test
  void twoTrainingsAtOnceEachRunOnTheirOwnContextAndMatchTheDefault() throws Exception {
    float[] alone = train(null, null, new ArrayList<>());
    try (ComputeContext one = ComputeContext.vector(1); ComputeContext two = ComputeContext.vector(2)) {
      CyclicBarrier start = new CyclicBarrier(2);
      List<ComputeContext> seenOne = java.util.Collections.synchronizedList(new ArrayList<>());
      List<ComputeContext> seenTwo = java.util.Collections.synchronizedList(new ArrayList<>());
      CompletableFuture<float[]> a = CompletableFuture.supplyAsync(() -> train(one, start, seenOne));
      CompletableFuture<float[]> b = CompletableFuture.supplyAsync(() -> train(two, start, seenTwo));
      assertArrayEquals(alone, a.get(), "one thread, run beside another training");
      assertArrayEquals(alone, b.get(), "two threads, run beside another training");
      assertEquals(24, seenOne.size());
      assertTrue(seenOne.stream().allMatch(c -> c == one), "callbacks see the training's context");
      assertTrue(seenTwo.stream().allMatch(c -> c == two), "callbacks see the training's context");
    }
    assertSame(ComputeContext.defaultContext(), ComputeContext.current(), "the scope ends with fit");
  }

  @Test
  void aNullContextIsRefusedWithTheFix() {
    LeptonException e = org.junit.jupiter.api.Assertions.assertThrows(LeptonException.class,
        () -> Fit.epochs(1).compute(null));
    assertTrue(e.getMessage().contains("omit the call"), e.getMessage());
  }
}
