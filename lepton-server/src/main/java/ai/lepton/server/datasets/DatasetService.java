package ai.lepton.server.datasets;

import ai.lepton.api.AuditEvent.Outcome;
import ai.lepton.api.CreateDataset;
import ai.lepton.api.Dataset;
import ai.lepton.api.DatasetFormat;
import ai.lepton.api.DatasetProfile;
import ai.lepton.api.DatasetVersion;
import ai.lepton.api.ErrorCode;
import ai.lepton.api.Lineage;
import ai.lepton.api.Recipe;
import ai.lepton.server.audit.AuditEntry;
import ai.lepton.server.audit.AuditLog;
import ai.lepton.server.blobs.BlobKeys;
import ai.lepton.server.blobs.StoredBlob;
import ai.lepton.server.crypto.EncryptedBlobStore;
import ai.lepton.server.datasets.DatasetStore.ContentRow;
import ai.lepton.server.datasets.DatasetStore.DatasetRow;
import ai.lepton.server.datasets.DatasetStore.VersionRow;
import ai.lepton.server.db.Database;
import ai.lepton.server.http.ApiException;
import ai.lepton.server.http.Json;
import ai.lepton.server.tenancy.Principal;
import ai.lepton.server.tenancy.Role;
import ai.lepton.server.tenancy.Scope;
import ai.lepton.server.tenancy.TenancyService;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Datasets and their immutable versions: the rules and the transitions. Every action first
 * resolves the caller's access through {@link TenancyService} (another organization's dataset, or
 * a missing one, answers NOT_FOUND; a role or scope that does not allow the action,
 * PERMISSION_DENIED), then acts, and records it in the audit log in the same transaction.
 *
 * <p>An upload is all-or-nothing: authorized before its body is read, streamed straight into a
 * new encrypted blob (counted against the upload limit and hashed on the way: no plaintext of it
 * reaches the disk), checked against the hash the client declared, validated and profiled by
 * {@link Profiler} from the blob (decrypted as it is read), and only then recorded, with its audit
 * event, in one transaction; a refusal or a failed transaction deletes the blob. A refused upload
 * stores nothing and records a FAILED event saying why. {@link #sweep} removes what a killed
 * server left. See {@code docs/dataset-service.md}.
 *
 * <p>Methods throw {@link ApiException}: NOT_FOUND, PERMISSION_DENIED, INVALID_ARGUMENT,
 * CONFLICT (a dataset name taken), PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE and UNPROCESSABLE as
 * their Javadoc says.
 */
public final class DatasetService {
  /**
   * How many files are profiled (other than IDX files, which stream in constant memory) or
   * derived at once. Lepton Core lets one read take up to half the heap (its heap budget), so two
   * at once could take all of it: uploads stream and store in parallel, and queue (fairly) only to
   * be read.
   */
  static final int PROFILES_AT_ONCE = 1;
  /** Where dataset blobs live in an organization's blob space. */
  static final String BLOB_PREFIX = "datasets/";
  static final int MAX_DESCRIPTION = 2000;
  static final String CREATE = "dataset.create";
  static final String UPLOAD = "dataset.upload";
  static final String DERIVE = "dataset.derive";
  static final String DOWNLOAD = "dataset.download";
  static final String PROFILE_READ = "dataset.profile.read";
  static final String DELETE = "dataset.delete";
  static final String DELETE_VERSION = "dataset.version.delete";

  private static final Logger LOG = LoggerFactory.getLogger(DatasetService.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  private static final Pattern ID = Pattern.compile("[a-z0-9_]{1,40}");
  private static final ObjectMapper JSON = Json.mapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final Jdbi jdbi;
  private final DatasetStore store;
  private final EncryptedBlobStore blobs;
  private final AuditLog audit;
  private final TenancyService tenancy;
  private final Clock clock;
  private final Profiler profiler;
  private final Recipes recipes;
  private final Path tmp;
  private final long maxUploadBytes;
  private final Semaphore profiling = new Semaphore(PROFILES_AT_ONCE, true);

  DatasetService(Database database, DatasetStore store, EncryptedBlobStore blobs, AuditLog audit,
      TenancyService tenancy, Clock clock, Profiler profiler, Path tmp, long maxUploadBytes) {
    this.jdbi = database.jdbi();
    this.store = store;
    this.blobs = blobs;
    this.audit = audit;
    this.tenancy = tenancy;
    this.clock = clock;
    this.profiler = profiler;
    this.recipes = new Recipes(profiler);
    this.tmp = tmp;
    this.maxUploadBytes = maxUploadBytes;
  }

  /**
   * The service over {@code database}, storing content in {@code blobs}, refusing uploads over
   * {@code maxUploadBytes}. Nothing is written to {@code tmp} (plaintext never reaches the disk);
   * {@link #sweep} empties it of what earlier versions, which worked there, left.
   */
  public static DatasetService create(Database database, EncryptedBlobStore blobs,
      AuditLog audit, TenancyService tenancy, Clock clock, Path tmp, long maxUploadBytes) {
    return new DatasetService(database, new JdbiDatasetStore(database), blobs, audit, tenancy,
        clock, new Profiler(ProfileLimits.DEFAULT), tmp, maxUploadBytes);
  }

  // ---------------------------------------------------------------- datasets

  /**
   * Creates an empty dataset, in the project {@code request.projectId()} when it is set.
   *
   * @throws ApiException NOT_FOUND for an organization or project the caller cannot see;
   *     PERMISSION_DENIED below member or a write scope (recorded as DENIED); INVALID_ARGUMENT for
   *     a bad name or description; CONFLICT when the name is taken in the organization
   */
  Dataset create(Principal caller, String org, CreateDataset request, String client) {
    String projectId = blankToNull(request.projectId());
    authorize(caller, org, projectId, Role.MEMBER, Scope.WRITE, CREATE, null, client);
    String name = request.name() == null ? "" : request.name().strip();
    if (!NAME.matcher(name).matches()) {
      throw ApiException.invalid("name must be 1-100 letters, digits, '.', '_' or '-', starting "
          + "with a letter or digit; received '" + Profiler.shorten(
              UploadRequest.printable(name)) + "'");
    }
    String description = description(request.description());
    if (store.datasetByName(org, name).isPresent()) {
      throw taken(name);
    }
    DatasetRow row = new DatasetRow("ds_" + BlobKeys.randomSegment(), org, projectId, name,
        description, caller.userId(), now());
    try {
      jdbi.useTransaction(h -> {
        store.insertDataset(h, row);
        Map<String, String> details = new LinkedHashMap<>();
        details.put("name", name);
        if (row.projectId() != null) {
          details.put("projectId", row.projectId());
        }
        record(h, caller, org, CREATE, row.id(), client, Outcome.SUCCESS, details);
      });
    } catch (UnableToExecuteStatementException e) {
      if (e.getCause() instanceof SQLException s && "23505".equals(s.getSQLState())) {
        throw taken(name); // created by a concurrent request since the check above
      }
      throw e;
    }
    return wire(row, 0);
  }

  /** A project id as a form may send it: blank for none. */
  private static String blankToNull(String projectId) {
    return projectId == null || projectId.isBlank() ? null : projectId;
  }

  private static ApiException taken(String name) {
    return new ApiException(ErrorCode.CONFLICT, "a dataset named '" + name + "' exists already "
        + "in this organization; choose another name, or upload a new version to it");
  }

  private static String description(String value) {
    if (value == null) {
      return "";
    }
    if (value.length() > MAX_DESCRIPTION) {
      throw ApiException.invalid("description is too long: at most " + MAX_DESCRIPTION
          + " characters, received " + value.length());
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c) && c != '\n' && c != '\t') {
        throw ApiException.invalid("description must not contain control characters other than"
            + " newlines and tabs (found U+" + String.format("%04X", (int) c) + " at index " + i
            + ")");
      }
    }
    return value;
  }

  /**
   * The organization's datasets by name, or those of one project.
   *
   * @throws ApiException NOT_FOUND for an organization or project the caller cannot see
   */
  List<Dataset> datasets(Principal caller, String org, String project) {
    String projectId = blankToNull(project);
    authorize(caller, org, projectId, Role.VIEWER, Scope.READ, null, null, null);
    Map<String, Integer> latest = store.latestVersions(org);
    return store.datasets(org, projectId).stream()
        .map(d -> wire(d, latest.getOrDefault(d.id(), 0))).toList();
  }

  /** @throws ApiException NOT_FOUND unless the caller can read the dataset */
  Dataset dataset(Principal caller, String org, String datasetId) {
    DatasetRow d = access(caller, org, datasetId, Role.VIEWER, Scope.READ, null, null);
    return wire(d, store.latestVersions(org).getOrDefault(d.id(), 0));
  }

  private static Dataset wire(DatasetRow d, int latestVersion) {
    return new Dataset(d.id(), d.orgId(), d.projectId(), d.name(), d.description(),
        d.createdBy(), d.createdAt(), latestVersion);
  }

  // ---------------------------------------------------------------- uploads

  /**
   * Uploads a new version: authorizes, then has {@code body} check its declarations and stream
   * the file into a new encrypted blob, then validates and profiles it (reading the blob back,
   * decrypted as it streams) and records it, all or nothing: a refused upload's blob is deleted.
   *
   * @throws ApiException NOT_FOUND or PERMISSION_DENIED (recorded as DENIED) before anything is
   *     read; then, each recorded as FAILED with its reason: INVALID_ARGUMENT for bad
   *     declarations or a body that ends early, UNSUPPORTED_MEDIA_TYPE, PAYLOAD_TOO_LARGE over
   *     the upload limit or a {@link ProfileLimits} limit, UNPROCESSABLE for content that is not
   *     valid for its format or does not match the declared SHA-256
   */
  DatasetVersion upload(Principal caller, String org, String datasetId, String client,
      UploadBody body) {
    DatasetRow dataset = access(caller, org, datasetId, Role.MEMBER, Scope.WRITE, UPLOAD,
        client);
    String key = blobKey(dataset);
    boolean recorded = false;
    try {
      Incoming incoming = new Incoming(blobs, org, key, maxUploadBytes);
      UploadRequest request = body.read(incoming);
      StoredBlob blob = incoming.stored();
      if (request.sha256() != null && !request.sha256().equals(blob.sha256())) {
        throw DatasetErrors.unprocessable(request.fileName() + " arrived with SHA-256 "
            + blob.sha256() + " but the upload declared " + request.sha256() + ": the file "
            + "changed or was cut on its way; send it again");
      }
      Profiler.Source source = blobSource(org, key);
      DatasetFormat format = profiler.format(source, request.format(), request.fileName());
      Supplier<DatasetProfile> read = () -> profiler.profile(source, format,
          request.fileName(), request.label());
      // An IDX file streams in constant memory; the other formats hold up to their limits.
      DatasetProfile profile = format == DatasetFormat.IDX ? read.get() : profiled(read);
      DatasetVersion version = record(caller, org, dataset, client, List.of(new Made(
          request.fileName(), blob, profile, null, null)), null).get(0);
      recorded = true;
      return version;
    } catch (ApiException e) {
      if (e.code().httpStatus() < 500) {
        refused(caller, org, UPLOAD, dataset.id(), client, Outcome.FAILED, e);
      }
      throw e;
    } finally {
      if (!recorded) {
        deleteBlob(org, key);
      }
    }
  }

  /** A new blob key for a file of {@code dataset}. */
  private static String blobKey(DatasetRow dataset) {
    return BLOB_PREFIX + dataset.id() + "/" + BlobKeys.randomSegment();
  }

  /**
   * The plaintext of the organization's blob {@code key}, to profile: streamed from the blob,
   * decrypted as it is read (each time from the start).
   */
  private Profiler.Source blobSource(String org, String key) {
    return () -> blobs.open(org, key);
  }

  /**
   * A file about to become a version: its name, its blob, its profile, and for a derived one
   * its parent and lineage ({@code {"recipe": ..., "parameters": ..., "part": ...}}).
   */
  private record Made(String fileName, StoredBlob blob, DatasetProfile profile, VersionRow parent,
      String recipeJson) {}

  /**
   * Records stored blobs as consecutive versions with one audit event ({@code dataset.upload}, or
   * {@code dataset.derive} with {@code recipe}) in one transaction. The caller deletes the blobs
   * if it fails.
   */
  private List<DatasetVersion> record(Principal caller, String org, DatasetRow dataset,
      String client, List<Made> files, Recipe recipe) {
    Instant now = now();
    VersionRow parent = files.get(0).parent();
    List<VersionRow> rows = jdbi.inTransaction(h -> {
      if (!store.lockDataset(h, org, dataset.id())) {
        throw ApiException.notFound("dataset '" + dataset.name() + "' (it was deleted while "
            + "this version was stored)");
      }
      if (parent != null && store.version(org, parent.id()).map(VersionRow::deleted)
          .orElse(true)) {
        throw deleted(dataset, parent.number(), null); // deleted while the recipe ran
      }
      List<VersionRow> made = new ArrayList<>();
      for (Made m : files) {
        StoredBlob blob = m.blob();
        VersionRow row = new VersionRow("dsv_" + BlobKeys.randomSegment(), org, dataset.id(),
            store.nextVersionNumber(h, org, dataset.id()), m.profile().format().name(),
            m.fileName(), blob.key(), blob.size(), blob.sha256(), m.profile().rows(),
            json(m.profile()), m.parent() == null ? null : m.parent().id(), m.recipeJson(),
            caller.userId(), now, null, null);
        store.insertVersion(h, row);
        made.add(row);
      }
      Map<String, String> details = new LinkedHashMap<>();
      if (recipe == null) {
        VersionRow v = made.get(0);
        details.put("version", v.id());
        details.put("number", Integer.toString(v.number()));
        details.put("fileName", v.fileName());
        details.put("format", v.format());
        details.put("bytes", Long.toString(v.sizeBytes()));
        details.put("sha256", v.sha256());
      } else {
        details.put("parent", parent.id());
        details.put("parentNumber", Integer.toString(parent.number()));
        details.put("op", Recipes.op(recipe));
        details.put("versions", String.join(",", made.stream().map(VersionRow::id).toList()));
        details.put("numbers", String.join(",", made.stream()
            .map(v -> Integer.toString(v.number())).toList()));
      }
      record(h, caller, org, recipe == null ? UPLOAD : DERIVE, dataset.id(), client,
          Outcome.SUCCESS, details);
      return made;
    });
    Map<String, VersionRow> parents = new HashMap<>();
    files.stream().filter(m -> m.parent() != null)
        .forEach(m -> parents.put(m.parent().id(), m.parent()));
    return rows.stream().map(r -> wire(r, parents)).toList();
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

  /** Runs a profile (or a derivation) once fewer than {@link #PROFILES_AT_ONCE} others run. */
  private <T> T profiled(Supplier<T> work) {
    try {
      profiling.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(ErrorCode.UNAVAILABLE, "the server is stopping; send the request "
          + "again once it is back");
    }
    try {
      return work.get();
    } finally {
      profiling.release();
    }
  }

  // ---------------------------------------------------------------- versions

  /** The dataset's versions, oldest first. @throws ApiException NOT_FOUND as {@link #dataset} */
  List<DatasetVersion> versions(Principal caller, String org, String datasetId) {
    DatasetRow d = access(caller, org, datasetId, Role.VIEWER, Scope.READ, null, null);
    List<VersionRow> rows = store.versions(org, d.id());
    Map<String, VersionRow> all = new HashMap<>();
    rows.forEach(r -> all.put(r.id(), r));
    return rows.stream().map(r -> wire(r, all)).toList();
  }

  /**
   * A version, or its tombstone when it was deleted ({@code deletedAt} set).
   *
   * @throws ApiException NOT_FOUND for a dataset or version the caller cannot see
   */
  DatasetVersion version(Principal caller, String org, String datasetId, int number) {
    DatasetRow d = access(caller, org, datasetId, Role.VIEWER, Scope.READ, null, null);
    VersionRow v = versionRow(org, d, number);
    Map<String, VersionRow> parents = new HashMap<>();
    if (v.parentId() != null) {
      store.version(org, v.parentId()).ifPresent(p -> parents.put(p.id(), p));
    }
    return wire(v, parents);
  }

  /**
   * The version's profile as its stored JSON text ({@link DatasetProfile}); an audited read, as it
   * holds a preview of the data.
   *
   * @throws ApiException NOT_FOUND as {@link #version}, and for a deleted version
   */
  String profile(Principal caller, String org, String datasetId, int number, String client) {
    DatasetRow d = access(caller, org, datasetId, Role.VIEWER, Scope.READ, null, null);
    VersionRow v = liveVersionRow(org, d, number);
    recordCommitted(caller, org, PROFILE_READ, d.id(), client, Outcome.SUCCESS,
        Map.of("version", v.id(), "number", Integer.toString(v.number())));
    return v.profileJson();
  }

  /**
   * The profile of the organization's dataset version {@code versionId}, for other parts of the
   * platform (monitoring compares live inputs with it); they authorize their own requests. Empty
   * for a missing or deleted version.
   *
   * @throws IllegalStateException if the stored profile is not a profile
   */
  public Optional<DatasetProfile> profileOf(String org, String versionId) {
    return store.version(org, versionId).filter(v -> v.profileJson() != null).map(v -> {
      try {
        return JSON.readValue(v.profileJson(), DatasetProfile.class);
      } catch (IOException e) {
        throw new IllegalStateException("dataset version " + versionId + " holds a profile that "
            + "does not read back: " + e.getMessage(), e);
      }
    });
  }

  /**
   * A version's content as it is downloaded: the plaintext streamed from its blob, with what the
   * response says about it. The caller closes {@code stream}.
   */
  record Content(String fileName, DatasetFormat format, long size, String sha256,
      InputStream stream) {}

  /**
   * Opens a version's content for download; an audited read, recorded before a byte is sent (if
   * it cannot be recorded, nothing is sent).
   *
   * @throws ApiException NOT_FOUND as {@link #version}, and for a deleted version
   */
  Content content(Principal caller, String org, String datasetId, int number, String client) {
    DatasetRow d = access(caller, org, datasetId, Role.VIEWER, Scope.READ, null, null);
    ContentRow v = store.content(org, d.id(), number).orElseThrow(() -> versionNotFound(d,
        number));
    if (v.deletedAt() != null) {
      throw deleted(d, number, v.deletedAt());
    }
    InputStream in = blobs.open(org, v.blobKey());
    try {
      recordCommitted(caller, org, DOWNLOAD, d.id(), client, Outcome.SUCCESS,
          Map.of("version", v.id(), "number", Integer.toString(v.number()), "bytes",
              Long.toString(v.sizeBytes()), "sha256", v.sha256()));
    } catch (RuntimeException e) {
      try {
        in.close();
      } catch (IOException c) {
        e.addSuppressed(c);
      }
      throw e;
    }
    return new Content(v.fileName(), DatasetFormat.valueOf(v.format()), v.sizeBytes(),
        v.sha256(), in);
  }

  /**
   * Derives new versions from version {@code number} by the recipe {@code recipeJson} (see
   * {@link Recipe}): one version, or one per part of a split (train, validation, test), each
   * recording its parent and lineage.
   *
   * @throws ApiException NOT_FOUND as {@link #version}, and for a deleted version (also when it
   *     is deleted while the recipe runs); PERMISSION_DENIED below member or a write
   *     scope (recorded as DENIED); INVALID_ARGUMENT for a recipe that is not valid;
   *     UNPROCESSABLE when the recipe does not apply to the version (not tabular, a column it
   *     lacks or of the wrong type, a split leaving a part empty); PAYLOAD_TOO_LARGE over a limit
   */
  List<DatasetVersion> derive(Principal caller, String org, String datasetId, int number,
      String recipeJson, String client) {
    DatasetRow d = access(caller, org, datasetId, Role.MEMBER, Scope.WRITE, DERIVE, client);
    Recipe recipe = Recipes.parse(recipeJson);
    VersionRow parent = liveVersionRow(org, d, number);
    DatasetFormat format = DatasetFormat.valueOf(parent.format());
    Recipes.checkTabular(format, parent.fileName());
    JsonNode labelColumn = read(parent.profileJson(), JsonNode.class).path("labelColumn");
    String label = labelColumn.isTextual() ? labelColumn.asText() : null;
    Profiler.Source input = blobSource(org, parent.blobKey());
    List<String> keys = new ArrayList<>();
    boolean recorded = false;
    try {
      // Each part is rendered straight into its encrypted blob and profiled from it, as an
      // upload is: no plaintext of the parent or of a part reaches the disk.
      List<Made> made = profiled(() -> {
        Recipes.Derivation derivation = recipes.apply(input, format, parent.fileName(), recipe);
        boolean single = derivation.parts().size() == 1;
        List<Made> parts = new ArrayList<>();
        for (Recipes.Part part : derivation.parts()) {
          String name = single ? parent.fileName() : part.fileName();
          Map<String, Object> lineage = new LinkedHashMap<>();
          lineage.put("recipe", read(Recipes.json(recipe), JsonNode.class));
          lineage.put("parameters", derivation.parameters());
          lineage.put("part", single ? null : part.name());
          String key = blobKey(d);
          keys.add(key);
          StoredBlob blob = store(org, key, part);
          parts.add(new Made(name, blob, profiler.profile(blobSource(org, key), format, name,
              label), parent, json(lineage)));
        }
        return parts;
      });
      List<DatasetVersion> versions = record(caller, org, d, client, made, recipe);
      recorded = true;
      return versions;
    } finally {
      if (!recorded) {
        keys.forEach(key -> deleteBlob(org, key));
      }
    }
  }

  /**
   * A live version's file as a training job reads it: the job was authorized when it was
   * submitted, so no caller is checked here. The dataset is named by id or by name; a null
   * {@code number} takes the latest version that is not deleted.
   *
   * @throws ApiException NOT_FOUND for a dataset or version that does not exist (or is deleted)
   */
  public VersionFile versionFile(String org, String dataset, Integer number) {
    DatasetRow d = (dataset != null && ID.matcher(dataset).matches()
        ? store.dataset(org, dataset) : Optional.<DatasetRow>empty())
        .or(() -> dataset == null ? Optional.empty() : store.datasetByName(org, dataset))
        .orElseThrow(() -> ApiException.notFound("dataset '" + Profiler.shorten(
            UploadRequest.printable(String.valueOf(dataset))) + "'"));
    VersionRow v;
    if (number != null) {
      v = liveVersionRow(org, d, number);
    } else {
      v = store.versions(org, d.id()).stream().filter(r -> !r.deleted())
          .max(Comparator.comparingInt(VersionRow::number))
          .orElseThrow(() -> ApiException.notFound("a live version of dataset '" + d.name()
              + "' (it has none: upload one)"));
    }
    JsonNode label = read(v.profileJson(), JsonNode.class).path("labelColumn");
    String key = v.blobKey();
    return new VersionFile(v.id(), d.name() + "@" + v.number(), DatasetFormat.valueOf(v.format()),
        v.fileName(), label.isTextual() ? label.asText() : null, () -> blobs.open(org, key));
  }

  /**
   * A dataset version's file for a job.
   *
   * @param versionId the version's id (a run's lineage)
   * @param ref {@code name@number}, for messages
   * @param labelColumn the label column its profile names, or null
   * @param content opens a new stream of the decrypted content on each call
   */
  public record VersionFile(String versionId, String ref, DatasetFormat format, String fileName,
      String labelColumn, Content content) {
    /** Opens the file's content from its first byte. */
    @FunctionalInterface
    public interface Content {
      InputStream open() throws IOException;
    }
  }

  /** Encrypts a derived part into the new blob {@code key} as it is rendered. */
  private StoredBlob store(String org, String key, Recipes.Part part) {
    try (InputStream in = part.content().get()) {
      return blobs.put(org, key, in, Long.MAX_VALUE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store the derived part " + part.fileName(), e);
    }
  }

  private VersionRow versionRow(String org, DatasetRow d, int number) {
    return store.version(org, d.id(), number).orElseThrow(() -> versionNotFound(d, number));
  }

  private static ApiException versionNotFound(DatasetRow d, int number) {
    return ApiException.notFound("version " + number + " of dataset '" + d.name() + "'");
  }

  /** The version, unless it is deleted: its content and profile are gone. */
  private VersionRow liveVersionRow(String org, DatasetRow d, int number) {
    VersionRow v = versionRow(org, d, number);
    if (v.deleted()) {
      throw deleted(d, v.number(), v.deletedAt());
    }
    return v;
  }

  private static ApiException deleted(DatasetRow d, int number, Instant deletedAt) {
    return new ApiException(ErrorCode.NOT_FOUND, "version " + number + " of dataset '" + d.name()
        + "' was deleted" + (deletedAt == null ? "" : " at " + deletedAt.truncatedTo(
            ChronoUnit.SECONDS)) + "; its content and profile are gone, its lineage stays: list"
        + " the versions to see the others");
  }

  /**
   * The wire form of a version; {@code parents} holds its parent's row when it has one (a
   * tombstone when the parent was deleted).
   */
  private static DatasetVersion wire(VersionRow v, Map<String, VersionRow> parents) {
    Lineage lineage = null;
    if (v.parentId() != null) {
      JsonNode stored = read(v.recipeJson(), JsonNode.class);
      JsonNode part = stored.path("part");
      VersionRow parent = parents.get(v.parentId());
      lineage = new Lineage(v.parentId(), parent == null ? 0 : parent.number(),
          JSON.convertValue(stored.get("recipe"), MAP),
          JSON.convertValue(stored.get("parameters"), MAP),
          part.isTextual() ? part.asText() : null, parent == null || parent.deleted());
    }
    return new DatasetVersion(v.id(), v.datasetId(), v.number(),
        DatasetFormat.valueOf(v.format()), v.fileName(), v.sizeBytes(), v.sha256(), v.rows(),
        lineage, v.createdBy(), v.createdAt(), v.deletedAt());
  }

  // ---------------------------------------------------------------- deletions

  /**
   * Deletes version {@code number}: its row becomes a tombstone (its number is never given
   * again; versions derived from it keep their lineage, which shows the parent as deleted), its
   * profile is cleared, and, once that and its audit event are committed, its blob is deleted.
   * If the blob cannot be deleted, nothing refers to it any more and the next start's sweep
   * deletes it.
   *
   * @throws ApiException NOT_FOUND as {@link #version}, and for a version already deleted;
   *     PERMISSION_DENIED below admin or a write scope (recorded as DENIED)
   */
  void deleteVersion(Principal caller, String org, String datasetId, int number,
      String client) {
    DatasetRow d = access(caller, org, datasetId, Role.ADMIN, Scope.WRITE, DELETE_VERSION,
        client);
    VersionRow v = liveVersionRow(org, d, number);
    jdbi.useTransaction(h -> {
      if (!store.lockDataset(h, org, d.id())) {
        throw ApiException.notFound("dataset '" + d.name() + "'");
      }
      if (!store.deleteVersion(h, org, v.id(), caller.userId(), now())) {
        throw deleted(d, v.number(), null); // by a concurrent request
      }
      record(h, caller, org, DELETE_VERSION, d.id(), client, Outcome.SUCCESS, Map.of(
          "version", v.id(), "number", Integer.toString(v.number()), "sha256", v.sha256()));
    });
    deleteBlob(org, v.blobKey());
  }

  /**
   * Deletes the dataset with all its versions; once that and its audit event are committed, the
   * versions' blobs are deleted (what cannot be, the next start's sweep deletes). Its name can be
   * taken again, by a new dataset with a new id.
   *
   * @throws ApiException NOT_FOUND as {@link #dataset}; PERMISSION_DENIED below admin or a write
   *     scope (recorded as DENIED)
   */
  void delete(Principal caller, String org, String datasetId, String client) {
    DatasetRow d = access(caller, org, datasetId, Role.ADMIN, Scope.WRITE, DELETE, client);
    List<VersionRow> versions = jdbi.inTransaction(h -> {
      if (!store.lockDataset(h, org, d.id())) {
        throw ApiException.notFound("dataset '" + d.name() + "'"); // by a concurrent request
      }
      List<VersionRow> all = store.versions(org, d.id());
      store.deleteDataset(h, org, d.id());
      record(h, caller, org, DELETE, d.id(), client, Outcome.SUCCESS, Map.of("name", d.name(),
          "versions", Long.toString(all.stream().filter(v -> !v.deleted()).count())));
      return all;
    });
    for (VersionRow v : versions) {
      if (!v.deleted()) {
        deleteBlob(org, v.blobKey());
      }
    }
  }

  // ---------------------------------------------------------------- access

  /**
   * The dataset, once the caller may act on it with {@code role} and {@code scope} (in its
   * project, when it has one). A caller outside the organization gets NOT_FOUND for the
   * organization whether or not the dataset exists; a member, NOT_FOUND for a missing one.
   *
   * @param action the action to record as DENIED when the role or scope does not allow it, or
   *     null for a read
   */
  private DatasetRow access(Principal caller, String org, String datasetId, Role role,
      Scope scope, String action, String client) {
    boolean reads;
    try {
      tenancy.authorize(caller, org, Role.VIEWER, Scope.READ); // membership, before any lookup
      reads = true;
    } catch (ApiException e) {
      if (e.code() != ErrorCode.PERMISSION_DENIED) {
        throw e; // not a member: the organization is not found
      }
      reads = false; // a token limited to a project: checked against the dataset's project below
    }
    DatasetRow d = datasetId != null && ID.matcher(datasetId).matches()
        ? store.dataset(org, datasetId).orElse(null) : null;
    if (d == null) {
      throw ApiException.notFound("dataset '" + Profiler.shorten(UploadRequest.printable(
          String.valueOf(datasetId))) + "'");
    }
    if (!(reads && d.projectId() == null && role == Role.VIEWER && scope == Scope.READ)) {
      authorize(caller, org, d.projectId(), role, scope, action, d.id(), client); // else done
    }
    return d;
  }

  /** Checks role and scope in the organization, or in {@code projectId} when not null. */
  private void authorize(Principal caller, String org, String projectId, Role role, Scope scope,
      String action, String datasetId, String client) {
    try {
      if (projectId == null) {
        tenancy.authorize(caller, org, role, scope);
      } else {
        tenancy.authorizeProject(caller, org, projectId, role, scope);
      }
    } catch (ApiException e) {
      if (action != null && e.code() == ErrorCode.PERMISSION_DENIED) {
        refused(caller, org, action, datasetId, client, Outcome.DENIED, e);
      }
      throw e;
    }
  }

  // ---------------------------------------------------------------- audit

  private void record(Handle h, Principal caller, String org, String action, String datasetId,
      String client, Outcome outcome, Map<String, String> details) {
    audit.append(h, new AuditEntry(org, caller.userId(), action, "dataset", datasetId,
        client, outcome, details));
  }

  /** Records an action that changed nothing (a read, a refusal), committed when it returns. */
  private void recordCommitted(Principal caller, String org, String action, String datasetId,
      String client, Outcome outcome, Map<String, String> details) {
    audit.appendCommitted(new AuditEntry(org, caller.userId(), action, "dataset", datasetId,
        client, outcome, details));
  }

  /**
   * Records a refused action, with its code and reason, in a transaction of its own. The refusal
   * stands even if it cannot be recorded (it changed nothing); that failure goes to the log.
   */
  private void refused(Principal caller, String org, String action, String datasetId,
      String client, Outcome outcome, ApiException why) {
    try {
      recordCommitted(caller, org, action, datasetId, client, outcome,
          Map.of("code", why.code().name(), "reason", detail(why.getMessage())));
    } catch (RuntimeException e) {
      LOG.error("cannot record the refused {} in organization {}", action, org, e);
    }
  }

  /** A message as an audit detail: printable, valid Unicode, at most 1000 characters. */
  static String detail(String message) {
    String s = UploadRequest.printable(String.valueOf(message));
    if (s.length() > 1000) {
      int end = Character.isHighSurrogate(s.charAt(999)) ? 999 : 1000;
      s = s.substring(0, end) + "...";
    }
    return s;
  }

  // ---------------------------------------------------------------- files

  /**
   * Deletes what a killed server left: every file under the temporary directory, and every
   * dataset blob that no version refers to (stored, then never recorded). Called at start, before
   * the server takes requests. It assumes this server is the only one using the blob store and
   * its temporary directory: with several servers on one blob store, a blob another server is
   * still recording could look unreferenced (see docs/dataset-service.md).
   */
  public void sweep() {
    int files = 0;
    if (Files.isDirectory(tmp)) {
      try (Stream<Path> all = Files.list(tmp)) {
        for (Path p : all.toList()) {
          files += deleteTree(p);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list the temporary directory " + tmp, e);
      }
    }
    int orphans = 0;
    int shredded = 0;
    List<String> organizations = store.organizations();
    for (String org : blobs.organizations()) {
      if (!organizations.contains(org)) {
        shredded += blobs.deleteOrganization(org);
        continue;
      }
      for (String key : blobs.list(org, BLOB_PREFIX)) {
        if (!store.blobReferenced(key)) {
          blobs.delete(org, key);
          orphans++;
        }
      }
    }
    if (files + orphans + shredded > 0) {
      LOG.info("deleted {} temporary upload files, {} dataset blobs that no version refers to "
          + "(left by an interrupted upload or a failed deletion) and {} blobs of deleted "
          + "organizations", files, orphans, shredded);
    }
  }



  /** Deletes {@code root} and everything under it; answers how many files it deleted. */
  private static int deleteTree(Path root) {
    try (Stream<Path> all = Files.walk(root)) {
      int n = 0;
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        n += Files.isDirectory(p) ? 0 : 1;
        Files.deleteIfExists(p);
      }
      return n;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root + "; delete it by hand", e);
    }
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName()
          + " as JSON", e);
    }
  }

  private static <T> T read(String json, Class<T> type) {
    try {
      return JSON.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored JSON is not a " + type.getSimpleName(), e);
    }
  }
}
