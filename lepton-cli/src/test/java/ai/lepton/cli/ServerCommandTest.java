package ai.lepton.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lepton server} in its own process, as an operator starts it. */
class ServerCommandTest {
  @TempDir Path dir;

  @Test
  void theFirstStartPrintsTheMasterKeyNoticeOnceBeforeTheSignInLink() throws Exception {
    Path data = dir.resolve("data");
    ProcessBuilder command = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin",
        "java").toString(), "--add-modules", "jdk.incubator.vector", "-Xmx256m",
        Main.class.getName(), "server", "--port", "0", "--data-dir", data.toString())
        .redirectErrorStream(true); // the log (stderr) and the printed lines, in one stream
    command.environment().put("CLASSPATH", System.getProperty("java.class.path"));
    command.environment().keySet().removeIf(name -> name.startsWith("LEPTON_"));
    Process server = command.start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(),
        StandardCharsets.UTF_8))) {
      // The sign-in link is printed last; the process runs until it is stopped.
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        lines.add(line);
        if (line.contains("/signin/")) {
          break;
        }
      }
    } finally {
      server.destroyForcibly();
      server.waitFor();
    }
    String output = String.join("\n", lines);
    assertTrue(output.contains("/signin/"), output);
    assertEquals(1, lines.stream().filter(l -> l.contains("master key generated at "
        + data.resolve("master.key").toAbsolutePath())).count(), output);
  }

  @Test
  void demoFromTheEnvironmentFillsItsOrganizationInTheBackground() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(Path.of(Demo.FASHION_MNIST))
        && Files.isDirectory(Path.of(Demo.FORTUNES_DIR)),
        "needs the Debian packages dataset-fashion-mnist and fortunes-min");
    ProcessBuilder command = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin",
        "java").toString(), "--add-modules", "jdk.incubator.vector", "-Xmx512m",
        Main.class.getName(), "server", "--port", "0", "--data-dir",
        dir.resolve("data").toString(), "--demo-small").redirectErrorStream(true);
    command.environment().put("CLASSPATH", System.getProperty("java.class.path"));
    command.environment().keySet().removeIf(name -> name.startsWith("LEPTON_"));
    command.environment().put("LEPTON_DEMO", "true");
    Process server = command.start();
    List<String> said = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(),
        StandardCharsets.UTF_8))) {
      assertTimeoutPreemptively(Duration.ofMinutes(5), () -> {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          if (line.startsWith("demo: ")) {
            said.add(line);
          }
          if (line.startsWith("demo: finished") || line.startsWith("demo: stopped")) {
            break;
          }
        }
      });
    } finally {
      server.destroyForcibly();
      server.waitFor();
    }
    String output = String.join("\n", said);
    assertEquals("demo: created the organization 'demo' of the first administrator",
        said.get(0));
    for (String model : List.of(Demo.MLP, Demo.CNN, Demo.LSTM)) {
      assertTrue(output.contains("demo: " + model + " version 1 is 'production'"), output);
    }
    assertTrue(said.get(said.size() - 1).startsWith("demo: finished"), output);
  }
}
