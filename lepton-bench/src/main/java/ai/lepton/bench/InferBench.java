package ai.lepton.bench;

import ai.lepton.LeptonException;
import ai.lepton.models.Model;
import ai.lepton.models.Sequential;
import ai.lepton.tensor.Tensor;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Inference of a loaded model. {@code infer}: latency of the MLP 784-256-128-10 (ReLU, softmax) at
 * batch 1 and 64 through {@code Model.predict} of a model saved and loaded again. {@code onnx}: the
 * same weights (the same seed) written as an ONNX file and run by ONNX Runtime Java in process,
 * with as many intra-op threads as Lepton has, checked against Lepton's answers before it is
 * timed. {@code serve}: predictions per second from 1, 2 and 8 threads calling {@code predict} on
 * one loaded model at once, one sample per call, for the MLP and the Fashion-MNIST CNN.
 */
final class InferBench {
  private static final int FEATURES = 784;
  private static final int[] CALLERS = {1, 2, 8};

  private InferBench() {}

  /** Per-call latency at batch 1 and batch 64, in microseconds. */
  record Latency(String runtime, int threads, double b1Us, double b64Us) implements Bench.Section {
    @Override
    public List<String> table() {
      return List.of(
          String.format("%-46s %12s %14s", "MLP 784-256-128-10 inference, " + runtime, "us/call",
              "samples/s"),
          String.format("%-46s %12.1f %14.0f", "batch 1 (" + threads + " threads)", b1Us,
              1e6 / b1Us),
          String.format("%-46s %12.1f %14.0f", "batch 64", b64Us, 64 * 1e6 / b64Us));
    }
  }

  /** Predictions per second of each model with each number of calling threads. */
  record Serve(List<Rate> rates) implements Bench.Section {
    record Rate(String model, int callers, double predictionsPerSecond) {}

    @Override
    public List<String> table() {
      List<String> lines = new ArrayList<>();
      lines.add(String.format("%-36s %8s %16s %10s", "one loaded model, batch-1 calls", "callers",
          "predictions/s", "vs 1"));
      for (Rate r : rates) {
        double one = rates.stream().filter(o -> o.model().equals(r.model()) && o.callers() == 1)
            .findFirst().orElseThrow().predictionsPerSecond();
        lines.add(String.format("%-36s %8d %16.0f %9.2fx", r.model(), r.callers(),
            r.predictionsPerSecond(), r.predictionsPerSecond() / one));
      }
      return lines;
    }
  }

  static Latency measureLepton(int repeats) {
    Model model = loaded(TrainBench.mlp(true));
    Tensor x1 = input(1);
    Tensor x64 = input(64);
    return new Latency("Lepton " + Tensor.backendName(), threads(),
        seconds(() -> model.predict(x1), 2000, repeats) * 1e6,
        seconds(() -> model.predict(x64, 64), 200, repeats) * 1e6);
  }

  static Latency measureOnnx(int repeats) {
    Sequential model = TrainBench.mlp(true); // the same seed: the same weights as measureLepton's
    Tensor x1 = input(1);
    Tensor x64 = input(64);
    int threads = threads();
    try (OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      try (OrtSession session = env.createSession(OnnxMlp.of(model), options);
          OnnxTensor in1 = tensor(env, x1);
          OnnxTensor in64 = tensor(env, x64)) {
        checkAgreement(model.predict(x64, 64).toFloatArray(), run(session, in64));
        return new Latency("ONNX Runtime " + env.getVersion(), threads,
            seconds(() -> run(session, in1), 2000, repeats) * 1e6,
            seconds(() -> run(session, in64), 200, repeats) * 1e6);
      }
    } catch (OrtException e) {
      throw new LeptonException("onnx: ONNX Runtime failed: " + e.getMessage(), e);
    }
  }

  static Serve measureServe(int repeats) {
    int reps = Math.min(repeats, 3);
    List<Serve.Rate> rates = new ArrayList<>();
    Model mlp = loaded(TrainBench.mlp(true));
    Model cnn = loaded(ConvBench.fashionCnn());
    SplittableRandom rng = new SplittableRandom(2);
    Tensor[] mlpInputs = new Tensor[8];
    Tensor[] cnnInputs = new Tensor[8];
    for (int i = 0; i < 8; i++) {
      mlpInputs[i] = Tensor.uniform(rng, 0, 1, 1, FEATURES);
      cnnInputs[i] = Tensor.uniform(rng, 0, 1, 1, 28, 28, 1);
    }
    for (int callers : CALLERS) {
      rates.add(new Serve.Rate("MLP 784-256-128-10", callers, rate(mlp, mlpInputs, callers, reps)));
    }
    for (int callers : CALLERS) {
      rates.add(new Serve.Rate("Fashion-MNIST CNN 28x28x1", callers,
          rate(cnn, cnnInputs, callers, reps)));
    }
    return new Serve(rates);
  }

