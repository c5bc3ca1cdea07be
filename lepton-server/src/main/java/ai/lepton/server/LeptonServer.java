package ai.lepton.server;

import ai.lepton.api.ModelLineage;
import ai.lepton.models.ModelArchive;
import ai.lepton.server.audit.AuditLog;
import ai.lepton.server.audit.AuditRoutes;
import ai.lepton.server.blobs.BlobStore;
import ai.lepton.server.crypto.DatabaseFileKey;
import ai.lepton.server.crypto.EncryptedBlobStore;
import ai.lepton.server.crypto.KeyService;
import ai.lepton.server.crypto.MasterKey;
import ai.lepton.server.datasets.DatasetRoutes;
import ai.lepton.server.datasets.DatasetService;
import ai.lepton.server.db.Database;
import ai.lepton.server.http.Api;
import ai.lepton.server.http.Json;
import ai.lepton.server.http.Route;
import ai.lepton.server.jobs.Jobs;
import ai.lepton.server.jobs.PlatformPreparer;
import ai.lepton.server.monitoring.MonitoringLimits;
import ai.lepton.server.monitoring.MonitoringRoutes;
import ai.lepton.server.monitoring.MonitoringService;
import ai.lepton.server.monitoring.Retrainer;
import ai.lepton.server.monitoring.TrainingReference;
import ai.lepton.server.ops.OpsRoutes;
import ai.lepton.server.registry.RegistryRoutes;
import ai.lepton.server.registry.RegistryService;
import ai.lepton.server.registry.RunSource;
import ai.lepton.server.serving.DeploymentRoutes;
import ai.lepton.server.serving.DeploymentService;
import ai.lepton.server.serving.OipRoutes;
import ai.lepton.server.serving.ServingMetrics;
import ai.lepton.server.serving.ServingTable;
import ai.lepton.server.tenancy.TenancyRoutes;
import ai.lepton.server.tenancy.TenancyService;
import ai.lepton.server.web.WebRoutes;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * The composition root: builds the database, stores, services and routes of every feature from a
 * {@link ServerConfig} with constructors, in one place, and starts the HTTP server.
 */
public final class LeptonServer implements AutoCloseable {
  /** The platform's version, as the API document and the CLI report it. */
  public static final String VERSION = "0.1.0";
  /** The environment variable of how many jobs this server trains at once (default 1; 0 none). */
  public static final String JOB_WORKERS = "LEPTON_JOB_WORKERS";
  /** The name of the organization the first-run demo fills. */
  public static final String DEMO_ORG = "demo";

  private final Database database;
  private final BlobStore blobStore;
  private final MasterKey masterKey;
  private final Javalin http;
  private final String signInLink;
  private Jobs jobs;
  private TenancyService tenancy;
  private String adminEmail;
  private final MonitoringService monitoring;
  private final ScheduledExecutorService schedule;
  private ServingTable serving;

  private LeptonServer(Database database, BlobStore blobStore, MasterKey masterKey,
      Javalin http, String signInLink, MonitoringService monitoring,
      ScheduledExecutorService schedule) {
    this.database = database;
    this.blobStore = blobStore;
    this.masterKey = masterKey;
    this.http = http;
    this.signInLink = signInLink;
    this.monitoring = monitoring;
    this.schedule = schedule;
  }

  /**
   * Builds everything from {@code config} and starts listening. The master key comes from the
   * environment variable {@value MasterKey#ENVIRONMENT} when set.
   *
   * @throws ai.lepton.server.crypto.KeyException if the master key is missing, malformed, or
   *     cannot unwrap the keys already in the database (or, for the embedded default, its file
   *     password), or if the data directory holds an unencrypted database from an earlier version
   *     (the message says what to do)
   * @throws ai.lepton.server.http.ApiException INVALID_ARGUMENT when this is the first start and
   *     the first organization's name or the administrator's email is not valid
   */
  public static LeptonServer start(ServerConfig config) {
    return start(config, Clock.systemUTC());
  }

  /**
   * Builds everything from {@code config}, telling time by {@code clock} (tests move it to expire
   * tokens, sessions and links), and starts listening.
   */
  public static LeptonServer start(ServerConfig config, Clock clock) {
    return start(config, clock, System.getenv());
  }

