package ai.lepton.server.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.AuditEvent.Outcome;
import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import ai.lepton.server.audit.AuditEntry;
import ai.lepton.server.audit.AuditLog;
import ai.lepton.server.db.Database;
import ai.lepton.server.tenancy.Client.Cred;
import ai.lepton.server.tenancy.Client.Response;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit routes of a running server: an admin lists the organization's events and verifies
 * its chain; a change made behind the server's back is named; other organizations' logs read as
 * missing.
 */
class AuditHttpTest {
  @TempDir Path dir;
  private final TestClock clock = new TestClock();
  private LeptonServer server;
  private Client client;
  private Cred owner;
  private String org;

  @BeforeEach
  void start() {
    server = LeptonServer.start(ServerConfig.embedded(dir, 0), clock);
    client = new Client(server.port());
    owner = client.signInWithLink(server.firstSignInLink().orElseThrow());
    org = client.get("/api/v1/orgs", owner).json().get("items").get(0).get("id").asText();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void anAdminListsEventsAndVerifyNamesTheFirstChangedOne() {
    // events appended as a feature would, through the same database (H2 shares it in-process)
    try (Database db = Database.embedded(dir)) {
      AuditLog audit = new AuditLog(db, clock);
      for (int i = 0; i < 3; i++) {
        String id = "ds_" + i;
        db.jdbi().useTransaction(h -> audit.append(h, new AuditEntry(org, "usr_x",
            "dataset.upload", "dataset", id, "127.0.0.1", Outcome.SUCCESS, Map.of())));
      }
      Response page = client.get("/api/v1/orgs/" + org + "/audit?limit=2", owner);
      assertEquals(200, page.status(), page.body());
      JsonNode events = page.json().get("events");
      assertEquals(2, events.size());
      assertEquals("ds_2", events.get(0).get("resourceId").asText(), "newest first");
      Response next = client.get("/api/v1/orgs/" + org + "/audit?limit=2&before="
          + page.json().get("nextBefore").asLong(), owner);
      assertEquals("ds_0", next.json().get("events").get(0).get("resourceId").asText());

      JsonNode intact = client.get("/api/v1/orgs/" + org + "/audit/verify", owner).json();
      assertTrue(intact.get("intact").asBoolean(), intact.toString());
      assertEquals(3, intact.get("eventsChecked").asLong());

      db.jdbi().useHandle(h -> h.execute("UPDATE audit_event SET actor = 'usr_y'"
          + " WHERE organization_id = ? AND sequence_number = 2", org));
      JsonNode broken = client.get("/api/v1/orgs/" + org + "/audit/verify", owner).json();
      assertFalse(broken.get("intact").asBoolean(), broken.toString());
      assertEquals(2, broken.get("firstBadSequence").asLong(), broken.toString());
    }
  }

  @Test
  void aBadQueryIsNamedAndAnotherOrganizationsLogReadsAsMissing() {
    Response bad = client.get("/api/v1/orgs/" + org + "/audit?outcome=maybe", owner);
    assertEquals(400, bad.status(), bad.body());
    assertTrue(bad.errorMessage().contains("outcome is success, denied or failed"), bad.body());
    Response foreign = client.get("/api/v1/orgs/org_aaaaaaaaaaaaaaaaaaaaaaaaaa/audit", owner);
    assertEquals(404, foreign.status(), foreign.body());
    Response anonymous = client.get("/api/v1/orgs/" + org + "/audit/verify",
        Cred.header(null));
    assertEquals(401, anonymous.status(), anonymous.body());
  }
}
