package ai.lepton.server.registry;

import ai.lepton.api.AuditEvent.Outcome;
import ai.lepton.api.CreateModel;
import ai.lepton.api.ErrorCode;
import ai.lepton.api.EvaluationReport;
import ai.lepton.api.ModelLineage;
import ai.lepton.api.ModelSignature;
import ai.lepton.api.ModelVersion;
import ai.lepton.api.RegisteredModel;
import ai.lepton.api.ValueCount;
import ai.lepton.server.audit.AuditEntry;
import ai.lepton.server.audit.AuditLog;
import ai.lepton.server.blobs.BlobKeys;
import ai.lepton.server.blobs.StoredBlob;
import ai.lepton.server.crypto.EncryptedBlobStore;
import ai.lepton.server.db.Database;
import ai.lepton.server.http.ApiException;
import ai.lepton.server.http.LimitedBody;
import ai.lepton.server.http.Json;
import ai.lepton.server.registry.ModelStore.ModelRow;
import ai.lepton.server.registry.ModelStore.VersionRow;
import ai.lepton.server.tenancy.Principal;
import ai.lepton.server.tenancy.Role;
import ai.lepton.server.tenancy.Scope;
import ai.lepton.server.tenancy.TenancyService;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model registry: registered models, their immutable versions, aliases and tags; the rules
 * and the transitions. Every action over HTTP first checks the caller's role in the organization
 * through {@link TenancyService} (viewers read, members upload, alias and tag, admins delete;
 * another organization's model, or a missing one, answers NOT_FOUND), then acts, and records it
 * in the audit log in the same transaction.
 *
 * <p>A new version is all-or-nothing: its file is streamed into a new encrypted blob (counted
 * against {@code maxModelBytes} and hashed on the way: no plaintext reaches the disk), checked
 * against the hash the client declared, read back decrypted into memory (one file at a time, so
 * memory stays bounded) and validated ({@link ModelFiles}), and only then recorded with its audit
 * event in one transaction; a refusal deletes the blob, and records a FAILED event saying why.
 *
 * <p>Other parts of the platform call three methods, which take no caller (they authorize their
 * own requests): {@link #publish} (a training run registers its model), {@link #resolve} (a
 * reference such as {@code fraud@production} to a version) and {@link #open} (a version's file,
 * decrypted in memory, to serve it). See {@code docs/registry.md}.
 */
public final class RegistryService {
  /** Where model blobs live in an organization's blob space. */
  static final String BLOB_PREFIX = "models/";
  static final int MAX_DESCRIPTION = 2000;
  static final int MAX_TAG_VALUE = 500;
  static final int MAX_METRICS = 100;
  static final int MAX_METRICS_JSON = 64 * 1024;
  /** The most bytes asked of the decrypting stream in one read. */
  static final int READ_CHUNK = 1 << 20;
  static final String CREATE = "model.create";
  static final String UPLOAD = "model.upload";
  static final String PUBLISH = "model.publish";
  static final String DOWNLOAD = "model.download";
  static final String ALIAS = "model.alias.set";
  static final String UNALIAS = "model.alias.delete";
  static final String TAG = "model.tag.set";
  static final String UNTAG = "model.tag.delete";
  static final String DELETE_VERSION = "model.version.delete";
  static final String DELETE = "model.delete";

  private static final Logger LOG = LoggerFactory.getLogger(RegistryService.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  private static final Pattern ALIAS_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9._-]{0,99}");
  private static final Pattern TAG_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,99}");
  private static final Pattern NUMBER = Pattern.compile("[1-9][0-9]{0,8}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final ObjectMapper JSON = Json.mapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
  private static final TypeReference<Map<String, Double>> METRICS = new TypeReference<>() {};

  private final Jdbi jdbi;
  private final ModelStore store;
  private final EncryptedBlobStore blobs;
  private final AuditLog audit;
  private final TenancyService tenancy;
  private final Clock clock;
  private final ModelFiles files;
  private final VersionGuard guard;
  private final long maxModelBytes;
  /** One file in memory at a time: a model file may take a good part of the heap. */
  private final Semaphore inMemory = new Semaphore(1, true);

  RegistryService(Jdbi jdbi, ModelStore store, EncryptedBlobStore blobs, AuditLog audit,
      TenancyService tenancy, Clock clock, ModelFiles files, VersionGuard guard,
      long maxModelBytes) {
    this.jdbi = jdbi;
    this.store = store;
    this.blobs = blobs;
    this.audit = audit;
    this.tenancy = tenancy;
    this.clock = clock;
    this.files = files;
    this.guard = guard;
    this.maxModelBytes = maxModelBytes;
  }

  /**
   * The registry over {@code database}, storing files in {@code blobs}, refusing files over
   * {@code maxModelBytes}, and asking {@code guard} before it deletes a version. ONNX validation
   * makes an empty directory under {@code tmp} for its duration (no file is written there).
   *
   * @throws IllegalArgumentException for a limit below 1 or over 2 GiB - 64 bytes (a file is
   *     validated in one array)
   */
  public static RegistryService create(Database database, EncryptedBlobStore blobs,
      AuditLog audit, TenancyService tenancy, Clock clock, java.nio.file.Path tmp,
      long maxModelBytes, VersionGuard guard) {
    if (maxModelBytes < 1 || maxModelBytes > Integer.MAX_VALUE - 64) {
      throw new IllegalArgumentException("maxModelBytes must be 1 to " + (Integer.MAX_VALUE - 64)
          + " (a model file is validated in memory), received " + maxModelBytes);
    }
    if (Runtime.getRuntime().maxMemory() < 2 * maxModelBytes) {
      LOG.warn("the heap ({} bytes) is less than twice the model file limit ({} bytes): a large "
          + "push may be refused for memory; give the server -Xmx{}m or more, or lower "
          + "--max-model-bytes", Runtime.getRuntime().maxMemory(), maxModelBytes,
          (2 * maxModelBytes >> 20) + 256);
    }
    return new RegistryService(database.jdbi(), new JdbiModelStore(database.jdbi()), blobs,
        audit, tenancy, clock, new ModelFiles(maxModelBytes, tmp), guard, maxModelBytes);
  }

  // ---------------------------------------------------------------- models

  /**
   * Registers an empty model.
   *
   * @throws ApiException NOT_FOUND for an organization the caller cannot see; PERMISSION_DENIED
   *     below member or a write scope (recorded as DENIED); INVALID_ARGUMENT for a bad name or
   *     description; CONFLICT when the name is taken
   */
  RegisteredModel create(Principal caller, String org, CreateModel request, String client) {
    authorize(caller, org, Role.MEMBER, Scope.WRITE, CREATE, null, client);
    String name = name(request.name() == null ? "" : request.name().strip());
    String description = description(request.description());
    if (store.modelByName(org, name).isPresent()) {
      throw taken(name);
    }
    ModelRow row = newModel(org, name, description, caller.userId());
    try {
      jdbi.useTransaction(h -> insertModel(h, row, client));
    } catch (UnableToExecuteStatementException e) {
      if (duplicate(e)) {
        throw taken(name); // registered by a concurrent request since the check above
      }
      throw e;
    }
    return wire(row, 0, Map.of());
  }

  private ModelRow newModel(String org, String name, String description, String userId) {
    return new ModelRow("rm_" + BlobKeys.randomSegment(), org, name, description, userId,
        now());
  }

  private void insertModel(Handle h, ModelRow row, String client) {
    store.insertModel(h, row);
    record(h, row.createdBy(), row.orgId(), CREATE, row.id(), client, Outcome.SUCCESS,
        Map.of("name", row.name()));
  }

  private static boolean duplicate(UnableToExecuteStatementException e) {
    return e.getCause() instanceof SQLException s && "23505".equals(s.getSQLState());
  }

  private static String name(String name) {
    if (!NAME.matcher(name).matches()) {
      throw ApiException.invalid("a model name must be 1-100 letters, digits, '.', '_' or '-', "
          + "starting with a letter or digit; received '" + shorten(name) + "'");
    }
    return name;
  }

  private static ApiException taken(String name) {
    return new ApiException(ErrorCode.CONFLICT, "a model named '" + name + "' exists already "
        + "in this organization; choose another name, or push a new version to it");
  }

  private static String description(String value) {
    if (value == null) {
      return "";
    }
    if (value.length() > MAX_DESCRIPTION) {
      throw ApiException.invalid("description is too long: at most " + MAX_DESCRIPTION
          + " characters, received " + value.length());
    }
    checkText("description", value);
    return value;
  }

  private static void checkText(String what, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((Character.isISOControl(c) && c != '\n' && c != '\t') || Character.isSurrogate(c)) {
        throw ApiException.invalid(what + " must not contain control characters other than "
            + "newlines and tabs, nor unpaired surrogates (found U+"
            + String.format("%04X", (int) c) + " at index " + i + ")");
      }
    }
  }

  /** The organization's models by name. @throws ApiException NOT_FOUND, PERMISSION_DENIED */
  List<RegisteredModel> models(Principal caller, String org) {
    authorize(caller, org, Role.VIEWER, Scope.READ, null, null, null);
    Map<String, Integer> latest = store.latestVersions(org);
    return store.models(org).stream().map(m -> wire(m, latest.getOrDefault(m.id(), 0),
        store.aliases(org, m.id()))).toList();
  }

  /** @throws ApiException NOT_FOUND unless the caller can read the model */
  RegisteredModel model(Principal caller, String org, String name) {
    ModelRow m = access(caller, org, name, Role.VIEWER, Scope.READ, null, null);
    return wire(m, store.latestVersions(org).getOrDefault(m.id(), 0), store.aliases(org,
        m.id()));
  }

  private static RegisteredModel wire(ModelRow m, int latest, Map<String, Integer> aliases) {
    return new RegisteredModel(m.id(), m.orgId(), m.name(), m.description(), m.createdBy(),
        m.createdAt(), latest, aliases);
  }

  // ---------------------------------------------------------------- new versions

  /** What a client declares with an upload, as the query or headers carry it. */
  record Declared(String format, String metricsJson, String sha256) {}

  /**
   * Uploads a new version of the model {@code name} (registering the model first when it does
   * not exist): authorizes, checks the declarations, has {@code body} stream the file into a new
   * encrypted blob, validates it and records it, all or nothing.
   *
   * @param declaredLength the request's Content-Length, or -1: over the limit, nothing is read
   * @param body opens the request's body (called once the caller is authorized and the
   *     declarations are valid, so that a refused request never invites its body)
   * @throws ApiException NOT_FOUND or PERMISSION_DENIED (recorded as DENIED) before anything is
   *     read; then, each recorded as FAILED with its reason: INVALID_ARGUMENT for bad
   *     declarations or a body that ends early, PAYLOAD_TOO_LARGE over the limit or a limit of
   *     the model format, UNPROCESSABLE for a file that is not a valid model of its format or
   *     does not match the declared SHA-256
   */
  ModelVersion upload(Principal caller, String org, String name, String client,
      Declared declared, long declaredLength, Supplier<InputStream> body) {
    authorize(caller, org, Role.MEMBER, Scope.WRITE, UPLOAD, null, client);
    String key = BLOB_PREFIX + BlobKeys.randomSegment();
    boolean recorded = false;
    try {
      String model = name(name);
      String format = format(declared.format());
      String metrics = metrics(declared.metricsJson());
      String sha256 = sha256(declared.sha256());
      if (declaredLength > maxModelBytes) {
        throw tooLarge(declaredLength + " bytes");
      }
      StoredBlob blob = receive(org, key, body.get());
      if (sha256 != null && !sha256.equals(blob.sha256())) {
        throw new ApiException(ErrorCode.UNPROCESSABLE, "the file arrived with SHA-256 "
            + blob.sha256() + " but the upload declared " + sha256 + ": it changed or was "
            + "cut on its way; send it again");
      }
      ModelFiles.Inspection inspection = inMemory(() -> files.inspect(format,
          decrypted(org, blob)));
      ModelVersion version = record(caller.userId(), org, model, client, format, blob,
          inspection, metrics, null, null, UPLOAD);
      recorded = true;
      return version;
    } catch (ApiException e) {
      if (e.code().httpStatus() < 500) {
        refused(caller.userId(), org, UPLOAD, null, client, Outcome.FAILED, e,
            Map.of("model", shorten(String.valueOf(name))));
      }
      throw e;
    } finally {
      if (!recorded) {
        deleteBlob(org, key);
      }
    }
  }

  /**
   * Registers {@code lepton}, the bytes of a {@code .lepton} file a training run made, as a new
   * version of the model {@code modelName} (registering the model when it does not exist), with
   * the run's lineage, metrics and evaluation report; all or nothing, like an upload, audited as
   * {@code model.publish} by {@code source.userId()}. It does not check the user's role: the
   * caller (the job system) authorized the run when it was submitted.
   *
   * @throws ApiException INVALID_ARGUMENT for a bad name, metrics or lineage (a parent
   *     version that is not one of the organization's); PAYLOAD_TOO_LARGE over the server's
   *     limits; UNPROCESSABLE for a file that is not a valid {@code .lepton} model
   */
  public ModelVersion publish(String org, String modelName, byte[] lepton, RunSource source) {
    String key = BLOB_PREFIX + BlobKeys.randomSegment();
    boolean recorded = false;
    try {
      String model = name(modelName);
      String metrics = json(source.metrics() == null ? Map.of() : new TreeMap<>(
          checkMetrics(source.metrics())));
      String report = source.evaluationReport() == null ? null
          : json(source.evaluationReport());
      if (source.parentVersionId() != null && store.version(org, source.parentVersionId())
          .isEmpty()) {
        throw ApiException.invalid("the parent version " + shorten(source.parentVersionId())
            + " is not a model version of this organization");
      }
      if (lepton.length > maxModelBytes) {
        throw tooLarge(lepton.length + " bytes");
      }
      StoredBlob blob = blobs.put(org, key, new ByteArrayInputStream(lepton), maxModelBytes);
      ModelFiles.Inspection inspection = inMemory(() -> files.inspect("lepton", lepton));
      ModelVersion version = record(source.userId(), org, model, null, "lepton", blob,
          inspection, metrics, report, source, PUBLISH);
      recorded = true;
      return version;
    } finally {
      if (!recorded) {
        deleteBlob(org, key);
      }
    }
  }

  private static String format(String format) {
    if (format == null || !ModelFiles.FORMATS.contains(format)) {
      throw ApiException.invalid("format must be one of " + ModelFiles.FORMATS + " (a .lepton "
          + "file or an ONNX model); received " + (format == null ? "none"
              : "'" + shorten(format) + "'"));
    }
    return format;
  }

  /** The metrics as stored JSON ({@code {}} for none). */
  private static String metrics(String json) {
    if (json == null || json.isBlank()) {
      return "{}";
    }
    if (json.length() > MAX_METRICS_JSON) {
      throw ApiException.invalid("metrics are longer than " + MAX_METRICS_JSON + " characters");
    }
    Map<String, Double> metrics;
    try {
      metrics = JSON.readValue(json, METRICS);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw ApiException.invalid("metrics must be a JSON object of names to numbers, such as "
          + "{\"accuracy\": 0.91}; received '" + shorten(json) + "'");
    }
    return json(new TreeMap<>(checkMetrics(metrics)));
  }

  private static Map<String, Double> checkMetrics(Map<String, Double> metrics) {
    if (metrics.size() > MAX_METRICS) {
      throw ApiException.invalid("at most " + MAX_METRICS + " metrics, received "
          + metrics.size());
    }
    metrics.forEach((k, v) -> {
      if (k == null || !TAG_KEY.matcher(k).matches()) {
        throw ApiException.invalid("a metric name must be 1-100 letters, digits, '.', '_', "
            + "'-' or ':'; received '" + shorten(String.valueOf(k)) + "'");
      }
      if (v == null || !Double.isFinite(v)) {
        throw ApiException.invalid("metric '" + k + "' must be a finite number; received "
            + v);
      }
    });
    return metrics;
  }

  private static String sha256(String declared) {
    if (declared == null || declared.isBlank()) {
      return null;
    }
    String lower = declared.strip().toLowerCase(java.util.Locale.ROOT);
    if (!SHA256.matcher(lower).matches()) {
      throw ApiException.invalid("sha256 must be 64 hex digits (the file's SHA-256); received '"
          + shorten(declared) + "'");
    }
    return lower;
  }

  private ApiException tooLarge(String received) {
    return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "the model file is larger than "
        + maxModelBytes + " bytes, the most this server accepts (its --max-model-bytes); "
        + "received " + received + ": ask the operator to raise the limit");
  }

  /** Streams {@code in} into the blob {@code key}, refusing a byte over the limit. */
  private StoredBlob receive(String org, String key, InputStream in) {
    LimitedBody body = new LimitedBody(in, maxModelBytes, this::tooLarge);
    try {
      return blobs.put(org, key, body, maxModelBytes);
    } catch (RuntimeException e) {
      // the client's fault, if it was one, whatever the blob store made of it
      throw body.refusal() != null ? body.refusal() : e;
    }
  }

  /**
   * The blob's plaintext, decrypted into one array of its recorded size, read in place and in
   * chunks of {@link #READ_CHUNK}: {@code readNBytes(int)} gathers chunks and copies them (the
   * file twice in the heap), and one read asking for the whole file has Tink's decrypter buffer
   * all the ciphertext it reads while it may still rewind (a third copy), which ran a 256 MiB
   * file out of a 1 GiB heap.
   */
  private byte[] decrypted(String org, StoredBlob blob) {
    byte[] bytes = new byte[(int) blob.size()];
    try (InputStream in = blobs.open(org, blob.key())) {
      int n = 0;
      for (int r = 0; n < bytes.length && r >= 0; n += Math.max(r, 0)) {
        r = in.read(bytes, n, Math.min(READ_CHUNK, bytes.length - n));
      }
      if (n != bytes.length || in.read() != -1) {
        throw new IllegalStateException("model blob " + blob.key() + " of organization " + org
            + " does not hold the " + bytes.length + " bytes recorded for it");
      }
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read back the model blob " + blob.key(), e);
    }
  }

  /** Runs {@code work}, which holds a model file in memory, once no other does. */
  private <T> T inMemory(Supplier<T> work) {
    try {
      inMemory.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(ErrorCode.UNAVAILABLE, "the server is stopping; send the request "
          + "again once it is back");
    }
    try {
      return work.get();
    } catch (OutOfMemoryError e) {
      // the file's one large array (or the reads after it) did not fit: nothing was recorded,
      // and the array is garbage once this returns
      LOG.warn("a model file did not fit in the heap ({} bytes at most); give the server more "
          + "(-Xmx) or lower --max-model-bytes", Runtime.getRuntime().maxMemory(), e);
      throw new ApiException(ErrorCode.UNAVAILABLE, "the server has not enough memory to "
          + "validate this model file now (it is validated in memory); try again later, or "
          + "ask the operator to give the server a larger heap (-Xmx) than twice its "
          + "--max-model-bytes");
    } finally {
      inMemory.release();
    }
  }

  /**
   * Records a stored, validated blob as the next version of the model {@code name} (registered
   * first when missing), with its audit event, in one transaction.
   */
  private ModelVersion record(String userId, String org, String name, String client,
      String format, StoredBlob blob, ModelFiles.Inspection inspection, String metricsJson,
      String reportJson, RunSource run, String action) {
    Instant now = now();
    VersionRow row;
    ModelRow model;
    try {
      Object[] made = jdbi.inTransaction(h -> {
        ModelRow m = store.modelByName(org, name).orElse(null);
        if (m == null) {
          m = newModel(org, name, "", userId);
          insertModel(h, m, client);
        }
        if (!store.lockModel(h, org, m.id())) {
          throw ApiException.notFound("model '" + name + "' (it was deleted while this "
              + "version was stored)");
        }
        VersionRow v = new VersionRow("mv_" + BlobKeys.randomSegment(), org, m.id(),
            store.nextVersionNumber(h, org, m.id()), format, blob.key(), blob.size(),
            blob.sha256(), json(inspection.signature()), inspection.hasPreprocessing(),
            metricsJson, reportJson, run == null ? "upload" : "run",
            run == null ? null : run.runId(), run == null ? null : run.jobId(),
            run == null ? null : run.datasetVersionId(),
            json(run == null || run.parameters() == null ? Map.of() : run.parameters()),
            run == null ? null : run.parentVersionId(), userId, now, null, null);
        store.insertVersion(h, v);
        Map<String, String> details = new LinkedHashMap<>();
        details.put("version", v.id());
        details.put("number", Integer.toString(v.number()));
        details.put("format", format);
        details.put("bytes", Long.toString(v.sizeBytes()));
        details.put("sha256", v.sha256());
        if (run != null && run.runId() != null) {
          details.put("run", shorten(run.runId()));
        }
        record(h, userId, org, action, m.id(), client, Outcome.SUCCESS, details);
        return new Object[] {m, v};
      });
      model = (ModelRow) made[0];
      row = (VersionRow) made[1];
    } catch (UnableToExecuteStatementException e) {
      if (duplicate(e)) {
        // two first versions of a new model at once: the other registered it; try again
        return record(userId, org, name, client, format, blob, inspection, metricsJson,
            reportJson, run, action);
      }
      throw e;
    }
    return wire(model, row, Map.of(), Map.of());
  }

  // ---------------------------------------------------------------- versions

  /** The model's versions, oldest first. @throws ApiException NOT_FOUND as {@link #model} */
  List<ModelVersion> versions(Principal caller, String org, String name) {
    ModelRow m = access(caller, org, name, Role.VIEWER, Scope.READ, null, null);
    Map<String, List<String>> aliases = aliasesByVersion(store.aliases(org, m.id()));
    return store.versions(org, m.id()).stream().map(v -> wire(m, v,
        aliases, store.tags(org, v.id()))).toList();
  }

  /**
   * The version {@code ref} (a number, or an alias) of the model, or its tombstone.
   *
   * @throws ApiException NOT_FOUND for a model, version or alias the caller cannot see
   */
  ModelVersion version(Principal caller, String org, String name, String ref) {
    ModelRow m = access(caller, org, name, Role.VIEWER, Scope.READ, null, null);
    return wire(m, versionRow(org, m, ref));
  }

  private ModelVersion wire(ModelRow m, VersionRow v) {
    return wire(m, v, aliasesByVersion(store.aliases(m.orgId(), m.id())),
        store.tags(m.orgId(), v.id()));
  }

  /** The version {@code ref} names: a number, or an alias. */
  private VersionRow versionRow(String org, ModelRow m, String ref) {
    if (ref != null && NUMBER.matcher(ref).matches()) {
      return store.version(org, m.id(), Integer.parseInt(ref)).orElseThrow(() ->
          ApiException.notFound("version " + ref + " of model '" + m.name() + "'"));
    }
    if (ref == null || !ALIAS_NAME.matcher(ref).matches()) {
      throw ApiException.invalid("a version is a number (3) or an alias (production); "
          + "received '" + shorten(String.valueOf(ref)) + "'");
    }
    Integer number = store.aliases(org, m.id()).get(ref);
    if (number == null) {
      throw ApiException.notFound("alias '" + ref + "' of model '" + m.name() + "' (list the "
          + "model's aliases with GET .../models/" + m.name() + ")");
    }
    return store.version(org, m.id(), number).orElseThrow(() ->
        ApiException.notFound("version " + number + " of model '" + m.name() + "'"));
  }

  private VersionRow liveVersionRow(String org, ModelRow m, String ref) {
    VersionRow v = versionRow(org, m, ref);
    if (v.deleted()) {
      throw deleted(m, v);
    }
    return v;
  }

  private static ApiException deleted(ModelRow m, VersionRow v) {
    return ApiException.notFound("version " + v.number() + " of model '" + m.name() + "' (it "
        + "was deleted at " + v.deletedAt().truncatedTo(ChronoUnit.SECONDS) + "; its file is "
        + "gone, its lineage stays: list the versions to see the others)");
  }

  private static Map<String, List<String>> aliasesByVersion(Map<String, Integer> aliases) {
    Map<String, List<String>> byNumber = new TreeMap<>();
    aliases.forEach((alias, number) -> byNumber.computeIfAbsent(Integer.toString(number),
        k -> new ArrayList<>()).add(alias));
    return byNumber;
  }

  private static ModelVersion wire(ModelRow m, VersionRow v, Map<String, List<String>> aliases,
      Map<String, String> tags) {
    return new ModelVersion(v.id(), m.id(), m.name(), v.number(), v.format(), v.sizeBytes(),
        v.sha256(), v.deleted() ? null : read(v.signatureJson(), ModelSignature.class),
        v.hasPreprocessing(), read(v.metricsJson(), METRICS),
        v.evaluationJson() == null ? null : read(v.evaluationJson(), EvaluationReport.class),
        new ModelLineage(v.source(), v.runId(), v.jobId(), v.datasetVersionId(),
            read(v.parametersJson(), MAP), v.parentVersionId()),
        List.copyOf(aliases.getOrDefault(Integer.toString(v.number()), List.of())),
        Map.copyOf(tags), v.createdBy(), v.createdAt(), v.deletedAt());
  }

  // ---------------------------------------------------------------- for other parts

  /**
   * The version a reference names: {@code name@3} (a number), {@code name@production} (an alias)
   * or {@code name} (the newest version that is not deleted).
   *
   * @throws ApiException INVALID_ARGUMENT for a malformed reference; NOT_FOUND for a missing
   *     model, version or alias, or a deleted version
   */
  public ModelVersion resolve(String org, String ref) {
    String text = ref == null ? "" : ref;
    int at = text.indexOf('@');
    String name = at < 0 ? text : text.substring(0, at);
    ModelRow m = store.modelByName(org, name(name)).orElseThrow(() ->
        ApiException.notFound("model '" + name + "'"));
    if (at >= 0) {
      return wire(m, liveVersionRow(org, m, text.substring(at + 1)));
    }
    Integer latest = store.latestVersions(org).get(m.id());
    if (latest == null) {
      throw ApiException.notFound("a version of model '" + name + "' (it has none that is not "
          + "deleted; push one)");
    }
    return wire(m, liveVersionRow(org, m, latest.toString()));
  }

  /**
   * The lineage of the organization's version {@code versionId} (monitoring finds the training
   * data by it), deleted versions included; empty for a missing one.
   */
  public Optional<ModelLineage> lineage(String org, String versionId) {
    return store.version(org, versionId).map(v -> new ModelLineage(v.source(), v.runId(),
        v.jobId(), v.datasetVersionId(), read(v.parametersJson(), MAP),
        v.parentVersionId()));
  }

  /**
   * The classes of the organization's version {@code versionId} with their counts in its
   * evaluation report's held-out split, by the names the model predicts, deleted versions
   * included; empty for a missing version, one without a report, or a regression.
   */
  public List<ValueCount> heldOutClasses(String org, String versionId) {
    return store.version(org, versionId).map(VersionRow::evaluationJson)
        .map(json -> read(json, EvaluationReport.class))
        .map(r -> r.perClass().stream().map(c -> new ValueCount(c.name(), c.support())).toList())
        .orElse(List.of());
  }

  /**
   * The file of the organization's version {@code versionId}, decrypted into memory and checked
   * against its recorded size and SHA-256 (to build a model or an ONNX session from).
   *
   * @throws ApiException NOT_FOUND for a missing or deleted version
   * @throws IllegalStateException if the stored file does not match its hash
   */
  public byte[] open(String org, String versionId) {
    VersionRow v = store.version(org, versionId).filter(r -> !r.deleted()).orElseThrow(() ->
        ApiException.notFound("model version " + shorten(String.valueOf(versionId))));
    byte[] bytes = decrypted(org, new StoredBlob(v.blobKey(), v.sizeBytes(), v.sha256()));
    if (!v.sha256().equals(sha256(bytes))) {
      throw new IllegalStateException("model version " + v.id() + " of organization " + org
          + " does not match its recorded size and SHA-256: its blob " + v.blobKey()
          + " was replaced");
    }
    return bytes;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  // ---------------------------------------------------------------- downloads

  /** A version's file as it is downloaded; the caller closes {@code stream}. */
  record Content(String fileName, long size, String sha256, InputStream stream) {}

  /**
   * Opens a version's file for download; an audited read, recorded before a byte is sent.
   *
   * @throws ApiException NOT_FOUND as {@link #version}, and for a deleted version
   */
  Content content(Principal caller, String org, String name, String ref, String client) {
    ModelRow m = access(caller, org, name, Role.VIEWER, Scope.READ, null, null);
    VersionRow v = liveVersionRow(org, m, ref);
    InputStream in = blobs.open(org, v.blobKey());
    try {
      audit.appendCommitted(new AuditEntry(org, caller.userId(), DOWNLOAD, "model", m.id(),
          client, Outcome.SUCCESS, Map.of("version", v.id(), "number",
              Integer.toString(v.number()), "bytes", Long.toString(v.sizeBytes()), "sha256",
              v.sha256())));
    } catch (RuntimeException e) {
      try {
        in.close();
      } catch (IOException c) {
        e.addSuppressed(c);
      }
      throw e;
    }
    return new Content(m.name() + "-" + v.number() + ("onnx".equals(v.format()) ? ".onnx"
        : ".lepton"), v.sizeBytes(), v.sha256(), in);
  }

  // ---------------------------------------------------------------- aliases and tags

  /**
   * Points {@code alias} at version {@code number} of the model, creating or moving it.
   *
   * @throws ApiException NOT_FOUND for the model or version (or a deleted version);
   *     INVALID_ARGUMENT for a bad alias; PERMISSION_DENIED below member (recorded as DENIED)
   */
  ModelVersion setAlias(Principal caller, String org, String name, String alias, int number,
      String client) {
    ModelRow m = access(caller, org, name, Role.MEMBER, Scope.WRITE, ALIAS, client);
    String a = alias(alias);
    VersionRow v = liveVersionRow(org, m, Integer.toString(number));
    jdbi.useTransaction(h -> {
      lock(h, m);
      if (store.version(org, v.id()).map(VersionRow::deleted).orElse(true)) {
        throw deleted(m, store.version(org, v.id()).orElse(v)); // by a concurrent request
      }
      Integer before = store.aliases(org, m.id()).get(a);
      store.setAlias(h, org, m.id(), a, v.id(), caller.userId(), now());
      Map<String, String> details = new LinkedHashMap<>();
      details.put("alias", a);
      details.put("version", v.id());
      details.put("number", Integer.toString(v.number()));
      if (before != null) {
        details.put("previousNumber", before.toString());
      }
      record(h, caller.userId(), org, ALIAS, m.id(), client, Outcome.SUCCESS, details);
    });
    return wire(m, v);
  }

  /**
   * Removes {@code alias} from the model.
   *
   * @throws ApiException NOT_FOUND for the model or alias; PERMISSION_DENIED below member
   */
  void deleteAlias(Principal caller, String org, String name, String alias, String client) {
    ModelRow m = access(caller, org, name, Role.MEMBER, Scope.WRITE, UNALIAS, client);
    String a = alias(alias);
    jdbi.useTransaction(h -> {
      lock(h, m);
      if (!store.deleteAlias(h, org, m.id(), a)) {
        throw ApiException.notFound("alias '" + a + "' of model '" + m.name() + "'");
      }
      record(h, caller.userId(), org, UNALIAS, m.id(), client, Outcome.SUCCESS,
          Map.of("alias", a));
    });
  }

  private static String alias(String alias) {
    if (alias == null || !ALIAS_NAME.matcher(alias).matches()) {
      throw ApiException.invalid("an alias is 1-100 letters, digits, '.', '_' or '-', starting "
          + "with a letter (production, staging, champion); received '"
          + shorten(String.valueOf(alias)) + "'");
    }
    return alias;
  }

  /**
   * Sets the tag {@code key} of version {@code ref} to {@code value}.
   *
   * @throws ApiException NOT_FOUND for the model or version (or a deleted version);
   *     INVALID_ARGUMENT for a bad key or value; PERMISSION_DENIED below member
   */
  ModelVersion setTag(Principal caller, String org, String name, String ref, String key,
      String value, String client) {
    ModelRow m = access(caller, org, name, Role.MEMBER, Scope.WRITE, TAG, client);
    String k = tagKey(key);
    if (value == null || value.length() > MAX_TAG_VALUE) {
      throw ApiException.invalid("a tag's value is a string of at most " + MAX_TAG_VALUE
          + " characters; received " + (value == null ? "none" : value.length()
              + " characters"));
    }
    checkText("a tag's value", value);
    VersionRow v = liveVersionRow(org, m, ref);
    jdbi.useTransaction(h -> {
      lock(h, m);
      if (store.version(org, v.id()).map(VersionRow::deleted).orElse(true)) {
        throw deleted(m, store.version(org, v.id()).orElse(v));
      }
      store.setTag(h, org, v.id(), k, value);
      record(h, caller.userId(), org, TAG, m.id(), client, Outcome.SUCCESS, Map.of("version",
          v.id(), "number", Integer.toString(v.number()), "key", k, "value", value));
    });
    return wire(m, v);
  }

  /** Removes the tag {@code key} of version {@code ref}. @throws ApiException as setTag */
  void deleteTag(Principal caller, String org, String name, String ref, String key,
      String client) {
    ModelRow m = access(caller, org, name, Role.MEMBER, Scope.WRITE, UNTAG, client);
    String k = tagKey(key);
    VersionRow v = versionRow(org, m, ref);
    jdbi.useTransaction(h -> {
      lock(h, m);
      if (!store.deleteTag(h, org, v.id(), k)) {
        throw ApiException.notFound("tag '" + k + "' of version " + v.number() + " of model '"
            + m.name() + "'");
      }
      record(h, caller.userId(), org, UNTAG, m.id(), client, Outcome.SUCCESS, Map.of(
          "version", v.id(), "number", Integer.toString(v.number()), "key", k));
    });
  }

  private static String tagKey(String key) {
    if (key == null || !TAG_KEY.matcher(key).matches()) {
      throw ApiException.invalid("a tag key is 1-100 letters, digits, '.', '_', '-' or ':', "
          + "starting with a letter or digit; received '" + shorten(String.valueOf(key))
          + "'");
    }
    return key;
  }

  private void lock(Handle h, ModelRow m) {
    if (!store.lockModel(h, m.orgId(), m.id())) {
      throw ApiException.notFound("model '" + m.name() + "'"); // deleted meanwhile
    }
  }

  // ---------------------------------------------------------------- deletions

  /**
   * Deletes version {@code number}: its row becomes a tombstone (its number is never given
   * again), its aliases and tags go, and once that is committed its blob is deleted.
   *
   * @throws ApiException NOT_FOUND for the model or version, or a version deleted already;
   *     CONFLICT when a deployment serves it; PERMISSION_DENIED below admin
   */
  void deleteVersion(Principal caller, String org, String name, String ref, String client) {
    ModelRow m = access(caller, org, name, Role.ADMIN, Scope.WRITE, DELETE_VERSION, client);
    if (ref == null || !NUMBER.matcher(ref).matches()) {
      throw ApiException.invalid("delete a version by its number (3), not by an alias; "
          + "received '" + shorten(String.valueOf(ref)) + "'");
    }
    VersionRow v = liveVersionRow(org, m, ref);
    try {
      jdbi.useTransaction(h -> {
        lock(h, m);
        refuseServed(m, v);
        if (!store.deleteVersion(h, org, v.id(), caller.userId(), now())) {
          throw ApiException.notFound("version " + v.number() + " of model '" + m.name()
              + "' (deleted by a concurrent request)");
        }
        record(h, caller.userId(), org, DELETE_VERSION, m.id(), client, Outcome.SUCCESS,
            Map.of("version", v.id(), "number", Integer.toString(v.number()), "sha256",
                v.sha256()));
      });
    } catch (ApiException e) {
      if (e.code() == ErrorCode.CONFLICT) {
        refused(caller.userId(), org, DELETE_VERSION, m.id(), client, Outcome.FAILED, e,
            Map.of());
      }
      throw e;
    }
    deleteBlob(org, v.blobKey());
  }

  private void refuseServed(ModelRow m, VersionRow v) {
    Optional<String> by = guard.servedBy(m.orgId(), v.id());
    if (by.isPresent()) {
      throw new ApiException(ErrorCode.CONFLICT, "version " + v.number() + " of model '"
          + m.name() + "' is served by " + by.get() + "; move that deployment to another "
          + "version (or delete it) first");
    }
  }

  /**
   * Deletes the model with all its versions, aliases and tags; once committed, the versions'
   * blobs are deleted. Its name can be taken again.
   *
   * @throws ApiException NOT_FOUND as {@link #model}; CONFLICT when a deployment serves one of
   *     its versions; PERMISSION_DENIED below admin
   */
  void delete(Principal caller, String org, String name, String client) {
    ModelRow m = access(caller, org, name, Role.ADMIN, Scope.WRITE, DELETE, client);
    List<VersionRow> versions;
    try {
      versions = jdbi.inTransaction(h -> {
        lock(h, m);
        List<VersionRow> all = store.versions(org, m.id());
        for (VersionRow v : all) {
          if (!v.deleted()) {
            refuseServed(m, v);
          }
        }
        store.deleteModel(h, org, m.id());
        record(h, caller.userId(), org, DELETE, m.id(), client, Outcome.SUCCESS, Map.of("name",
            m.name(), "versions", Long.toString(all.stream().filter(v -> !v.deleted())
                .count())));
        return all;
      });
    } catch (ApiException e) {
      if (e.code() == ErrorCode.CONFLICT) {
        refused(caller.userId(), org, DELETE, m.id(), client, Outcome.FAILED, e, Map.of());
      }
      throw e;
    }
    for (VersionRow v : versions) {
      if (!v.deleted()) {
        deleteBlob(org, v.blobKey());
      }
    }
  }

  /** Deletes a blob no version refers to; a failure is logged, and the next start retries. */
  private void deleteBlob(String org, String key) {
    try {
      blobs.delete(org, key);
    } catch (RuntimeException e) {
      LOG.error("cannot delete blob {} of organization {}, which no version refers to; the next "
          + "start deletes it", key, org, e);
    }
  }

  /**
   * Deletes every model blob that no version refers to (stored, then never recorded, by a
   * killed server; or left by a failed deletion). Called at start, before the server takes
   * requests (see {@code DatasetService.sweep}, which deletes deleted organizations' blobs).
   */
  public void sweep() {
    int orphans = 0;
    for (String org : blobs.organizations()) {
      for (String key : blobs.list(org, BLOB_PREFIX)) {
        if (!store.blobReferenced(org, key)) {
          blobs.delete(org, key);
          orphans++;
        }
      }
    }
    if (orphans > 0) {
      LOG.info("deleted {} model blobs that no version refers to (left by an interrupted upload "
          + "or a failed deletion)", orphans);
    }
  }

  // ---------------------------------------------------------------- access and audit

  /** The model {@code name}, once the caller may act on it with {@code role} and {@code scope}. */
  private ModelRow access(Principal caller, String org, String name, Role role, Scope scope,
      String action, String client) {
    tenancy.authorize(caller, org, Role.VIEWER, Scope.READ); // membership, before any lookup
    ModelRow m = name != null && NAME.matcher(name).matches()
        ? store.modelByName(org, name).orElse(null) : null;
    if (m == null) {
      throw ApiException.notFound("model '" + shorten(String.valueOf(name)) + "'");
    }
    if (role != Role.VIEWER || scope != Scope.READ) {
      authorize(caller, org, role, scope, action, m.id(), client);
    }
    return m;
  }

  private void authorize(Principal caller, String org, Role role, Scope scope, String action,
      String modelId, String client) {
    try {
      tenancy.authorize(caller, org, role, scope);
    } catch (ApiException e) {
      if (action != null && e.code() == ErrorCode.PERMISSION_DENIED) {
        refused(caller.userId(), org, action, modelId, client, Outcome.DENIED, e, Map.of());
      }
      throw e;
    }
  }

  private void record(Handle h, String userId, String org, String action, String modelId,
      String client, Outcome outcome, Map<String, String> details) {
    audit.append(h, new AuditEntry(org, userId, action, "model", modelId, client, outcome,
        details));
  }

  /** Records a refused action, with its code and reason, in a transaction of its own. */
  private void refused(String userId, String org, String action, String modelId, String client,
      Outcome outcome, ApiException why, Map<String, String> more) {
    try {
      Map<String, String> details = new LinkedHashMap<>(more);
      details.put("code", why.code().name());
      details.put("reason", shorten(String.valueOf(why.getMessage()), 1000));
      audit.appendCommitted(new AuditEntry(org, userId, action, "model", modelId, client,
          outcome, details));
    } catch (RuntimeException e) {
      LOG.error("cannot record the refused {} in organization {}", action, org, e);
    }
  }

  /** User input as it may be shown: printable, at most 100 characters. */
  static String shorten(String s) {
    return shorten(s, 100);
  }

  private static String shorten(String s, int max) {
    StringBuilder b = new StringBuilder();
    s.codePoints().limit(max).forEach(c -> b.appendCodePoint(
        Character.isISOControl(c) || Character.getType(c) == Character.SURROGATE
            || Character.getType(c) == Character.UNASSIGNED ? '?' : c));
    return s.codePointCount(0, s.length()) > max ? b + "..." : b.toString();
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw ApiException.invalid("cannot write " + value.getClass().getSimpleName()
          + " as JSON: " + e.getOriginalMessage());
    }
  }

  private static <T> T read(String json, Class<T> type) {
    try {
      return JSON.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored JSON is not a " + type.getSimpleName(), e);
    }
  }

  private static <T> T read(String json, TypeReference<T> type) {
    try {
      return JSON.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored JSON does not read back", e);
    }
  }
}
