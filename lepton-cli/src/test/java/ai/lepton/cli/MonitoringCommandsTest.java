package ai.lepton.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.ServerConfig;
import ai.lepton.server.audit.AuditLog;
import ai.lepton.server.blobs.BlobStore;
import ai.lepton.server.crypto.DatabaseFileKey;
import ai.lepton.server.crypto.EncryptedBlobStore;
import ai.lepton.server.crypto.KeyService;
import ai.lepton.server.crypto.MasterKey;
import ai.lepton.server.db.Database;
import ai.lepton.server.monitoring.MonitoringLimits;
import ai.lepton.server.monitoring.MonitoringService;
import ai.lepton.server.monitoring.PredictionLog.Sample;
import ai.lepton.server.monitoring.Retrainer;
import ai.lepton.server.tenancy.TenancyService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lepton feedback and lepton monitor against a real server, with predictions logged beside it
 * through the prediction log that serving calls (over the same database, keys and blobs).
 */
class MonitoringCommandsTest {
  @TempDir static Path dir;
  private static Platform p;
  private static Database db;
  private static BlobStore blobStore;
  private static MonitoringService monitoring;

  @BeforeAll
  static void start() {
    Path data = dir.resolve("data");
    p = new Platform(ServerConfig.embedded(data, 0));
    MasterKey master = MasterKey.load(data.resolve("master.key"), null, false);
    db = Database.embedded(data, DatabaseFileKey.open(data, master).password());
    blobStore = BlobStore.fromUrl(null, data.resolve("blobs"));
    Clock clock = Clock.systemUTC();
    AuditLog audit = new AuditLog(db, clock);
    monitoring = MonitoringService.create(db, new EncryptedBlobStore(blobStore, new KeyService(
        db, master, DatabaseFileKey.open(data, master), clock)), audit, TenancyService.create(db,
        audit, clock, o -> { }), clock, (o, v) -> Optional.empty(), Retrainer.NONE,
        MonitoringLimits.DEFAULT);
    p.login(dir.resolve("admin.json"), p.token(p.admin, p.org, "admin"));
  }

  @AfterAll
  static void stop() {
    monitoring.close();
    blobStore.close();
    db.close();
    p.close();
  }

  private static List<String> predict(String deployment, String... classes) {
    List<String> ids = new ArrayList<>();
    for (String c : classes) {
      ids.add(monitoring.predictionLog().log(p.org, deployment, "mv_1", List.of(new Sample(
          Map.of("age", 40.0), c, null, List.of(0.5))), Duration.ofMillis(3)));
    }
    monitoring.flush();
    return ids;
  }

  @Test
  void feedbackFromTheCommandLineAndAFileGivesTheAccuracyMonitorShows() throws IOException {
    List<String> ids = predict("web", "yes", "yes", "no", "no");
    assertEquals(0, p.lepton("feedback", "web", "--prediction", ids.get(0), "--truth", "yes"),
        p.err());
    assertTrue(p.out().contains("Recorded the ground truth of 1 of 1"), p.out());

    Path file = dir.resolve("truth.csv");
    Files.writeString(file, "predictionId,groundTruth\n" + ids.get(1) + ",no\n" + ids.get(2)
        + ",no\n" + ids.get(3) + ",yes\nprd_unknown,yes\n" + ids.get(0) + ",yes\n");
    assertEquals(1, p.lepton("feedback", "web", "--file", file.toString()));
    assertTrue(p.out().contains("Recorded the ground truth of 3 of 5"), p.out());
    assertTrue(p.out().contains("NOT_FOUND") && p.out().contains("CONFLICT"), p.out());

    assertEquals(0, p.lepton("monitor", "show", "web", "--window", "1h"), p.err());
    // right: ids 0 (yes/yes) and 2 (no/no); wrong: 1 and 3
    assertTrue(p.out().contains("4 predictions"), p.out());
    assertTrue(p.out().contains("Quality on 4 with feedback: accuracy 0.5000"), p.out());
    assertTrue(p.out().contains("Predicted classes: no 2, yes 2"), p.out());
    assertEquals(0, p.lepton("monitor", "show", "web", "--json"), p.err());
    assertEquals(0.5, p.outJson().at("/quality/accuracy").asDouble());

    assertEquals(1, p.lepton("monitor", "show", "web", "--window", "1y"));
    assertTrue(p.err().contains("window is a span such as 30m"), p.err());
    Files.writeString(file, "just-one-cell\n");
    assertEquals(1, p.lepton("feedback", "web", "--file", file.toString()));
    assertTrue(p.err().contains("line 1: expected predictionId,groundTruth"), p.err());
  }

  @Test
  void monitorSetAndEvaluate() {
    predict("shop", "yes");
    assertEquals(0, p.lepton("monitor", "set", "shop", "--min-accuracy", "0.9",
        "--min-samples", "1", "--action", "alert"), p.err());
    assertTrue(p.out().contains("accuracy under 0.9") && p.out().contains("action alert"),
        p.out());
    assertEquals(1, p.lepton("monitor", "set", "shop", "--action", "page"));
    assertTrue(p.err().contains("action is alert or retrain"), p.err());
    assertEquals(0, p.lepton("monitor", "evaluate", "shop"), p.err());
    assertTrue(p.out().contains("No alerts."), p.out()); // no feedback yet: nothing to judge
  }
}
