package ai.lepton.models;

import ai.lepton.data.Dataset;
import ai.lepton.internal.Hooks;
import ai.lepton.internal.Seeds;
import ai.lepton.layers.Layer;
import ai.lepton.metrics.Metric;
import ai.lepton.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training and evaluation loops behind {@link Model#fit} and {@link Model#evaluate}: batches,
 * gradient steps, running logs, validation, and the event stream every {@link Callback} receives.
 * One Trainer serves one call; the model checks its arguments before handing them over.
 */
final class Trainer {
  private final Model model;
  private final List<Model.Head> heads;

  Trainer(Model model) {
    this.model = model;
    this.heads = model.heads();
  }

  /** One {@code fit} run over {@code data}, validated on {@code validation} (or null) each epoch. */
  History fit(Dataset data, Dataset validation, Fit options) {
    try (var scope = options.computeContext().enter()) {
      return train(data, validation, options);
    }
  }

  private History train(Dataset data, Dataset validation, Fit options) {
    List<Callback> callbacks = new ArrayList<>(options.callbacks());
    if (options.verbose() > 0) {
      callbacks.add(ProgressBar.forVerbose(options.verbose()));
    }
    Run run = new Run(callbacks, options.epochs(), data.batches(), options.initialEpoch());
    Cancellation cancellation = options.cancellation();
    History history = new History();
    Map<String, Tensor> params = model.trainableWeights();
    model.clearStopRequest();
    callbacks.forEach(c -> c.setModel(model));
    Map<String, Double> logs = Map.of();
    boolean cancelled = false;
    run.emit(TrainingEvent.Kind.TRAIN_BEGIN, Map.of());
    for (int epoch = options.initialEpoch(); epoch < options.epochs(); epoch++) {
      if (model.stopRequested()) {
        break;
      }
      if (cancellation.cancelled()) {
        cancelled = true;
        break;
      }
      seedLayers(options.seed(), epoch);
      run.startEpoch(epoch);
      heads.forEach(h -> h.metrics().forEach(Metric::reset));
      double lossSum = 0;
      double[] headSums = new double[heads.size()];
      Map<String, Double> running = Map.of();
      // Closing the batches stops the dataset's prefetch thread when training stops early.
      try (Dataset.Batches batches = data.epoch(epoch)) {
        while (!model.stopRequested() && batches.hasNext()) {
          if (cancellation.cancelled()) {
            cancelled = true;
            break;
          }
          Dataset.Batch batch = batches.next();
          model.checkBatch("fit", batch);
          float[] headLosses = new float[heads.size()];
          float batchLoss = trainStep(batch.inputs(), batch.targets(), params, headLosses);
          lossSum += (double) batchLoss * batch.size();
          for (int i = 0; i < headSums.length; i++) {
            headSums[i] += (double) headLosses[i] * batch.size();
          }
          run.batchDone(batch.size());
          running = logs(heads, lossSum, headSums, run.samples);
          run.emit(TrainingEvent.Kind.BATCH_END, running);
        }
      }
      if (cancelled) {
        break; // the unfinished epoch is neither validated nor recorded; see Cancellation
      }
      Map<String, Double> epochLogs = new LinkedHashMap<>(running);
      if (validation != null) {
        evaluate("fit (validation data)", validation)
            .forEach((k, v) -> epochLogs.put("val_" + k, v));
      }
      logs = epochLogs;
      history.append(logs);
      run.emit(TrainingEvent.Kind.EPOCH_END, logs);
    }
    if (cancelled) {
      history.markCancelled();
    }
    run.end(logs, history.cancelled());
    return history;
  }

  /**
   * Restarts every layer's random streams (dropout masks) from (seed, layer position, epoch). The
   * sample order is already a function of (seed, epoch) (see {@link Dataset#epoch}), and the
   * validation split takes the last samples, so all of the loop's randomness replays exactly when a
   * run resumes at an epoch boundary with {@link Fit#initialEpoch}.
   */
  private void seedLayers(long seed, int epoch) {
    List<Layer> layers = model.layers();
    for (int i = 0; i < layers.size(); i++) {
      Hooks.layers().seedEpoch(layers.get(i), Seeds.derive(seed, i), epoch);
    }
  }

  /**
   * The counters and clocks of a run, and the events made from them: epoch and step positions,
   * samples, throughput, elapsed time and ETA.
   */
  private static final class Run {
    private final List<Callback> callbacks;
    private final int epochs;
    private final int steps;
    /** Batches this call will run if nothing stops it, for the ETA. */
    private final long plannedSteps;
    private final long start = System.nanoTime();
    private int epoch;
    private int step;
    private long samples;
    private long stepsDone;
    private long epochStart = start;

    Run(List<Callback> callbacks, int epochs, int steps, int initialEpoch) {
      this.callbacks = callbacks;
      this.epochs = epochs;
      this.steps = steps;
      this.plannedSteps = (long) (epochs - initialEpoch) * steps;
      this.epoch = initialEpoch;
    }

    void startEpoch(int e) {
      epoch = e;
      step = 0;
      samples = 0;
      epochStart = System.nanoTime();
      emit(TrainingEvent.Kind.EPOCH_BEGIN, Map.of());
    }

    void batchDone(int size) {
      step++;
      stepsDone++;
      samples += size;
    }

    void end(Map<String, Double> logs, boolean cancelled) {
      emit(TrainingEvent.Kind.TRAIN_END, logs, cancelled);
    }

    void emit(TrainingEvent.Kind kind, Map<String, Double> logs) {
      emit(kind, logs, false);
    }

    private void emit(TrainingEvent.Kind kind, Map<String, Double> logs, boolean cancelled) {
      long now = System.nanoTime();
      double elapsed = (now - start) / 1e9;
      double epochSeconds = (now - epochStart) / 1e9;
      double eta = stepsDone == 0 ? 0 : elapsed / stepsDone * (plannedSteps - stepsDone);
      TrainingEvent event = new TrainingEvent(kind, epoch, epochs, step, steps,
          (long) epoch * steps + step, samples, logs,
          samples == 0 ? 0 : samples / Math.max(epochSeconds, 1e-9), elapsed,
          kind == TrainingEvent.Kind.TRAIN_END ? 0 : eta, cancelled);
      for (Callback c : callbacks) {
        c.onEvent(event);
      }
    }
  }

  /**
   * One gradient step on a batch; returns the batch loss (weighted, regularization included) and
   * writes each output's unweighted loss into {@code headLosses}.
   */
  private float trainStep(List<Tensor> xb, List<Tensor> yb, Map<String, Tensor> params,
      float[] headLosses) {
    List<Tensor> out = model.call(xb, true);
    Tensor total = null;
    for (int i = 0; i < heads.size(); i++) {
      Model.Head h = heads.get(i);
      Tensor l = h.loss().call(yb.get(i), out.get(i));
      headLosses[i] = l.item();
      // A head weighted 0 stays out of the graph, so its own weights get no gradient at all.
      if (h.weight() != 0) {
        Tensor weighted = h.weight() == 1 ? l : l.mul((float) h.weight());
        total = total == null ? weighted : total.add(weighted);
      }
    }
    if (total == null) {
      total = Tensor.scalar(0f);
    }
    for (Layer layer : model.layers()) {
      Tensor penalty = layer.trainable() ? layer.regularization() : null;
      if (penalty != null) {
        total = total.add(penalty);
      }
    }
    for (Tensor p : params.values()) {
      p.zeroGrad();
    }
    if (total.requiresGrad()) {
      total.backward();
      model.optimizer().step(params);
    }
    for (int i = 0; i < heads.size(); i++) {
      Tensor pred = out.get(i).detach();
      for (Metric m : heads.get(i).metrics()) {
        m.update(yb.get(i), pred);
      }
    }
    return total.item();
  }

  /** Loss and metrics on every batch of {@code data} (epoch 0 of its order), without a graph. */
  Map<String, Double> evaluate(String op, Dataset data) {
    heads.forEach(h -> h.metrics().forEach(Metric::reset));
    double lossSum = 0;
    double[] headSums = new double[heads.size()];
    int n = 0;
    try (var scope = Tensor.noGrad(); Dataset.Batches batches = data.epoch(0)) {
      while (batches.hasNext()) {
        Dataset.Batch batch = batches.next();
        model.checkBatch(op, batch);
        List<Tensor> out = model.call(batch.inputs(), false);
        for (int i = 0; i < heads.size(); i++) {
          Model.Head h = heads.get(i);
          double l = h.loss().call(batch.targets().get(i), out.get(i)).item();
          headSums[i] += l * batch.size();
          lossSum += h.weight() * l * batch.size();
          for (Metric m : h.metrics()) {
            m.update(batch.targets().get(i), out.get(i));
          }
        }
        n += batch.size();
      }
    }
    return logs(heads, lossSum, headSums, n);
  }

  /**
   * The logs, Keras style: {@code loss}, each {@code <output>_loss} (only with several outputs),
   * then each {@code <prefix><metric>}.
   */
  private static Map<String, Double> logs(List<Model.Head> heads, double lossSum,
      double[] headSums, long seen) {
    Map<String, Double> logs = new LinkedHashMap<>();
    logs.put("loss", lossSum / seen);
    for (int i = 0; i < heads.size(); i++) {
      if (!heads.get(i).prefix().isEmpty()) {
        logs.put(heads.get(i).prefix() + "loss", headSums[i] / seen);
      }
    }
    for (Model.Head h : heads) {
      for (Metric m : h.metrics()) {
        logs.put(h.prefix() + m.name(), m.result());
      }
    }
    return logs;
  }
}
