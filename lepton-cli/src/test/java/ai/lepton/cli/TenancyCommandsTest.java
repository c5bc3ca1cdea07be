package ai.lepton.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lepton org, dept, user, project and token against a real server, signed in with an admin token
 * of the first administrator: each verb's table, its --json, and the server's refusals printed as
 * one line with the request id.
 */
class TenancyCommandsTest {
  @TempDir static Path dir;
  private static Platform p;

  @BeforeAll
  static void start() {
    p = new Platform(dir.resolve("data"));
  }

  @AfterAll
  static void stop() {
    p.close();
  }

  @BeforeEach
  void signInAsTheAdministrator() {
    p.login(dir.resolve("admin.json"), p.token(p.admin, p.org, "admin"));
  }

  private static int lepton(String... args) {
    return p.lepton(args);
  }

  /** The last command failed with exit code 1 and one line naming the problem. */
  private static void refused(int exit, String... fragments) {
    assertEquals(1, exit, p.out() + p.err());
    assertEquals("", p.out());
    assertEquals(1, p.err().lines().count(), p.err());
    assertTrue(p.err().startsWith("lepton: "), p.err());
    for (String f : fragments) {
      assertTrue(p.err().contains(f), "expected '" + f + "' in: " + p.err());
    }
  }

  /** A refusal of the server's: the line carries its request id. */
  private static void refusedByServer(int exit, String... fragments) {
    refused(exit, fragments);
    assertTrue(p.err().matches("(?s).*\\(request [^)]+\\)\\s*"), p.err());
  }

  @Test
  void helpListsTheCommandsAndEachCommandItsVerbs() {
    assertEquals(0, lepton("help"));
    for (String command : new String[] {"login", "org", "dept", "user", "project", "token",
        "dataset", "audit", "server"}) {
      assertTrue(p.out().contains("  " + command + " "), command + " in:\n" + p.out());
    }
    assertEquals(0, lepton("org", "--help"));
    for (String verb : new String[] {"list", "create", "show", "delete"}) {
      assertTrue(p.out().contains("  " + verb + " "), verb + " in:\n" + p.out());
    }
    assertEquals(0, lepton("help", "user"));
    assertTrue(p.out().contains("  role ") && p.out().contains("USER is an email"), p.out());
    assertEquals(2, lepton("token"), "a command without a verb is a usage error");
    assertTrue(p.err().contains("Usage: lepton token"), p.err());
  }

  @Test
  void orgListShowCreateAndDelete() throws Exception {
    assertEquals(0, lepton("org", "list"), p.err());
    assertTrue(p.out().lines().anyMatch(l -> l.startsWith("*") && l.contains(p.org)
        && l.contains("default")), p.out());
    assertEquals(0, lepton("org", "list", "--json"));
    assertEquals(p.org, p.outJson().get("items").get(0).get("id").asText());

    assertEquals(0, lepton("org", "show"), p.err());
    assertTrue(p.out().contains(p.org) && p.out().contains("your role  owner"), p.out());
    assertEquals(0, lepton("org", "--json", "show", p.org), p.err());
    assertEquals("owner", p.outJson().get("membership").get("role").asText());

    // the server keeps organization creation to browser sessions
    refusedByServer(lepton("org", "create", "Acme"), "browser session");

    String other = p.createOrganization(p.admin, "Doomed");
    refused(lepton("org", "delete", other), "--yes");
    refusedByServer(lepton("org", "delete", other, "--yes"), "not found");
    p.login(dir.resolve("doomed.json"), p.token(p.admin, other, "admin"));
    assertEquals(0, lepton("org", "delete", other, "--yes"), p.err());
    assertEquals("Deleted organization " + other + ".", p.out().strip());
    refusedByServer(lepton("org", "show"));
    assertEquals(2, lepton("org", "show", "../etc"), "a usage error, sent nowhere");
    assertTrue(p.err().startsWith("lepton: expected an id"), p.err());
  }