  /** Lepton's threads: {@code -Dlepton.threads}, else all processors (as the backend decides). */
  private static int threads() {
    return Integer.getInteger("lepton.threads", Runtime.getRuntime().availableProcessors());
  }

  private static Tensor input(int batch) {
    return Tensor.uniform(new SplittableRandom(batch), 0, 1, batch, FEATURES);
  }

  /** {@code model} saved and loaded again, as a server would hold it. */
  private static Model loaded(Model model) {
    try {
      Path file = Files.createTempFile("lepton-bench", ".lepton");
      try {
        model.save(file);
        return Model.load(file);
      } finally {
        Files.delete(file);
      }
    } catch (IOException e) {
      throw new LeptonException("cannot write a temporary model file: " + e, e);
    }
  }

  private static OnnxTensor tensor(OrtEnvironment env, Tensor x) throws OrtException {
    return OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toFloatArray()),
        new long[] {x.dim(0), x.dim(1)});
  }

  /** One call as a Java caller makes it: run, then copy the output into a Java array. */
  private static float[] run(OrtSession session, OnnxTensor x) {
    try (OrtSession.Result result = session.run(Map.of("x", x))) {
      FloatBuffer y = ((OnnxTensor) result.get(0)).getFloatBuffer();
      float[] out = new float[y.remaining()];
      y.get(out);
      return out;
    } catch (OrtException e) {
      throw new LeptonException("onnx: ONNX Runtime failed: " + e.getMessage(), e);
    }
  }

  /** Both runtimes compute the same function before either is timed. */
  private static void checkAgreement(float[] lepton, float[] onnx) {
    if (lepton.length != onnx.length) {
      throw new LeptonException("onnx: the exported model gives " + onnx.length + " values where "
          + "Lepton gives " + lepton.length);
    }
    for (int i = 0; i < lepton.length; i++) {
      if (Math.abs(lepton[i] - onnx[i]) > 1e-5f) {
        throw new LeptonException("onnx: the exported model disagrees with Lepton at " + i + ": "
            + onnx[i] + " vs " + lepton[i] + "; the ONNX export is wrong");
      }
    }
  }

  /** Median seconds per call over {@code repeats} runs of {@code calls} calls, after 5 s of them. */
  private static double seconds(Runnable call, int calls, int repeats) {
    long warmUntil = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < warmUntil) {
      call.run();
    }
    double[] times = new double[repeats];
    for (int r = 0; r < repeats; r++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < calls; i++) {
        call.run();
      }
      times[r] = (System.nanoTime() - t0) / 1e9 / calls;
    }
    return Bench.median(times);
  }

  /**
   * Median predictions per second of {@code callers} threads calling {@code model.predict} for a
   * second at a time, released together, each on its own input; the first count of callers
   * warms up first (5 s with one caller, 1 s with eight).
   */
  private static double rate(Model model, Tensor[] inputs, int callers, int repeats) {
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      if (callers == CALLERS[0]) {
        // Vector API code runs orders of magnitude slower until C2 compiles it, which takes
        // seconds on a loaded machine: warm the path of one caller, then that of many.
        calls(pool, model, inputs, callers, 5.0);
        ExecutorService many = Executors.newFixedThreadPool(CALLERS[CALLERS.length - 1]);
        try {
          calls(many, model, inputs, CALLERS[CALLERS.length - 1], 1.0);
        } finally {
          many.shutdownNow();
        }
      }
      double[] rates = new double[repeats];
      for (int r = 0; r < repeats; r++) {
        rates[r] = calls(pool, model, inputs, callers, 1.0);
      }
      return Bench.median(rates);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Predictions per second while {@code callers} threads call predict for {@code seconds}. */
  private static double calls(ExecutorService pool, Model model, Tensor[] inputs, int callers,
      double seconds) {
    CyclicBarrier start = new CyclicBarrier(callers + 1);
    AtomicLong total = new AtomicLong();
    long[] window = new long[2];
    List<Future<?>> running = new ArrayList<>();
    for (int t = 0; t < callers; t++) {
      Tensor x = inputs[t % inputs.length];
      running.add(pool.submit(() -> {
        start.await();
        long end = window[0] + (long) (seconds * 1e9);
        long n = 0;
        while (System.nanoTime() < end) {
          model.predict(x);
          n++;
        }
        total.addAndGet(n);
        return null;
      }));
    }
    try {
      window[0] = System.nanoTime();
      start.await(); // the barrier publishes window[0] to the callers
      for (Future<?> f : running) {
        f.get(60, TimeUnit.SECONDS);
      }
      window[1] = System.nanoTime();
    } catch (InterruptedException | BrokenBarrierException | ExecutionException
        | TimeoutException e) {
      throw new LeptonException("serve: a calling thread failed: " + e, e);
    }
    return total.get() / ((window[1] - window[0]) / 1e9);
  }
}
