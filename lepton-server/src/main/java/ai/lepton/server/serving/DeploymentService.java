package ai.lepton.server.serving;

import ai.lepton.api.AuditEvent.Outcome;
import ai.lepton.api.CreateDeployment;
import ai.lepton.api.CreateDeploymentToken;
import ai.lepton.api.Deployment;
import ai.lepton.api.DeploymentLimits;
import ai.lepton.api.DeploymentToken;
import ai.lepton.api.DeploymentTokenCreated;
import ai.lepton.api.DeploymentTraffic;
import ai.lepton.api.DeploymentVersion;
import ai.lepton.api.ErrorCode;
import ai.lepton.api.ModelVersion;
import ai.lepton.api.UpdateDeployment;
import ai.lepton.models.ModelArchive;
import ai.lepton.server.audit.AuditEntry;
import ai.lepton.server.audit.AuditLog;
import ai.lepton.server.blobs.BlobKeys;
import ai.lepton.server.db.Database;
import ai.lepton.server.http.ApiException;
import ai.lepton.server.registry.RegistryService;
import ai.lepton.server.registry.VersionGuard;
import ai.lepton.server.serving.DeploymentStore.Row;
import ai.lepton.server.tenancy.Principal;
import ai.lepton.server.tenancy.Role;
import ai.lepton.server.tenancy.Scope;
import ai.lepton.server.tenancy.TenancyService;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deployments: registered model versions served over the Open Inference Protocol, kept in the
 * database (V10) and driven into the {@link ServingTable}. Every change is authorized, audited in
 * its transaction, and loads the new version fully (decrypted in memory from the registry, built,
 * batcher started) before the table switches traffic to it, so a rollout fails no request; a
 * version that does not load leaves the deployment as it was and the change is refused with the
 * reason. Changes to one deployment take turns (on this server).
 *
 * <p>Each deployment has its own request limits (V12): rate, burst, body size and samples per
 * request, each its own or the server's, never above the server's (the {@code ceiling} the
 * operator configured). A change of limits holds from the next request on (its {@link Limiter}
 * is changed in place) and is stored, so a restart keeps it.
 *
 * <p>A deployment pins version ids: {@code churn@production} is resolved when it is deployed, and
 * an alias moved later does not move the deployment ({@code lepton deploy update} does). Roles:
 * members create and change deployments, admins delete them; inference takes any member's API
 * token of the organization (viewers included).
 */
public final class DeploymentService {
  static final String CREATE = "deployment.create";
  static final String UPDATE = "deployment.update";
  static final String DELETE = "deployment.delete";
  static final String TOKEN_CREATE = "deployment.token.create";
  static final String TOKEN_REVOKE = "deployment.token.revoke";
  static final String TOKEN_PREFIX = "lpd_";
  static final int MAX_BATCH = 1024;
  static final long MAX_DELAY_MICROS = 1_000_000;
  static final int DEFAULT_CANARY_SHARE = 10;
  /** The lowest rate a deployment may set: one request in 1,000 seconds. */
  static final double MIN_RATE = 0.001;

