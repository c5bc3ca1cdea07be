package ai.lepton.server.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.AuditEvent.Outcome;
import ai.lepton.server.ServerConfig;
import ai.lepton.server.audit.AuditEntry;
import ai.lepton.server.audit.AuditLog;
import ai.lepton.server.db.Database;
import ai.lepton.server.db.TestDatabases;
import ai.lepton.server.tenancy.Client.Cred;
import ai.lepton.server.tenancy.Client.Response;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The audit routes of a running server: an admin lists the organization's events and verifies
 * its chain; a change made behind the server's back is named; other organizations' logs read as
 * missing; tenancy's actions over HTTP are recorded with the caller's address; the installation's
 * log is for installation administrators.
 */
class AuditHttpTest extends ServerFixture {
  private JsonNode events(String query) {
    Response page = client.get(orgPath("/audit?" + query), owner);
    assertEquals(200, page.status(), page.body());
    return page.json().get("events");
  }

  @Test
  void anAdminListsEventsAndVerifyNamesTheFirstChangedOne() {
    // events appended as a feature would, through the same database (H2 shares it in-process)
    try (Database db = TestDatabases.embedded(dir)) {
      AuditLog audit = new AuditLog(db, clock);
      long[] sequences = new long[3];
      for (int i = 0; i < 3; i++) {
        String id = "ds_" + i;
        int n = i;
        db.jdbi().useTransaction(h -> sequences[n] = audit.append(h, new AuditEntry(org, "usr_x",
            "dataset.upload", "dataset", id, "127.0.0.1", Outcome.SUCCESS, Map.of())).sequence());
      }
      Response page = client.get(orgPath("/audit?action=dataset.upload&limit=2"), owner);
      assertEquals(200, page.status(), page.body());
      JsonNode events = page.json().get("events");
      assertEquals(2, events.size());
      assertEquals("ds_2", events.get(0).get("resourceId").asText(), "newest first");
      Response next = client.get(orgPath("/audit?action=dataset.upload&limit=2&before="
          + page.json().get("nextBefore").asLong()), owner);
      assertEquals("ds_0", next.json().get("events").get(0).get("resourceId").asText());

      JsonNode intact = client.get(orgPath("/audit/verify"), owner).json();
      assertTrue(intact.get("intact").asBoolean(), intact.toString());
      assertEquals(sequences[2], intact.get("eventsChecked").asLong());

      db.jdbi().useHandle(h -> h.execute("UPDATE audit_event SET actor = 'usr_y'"
          + " WHERE organization_id = ? AND sequence_number = ?", org, sequences[1]));
      JsonNode broken = client.get(orgPath("/audit/verify"), owner).json();
      assertFalse(broken.get("intact").asBoolean(), broken.toString());
      assertEquals(sequences[1], broken.get("firstBadSequence").asLong(), broken.toString());
    }
  }

  @Test
  void aBadQueryIsNamedAndAnotherOrganizationsLogReadsAsMissing() {
    Response bad = client.get(orgPath("/audit?outcome=maybe"), owner);
    assertEquals(400, bad.status(), bad.body());
    assertTrue(bad.errorMessage().contains("outcome is success, denied or failed"), bad.body());
    Response foreign = client.get("/api/v1/orgs/org_aaaaaaaaaaaaaaaaaaaaaaaaaa/audit", owner);
    assertEquals(404, foreign.status(), foreign.body());
    Response anonymous = client.get(orgPath("/audit/verify"), Cred.header(null));
    assertEquals(401, anonymous.status(), anonymous.body());
  }

  @Test
  void actionsOverHttpAreRecordedWithTheCallersAddress() {
    String ownerId = client.get("/api/v1/me", owner).json().get("user").get("id").asText();
    JsonNode boot = events("action=installation.bootstrap").get(0);
    assertEquals("system", boot.get("actor").asText());
    assertEquals(org, boot.get("resourceId").asText());
    assertEquals(ServerConfig.DEFAULT_ADMIN_EMAIL, boot.get("details").get("adminEmail").asText());

    JsonNode signIn = events("action=session.create").get(0);
    assertEquals(ownerId, signIn.get("actor").asText());
    assertEquals("127.0.0.1", signIn.get("clientAddress").asText());
    assertEquals("link", signIn.get("details").get("method").asText());

    Response made = client.post(orgPath("/projects"), owner, Map.of("name", "audited"));
    assertEquals(201, made.status(), made.body());
    JsonNode project = events("action=project.create").get(0);
    assertEquals(made.text("id"), project.get("resourceId").asText());
    assertEquals("project", project.get("resourceType").asText());
    assertEquals("audited", project.get("details").get("name").asText());
    assertEquals("127.0.0.1", project.get("clientAddress").asText());
    assertEquals("SUCCESS", project.get("outcome").asText());

    assertEquals(204, client.delete("/api/v1/session", owner).status());
    assertEquals(401, client.get(orgPath("/audit"), owner).status(), "signed out");
  }

  @Test
  void theInstallationsLogIsForInstallationAdministratorsAndOutlivesAnOrganization() {
    Response made = client.post("/api/v1/users", owner, Map.of("email", "bob@x.org"));
    assertEquals(201, made.status(), made.body());
    Cred bob = client.signInWithLink(made.text("signInLink"));
    Response bobsOrg = client.post("/api/v1/orgs", bob, Map.of("name", "Bob's"));
    assertEquals(201, bobsOrg.status(), bobsOrg.body());
    assertEquals(204, client.delete("/api/v1/orgs/" + bobsOrg.text("id"), bob).status());

    Response refused = client.get("/api/v1/audit", bob);
    assertEquals(403, refused.status(), refused.body());
    assertTrue(refused.errorMessage().contains("administrator of this installation"),
        refused.body());

    Response log = client.get("/api/v1/audit", owner);
    assertEquals(200, log.status(), log.body());
    JsonNode events = log.json().get("events"); // newest first
    assertEquals("organization.delete", events.get(0).get("action").asText());
    assertEquals(bobsOrg.text("id"), events.get(0).get("resourceId").asText());
    assertEquals("Bob's", events.get(0).get("details").get("name").asText());
    assertEquals("organization.create", events.get(1).get("action").asText());
    assertEquals("user.create", events.get(2).get("action").asText());
    assertEquals("bob@x.org", events.get(2).get("details").get("email").asText());
    assertEquals("installation.bootstrap", events.get(3).get("action").asText());
    JsonNode verified = client.get("/api/v1/audit/verify", owner).json();
    assertTrue(verified.get("intact").asBoolean(), verified.toString());
    assertEquals(4, verified.get("eventsChecked").asLong());
  }
}
