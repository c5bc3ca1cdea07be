package ai.lepton.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.internal.Seeds;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Dropout;
import ai.lepton.layers.Layer;
import ai.lepton.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TrainerTest {
  // 40 samples in batches of 16: 3 steps per epoch (16, 16, 8)
  private final Tensor x = Tensor.uniform(new SplittableRandom(2), -1, 1, 40, 4);
  private final Tensor y = x.sum(1, true);

  private static Sequential model() {
    Sequential m = new Sequential().add(new Dense(8, "relu")).add(new Dropout(0.2f))
        .add(new Dense(1));
    m.compile("adam", "mse", "mae");
    m.build(1, 4);
    return m;
  }

  private static List<TrainingEvent> ofKind(List<TrainingEvent> events, TrainingEvent.Kind kind) {
    return events.stream().filter(e -> e.kind() == kind).toList();
  }

  /**
   * A layer of one's own, outside Lepton's layers package: it overrides the protected
   * {@code seedEpoch}, as a layer that draws random numbers does, and records what fit passes.
   */
  private static final class SeedRecorder extends Layer {
    private final List<String> seeded = new ArrayList<>();

    SeedRecorder() {
      super(null, true);
    }

    @Override
    public int[] outputShape(int[] inputShape) {
      return inputShape;
    }

    @Override
    protected Tensor call(Tensor x, boolean training) {
      return x;
    }

    @Override
    protected void seedEpoch(long seed, int epoch) {
      seeded.add(seed + "@" + epoch);
    }

    @Override
    public Record config() {
      return null;
    }
  }

  @Test
  void fitSeedsALayerOfYourOwnBeforeEachEpochAndNamesIt() {
    SeedRecorder recorder = new SeedRecorder();
    Sequential m = new Sequential().add(new Dense(2)).add(recorder).add(new Dense(1));
    m.compile("sgd", "mse");
    m.fit(x, y, Fit.epochs(3).batchSize(16).seed(5).verbose(0));
    assertEquals("seed_recorder", recorder.name());
    long layerSeed = Seeds.derive(5, 1); // fit's seed mixed with the layer's position
    assertEquals(List.of(layerSeed + "@0", layerSeed + "@1", layerSeed + "@2"), recorder.seeded);
  }

  @Test
  void eventsCarryPositionsSamplesLogsAndTimes() {
    List<TrainingEvent> events = new ArrayList<>();
    model().fit(x, y, Fit.epochs(2).batchSize(16).verbose(0).callbacks(events::add));

    assertEquals(List.of(TrainingEvent.Kind.TRAIN_BEGIN, TrainingEvent.Kind.EPOCH_BEGIN,
        TrainingEvent.Kind.BATCH_END, TrainingEvent.Kind.BATCH_END, TrainingEvent.Kind.BATCH_END,
        TrainingEvent.Kind.EPOCH_END, TrainingEvent.Kind.EPOCH_BEGIN,
        TrainingEvent.Kind.BATCH_END, TrainingEvent.Kind.BATCH_END, TrainingEvent.Kind.BATCH_END,
        TrainingEvent.Kind.EPOCH_END, TrainingEvent.Kind.TRAIN_END),
        events.stream().map(TrainingEvent::kind).toList());
    List<TrainingEvent> batches = ofKind(events, TrainingEvent.Kind.BATCH_END);
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L),
        batches.stream().map(TrainingEvent::globalStep).toList());
    assertEquals(List.of(1, 2, 3, 1, 2, 3), batches.stream().map(TrainingEvent::step).toList());
    assertEquals(List.of(16L, 32L, 40L, 16L, 32L, 40L),
        batches.stream().map(TrainingEvent::samples).toList());
    for (TrainingEvent e : events) {
      assertEquals(2, e.epochs());
      assertEquals(3, e.steps());
    }
    for (TrainingEvent b : batches) {
      assertTrue(b.samplesPerSecond() > 0, b.toString());
      assertTrue(b.logs().containsKey("loss") && b.logs().containsKey("mean_absolute_error"), b.toString());
    }
    for (int i = 1; i < events.size(); i++) {
      assertTrue(events.get(i).elapsedSeconds() >= events.get(i - 1).elapsedSeconds());
    }
    TrainingEvent last = ofKind(events, TrainingEvent.Kind.EPOCH_END).get(1);
    assertEquals(1, last.epoch());
    assertEquals(0, last.etaSeconds(), "nothing is left after the last epoch");
    TrainingEvent end = events.get(events.size() - 1);
    assertEquals(last.logs(), end.logs());
    assertFalse(end.cancelled());
  }

  @Test
  void aResumedRunCountsEpochsAndGlobalStepsFromItsInitialEpoch() {
    List<TrainingEvent> events = new ArrayList<>();
    model().fit(x, y, Fit.epochs(3).initialEpoch(1).batchSize(16).verbose(0)
        .callbacks(events::add));
    assertEquals(1, events.get(0).epoch());
    assertEquals(3, events.get(0).globalStep());
    assertEquals(List.of(1, 2), ofKind(events, TrainingEvent.Kind.EPOCH_END).stream()
        .map(TrainingEvent::epoch).toList());
    assertEquals(4, ofKind(events, TrainingEvent.Kind.BATCH_END).get(0).globalStep());
  }

  @Test
  void eventLogsCannotBeChangedByACallback() {
    List<TrainingEvent> events = new ArrayList<>();
    model().fit(x, y, Fit.epochs(1).batchSize(16).verbose(0).callbacks(events::add));
    TrainingEvent end = ofKind(events, TrainingEvent.Kind.EPOCH_END).get(0);
    assertThrows(UnsupportedOperationException.class, () -> end.logs().put("loss", 0.0));
  }

  @Test
  void anotherThreadCancelsAtABatchBoundaryWithTheWeightsOfWholeSteps() throws Exception {
    Cancellation cancellation = new Cancellation();
    CountDownLatch atFirstStepOfEpoch2 = new CountDownLatch(1);
    CountDownLatch cancelled = new CountDownLatch(1);
    List<TrainingEvent> events = Collections.synchronizedList(new ArrayList<>());
    Callback pauseForTheCancel = e -> {
      events.add(e);
      if (e.kind() == TrainingEvent.Kind.BATCH_END && e.epoch() == 1 && e.step() == 1) {
        atFirstStepOfEpoch2.countDown();
        try {
          assertTrue(cancelled.await(30, TimeUnit.SECONDS), "the test thread never cancelled");
        } catch (InterruptedException ex) {
          throw new AssertionError(ex);
        }
      }
    };
    Sequential model = model();
    ExecutorService worker = Executors.newSingleThreadExecutor();
    try {
      Future<History> run = worker.submit(() -> model.fit(x, y, Fit.epochs(5).batchSize(16)
          .validationSplit(0.2).verbose(0).cancellation(cancellation)
          .callbacks(pauseForTheCancel)));
      assertTrue(atFirstStepOfEpoch2.await(30, TimeUnit.SECONDS), "training never got there");
      cancellation.cancel();
      cancelled.countDown();
      History history = run.get(30, TimeUnit.SECONDS);

      assertTrue(history.cancelled());
      assertEquals(1, history.epochs(), "only the whole first epoch is recorded");
      TrainingEvent end = events.get(events.size() - 1);
      assertEquals(TrainingEvent.Kind.TRAIN_END, end.kind());
      assertTrue(end.cancelled());
      assertEquals(1, end.epoch());
      assertEquals(1, end.step());
      assertEquals(1, ofKind(events, TrainingEvent.Kind.EPOCH_END).size());
    } finally {
      worker.shutdownNow();
    }
    // The same run stopped by a callback after the same batch has the same weights: the cancel
    // took effect exactly at the batch boundary. (validationSplit 0.2 leaves 32 samples: 2 steps
    // an epoch, so the run stopped after 2 + 1 steps.)
    Sequential same = model();
    same.fit(x, y, Fit.epochs(5).batchSize(16).validationSplit(0.2).verbose(0).callbacks(
        new Callback() {
          private Model m;

          @Override
          public void setModel(Model model) {
            m = model;
          }

          @Override
          public void onEvent(TrainingEvent e) {
            if (e.kind() == TrainingEvent.Kind.BATCH_END && e.epoch() == 1 && e.step() == 1) {
              m.stopTraining();
            }
          }
        }));
    assertEquals(3, model.optimizer().iterations());
    for (String w : model.weights().keySet()) {
      assertArrayEquals(same.weights().get(w).toFloatArray(),
          model.weights().get(w).toFloatArray(), w);
    }
  }

  @Test
  void aRunCancelledBeforeItStartsTrainsNothing() {
    Cancellation cancellation = new Cancellation();
    cancellation.cancel();
    Sequential model = model();
    float[] before = model.weights().get("dense/kernel").toFloatArray();
    List<TrainingEvent> events = new ArrayList<>();
    History h = model.fit(x, y, Fit.epochs(3).verbose(0).cancellation(cancellation)
        .callbacks(events::add));
    assertTrue(h.cancelled());
    assertEquals(0, h.epochs());
    assertEquals(List.of(TrainingEvent.Kind.TRAIN_BEGIN, TrainingEvent.Kind.TRAIN_END),
        events.stream().map(TrainingEvent::kind).toList());
    assertArrayEquals(before, model.weights().get("dense/kernel").toFloatArray());
  }

  @Test
  void fitOptionsRefuseNullCallbacksAndCancellations() {
    LeptonException nullCallback = assertThrows(LeptonException.class,
        () -> Fit.epochs(1).callbacks(e -> { }, null));
    assertTrue(nullCallback.getMessage().contains("callbacks[1] is null"),
        nullCallback.getMessage());
    LeptonException nullToken = assertThrows(LeptonException.class,
        () -> Fit.epochs(1).cancellation(null));
    assertTrue(nullToken.getMessage().contains("expected token, received null"),
        nullToken.getMessage());
  }
}