  private static final Logger LOG = LoggerFactory.getLogger(DeploymentService.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  private final Jdbi jdbi;
  private final DeploymentStore store;
  private final RegistryService registry;
  private final AuditLog audit;
  private final TenancyService tenancy;
  private final Clock clock;
  private final ServingTable table;
  private final ServingMetrics metrics;
  private final ModelArchive.Limits limits;
  private final ServingLimits ceiling;
  private final Map<String, Object> turns = new ConcurrentHashMap<>();
  /** The limiter of each deployment served, by organization and name. */
  private final Map<String, Limiter> limiters = new ConcurrentHashMap<>();

  private DeploymentService(Jdbi jdbi, RegistryService registry, AuditLog audit,
      TenancyService tenancy, Clock clock, ServingTable table, ServingMetrics metrics,
      ModelArchive.Limits limits, ServingLimits ceiling) {
    this.jdbi = jdbi;
    this.store = new DeploymentStore(jdbi);
    this.registry = registry;
    this.audit = audit;
    this.tenancy = tenancy;
    this.clock = clock;
    this.table = table;
    this.metrics = metrics;
    this.limits = limits;
    this.ceiling = ceiling;
  }

  /**
   * The deployments of {@code database}, loading versions from {@code registry} (model files
   * within {@code limits}) into {@code table}, each deployment's requests within its own limits
   * and {@code ceiling}, the server's. Call {@link #loadAll} once before serving.
   */
  public static DeploymentService create(Database database, RegistryService registry,
      AuditLog audit, TenancyService tenancy, Clock clock, ServingTable table,
      ServingMetrics metrics, ModelArchive.Limits limits, ServingLimits ceiling) {
    return new DeploymentService(database.jdbi(), registry, audit, tenancy, clock, table,
        metrics, limits, ceiling);
  }

  /**
   * The registry's guard over {@code database}'s deployments: a version a deployment serves (as
   * primary or canary) cannot be deleted. Built before the registry, which the service needs.
   */
  public static VersionGuard versionGuard(Database database) {
    DeploymentStore store = new DeploymentStore(database.jdbi());
    return (orgId, versionId) -> {
      List<Row> rows = store.serving(orgId, versionId);
      return rows.isEmpty() ? Optional.empty() : Optional.of(rows.stream()
          .map(r -> "deployment '" + r.name() + "' (" + r.id() + ")")
          .collect(Collectors.joining(", ")));
    };
  }

  /**
   * Serves every deployment in the database again, as stored (the server's start). A deployment
   * whose version no longer loads is logged and left unserved (its inference answers 404), so
   * one bad file does not keep the others down; updating it to a version that loads serves it.
   *
   * @return how many deployments are served
   */
  public int loadAll() {
    int served = 0;
    for (Row r : store.all()) {
      try {
        Limiter limiter = limiter(r);
        limiters.put(key(r.orgId(), r.name()), limiter);
        Servable primary = load(r, r.primaryVersionId(), limiter);
        table.deploy(r.orgId(), r.name(), primary);
        if (r.canaryVersionId() != null) {
          table.canary(r.orgId(), r.name(), load(r, r.canaryVersionId(), limiter),
              r.canaryPercent());
        }
        served++;
      } catch (RuntimeException e) {
        LOG.error("deployment {} ({}) of organization {} is not served: {}", r.name(), r.id(),
            r.orgId(), e.getMessage(), e);
        table.remove(r.orgId(), r.name());
        limiters.remove(key(r.orgId(), r.name()));
      }
    }
    return served;
  }

  // ---------------------------------------------------------------- reads

  List<Deployment> list(Principal caller, String org) {
    tenancy.authorize(caller, org, Role.VIEWER, Scope.READ);
    return store.list(org).stream().map(this::wire).toList();
  }

  Deployment get(Principal caller, String org, String name) {
    return wire(find(caller, org, name, Role.VIEWER, Scope.READ, null, null));
  }

  /**
   * The deployment's serving counters on this server now, per version (viewers).
   *
   * @throws ApiException NOT_FOUND for no such deployment in {@code org}
   */
  DeploymentTraffic traffic(Principal caller, String org, String name) {
    Row r = find(caller, org, name, Role.VIEWER, Scope.READ, null, null);
    return new DeploymentTraffic(r.name(), clock.instant(), metrics.traffic(org, r.name()));
  }

  // ---------------------------------------------------------------- changes

  /**
   * Deploys {@code request.model()} under {@code request.name()}: resolves the reference, loads
   * the version, records the deployment and serves it.
   *
   * @throws ApiException PERMISSION_DENIED below member; INVALID_ARGUMENT for a bad name,
   *     reference or setting, or a limit above the server's; NOT_FOUND for the model or
   *     version; CONFLICT when the name is taken; UNPROCESSABLE when the version does not load
   *     (nothing is recorded)
   */
  Deployment create(Principal caller, String org, CreateDeployment request, String client) {
    authorize(caller, org, Role.MEMBER, Scope.WRITE, CREATE, null, client);
    String name = name(request.name());
    int batch = request.maxBatchSize() == null ? 1 : request.maxBatchSize();
    long delay = request.maxQueueDelayMicros() == null ? 0 : request.maxQueueDelayMicros();
    if (batch < 1 || batch > MAX_BATCH) {
      throw ApiException.invalid("maxBatchSize must be 1 (no batching) to " + MAX_BATCH
          + "; received " + batch);
    }
    if (delay < 0 || delay > MAX_DELAY_MICROS) {
      throw ApiException.invalid("maxQueueDelayMicros must be 0 to " + MAX_DELAY_MICROS
          + " (one second); received " + delay);
    }
    DeploymentLimits own = checked(request.limits());
    synchronized (turn(org, name)) {
      if (store.byName(org, name).isPresent()) {
        throw taken(name);
      }
      ModelVersion v = registry.resolve(org, reference("model", request.model()));
      Instant now = now();
      Row row = new Row("dep_" + BlobKeys.randomSegment(), org, name, v.id(), null, 0, batch,
          delay, caller.userId(), now, now, own);
      Limiter limiter = limiter(row);
      Servable servable = load(row, v.id(), limiter);
      Map<String, String> details = new LinkedHashMap<>(Map.of("name", name, "version", v.id(),
          "model", v.modelName(), "number", Integer.toString(v.number())));
      details.putAll(details(own));
      try {
        jdbi.useTransaction(h -> {
          live(h, org, v);
          store.insert(h, row);
          record(h, caller.userId(), org, CREATE, row.id(), client, details);
        });
      } catch (RuntimeException e) {
        servable.close();
        if (e instanceof UnableToExecuteStatementException u
            && u.getCause() instanceof SQLException s && "23505".equals(s.getSQLState())) {
          throw taken(name); // by another server since the check above
        }
        throw e;
      }
      limiters.put(key(org, name), limiter);
      table.deploy(org, name, servable);
      return wire(row);
    }
  }

  /**
   * Serves {@code request.model()} alone, or adds (or replaces) the canary
   * {@code request.canary()} with its share, or changes the current canary's share; and sets
   * the limits {@code request.limits()} gives (with any of these, or alone), in force for the
   * next request.
   *
   * @throws ApiException as {@link #create}; INVALID_ARGUMENT for an update that names nothing
   *     to change, or a share without a canary
   */
  Deployment update(Principal caller, String org, String name, UpdateDeployment request,
      String client) {
    Row r = find(caller, org, name, Role.MEMBER, Scope.WRITE, UPDATE, client);
    if (request.model() != null && request.canary() != null) {
      throw ApiException.invalid("give either model (served alone) or canary (beside the "
          + "primary), not both");
    }
    Integer share = request.share();
    if (share != null && (share < 0 || share > 100)) {
      throw ApiException.invalid("share is the canary's percentage of the requests, 0 to 100;"
          + " received " + share);
    }
    DeploymentLimits given = checked(request.limits());
    synchronized (turn(org, r.name())) {
      Row current = reread(r);
      DeploymentLimits own = merged(current.limits(), given);
      if (request.model() != null) {
        if (share != null) {
          throw ApiException.invalid("share goes with a canary; a model given alone takes "
              + "all the requests");
        }
        ModelVersion v = registry.resolve(org, reference("model", request.model()));
        Servable s = load(current, v.id(), served(current));
        Row next = routed(current, v.id(), null, 0, own);
        commit(caller, client, next, v, "replace", s, () -> table.deploy(org, r.name(), s));
        return wire(next);
      }
      if (request.canary() != null) {
        ModelVersion v = registry.resolve(org, reference("canary", request.canary()));
        int percent = share == null ? DEFAULT_CANARY_SHARE : share;
        Servable s = load(current, v.id(), served(current));
        Row next = routed(current, current.primaryVersionId(), v.id(), percent, own);
        commit(caller, client, next, v, "canary", s,
            () -> table.canary(org, r.name(), s, percent));
        return wire(next);
      }
      if (share == null && request.limits() != null) {
        Row next = routed(current, current.primaryVersionId(), current.canaryVersionId(),
            current.canaryPercent(), own);
        commit(caller, client, next, null, "limits", null, () -> { });
        return wire(next);
      }
      if (share == null) {
        throw ApiException.invalid("name what to change: model (a version to serve alone), "
            + "canary (a version beside the primary, with its share), share (the current "
            + "canary's percentage), or limits (requestsPerSecond, burst, maxRequestBytes, "
            + "maxRequestSamples)");
      }
      if (current.canaryVersionId() == null) {
        throw new ApiException(ErrorCode.CONFLICT, "deployment '" + r.name() + "' has no "
            + "canary to give a share to; add one with canary");
      }
      Row next = routed(current, current.primaryVersionId(), current.canaryVersionId(), share,
          own);
      commit(caller, client, next, null, "share", null, () -> table.split(org, r.name(),
          share));
      return wire(next);
    }
  }

  /** The canary becomes the only version. @throws ApiException CONFLICT without a canary */
  Deployment promote(Principal caller, String org, String name, String client) {
    Row r = find(caller, org, name, Role.MEMBER, Scope.WRITE, UPDATE, client);
    synchronized (turn(org, r.name())) {
      Row current = reread(r);
      if (current.canaryVersionId() == null) {
        throw new ApiException(ErrorCode.CONFLICT, "deployment '" + r.name() + "' has no "
            + "canary to promote; add one with 'lepton deploy update " + r.name()
            + " --canary MODEL@VERSION'");
      }
      Row next = routed(current, current.canaryVersionId(), null, 0, current.limits());
      commit(caller, client, next, null, "promote", null, () -> table.promote(org, r.name()));
      return wire(next);
    }
  }

  /** Back to the primary alone, at once. @throws ApiException CONFLICT without a canary */
  Deployment rollback(Principal caller, String org, String name, String client) {
    Row r = find(caller, org, name, Role.MEMBER, Scope.WRITE, UPDATE, client);
    synchronized (turn(org, r.name())) {
      Row current = reread(r);
      if (current.canaryVersionId() == null) {
        throw new ApiException(ErrorCode.CONFLICT, "deployment '" + r.name() + "' has no "
            + "canary to roll back; to serve an earlier version, update its model");
      }
      Row next = routed(current, current.primaryVersionId(), null, 0, current.limits());
      commit(caller, client, next, null, "rollback", null, () -> table.rollback(org,
          r.name()));
      return wire(next);
    }
  }

  /** Stops serving the deployment and deletes it. @throws ApiException below admin */
  void delete(Principal caller, String org, String name, String client) {
    Row r = find(caller, org, name, Role.ADMIN, Scope.WRITE, DELETE, client);
    synchronized (turn(org, r.name())) {
      jdbi.useTransaction(h -> {
        store.deleteTokens(h, org, r.id());
        if (!store.delete(h, org, r.id())) {
          throw gone(r.name());
        }
        record(h, caller.userId(), org, DELETE, r.id(), client, Map.of("name", r.name()));
      });
      table.remove(org, r.name());
      limiters.remove(key(org, r.name()));
    }
  }

  // ---------------------------------------------------------------- tokens

  /**
   * A new token that reaches this deployment's inference endpoints only; its secret is returned
   * this once, its SHA-256 stored. @throws ApiException PERMISSION_DENIED below member
   */
  DeploymentTokenCreated createToken(Principal caller, String org, String name,
      CreateDeploymentToken request, String client) {
    Row r = find(caller, org, name, Role.MEMBER, Scope.WRITE, TOKEN_CREATE, client);
    String label = request.name() == null ? "" : request.name().strip();
    if (label.isEmpty() || label.length() > 100
        || label.chars().anyMatch(Character::isISOControl)) {
      throw ApiException.invalid("a token's name says what it is for: 1-100 printable "
          + "characters; received '" + shorten(label) + "'");
    }
    String secret = TOKEN_PREFIX + BlobKeys.randomSegment() + BlobKeys.randomSegment();
    DeploymentToken t = new DeploymentToken("dtk_" + BlobKeys.randomSegment(), r.id(), label,
        caller.userId(), now(), null);
    jdbi.useTransaction(h -> {
      store.insertToken(h, org, t, sha256(secret));
      record(h, caller.userId(), org, TOKEN_CREATE, r.id(), client, Map.of("token", t.id(),
          "name", label));
    });
    return new DeploymentTokenCreated(secret, t);
  }

  /** The deployment's tokens, revoked ones included. @throws ApiException below member */
  List<DeploymentToken> tokens(Principal caller, String org, String name) {
    Row r = find(caller, org, name, Role.MEMBER, Scope.READ, null, null);
    return store.tokens(org, r.id());
  }

  /** Revokes a token at once. @throws ApiException NOT_FOUND for no such working token */
  void revokeToken(Principal caller, String org, String name, String tokenId, String client) {
    Row r = find(caller, org, name, Role.MEMBER, Scope.WRITE, TOKEN_REVOKE, client);
    jdbi.useTransaction(h -> {
      if (!store.revokeToken(h, org, r.id(), String.valueOf(tokenId), now())) {
        throw ApiException.notFound("token " + shorten(String.valueOf(tokenId)) + " of "
            + "deployment '" + r.name() + "' (or it was revoked already)");
      }
      record(h, caller.userId(), org, TOKEN_REVOKE, r.id(), client, Map.of("token", tokenId));
    });
  }

  /**
   * Who may infer: a deployment token ({@code lpd_...}) for its own deployment only, or else
   * what {@code members} accepts (a member's API token, viewers included).
   */
  public OipRoutes.Caller caller(OipRoutes.Caller members) {
    return ctx -> {
      String auth = ctx.header("Authorization");
      if (auth == null || !auth.startsWith("Bearer " + TOKEN_PREFIX)) {
        return members.organizationId(ctx);
      }
      String[] target = store.tokenTarget(sha256(auth.substring(7).strip())).orElseThrow(() ->
          new ApiException(ErrorCode.UNAUTHENTICATED, "this deployment token is unknown or "
              + "revoked; create one with POST .../deployments/{name}/tokens"));
      String name = ctx.pathParamMap().get("name");
      if (!target[1].equals(name)) {
        throw new OipException(403, "this token reaches deployment '" + target[1] + "' only;"
            + " use a token of deployment '" + shorten(String.valueOf(name)) + "'");
      }
      return target[0];
    };
  }

  /**
   * Who may infer through {@code POST /api/v1/orgs/{org}/deployments/{name}/infer}: a member of
   * {@code {org}}, viewers included, as the API's filter signed them in. The organization is in
   * the path, so a browser session (whose CSRF token the filter checked: the route changes
   * state) names it, which the OIP paths cannot; an API token must be of that organization.
   */
  public OipRoutes.Caller member() {
    return ctx -> {
      String org = ctx.pathParam("org");
      tenancy.authorize(Principal.of(ctx), org, Role.VIEWER, Scope.READ);
      return org;
    };
  }

  private static String sha256(String secret) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
          secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Records {@code next} (audited), then puts its limits in force and switches the table; a
   * failed commit retires the loaded {@code servable} (null when the change loads nothing) and
   * serves as before.
   */
  private void commit(Principal caller, String client, Row next, ModelVersion version,
      String change, Servable servable, Runnable swap) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("name", next.name());
    details.put("change", change);
    details.put("primary", next.primaryVersionId());
    if (next.canaryVersionId() != null) {
      details.put("canary", next.canaryVersionId());
      details.put("share", Integer.toString(next.canaryPercent()));
    }
    details.putAll(details(next.limits()));
    try {
      jdbi.useTransaction(h -> {
        if (version != null) {
          live(h, next.orgId(), version);
        }
        if (!store.route(h, next)) {
          throw gone(next.name());
        }
        record(h, caller.userId(), next.orgId(), UPDATE, next.id(), client, details);
      });
    } catch (RuntimeException e) {
      if (servable != null) {
        servable.close();
      }
      throw e;
    }
    Limiter limiter = limiters.get(key(next.orgId(), next.name()));
    if (limiter != null) { // null while the deployment is not served: its next load reads them
      limiter.change(ceiling.lowered(next.limits()));
    }
    swap.run();
  }