  /** {@link #start(ServerConfig, Clock)} with the environment given (tests). */
  static LeptonServer start(ServerConfig config, Clock clock, Map<String, String> environment) {
    try {
      Files.createDirectories(config.dataDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the data directory " + config.dataDir(), e);
    }
    // The master key first: the embedded database's file is encrypted under a password that it
    // wraps. It is generated only for the embedded default on an empty data directory (an
    // existing database with a missing key file is an error, never a new key).
    boolean embedded = config.databaseUrl() == null;
    MasterKey masterKey = MasterKey.load(config.masterKeyPath(),
        environment.get(MasterKey.ENVIRONMENT), config.masterKeyFile() == null
            && !(embedded && DatabaseFileKey.exists(config.dataDir())));
    DatabaseFileKey fileKey = embedded ? DatabaseFileKey.open(config.dataDir(), masterKey) : null;
    Database database = embedded
        ? Database.embedded(config.dataDir(), fileKey.password())
        : Database.connect(config.databaseUrl(), config.databaseUser(), config.databasePassword());
    BlobStore blobStore = null;
    Jobs jobs = null;
    MonitoringService monitoring = null;
    ScheduledExecutorService schedule = null;
    ServingTable serving = null;
    try {
      ObjectMapper mapper = Json.mapper();
      PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      Map<String, BooleanSupplier> checks = new LinkedHashMap<>();
      checks.put("database", database::ping);

      // --- Storage: blobs, encryption at rest, audit log -----------------------------------
      // Blobs in a directory under dataDir, or S3 when configured; every organization's data is
      // encrypted under its own keys, wrapped by the master key, as is the embedded database's
      // file password. Features store through `encryptedBlobs` and record through
      // `audit` inside their transactions.
      blobStore = BlobStore.fromUrl(config.blobsUrl(), config.dataDir().resolve("blobs"));
      KeyService keys = new KeyService(database, masterKey, fileKey, clock);
      EncryptedBlobStore encryptedBlobs = new EncryptedBlobStore(blobStore, keys);
      AuditLog audit = new AuditLog(database, clock);
      checks.put("blobs", blobStore::ping);
      // --------------------------------------------------------------------------------------

      List<Route> routes = new ArrayList<>();
      routes.addAll(OpsRoutes.routes(metrics, checks, () -> routes, VERSION));
      routes.addAll(WebRoutes.routes());

      // tenancy and identity: organizations, members, projects, tokens, sessions
      AtomicReference<String> baseUrl = new AtomicReference<>(config.publicUrl());
      // an organization's deletion shreds its blobs (its keyset goes in the same transaction);
      // once committed, their ciphertext is deleted too
      TenancyService tenancy = TenancyService.create(database, audit, clock,
          encryptedBlobs::deleteOrganization);
      TenancyRoutes tenancyRoutes = new TenancyRoutes(tenancy, config.secureCookies(),
          baseUrl::get);
      routes.addAll(tenancyRoutes.routes());
      routes.addAll(AuditRoutes.routes(audit, tenancy));

      // datasets: uploads streamed into encrypted blobs, versions, profiles and derivations read
      // from them (no plaintext on disk); the sweep deletes what a killed server left, before
      // any request comes in
      DatasetService datasets = DatasetService.create(database, encryptedBlobs, audit, tenancy,
          clock, config.dataDir().resolve("tmp"), config.maxUploadBytes());
      datasets.sweep();
      routes.addAll(new DatasetRoutes(datasets).routes());

      // model registry: versions validated from their decrypted bytes in memory, encrypted at
      // rest; deletion asks the guard whether a deployment serves the version
      RegistryService registry = RegistryService.create(database, encryptedBlobs, audit,
          tenancy, clock, config.dataDir().resolve("tmp"), config.maxModelBytes(),
          DeploymentService.versionGuard(database));
      registry.sweep();
      routes.addAll(new RegistryRoutes(registry).routes());

      // training jobs: queued in the database, trained by this server's workers (and by any
      // other process's), checkpointed into encrypted blobs
      int workers = jobWorkers(environment.get(JOB_WORKERS));
      jobs = Jobs.start(database, encryptedBlobs, audit, tenancy, clock, workers,
          Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, workers)),
          new PlatformPreparer(datasets, registry),
          p -> registry.publish(p.organizationId(), p.name(), p.model(), new RunSource(
              p.userId(), p.runId(), p.jobId(), p.datasetVersionId(),
              new LinkedHashMap<>(p.parameters()), p.metrics(), p.evaluationReport(),
              p.parentVersionId())).id());
      routes.addAll(jobs.routes());

      // serving: the Open Inference Protocol at the root (/v2/...), for callers with a token of
      // the model's organization; the deployments fill the table of what it serves, loaded
      // again from the database before the server listens
      serving = new ServingTable();
      DeploymentService deployments = DeploymentService.create(database, registry, audit,
          tenancy, clock, serving, new ServingMetrics(metrics), ModelArchive.Limits.DEFAULT,
          config.servingLimits());
      deployments.loadAll();
      routes.addAll(new DeploymentRoutes(deployments).routes());
      // monitoring: the prediction log serving writes to (batched off the request thread,
      // payloads encrypted), feedback, drift against the training data, alerts; monitors are
      // evaluated every minute and old predictions swept every hour
      monitoring = MonitoringService.create(database, encryptedBlobs, audit, tenancy, clock,
          TrainingReference.of(registry, datasets), retrainer(jobs, registry),
          MonitoringLimits.DEFAULT);
      routes.addAll(new MonitoringRoutes(monitoring).routes());
      OipRoutes oip = new OipRoutes(serving,
          deployments.caller(OipRoutes.signedIn(tenancyRoutes.authenticator())),
          monitoring.predictionLog(), VERSION);
      routes.addAll(oip.routes());
      // the same inference under the organization's path, for the web pages' sessions
      routes.add(oip.organizationInfer(deployments.member()));
      schedule = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread t = new Thread(task, "monitoring-schedule");
        t.setDaemon(true);
        return t;
      });
      schedule.scheduleWithFixedDelay(monitoring::evaluateAll, 1, 1, TimeUnit.MINUTES);
      schedule.scheduleWithFixedDelay(monitoring::sweep, 1, 60, TimeUnit.MINUTES);

      Api api = new Api(mapper, metrics, tenancyRoutes.authenticator(), routes);
      Javalin http = api.create(config.host(), config.port()).start();
      try {
        if (baseUrl.get() == null) {
          String host = config.host().equals("0.0.0.0") || config.host().equals("::")
              ? "localhost" : config.host();
          baseUrl.set("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
              + http.port());
        }
        String link = tenancy.bootstrap(config.firstOrganization(), config.adminEmail(),
            baseUrl.get()).orElse(null);
        LeptonServer server = new LeptonServer(database, blobStore, masterKey, http, link,
            monitoring, schedule);
        server.jobs = jobs;
        server.tenancy = tenancy;
        server.adminEmail = config.adminEmail();
        server.serving = serving;
        return server;
      } catch (RuntimeException e) {
        http.stop();
        throw e;
      }
    } catch (RuntimeException e) {
      if (schedule != null) {
        schedule.shutdownNow();
      }
      if (monitoring != null) {
        monitoring.close();
      }
      if (jobs != null) {
        jobs.close();
      }
      if (serving != null) {
        serving.close();
      }
      if (blobStore != null) {
        blobStore.close();
      }
      database.close();
      throw e;
    }
  }

  /**
   * A monitor's {@code retrain} action: the job that trained the served version, again on the
   * latest version of its dataset.
   */
  private static Retrainer retrainer(Jobs jobs, RegistryService registry) {
    return (org, deployment, modelVersionId, reason) -> {
      String job = registry.lineage(org, modelVersionId).map(ModelLineage::jobId)
          .orElseThrow(() -> new IllegalStateException("model version " + modelVersionId
              + " was not trained by a job of this platform (it was pushed), so there is "
              + "nothing to retrain; set the monitor's action to alert"));
      return jobs.retrain(org, job, "deployment " + deployment + ": " + reason);
    };
  }

  /**
   * What the operator must be told at start: "master key generated at ..., back it up: without
   * it the data cannot be read" when this start generated the master key; empty otherwise.
   */
  public Optional<String> masterKeyNotice() {
    return masterKey.generatedNotice();
  }

  /** The port it listens on (the one chosen when the config asked for 0). */
  public int port() {
    return http.port();
  }

  /**
   * The one-time sign-in link of the first administrator ({@link ServerConfig#adminEmail()},
   * owner of the organization {@link ServerConfig#firstOrganization()}), when this start created
   * them: it is valid for 24 hours and signs in once, after which they set a password. Empty on
   * every later start.
   */
  public Optional<String> firstSignInLink() {
    return Optional.ofNullable(signInLink);
  }

  /**
   * For the first-run demo ({@code lepton server --demo}): the organization {@value #DEMO_ORG}
   * of the first administrator ({@link ServerConfig#adminEmail()}), created with them as its
   * owner on the first call, and a new admin-scoped API token of theirs in it, valid for
   * {@code lifetime}; both audited.
   *
   * @throws ai.lepton.server.http.ApiException NOT_FOUND when no user has the configured
   *     administrator's email (later starts must pass the first start's {@code --admin-email})
   */
  public TenancyService.DemoAccess demoAccess(java.time.Duration lifetime) {
    return tenancy.demoAccess(DEMO_ORG, adminEmail, lifetime);
  }

  /** The number of job workers {@value #JOB_WORKERS} asks for: 1 when unset. */
  private static int jobWorkers(String value) {
    if (value == null || value.isBlank()) {
      return 1;
    }
    if (!value.strip().matches("[0-9]{1,3}")) {
      throw new IllegalArgumentException(JOB_WORKERS + " must be a number of job workers from 0"
          + " to 999, received '" + value + "'");
    }
    return Integer.parseInt(value.strip());
  }

  @Override
  public void close() {
    if (jobs != null) {
      jobs.close();
    }
    http.stop();
    if (serving != null) {
      serving.close();
    }
    schedule.shutdownNow();
    monitoring.close();
    blobStore.close();
    database.close();
  }
}
