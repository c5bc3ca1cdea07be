package ai.lepton.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lepton login, then lepton audit verify and list, against a real server. */
class AuditCommandTest {
  @TempDir Path dir;
  private final ObjectMapper json = new ObjectMapper();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @AfterEach
  void forgetConfig() {
    System.clearProperty("lepton.config");
  }

  private int lepton(String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    return Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  /** An admin token of the first organization, made over HTTP as a browser user would. */
  private String[] adminToken(LeptonServer server) throws Exception {
    String base = "http://127.0.0.1:" + server.port();
    HttpClient http = HttpClient.newHttpClient();
    String link = server.firstSignInLink().orElseThrow();
    HttpResponse<String> session = http.send(HttpRequest.newBuilder(
            URI.create(base + "/api/v1/session/link")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"code\":\""
            + link.substring(link.lastIndexOf('/') + 1) + "\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    String cookie = session.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
    String csrf = json.readTree(session.body()).get("csrfToken").asText();
    HttpResponse<String> orgs = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/orgs"))
        .header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
    String org = json.readTree(orgs.body()).get("items").get(0).get("id").asText();
    HttpResponse<String> token = http.send(HttpRequest.newBuilder(
            URI.create(base + "/api/v1/orgs/" + org + "/tokens"))
        .header("Content-Type", "application/json").header("Cookie", cookie)
        .header("X-CSRF-Token", csrf)
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"cli\",\"scope\":\"admin\","
            + "\"expiresAt\":\"" + Instant.now().plus(1, ChronoUnit.DAYS) + "\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(201, token.statusCode(), token.body());
    return new String[] {json.readTree(token.body()).get("token").asText(), org, base};
  }

  @Test
  void loginSavesAnOwnerOnlyProfileAndAuditVerifyReportsTheChain() throws Exception {
    System.setProperty("lepton.config", dir.resolve("config.json").toString());
    try (LeptonServer server = LeptonServer.start(ServerConfig.embedded(dir.resolve("data"), 0))) {
      String[] t = adminToken(server);
      assertEquals(0, lepton("login", "--server", t[2], "--token", t[0]), err.toString());
      assertTrue(out.toString().contains("as " + ServerConfig.DEFAULT_ADMIN_EMAIL)
          && out.toString().contains(t[1]), out.toString());
      assertEquals("rw-------", PosixFilePermissions.toString(
          Files.getPosixFilePermissions(dir.resolve("config.json"))));

      assertEquals(0, lepton("audit", "verify"), err.toString());
      assertTrue(out.toString().startsWith("Intact: "), out.toString());
      assertEquals(0, lepton("audit", "--json", "verify"), err.toString());
      JsonNode v = json.readTree(out.toString());
      assertTrue(v.get("intact").asBoolean());
      assertEquals(t[1], v.get("organizationId").asText());
      assertEquals(0, lepton("audit", "list"), err.toString());
      assertTrue(out.toString().startsWith("#"), out.toString());
    }
  }

  @Test
  void withoutLoginOrWithABadTokenTheCommandSaysWhatToDo() throws Exception {
    System.setProperty("lepton.config", dir.resolve("config.json").toString());
    assertEquals(2, lepton("audit", "verify"));
    assertTrue(err.toString().contains("lepton login"), err.toString());
    try (LeptonServer server = LeptonServer.start(ServerConfig.embedded(dir.resolve("data"), 0))) {
      assertEquals(1, lepton("login", "--server", "http://127.0.0.1:" + server.port(),
          "--token", "lpt_not-a-token"));
      assertTrue(err.toString().startsWith("lepton: "), err.toString());
      assertTrue(Files.notExists(dir.resolve("config.json")), "nothing saved");
    }
  }
}