  /**
   * The limits {@code given}, each checked against the server's ceiling; null gives none.
   *
   * @throws ApiException INVALID_ARGUMENT for a limit out of its range
   */
  private DeploymentLimits checked(DeploymentLimits given) {
    if (given == null) {
      return DeploymentLimits.SERVER;
    }
    Double rate = given.requestsPerSecond();
    if (rate != null && !(rate >= MIN_RATE && rate <= ceiling.requestsPerSecond())) {
      throw overCeiling("requestsPerSecond", MIN_RATE, ceiling.requestsPerSecond(), rate);
    }
    if (given.burst() != null && (given.burst() < 1 || given.burst() > ceiling.burst())) {
      throw overCeiling("burst", 1, ceiling.burst(), given.burst());
    }
    Long bytes = given.maxRequestBytes();
    if (bytes != null && (bytes < 1 || bytes > ceiling.maxRequestBytes())) {
      throw overCeiling("maxRequestBytes", 1, ceiling.maxRequestBytes(), bytes);
    }
    Integer samples = given.maxRequestSamples();
    if (samples != null && (samples < 1 || samples > ceiling.maxRows())) {
      throw overCeiling("maxRequestSamples", 1, ceiling.maxRows(), samples);
    }
    return given;
  }

  private static ApiException overCeiling(String field, Number min, Number max, Number given) {
    return ApiException.invalid("limits." + field + " must be " + min + " to " + max + ", this "
        + "server's limit (a deployment may lower the server's limits, not raise them; its "
        + "operator sets them); received " + given);
  }

