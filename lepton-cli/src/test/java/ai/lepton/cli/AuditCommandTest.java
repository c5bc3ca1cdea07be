package ai.lepton.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.ServerConfig;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lepton login, then lepton audit verify and list, against a real server. */
class AuditCommandTest {
  @TempDir Path dir;

  @AfterEach
  void forgetConfig() {
    System.clearProperty("lepton.config");
  }

  @Test
  void loginSavesAnOwnerOnlyProfileAndAuditVerifyReportsTheChain() throws Exception {
    try (Platform p = new Platform(dir.resolve("data"))) {
      p.login(dir.resolve("config.json"), p.token(p.admin, p.org, "admin"));
      assertTrue(p.out().contains("as " + ServerConfig.DEFAULT_ADMIN_EMAIL)
          && p.out().contains(p.org), p.out());
      assertEquals("rw-------", PosixFilePermissions.toString(
          Files.getPosixFilePermissions(dir.resolve("config.json"))));

      assertEquals(0, p.lepton("audit", "verify"), p.err());
      assertTrue(p.out().startsWith("Intact: "), p.out());
      assertEquals(0, p.lepton("audit", "--json", "verify"), p.err());
      JsonNode v = p.outJson();
      assertTrue(v.get("intact").asBoolean());
      assertEquals(p.org, v.get("organizationId").asText());
      assertEquals(0, p.lepton("audit", "verify", "--json"), p.err());
      assertEquals(p.org, p.outJson().get("organizationId").asText(), "--json after the verb");
      assertEquals(0, p.lepton("audit", "list"), p.err());
      assertTrue(p.out().startsWith("#"), p.out());
    }
  }

  @Test
  void withoutLoginOrWithABadTokenTheCommandSaysWhatToDo() throws Exception {
    try (Platform p = new Platform(dir.resolve("data"))) {
      System.setProperty("lepton.config", dir.resolve("config.json").toString());
      assertEquals(2, p.lepton("audit", "verify"));
      assertTrue(p.err().contains("lepton login"), p.err());
      assertEquals(1, p.lepton("login", "--server", p.base, "--token", "lpt_not-a-token"));
      assertTrue(p.err().startsWith("lepton: "), p.err());
      assertTrue(Files.notExists(dir.resolve("config.json")), "nothing saved");
    }
  }
}