  @Test
  void departmentsNestAndAreRenamedMovedAndDeleted() {
    assertEquals(0, lepton("dept", "create", "Research"), p.err());
    assertEquals(0, lepton("dept", "create", "Vision", "--parent", "Research", "--json"));
    String vision = p.outJson().get("id").asText();
    assertEquals(0, lepton("dept", "list"), p.err());
    assertTrue(p.out().contains(vision + "  Research/Vision"), p.out());

    assertEquals(0, lepton("dept", "rename", "Research/Vision", "Sight"), p.err());
    assertEquals(0, lepton("dept", "move", "Sight", "--top"), p.err());
    assertEquals(0, lepton("dept", "move", "Research", "--to", vision), p.err());
    assertEquals(0, lepton("dept", "list", "--json"));
    for (JsonNode d : p.outJson().get("items")) {
      if (d.get("name").asText().equals("Research")) {
        assertEquals(vision, d.get("parentId").asText());
      }
    }
    refusedByServer(lepton("dept", "move", "Sight", "--to", "Sight/Research"), "cycle");
    refusedByServer(lepton("dept", "delete", "Sight"), "not empty");
    assertEquals(2, lepton("dept", "move", "Sight"), "--to or --top is required");
    assertEquals(2, lepton("dept", "move", "Sight", "--top", "--to", "Research"));

    assertEquals(0, lepton("dept", "create", "Lab", "--parent", "Sight"), p.err());
    assertEquals(0, lepton("dept", "create", "Lab", "--parent", "Sight/Research"), p.err());
    refused(lepton("dept", "delete", "Lab"), "several departments are named 'Lab'");
    assertEquals(0, lepton("dept", "delete", "Sight/Lab"), p.err());
    assertEquals(0, lepton("dept", "delete", "Lab"), p.err());
    assertEquals(0, lepton("dept", "delete", "Sight/Research"), p.err());
    assertEquals(0, lepton("dept", "delete", "Sight"), p.err());
    refused(lepton("dept", "delete", "Sight"), "no department 'Sight'", "lepton dept list");
  }

  @Test
  void usersAreCreatedAddedGivenRolesAndRemoved() {
    assertEquals(0, lepton("user", "create", "bob@example.com", "--name", "Bob"), p.err());
    assertTrue(p.out().contains(p.base + "/signin/") && p.out().contains("shown only now"),
        p.out());
    refusedByServer(lepton("user", "create", "bob@example.com"), "exists already");
    refusedByServer(lepton("user", "add", "nobody@example.com"), "nobody@example.com");

    assertEquals(0, lepton("user", "add", "bob@example.com", "--role", "viewer"), p.err());
    assertEquals(0, lepton("user", "list"), p.err());
    assertTrue(p.out().lines().anyMatch(l -> l.contains("bob@example.com")
        && l.contains("viewer")), p.out());
    assertEquals(0, lepton("dept", "create", "Sales"), p.err());
    assertEquals(0, lepton("user", "role", "bob@example.com", "admin", "--dept", "Sales"),
        p.err());
    assertTrue(p.out().startsWith("bob@example.com is now admin of department dept_"), p.out());
    assertEquals(0, lepton("user", "role", "bob@example.com", "--whole-org", "--json"));
    JsonNode bob = p.outJson();
    assertEquals("admin", bob.get("role").asText());
    assertTrue(bob.get("departmentId").isNull(), bob.toString());
    refused(lepton("user", "role", "bob@example.com"), "nothing to change");
    refusedByServer(lepton("user", "role", "bob@example.com", "emperor"), "emperor");

    // the last owner stays
    refusedByServer(lepton("user", "remove", "admin@lepton.local"), "at least one owner");
    assertEquals(0, lepton("user", "remove", bob.get("userId").asText()), p.err());
    assertEquals(0, lepton("user", "list", "--json"));
    for (JsonNode m : p.outJson().get("items")) {
      assertTrue(!m.get("email").asText().equals("bob@example.com"), m.toString());
    }
    assertEquals(0, lepton("dept", "delete", "Sales"), p.err());
  }