  /** {@code current}, with each limit {@code given} sets. */
  private static DeploymentLimits merged(DeploymentLimits current, DeploymentLimits given) {
    return new DeploymentLimits(
        given.requestsPerSecond() != null ? given.requestsPerSecond()
            : current.requestsPerSecond(),
        given.burst() != null ? given.burst() : current.burst(),
        given.maxRequestBytes() != null ? given.maxRequestBytes() : current.maxRequestBytes(),
        given.maxRequestSamples() != null ? given.maxRequestSamples()
            : current.maxRequestSamples());
  }

  /** The deployment's own limits, for its audit event. */
  private static Map<String, String> details(DeploymentLimits own) {
    Map<String, String> details = new LinkedHashMap<>();
    if (own.requestsPerSecond() != null) {
      details.put("requestsPerSecond", own.requestsPerSecond().toString());
    }
    if (own.burst() != null) {
      details.put("burst", own.burst().toString());
    }
    if (own.maxRequestBytes() != null) {
      details.put("maxRequestBytes", own.maxRequestBytes().toString());
    }
    if (own.maxRequestSamples() != null) {
      details.put("maxRequestSamples", own.maxRequestSamples().toString());
    }
    return details;
  }

  /** A new limiter with the limits of {@code r} in force. */
  private Limiter limiter(Row r) {
    return new Limiter(ceiling.lowered(r.limits()), System::nanoTime);
  }

