package ai.lepton.server;

import ai.lepton.server.db.Database;
import ai.lepton.server.http.Api;
import ai.lepton.server.http.Json;
import ai.lepton.server.http.Route;
import ai.lepton.server.ops.OpsRoutes;
import ai.lepton.server.web.WebRoutes;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The composition root: builds the database, stores, services and routes of every feature from a
 * {@link ServerConfig} with constructors, in one place, and starts the HTTP server.
 */
public final class LeptonServer implements AutoCloseable {
  /** The platform's version, as the API document and the CLI report it. */
  public static final String VERSION = "0.1.0";

  private final Database database;
  private final Javalin http;

  private LeptonServer(Database database, Javalin http) {
    this.database = database;
    this.http = http;
  }

  /** Builds everything from {@code config} and starts listening. */
  public static LeptonServer start(ServerConfig config) {
    try {
      Files.createDirectories(config.dataDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the data directory " + config.dataDir(), e);
    }
    Database database = config.databaseUrl() == null
        ? Database.embedded(config.dataDir())
        : Database.connect(config.databaseUrl(), config.databaseUser(), config.databasePassword());
    try {
      ObjectMapper mapper = Json.mapper();
      PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      Map<String, BooleanSupplier> checks = new LinkedHashMap<>();
      checks.put("database", database::ping);

      List<Route> routes = new ArrayList<>();
      routes.addAll(OpsRoutes.routes(metrics, checks, () -> routes, VERSION));
      routes.addAll(WebRoutes.routes());

      Api api = new Api(mapper, metrics, ctx -> false, routes);
      Javalin http = api.create(config.host(), config.port()).start();
      return new LeptonServer(database, http);
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
  }

  /** The port it listens on (the one chosen when the config asked for 0). */
  public int port() {
    return http.port();
  }

  @Override
  public void close() {
    http.stop();
    database.close();
  }
}
