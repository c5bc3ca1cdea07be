package ai.lepton.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.ServerConfig;
import ai.lepton.server.serving.ServingLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line wins over the environment, which wins over the config file. */
class ServerDefaultsTest {
  @TempDir Path dir;

  private ServerCommand parse(Path config, Map<String, String> env, String... args) {
    ServerCommand command = new ServerCommand();
    CommandLine cli = new CommandLine(command);
    cli.setDefaultValueProvider(new ServerDefaults(config, env));
    cli.parseArgs(args);
    return command;
  }

  @Test
  void eachSourceOverridesTheOneBelow() throws Exception {
    Path config = Files.writeString(dir.resolve("lepton.properties"),
        "port=9000\ndata-dir=/srv/lepton\ndb=jdbc:postgresql://db/lepton\n");
    ServerCommand fromFile = parse(config, Map.of());
    assertEquals(9000, fromFile.port);
    assertEquals(Path.of("/srv/lepton"), fromFile.dataDir);
    assertEquals("jdbc:postgresql://db/lepton", fromFile.db);
    assertEquals("127.0.0.1", fromFile.host, "built-in default");

    ServerCommand fromEnv = parse(config, Map.of("LEPTON_PORT", "9100"));
    assertEquals(9100, fromEnv.port);
    assertEquals(Path.of("/srv/lepton"), fromEnv.dataDir);

    ServerCommand fromFlag = parse(config, Map.of("LEPTON_PORT", "9100"), "--port", "9200");
    assertEquals(9200, fromFlag.port);

    ServerCommand none = parse(null, Map.of());
    assertEquals(8080, none.port);
    assertEquals(Path.of("lepton-data"), none.dataDir);
    assertEquals(2L << 30, none.maxUploadBytes);
    assertEquals(1000, parse(null, Map.of("LEPTON_MAX_UPLOAD_BYTES", "1000")).maxUploadBytes);
    assertEquals(500, parse(config, Map.of(), "--max-upload-bytes", "500").maxUploadBytes);
    assertEquals(ServerConfig.DEFAULT_MAX_MODEL_BYTES, parse(config, Map.of()).maxModelBytes);
    assertEquals(700, parse(config, Map.of("LEPTON_MAX_MODEL_BYTES", "700")).maxModelBytes);
  }

  @Test
  void theFirstOrganizationAndAdministratorComeFromTheSameSources() throws Exception {
    Path config = Files.writeString(dir.resolve("first.properties"), "first-org=Acme\n");
    ServerCommand command = parse(config, Map.of("LEPTON_ADMIN_EMAIL", "ops@acme.org"));
    assertEquals("Acme", command.firstOrg);
    assertEquals("ops@acme.org", command.adminEmail);
    assertNull(parse(null, Map.of()).firstOrg, "unset: ServerConfig's default applies");
  }

  @Test
  void theServingCeilingComesFromTheSameSourcesAndUnsetLimitsKeepTheDefault() throws Exception {
    Path config = Files.writeString(dir.resolve("serving.properties"),
        "serving-max-request-samples=16\nserving-requests-per-second=50\n");
    ServingLimits limits = parse(config, Map.of("LEPTON_SERVING_BURST", "10"),
        "--serving-max-request-bytes", "4096").servingLimits();
    assertEquals(new ServingLimits(4096, ServingLimits.DEFAULT.maxElements(), 16, 50, 10),
        limits);
    assertEquals(ServingLimits.DEFAULT, parse(null, Map.of()).servingLimits());
  }

  @Test
  void aServingLimitBelowItsMinimumStopsTheStartNamingTheOption() throws Exception {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> parse(null, Map.of("LEPTON_SERVING_BURST", "0")).servingLimits());
    assertEquals("--serving-burst (LEPTON_SERVING_BURST, or serving-burst= in --config) must be"
        + " at least 1; received 0", e.getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(null, Map.of(),
        "--serving-requests-per-second", "0.0001").servingLimits()).getMessage()
        .endsWith("must be at least 0.001; received 1.0E-4"));
    assertEquals(2, Main.run("server", "--port", "0", "--data-dir", dir.resolve("d").toString(),
        "--serving-max-request-samples", "0"), "refused before the server starts");
    assertTrue(Files.notExists(dir.resolve("d")), "nothing made");
  }

  @Test
  void anUnknownKeyInTheConfigFileIsNamed() throws Exception {
    Path config = Files.writeString(dir.resolve("bad.properties"), "prot=9000\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ServerDefaults(config, Map.of()));
    assertTrue(e.getMessage().contains("'prot'") && e.getMessage().contains("data-dir"),
        e.getMessage());
  }

  @Test
  void aMissingConfigFileEndsTheCommandWithItsName() {
    assertEquals(2, Main.run("server", "--config", dir.resolve("nope.properties").toString()));
  }
}
