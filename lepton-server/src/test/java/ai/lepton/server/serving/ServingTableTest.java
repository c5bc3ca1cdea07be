package ai.lepton.server.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.http.Api;
import ai.lepton.server.http.Json;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Routing between versions: canary shares, instant rollback, and rollouts under load. */
class ServingTableTest {
  @TempDir Path dir;
  private final ServingMetrics metrics = new ServingMetrics(new SimpleMeterRegistry());

  private Servable load(String version, long seed) {
    return Servable.load("a", "m", version, "mv_" + version, TestModels.mlp(dir, seed),
        new Batching(8, Duration.ZERO), new Limiter(ServingLimits.DEFAULT, System::nanoTime),
        metrics);
  }

  @Test
  void aCanaryTakesItsShareAndRollsBackAtOnce() {
    AtomicInteger counter = new AtomicInteger();
    try (ServingTable table = new ServingTable(() -> counter.getAndIncrement() % 100)) {
      table.deploy("a", "m", load("1", 1));
      table.canary("a", "m", load("2", 2), 25);
      Map<String, Integer> answered = new ConcurrentHashMap<>();
      for (int i = 0; i < 200; i++) {
        answered.merge(table.find("a", "m", null).orElseThrow().version(), 1, Integer::sum);
      }
      assertEquals(Map.of("1", 150, "2", 50), answered);
      assertEquals("2", table.find("a", "m", "2").orElseThrow().version());
      assertTrue(table.find("b", "m", null).isEmpty(), "another organization's name");
      table.rollback("a", "m");
      for (int i = 0; i < 100; i++) {
        assertEquals("1", table.find("a", "m", null).orElseThrow().version());
      }
      assertTrue(table.find("a", "m", "2").isEmpty());
      assertThrows(IllegalStateException.class, () -> table.promote("a", "m"));
      assertThrows(IllegalStateException.class, () -> table.rollback("a", "other"));
      table.remove("a", "m");
      assertTrue(table.find("a", "m", null).isEmpty());
    }
  }

  /**
   * Clients send requests without pause while versions 2 to 5 go out as a canary, get promoted,
   * and one is rolled back; each step waits until clients have been answered by the new route.
   * Not one request fails.
   */
  @Test
  void noRequestFailsWhileVersionsRollOutUnderLoad() throws Exception {
    ObjectMapper json = Json.mapper();
    try (ServingTable table = new ServingTable()) {
      table.deploy("a", "m", load("1", 1));
      Javalin server = new Api(json, new SimpleMeterRegistry(), ctx -> false,
          new OipRoutes(table, ctx -> "a",
              (o, d, v, samples, latency) -> "prd_1", "t").routes()).create("127.0.0.1", 0).start();
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
          + "/v2/models/m/infer")).POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":[{"
          + "\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}"))
          .build();
      Map<String, CountDownLatch> seen = new ConcurrentHashMap<>();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong answers = new AtomicLong();
      List<String> failures = new ArrayList<>();
      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < 6; c++) {
        Thread t = new Thread(() -> {
          while (!stop.get()) {
            try {
              HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() != 200) {
                synchronized (failures) {
                  failures.add(r.statusCode() + " " + r.body());
                }
                continue;
              }
              answers.incrementAndGet();
              String version = json.readTree(r.body()).get("model_version").asText();
              seen.computeIfAbsent(version, v -> new CountDownLatch(1)).countDown();
            } catch (Exception e) {
              synchronized (failures) {
                failures.add(e.toString());
              }
            }
          }
        });
        clients.add(t);
        t.start();
      }
      await(seen, "1");
      table.canary("a", "m", load("2", 2), 50);
      await(seen, "2");
      table.promote("a", "m");
      table.canary("a", "m", load("3", 3), 50);
      await(seen, "3");
      table.rollback("a", "m"); // 3 retired at once
      table.canary("a", "m", load("4", 4), 100);
      await(seen, "4");
      table.deploy("a", "m", load("5", 5)); // straight replacement
      await(seen, "5");
      long target = answers.get() + 50; // and 50 answers more from the last route
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (answers.get() < target && failures.isEmpty() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      stop.set(true);
      for (Thread t : clients) {
        t.join();
      }
      server.stop();
      assertEquals(List.of(), failures);
      assertTrue(answers.get() > 50, "answers: " + answers.get());
    }
  }

  private static void await(Map<String, CountDownLatch> seen, String version)
      throws InterruptedException {
    assertTrue(seen.computeIfAbsent(version, v -> new CountDownLatch(1))
        .await(60, TimeUnit.SECONDS), "version " + version + " never answered");
  }
}