  /** The limiter of deployment {@code r} as served, or a new one if it is not served. */
  private Limiter served(Row r) {
    return limiters.computeIfAbsent(key(r.orgId(), r.name()), k -> limiter(r));
  }

  /** Inside {@code tx}: the version is still there and stays so until the commit. */
  private void live(Handle tx, String org, ModelVersion v) {
    if (!store.lockLiveVersion(tx, org, v.id())) {
      throw ApiException.notFound("version " + v.number() + " of model '" + v.modelName()
          + "' (deleted by a concurrent request)");
    }
  }

  /**
   * Loads a version for {@code deployment}: its file decrypted in memory, opened within the
   * limits and built (a {@code .lepton} file) or opened in an ONNX Runtime session (an ONNX
   * file), with the deployment's batching and {@code limiter}.
   *
   * @throws ApiException UNPROCESSABLE, with the reason, when it does not load
   */
  private Servable load(Row deployment, String versionId, Limiter limiter) {
    DeploymentVersion v = store.version(deployment.orgId(), versionId).orElseThrow(() ->
        ApiException.notFound("model version " + versionId));
    try {
      byte[] file = registry.open(deployment.orgId(), versionId);
      Batching batching = new Batching(deployment.maxBatchSize(),
          Duration.of(deployment.maxDelayMicros(), ChronoUnit.MICROS));
      if (store.format(deployment.orgId(), versionId).equals("onnx")) {
        return Servable.onnx(deployment.orgId(), deployment.name(),
            Integer.toString(v.number()), versionId, file, batching, limiter, metrics);
      }
      return Servable.load(deployment.orgId(), deployment.name(),
          Integer.toString(v.number()), versionId, ModelArchive.open(file, limits), batching,
          limiter, metrics);
    } catch (ApiException e) {
      throw e;
    } catch (RuntimeException e) {
      LOG.warn("version {} of model {} ({}) does not load", v.number(), v.model(), versionId, e);
      throw new ApiException(ErrorCode.UNPROCESSABLE, "version " + v.number() + " of model '"
          + v.model() + "' does not load, so nothing changed (the deployment, if any, serves "
          + "what it served): " + e.getMessage() + ". Serve a version that loads.");
    }
  }