  @Test
  void aViewerIsRefusedWhatNeedsMore() {
    assertEquals(0, lepton("user", "create", "vera@example.com", "--json"), p.err());
    String link = p.outJson().get("signInLink").asText();
    assertEquals(0, lepton("user", "add", "vera@example.com", "--role", "viewer"), p.err());
    p.login(dir.resolve("vera.json"), p.token(p.signIn(link), p.org, "read"));

    assertEquals(0, lepton("project", "list"), p.err());
    refusedByServer(lepton("project", "create", "Mine"), "is viewer", "needs member");
    refusedByServer(lepton("user", "create", "eve@example.com"), "administrator");
    refusedByServer(lepton("dept", "create", "Hers"));
    refusedByServer(lepton("token", "create", "more"), "needs a token with scope admin");
  }

  @Test
  void projectsAreCreatedListedAndDeleted() {
    assertEquals(0, lepton("project", "create", "churn", "--description",
        "who\n\u202eleaves"), p.err());
    refusedByServer(lepton("project", "create", "churn"), "already");
    assertEquals(0, lepton("project", "list"), p.err());
    assertTrue(p.out().lines().anyMatch(l -> l.contains("churn") && l.endsWith("who??leaves")),
        "a stored newline and direction override are shown, not obeyed:\n" + p.out());
    assertEquals(0, lepton("project", "list", "--json"));
    String id = p.outJson().get("items").get(0).get("id").asText();
    assertEquals(0, lepton("project", "delete", "churn"), p.err());
    assertTrue(p.out().contains(id), p.out());
    refused(lepton("project", "delete", "churn"), "no project 'churn'");
  }

  @Test
  void tokensAreCreatedOnceListedAndRevoked() {
    assertEquals(0, lepton("project", "create", "fraud"), p.err());
    assertEquals(0, lepton("token", "create", "ci", "--scope", "write", "--project", "fraud",
        "--expires", "30d"), p.err());
    String secret = p.out().lines().map(String::strip).filter(l -> l.startsWith("lpt_"))
        .findFirst().orElseThrow(() -> new AssertionError(p.out()));
    assertTrue(p.out().contains("shown only this once"), p.out());

    String date = java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(60).toString();
    assertEquals(0, lepton("token", "create", "nightly", "--json", "--expires", date), p.err());
    JsonNode nightly = p.outJson();
    assertTrue(nightly.get("token").asText().startsWith("lpt_"), nightly.toString());
    assertEquals(date + "T00:00:00Z", nightly.get("info").get("expiresAt").asText());
    assertEquals(0, lepton("token", "list"), p.err());
    assertTrue(p.out().lines().anyMatch(l -> l.contains(" ci ") && l.contains("write")
        && l.endsWith("active")), p.out());

    refusedByServer(lepton("token", "create", "far", "--expires", "400d"), "at most");
    refused(lepton("token", "create", "soon", "--expires", "tomorrow"), "--expires", "30d");

    // the new token works, limited to its project
    Path config = dir.resolve("ci.json");
    p.login(config, secret);
    assertEquals(0, lepton("project", "list", "--json"));
    assertEquals(1, p.outJson().get("items").size());
    p.login(dir.resolve("admin.json"), p.token(p.admin, p.org, "admin"));

    assertEquals(0, lepton("token", "revoke", "ci"), p.err());
    assertEquals(0, lepton("token", "list", "--json"));
    boolean revoked = false;
    for (JsonNode t : p.outJson().get("items")) {
      if (t.get("name").asText().equals("ci")) {
        revoked = Instant.parse(t.get("revokedAt").asText()).isBefore(Instant.now().plusSeconds(1));
      }
    }
    assertTrue(revoked, p.out());
    System.setProperty("lepton.config", config.toString());
    refusedByServer(lepton("project", "list"), "revoked");
  }
}
