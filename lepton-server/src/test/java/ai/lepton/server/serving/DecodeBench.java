package ai.lepton.server.serving;

import ai.lepton.models.ModelArchive.TensorSpec;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU microseconds per decode of a request body ({@code args[0]}, written by ServingBench) for
 * an input of shape {@code args[1..]}: the decoder's own cost, without HTTP or the model. Prints
 * the median of 7 rounds of 20,000 decodes, in the thread's CPU time, which other processes on a
 * busy machine do not inflate as much as they inflate wall time.
 */
final class DecodeBench {
  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  private DecodeBench() {}

  public static void main(String[] args) throws Exception {
    byte[] body = Files.readAllBytes(Path.of(args[0]));
    List<Integer> shape = new java.util.ArrayList<>(List.of(-1));
    for (int i = 1; i < args.length; i++) {
      shape.add(Integer.parseInt(args[i]));
    }
    Signature sig = Signature.of(List.of(new TensorSpec("input", shape, "float32")),
        List.of(new TensorSpec("out", List.of(-1, 10), "float32")), null, List.of());
    double[] rounds = new double[7];
    long sink = 0;
    for (int r = 0; r < rounds.length; r++) {
      long t = THREADS.getCurrentThreadCpuTime();
      for (int i = 0; i < 20_000; i++) {
        sink += InferenceDecoder.decode(new ByteArrayInputStream(body), body.length, sig,
            ServingLimits.DEFAULT).rows();
      }
      rounds[r] = (THREADS.getCurrentThreadCpuTime() - t) / 20_000 / 1e3;
    }
    java.util.Arrays.sort(rounds);
    System.out.printf("decode %.1f CPU us (median of 7; rounds %s) %d%n", rounds[3],
        java.util.Arrays.toString(rounds), sink);
  }
}
