package ai.lepton.server.jobs;

import ai.lepton.api.TrainingSpec;
import ai.lepton.api.TrainingSpec.Hyperparameters;
import ai.lepton.api.TrainingSpec.ModelChoice;
import ai.lepton.data.Dataset;
import ai.lepton.losses.Losses;
import ai.lepton.metrics.Metrics;
import ai.lepton.models.Fit;
import ai.lepton.models.Model;
import ai.lepton.optimizers.Optimizers;
import ai.lepton.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Fashion-MNIST MLP and CNN trained through the platform's preparation ({@link Training#prepare}
 * from the gzip IDX streams, then {@code fit} on its datasets with the validation split watched,
 * as a worker runs it) against plain Core {@code fit} on the same training and validation
 * tensors, alternating
 * A and B in one sitting; prints the median wall and process CPU seconds of each and their
 * ratios. The goal (issue 9):
 * through the platform at most 10% slower. Checkpoints are the worker's and are not in this
 * figure.
 *
 * <p>Run by hand, not by the build: {@code java -cp <test and main classes, dependencies>
 * ai.lepton.server.jobs.TrainingBench [samples] [epochs] [runs] [mlp,cnn]}.
 */
final class TrainingBench {
  private TrainingBench() {}

  public static void main(String[] args) {
    int samples = args.length > 0 ? Integer.parseInt(args[0]) : 6000;
    int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    List<String> templates = args.length > 3 ? List.of(args[3].split(",")) : List.of("mlp", "cnn");
    TrainingData data = TrainingDataFixtures.fashion("train", samples);
    for (String template : templates) {
      TrainingSpec spec = new TrainingSpec("fashion", null, new ModelChoice(template, null, null),
          null, null, new Hyperparameters(epochs, 64, 0.001, null, 128, 0.2, 0.1, 0.2, 1L), null,
          null, null);
      double[] platform = new double[runs];
      double[] plain = new double[runs];
      double[] prepare = new double[runs];
      double[] platformCpu = new double[runs];
      double[] plainCpu = new double[runs];
      double[] prepareCpu = new double[runs];
      for (int r = 0; r < runs + 1; r++) { // run 0 warms the JIT up and is not counted
        long c0 = cpu();
        long t0 = System.nanoTime();
        PreparedTraining p = Training.prepare(spec, data, null);
        long t1 = System.nanoTime();
        long c1 = cpu();
        p.model().fit(p.train(), Fit.epochs(p.epochs()).seed(p.seed()).verbose(0)
            .validationData(p.validation()));
        long t2 = System.nanoTime();
        long c2 = cpu();

        Tensor[] xy = tensors(p.train());
        Tensor[] validation = tensors(p.validation());
        Model model = Templates.build(template, spec.hyperparameters(), 10, new int[] {28, 28, 1},
            0);
        model.compile(Optimizers.fromConfig("adam", Map.of("learning_rate", 0.001)),
            Losses.sparseCategoricalCrossentropy(false), Metrics.get("accuracy"));
        model.build(1, 784);
        long c3 = cpu();
        long t3 = System.nanoTime();
        model.fit(xy[0], xy[1], Fit.epochs(epochs).batchSize(64).shuffle(true).seed(1)
            .verbose(0).validationData(validation[0], validation[1]));
        long t4 = System.nanoTime();
        long c4 = cpu();
        if (r > 0) {
          platformCpu[r - 1] = (c2 - c0) / 1e9;
          prepareCpu[r - 1] = (c1 - c0) / 1e9;
          plainCpu[r - 1] = (c4 - c3) / 1e9;
          prepare[r - 1] = (t1 - t0) / 1e9;
          platform[r - 1] = (t2 - t0) / 1e9;
          plain[r - 1] = (t4 - t3) / 1e9;
        }
      }
      double a = median(platform);
      double b = median(plain);
      System.out.printf("%s: %d samples (%d trained), %d epochs: platform %.2f s (prepare %.2f s)"
          + ", plain fit %.2f s, ratio %.3f; runs platform %s plain %s%n", template, samples,
          Training.prepare(spec, data, null).train().size(), epochs, a, median(prepare), b,
          a / b, Arrays.toString(platform), Arrays.toString(plain));
      System.out.printf("%s: process CPU platform %.2f s (prepare %.2f s), plain fit %.2f s, "
          + "ratio %.3f%n", template, median(platformCpu), median(prepareCpu), median(plainCpu),
          median(platformCpu) / median(plainCpu));
    }
  }

  /** CPU time of every thread of this process: less swayed than wall time by other jobs. */
  private static long cpu() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** A dataset's samples as two tensors, in order. */
  private static Tensor[] tensors(Dataset dataset) {
    List<float[]> xs = new ArrayList<>();
    List<float[]> ys = new ArrayList<>();
    int n = 0;
    int width = 0;
    try (Dataset.Batches batches = dataset.shuffle(false).epoch(0)) {
      while (batches.hasNext()) {
        Dataset.Batch b = batches.next();
        xs.add(b.x().toFloatArray());
        ys.add(b.y().toFloatArray());
        n += b.size();
        width = b.x().shape()[1];
      }
    }
    float[] x = new float[n * width];
    float[] y = new float[n];
    int at = 0;
    for (int i = 0; i < xs.size(); i++) {
      System.arraycopy(xs.get(i), 0, x, at * width, xs.get(i).length);
      System.arraycopy(ys.get(i), 0, y, at, ys.get(i).length);
      at += ys.get(i).length;
    }
    return new Tensor[] {Tensor.of(x, n, width), Tensor.of(y, n)};
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
