package ai.lepton.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same seeded trainings and predictions ({@link ReproducibilityRun}) give the same bits in
 * fresh JVMs: with the default JIT, with C1 only ({@code -XX:TieredStopAtLevel=1}, where the Vector
 * API runs its Java fallbacks instead of C2's intrinsics), on a machine crowded by busy threads,
 * with one thread, and in a three-thread {@link ComputeContext}; and in every JVM the same bits in
 * the first round (mostly interpreted) as in later ones (compiled). Before the kernels avoided
 * {@code reduceLanes} and the Vector API's EXP and TANH, JDK 25 gave other bits once C2 had
 * compiled them.
 */
class ReproducibilityTest {

  @Test
  void trainingAndPredictionGiveTheSameBitsInEveryJvm(@TempDir Path dir) throws Exception {
    Map<String, List<String>> runs = new LinkedHashMap<>();
    runs.put("default", List.of());
    runs.put("C1 only", List.of("-XX:TieredStopAtLevel=1"));
    runs.put("busy machine", List.of("load"));
    runs.put("one thread", List.of("-Dlepton.threads=1"));
    runs.put("a 3-thread context", List.of("context=3"));
    Map<String, List<String>> hashes = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> run : runs.entrySet()) {
      hashes.put(run.getKey(), hashOf(run.getValue(), dir.resolve(hashes.size() + ".log")));
    }
    String expected = hashes.get("default").get(0);
    for (Map.Entry<String, List<String>> h : hashes.entrySet()) {
      for (String round : h.getValue()) {
        assertEquals(expected, round, h.getKey() + " differs from the default JVM's first round: "
            + hashes);
      }
    }
  }

  /**
   * Runs {@link ReproducibilityRun} in a fresh JVM and returns its hash of each round; JVM options
   * start with "-".
   */
  private static List<String> hashOf(List<String> options, Path log)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--add-modules");
    command.add("jdk.incubator.vector");
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    List<String> programArgs = new ArrayList<>();
    for (String o : options) {
      (o.startsWith("-") ? command : programArgs).add(o);
    }
    command.add(ReproducibilityRun.class.getName());
    command.addAll(programArgs);
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    boolean done = p.waitFor(120, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertTrue(done, "the run " + options + " did not finish in 120 s; output:\n" + out);
    assertEquals(0, p.exitValue(), "the run " + options + " failed:\n" + out);
    List<String> rounds = out.lines().filter(l -> l.startsWith("hash=")).toList();
    assertTrue(rounds.size() > 1, "no hash of each round from " + options + ":\n" + out);
    return rounds;
  }
}