  private Row find(Principal caller, String org, String name, Role role, Scope scope,
      String action, String client) {
    tenancy.authorize(caller, org, Role.VIEWER, Scope.READ); // membership, before any lookup
    Row r = name != null && NAME.matcher(name).matches()
        ? store.byName(org, name).orElse(null) : null;
    if (r == null) {
      throw ApiException.notFound("deployment '" + shorten(String.valueOf(name)) + "'");
    }
    if (role != Role.VIEWER || scope != Scope.READ) {
      authorize(caller, org, role, scope, action, r.id(), client);
    }
    return r;
  }

  private Row reread(Row r) {
    return store.byName(r.orgId(), r.name()).orElseThrow(() -> gone(r.name()));
  }

  private Row routed(Row r, String primary, String canary, int percent,
      DeploymentLimits own) {
    return new Row(r.id(), r.orgId(), r.name(), primary, canary, percent, r.maxBatchSize(),
        r.maxDelayMicros(), r.createdBy(), r.createdAt(), now(), own);
  }

  private Deployment wire(Row r) {
    ServingLimits in = ceiling.lowered(r.limits());
    return new Deployment(r.id(), r.name(), version(r, r.primaryVersionId()),
        r.canaryVersionId() == null ? null : version(r, r.canaryVersionId()), r.canaryPercent(),
        r.maxBatchSize(), r.maxDelayMicros(), r.createdBy(), r.createdAt(), r.updatedAt(),
        new DeploymentLimits(in.requestsPerSecond(), in.burst(), in.maxRequestBytes(),
            in.maxRows()));
  }

  private DeploymentVersion version(Row r, String versionId) {
    return store.version(r.orgId(), versionId).orElseThrow(() -> new IllegalStateException(
        "deployment " + r.id() + " serves version " + versionId + ", which is not in the "
            + "registry"));
  }

  private Object turn(String org, String name) {
    return turns.computeIfAbsent(key(org, name), k -> new Object());
  }

  private static String key(String org, String name) {
    return org + "\n" + name;
  }

  private void authorize(Principal caller, String org, Role role, Scope scope, String action,
      String id, String client) {
    try {
      tenancy.authorize(caller, org, role, scope);
    } catch (ApiException e) {
      if (action != null && e.code() == ErrorCode.PERMISSION_DENIED) {
        try {
          audit.appendCommitted(new AuditEntry(org, caller.userId(), action, "deployment", id,
              client, Outcome.DENIED, Map.of("code", e.code().name())));
        } catch (RuntimeException failed) {
          LOG.error("cannot record the refused {} in organization {}", action, org, failed);
        }
      }
      throw e;
    }
  }

  private void record(Handle h, String userId, String org, String action, String id,
      String client, Map<String, String> details) {
    audit.append(h, new AuditEntry(org, userId, action, "deployment", id, client,
        Outcome.SUCCESS, details));
  }

  private static String name(String name) {
    String n = name == null ? "" : name.strip();
    if (!NAME.matcher(n).matches()) {
      throw ApiException.invalid("a deployment name must be 1-100 letters, digits, '.', '_' or"
          + " '-', starting with a letter or digit; received '" + shorten(n) + "'");
    }
    return n;
  }

  private static String reference(String field, String ref) {
    if (ref == null || ref.isBlank()) {
      throw ApiException.invalid(field + " names the version to serve, as MODEL@NUMBER, "
          + "MODEL@ALIAS or MODEL (its newest version); it is missing");
    }
    return ref.strip();
  }

  private static ApiException taken(String name) {
    return new ApiException(ErrorCode.CONFLICT, "a deployment named '" + name + "' exists "
        + "already in this organization; update it, or choose another name");
  }

  private static ApiException gone(String name) {
    return ApiException.notFound("deployment '" + name + "' (deleted by a concurrent request)");
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static String shorten(String s) {
    StringBuilder b = new StringBuilder();
    s.codePoints().limit(100).forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?'
        : c));
    return b.toString();
  }
}
