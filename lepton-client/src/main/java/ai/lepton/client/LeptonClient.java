package ai.lepton.client;

import ai.lepton.api.AddMember;
import ai.lepton.api.ApiError;
import ai.lepton.api.AuditPage;
import ai.lepton.api.AuditVerification;
import ai.lepton.api.CreateDataset;
import ai.lepton.api.CreateDeployment;
import ai.lepton.api.CreateDeploymentToken;
import ai.lepton.api.CreateDepartment;
import ai.lepton.api.CreateModel;
import ai.lepton.api.CreateOrganization;
import ai.lepton.api.CreateProject;
import ai.lepton.api.CreateToken;
import ai.lepton.api.CreateUser;
import ai.lepton.api.Dataset;
import ai.lepton.api.DatasetFormat;
import ai.lepton.api.DatasetList;
import ai.lepton.api.DatasetProfile;
import ai.lepton.api.DatasetVersion;
import ai.lepton.api.DatasetVersionList;
import ai.lepton.api.Department;
import ai.lepton.api.DepartmentList;
import ai.lepton.api.Deployment;
import ai.lepton.api.DeploymentList;
import ai.lepton.api.DeploymentTokenCreated;
import ai.lepton.api.DeploymentTokenList;
import ai.lepton.api.DeploymentTraffic;
import ai.lepton.api.ErrorCode;
import ai.lepton.api.Feedback;
import ai.lepton.api.FeedbackBatch;
import ai.lepton.api.FeedbackResult;
import ai.lepton.api.Health;
import ai.lepton.api.InferenceRequest;
import ai.lepton.api.InferenceResponse;
import ai.lepton.api.Job;
import ai.lepton.api.JobEvent;
import ai.lepton.api.JobList;
import ai.lepton.api.Me;
import ai.lepton.api.Membership;
import ai.lepton.api.MembershipList;
import ai.lepton.api.ModelMetadata;
import ai.lepton.api.ModelVersion;
import ai.lepton.api.ModelVersionList;
import ai.lepton.api.Monitor;
import ai.lepton.api.MonitoringReport;
import ai.lepton.api.Organization;
import ai.lepton.api.OrganizationList;
import ai.lepton.api.Project;
import ai.lepton.api.ProjectList;
import ai.lepton.api.RegisteredModel;
import ai.lepton.api.RegisteredModelList;
import ai.lepton.api.Run;
import ai.lepton.api.RunComparison;
import ai.lepton.api.RunList;
import ai.lepton.api.SetAlias;
import ai.lepton.api.SetTag;
import ai.lepton.api.TokenCreated;
import ai.lepton.api.TokenList;
import ai.lepton.api.TrainingSpec;
import ai.lepton.api.Tuning;
import ai.lepton.api.TuningSpec;
import ai.lepton.api.UpdateDepartment;
import ai.lepton.api.UpdateDeployment;
import ai.lepton.api.UpdateMember;
import ai.lepton.api.UserCreated;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * A Java client of the Lepton server's HTTP API. Thread-safe; one per server and token.
 *
 * <pre>{@code
 * LeptonClient lepton = LeptonClient.connect(URI.create("http://localhost:8080"), token);
 * lepton.health();
 * }</pre>
 *
 * Every call throws {@link LeptonClientException} with the server's error code and message when
 * the server refuses, and with {@link ErrorCode#UNAVAILABLE} when it cannot be reached. Ids go
 * into paths only when they are ids (letters, digits, '_' and '-'): anything else throws
 * {@link IllegalArgumentException} before a request is made.
 *
 * <p>The client keeps connections open between calls, through the JDK's {@link HttpClient},
 * which keeps an idle one for 1,200 s; the server closes a connection idle for 30 s. A call that
 * changes something (POST, PUT, DELETE) sent on a connection at the very moment the server closes
 * it fails with {@link ErrorCode#UNAVAILABLE} rather than being sent twice (the JDK retries only
 * GET and HEAD). In a JVM that keeps one client for long, with pauses between calls, run java
 * with {@code -Djdk.httpclient.keepalive.timeout=15} so that the client drops idle connections
 * first, as Lepton's own tests do.
 */
public final class LeptonClient {
  private final URI base;
  private final String token;
  private final HttpClient http;
  private final ObjectMapper json;

  private LeptonClient(URI base, String token) {
    this.base = Objects.requireNonNull(base, "base");
    this.token = token;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    this.json = JsonMapper.builder()
        .addModule(new JavaTimeModule())
        // a newer server may add fields: an older client ignores them
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .build();
  }

  /**
   * A client of the server at {@code base} (e.g. {@code http://localhost:8080}) that authenticates
   * with {@code token} (an API token, {@code lpt_...}), or anonymously when it is null.
   */
  public static LeptonClient connect(URI base, String token) {
    return new LeptonClient(base, token);
  }

  /** {@code GET /readyz}: whether the server and its database and blob store answer. */
  public Health health() {
    return send(request("/readyz").GET(), Health.class, true);
  }

  /** {@code GET /api/v1/me}: the caller, and the organizations they belong to. */
  public Me me() {
    return get("/api/v1/me", Me.class);
  }

  // ---------------------------------------------------------------- organizations

  /** {@code GET /api/v1/orgs}: the organizations the caller belongs to (a token: its own). */
  public OrganizationList organizations() {
    return get("/api/v1/orgs", OrganizationList.class);
  }

  /**
   * {@code POST /api/v1/orgs}: a new organization owned by the caller. The server refuses API
   * tokens here (PERMISSION_DENIED): a token is limited to its organization.
   */
  public Organization createOrganization(String name) {
    return post("/api/v1/orgs", new CreateOrganization(name), Organization.class);
  }

  /** {@code GET /api/v1/orgs/{org}}. */
  public Organization organization(String organizationId) {
    return get(org(organizationId), Organization.class);
  }

  /** {@code DELETE /api/v1/orgs/{org}}: the organization and everything in it (owners). */
  public void deleteOrganization(String organizationId) {
    delete(org(organizationId));
  }

  // ---------------------------------------------------------------- departments

  /** {@code GET /api/v1/orgs/{org}/departments}. */
  public DepartmentList departments(String organizationId) {
    return get(org(organizationId) + "/departments", DepartmentList.class);
  }

  /** {@code POST /api/v1/orgs/{org}/departments} (admins). */
  public Department createDepartment(String organizationId, CreateDepartment department) {
    return post(org(organizationId) + "/departments", department, Department.class);
  }

  /** {@code PATCH /api/v1/orgs/{org}/departments/{dept}}: rename or move (admins). */
  public Department updateDepartment(String organizationId, String departmentId,
      UpdateDepartment change) {
    return patch(org(organizationId) + "/departments/" + segment(departmentId), change,
        Department.class);
  }

  /** {@code DELETE /api/v1/orgs/{org}/departments/{dept}}: an empty department (admins). */
  public void deleteDepartment(String organizationId, String departmentId) {
    delete(org(organizationId) + "/departments/" + segment(departmentId));
  }

  // ---------------------------------------------------------------- members and users

  /** {@code GET /api/v1/orgs/{org}/members}. */
  public MembershipList members(String organizationId) {
    return get(org(organizationId) + "/members", MembershipList.class);
  }

  /** {@code POST /api/v1/orgs/{org}/members}: an existing user joins (admins). */
  public Membership addMember(String organizationId, AddMember member) {
    return post(org(organizationId) + "/members", member, Membership.class);
  }

  /** {@code PATCH /api/v1/orgs/{org}/members/{user}}: a new role or department limit. */
  public Membership updateMember(String organizationId, String userId, UpdateMember change) {
    return patch(org(organizationId) + "/members/" + segment(userId), change, Membership.class);
  }

  /** {@code DELETE /api/v1/orgs/{org}/members/{user}}: removes a member, revoking their tokens. */
  public void removeMember(String organizationId, String userId) {
    delete(org(organizationId) + "/members/" + segment(userId));
  }

  /**
   * {@code POST /api/v1/users}: a new user and the one-time sign-in link to hand them
   * (installation administrators, with an admin-scoped token).
   */
  public UserCreated createUser(CreateUser user) {
    return post("/api/v1/users", user, UserCreated.class);
  }

  // ---------------------------------------------------------------- projects

  /** {@code GET /api/v1/orgs/{org}/projects}. */
  public ProjectList projects(String organizationId) {
    return get(org(organizationId) + "/projects", ProjectList.class);
  }

  /** {@code POST /api/v1/orgs/{org}/projects} (members, write scope). */
  public Project createProject(String organizationId, CreateProject project) {
    return post(org(organizationId) + "/projects", project, Project.class);
  }

  /** {@code DELETE /api/v1/orgs/{org}/projects/{project}} (admins). */
  public void deleteProject(String organizationId, String projectId) {
    delete(org(organizationId) + "/projects/" + segment(projectId));
  }

  // ---------------------------------------------------------------- API tokens

  /** {@code GET /api/v1/orgs/{org}/tokens}: the caller's (every member's for admins). */
  public TokenList tokens(String organizationId) {
    return get(org(organizationId) + "/tokens", TokenList.class);
  }

  /** {@code POST /api/v1/orgs/{org}/tokens}: the answer holds the secret, this once only. */
  public TokenCreated createToken(String organizationId, CreateToken token) {
    return post(org(organizationId) + "/tokens", token, TokenCreated.class);
  }

  /** {@code DELETE /api/v1/orgs/{org}/tokens/{token}}: revokes it (again is fine). */
  public void revokeToken(String organizationId, String tokenId) {
    delete(org(organizationId) + "/tokens/" + segment(tokenId));
  }

  // ---------------------------------------------------------------- audit

  /** {@code GET /api/v1/orgs/{org}/audit}: the newest {@code limit} events of the organization. */
  public AuditPage auditEvents(String organizationId, int limit) {
    return get(org(organizationId) + "/audit?limit=" + limit, AuditPage.class);
  }

  /** {@code GET /api/v1/orgs/{org}/audit/verify}: whether the organization's chain is intact. */
  public AuditVerification verifyAudit(String organizationId) {
    return get(org(organizationId) + "/audit/verify", AuditVerification.class);
  }

  // ---------------------------------------------------------------- datasets

  /** {@code POST /api/v1/orgs/{org}/datasets}: an empty dataset; versions bring its content. */
  public Dataset createDataset(String organizationId, CreateDataset dataset) {
    return post(org(organizationId) + "/datasets", dataset, Dataset.class);
  }

  /** {@code GET /api/v1/orgs/{org}/datasets}. */
  public DatasetList datasets(String organizationId) {
    return get(org(organizationId) + "/datasets", DatasetList.class);
  }

  /** {@code GET /api/v1/orgs/{org}/datasets/{dataset}}. */
  public Dataset dataset(String organizationId, String datasetId) {
    return get(dataset(organizationId, datasetId, ""), Dataset.class);
  }

  /**
   * {@code PUT .../datasets/{dataset}/versions}: uploads {@code file} as the dataset's next
   * version. The file is read twice and never held in memory: once for its SHA-256, which the
   * server checks against what it receives (a file changed in between is refused), then streamed.
   *
   * @param label the label or target column (tabular formats), or null
   * @param progress told the bytes sent so far, from the client's sending thread; or null
   * @throws UncheckedIOException when the file cannot be read
   * @throws LeptonClientException when the server refuses the content (UNPROCESSABLE for content
   *     that is not valid {@code format}, PAYLOAD_TOO_LARGE past its limit): nothing is stored
   */
  public DatasetVersion uploadVersion(String organizationId, String datasetId, Path file,
      DatasetFormat format, String label, LongConsumer progress) {
    Objects.requireNonNull(format, "format");
    long size;
    String sha256;
    try {
      size = Files.size(file);
      sha256 = Transfers.sha256(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    String query = "?format=" + format.name() + "&fileName="
        + Transfers.query(file.getFileName().toString()) + "&sha256=" + sha256
        + (label == null ? "" : "&label=" + Transfers.query(label));
    HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.fromPublisher(
        HttpRequest.BodyPublishers.ofInputStream(() -> Transfers.counting(file, progress)), size);
    // No Expect: 100-continue: JDK 17's client can hang reading a refusal sent instead of the
    // 100 (seen with the server's 413 for a declared size over its limit).
    // The answer comes after the whole body, so the time allowed grows with it: 10 minutes, plus
    // a second for every 256 KiB (a link as slow as 256 KiB/s still finishes).
    return send(request(dataset(organizationId, datasetId, "/versions") + query)
        .timeout(Duration.ofMinutes(10).plusSeconds(size / (256 * 1024)))
        .version(HttpClient.Version.HTTP_1_1)
        .header("Content-Type", "application/octet-stream").PUT(body),
        DatasetVersion.class);
  }

  /**
   * {@code DELETE /api/v1/orgs/{org}/datasets/{dataset}}: the dataset, all its versions and their
   * content, for good (admins). Its name can then be given to a new dataset.
   */
  public void deleteDataset(String organizationId, String datasetId) {
    delete(dataset(organizationId, datasetId, ""));
  }

  /**
   * {@code DELETE .../datasets/{dataset}/versions/{number}}: the version's content and profile,
   * for good (admins). It stays listed as a tombstone ({@link DatasetVersion#deletedAt()} set):
   * its number is never given again, and versions derived from it keep their lineage.
   */
  public void deleteVersion(String organizationId, String datasetId, int number) {
    delete(dataset(organizationId, datasetId, "/versions/" + number));
  }

  /**
   * {@code GET .../datasets/{dataset}/versions}: oldest first, with their lineage; deleted ones
   * as tombstones.
   */
  public DatasetVersionList versions(String organizationId, String datasetId) {
    return get(dataset(organizationId, datasetId, "/versions"), DatasetVersionList.class);
  }

  /** {@code GET .../datasets/{dataset}/versions/{number}}. */
  public DatasetVersion version(String organizationId, String datasetId, int number) {
    return get(dataset(organizationId, datasetId, "/versions/" + number), DatasetVersion.class);
  }

  /** {@code GET .../versions/{number}/profile}: schema, statistics, class balance, preview. */
  public DatasetProfile profile(String organizationId, String datasetId, int number) {
    return get(dataset(organizationId, datasetId, "/versions/" + number + "/profile"),
        DatasetProfile.class);
  }

  /**
   * {@code GET .../versions/{number}/content}: downloads a version's content to {@code target}.
   * The bytes go to a temporary file beside it, which replaces {@code target} only once their
   * SHA-256 matches the one the server announced; otherwise nothing is left behind.
   *
   * @param progress told the bytes received so far, or null
   * @return the content's SHA-256 (64 lower-case hex digits), as verified
   * @throws LeptonClientException when the server refuses, or when the bytes received do not match
   *     their announced SHA-256 or length (download again)
   * @throws UncheckedIOException when {@code target} cannot be written
   */
  public String download(String organizationId, String datasetId, int number, Path target,
      LongConsumer progress) {
    HttpResponse<InputStream> response = exchange(
        request(dataset(organizationId, datasetId, "/versions/" + number + "/content")).GET());
    try (InputStream body = response.body()) {
      if (response.statusCode() >= 400) {
        throw error(response.statusCode(), body.readAllBytes(), response);
      }
      return Transfers.receive(body, response, target, progress);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save the download to " + target + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * {@code POST .../versions/{number}/derive}: new versions made from this one by a recipe, such
   * as {@code {"op":"split","train":0.8,"test":0.2,"seed":42}} (see {@link ai.lepton.api.Recipe}).
   * The recipe is sent as written; the server checks it.
   */
  public DatasetVersionList deriveVersion(String organizationId, String datasetId, int number,
      String recipeJson) {
    return send(request(dataset(organizationId, datasetId, "/versions/" + number + "/derive"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(recipeJson, StandardCharsets.UTF_8)),
        DatasetVersionList.class);
  }

  // ---------------------------------------------------------------- model registry

  /** {@code POST /api/v1/orgs/{org}/models}: an empty registered model. */
  public RegisteredModel createModel(String organizationId, CreateModel model) {
    return post(org(organizationId) + "/models", model, RegisteredModel.class);
  }

  /** {@code GET /api/v1/orgs/{org}/models}: by name, with their aliases. */
  public RegisteredModelList models(String organizationId) {
    return get(org(organizationId) + "/models", RegisteredModelList.class);
  }

  /** {@code GET /api/v1/orgs/{org}/models/{model}}. */
  public RegisteredModel model(String organizationId, String name) {
    return get(model(organizationId, name, ""), RegisteredModel.class);
  }

  /**
   * {@code PUT .../models/{model}/versions}: pushes {@code file} (a {@code .lepton} or
   * {@code .onnx} file, told apart by its extension) as the model's next version, registering
   * the model if it does not exist. The file is read twice and never held in memory: once for its
   * SHA-256, which the server checks against what it receives, then streamed.
   *
   * @param metrics named numbers to record with the version (accuracy, loss...), or null
   * @throws IllegalArgumentException for a file name that ends neither in .lepton nor in .onnx
   * @throws UncheckedIOException when the file cannot be read
   * @throws LeptonClientException when the server refuses it (UNPROCESSABLE for a file that is
   *     not a valid model, PAYLOAD_TOO_LARGE past its limits): nothing is stored
   */
  public ModelVersion pushModel(String organizationId, String name, Path file,
      Map<String, Double> metrics) {
    String fileName = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    String format = fileName.endsWith(".lepton") ? "lepton" : fileName.endsWith(".onnx")
        ? "onnx" : null;
    if (format == null) {
      throw new IllegalArgumentException("expected a .lepton or .onnx model file, received "
          + file.getFileName() + "; rename it with the extension of its format");
    }
    long size;
    String sha256;
    try {
      size = Files.size(file);
      sha256 = Transfers.sha256(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    String query = "?format=" + format + "&sha256=" + sha256;
    if (metrics != null && !metrics.isEmpty()) {
      try {
        query += "&metrics=" + Transfers.query(json.writeValueAsString(metrics));
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot encode the metrics " + metrics, e);
      }
    }
    HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.fromPublisher(
        HttpRequest.BodyPublishers.ofInputStream(() -> Transfers.counting(file, null)), size);
    // as uploadVersion: no Expect: 100-continue, and a time allowed that grows with the file
    return send(request(model(organizationId, name, "/versions") + query)
        .timeout(Duration.ofMinutes(10).plusSeconds(size / (256 * 1024)))
        .version(HttpClient.Version.HTTP_1_1)
        .header("Content-Type", "application/octet-stream").PUT(body),
        ModelVersion.class);
  }

  /** {@code GET .../models/{model}/versions}: oldest first; deleted ones as tombstones. */
  public ModelVersionList modelVersions(String organizationId, String name) {
    return get(model(organizationId, name, "/versions"), ModelVersionList.class);
  }

  /** {@code GET .../models/{model}/versions/{ref}}: {@code ref} a number or an alias. */
  public ModelVersion modelVersion(String organizationId, String name, String ref) {
    return get(model(organizationId, name, "/versions/" + modelSegment(ref)),
        ModelVersion.class);
  }

  /** {@code PUT .../models/{model}/aliases/{alias}}: points the alias at version {@code n}. */
  public ModelVersion setAlias(String organizationId, String name, String alias, int version) {
    return send(request(model(organizationId, name, "/aliases/" + modelSegment(alias)))
        .header("Content-Type", "application/json").PUT(jsonBody(new SetAlias(version))),
        ModelVersion.class);
  }

  /** {@code DELETE .../models/{model}/aliases/{alias}}. */
  public void deleteAlias(String organizationId, String name, String alias) {
    delete(model(organizationId, name, "/aliases/" + modelSegment(alias)));
  }

  /** {@code PUT .../versions/{ref}/tags/{key}}: sets a tag of the version. */
  public ModelVersion tagModelVersion(String organizationId, String name, String ref, String key,
      String value) {
    return send(request(model(organizationId, name, "/versions/" + modelSegment(ref) + "/tags/"
        + Transfers.query(key))).header("Content-Type", "application/json")
        .PUT(jsonBody(new SetTag(value))), ModelVersion.class);
  }

  /** {@code DELETE .../versions/{ref}/tags/{key}}. */
  public void untagModelVersion(String organizationId, String name, String ref, String key) {
    delete(model(organizationId, name, "/versions/" + modelSegment(ref) + "/tags/"
        + Transfers.query(key)));
  }

  /**
   * {@code GET .../models/{model}/versions/{ref}/content}: downloads the version's file to
   * {@code target}, which it replaces only once the bytes match the SHA-256 the server announced.
   *
   * @return the file's SHA-256, as verified
   * @throws LeptonClientException when the server refuses, or the bytes do not match
   * @throws UncheckedIOException when {@code target} cannot be written
   */
  public String downloadModel(String organizationId, String name, String ref, Path target) {
    HttpResponse<InputStream> response = exchange(request(model(organizationId, name,
        "/versions/" + modelSegment(ref) + "/content")).GET());
    try (InputStream body = response.body()) {
      if (response.statusCode() >= 400) {
        throw error(response.statusCode(), body.readAllBytes(), response);
      }
      return Transfers.receive(body, response, target, null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save the download to " + target + ": "
          + e.getMessage(), e);
    }
  }

  /** {@code DELETE .../models/{model}/versions/{number}}: the version's file, for good. */
  public void deleteModelVersion(String organizationId, String name, int number) {
    delete(model(organizationId, name, "/versions/" + number));
  }

  /** {@code DELETE .../models/{model}}: the model, its versions and their files (admins). */
  public void deleteModel(String organizationId, String name) {
    delete(model(organizationId, name, ""));
  }

  // ---------------------------------------------------------------- monitoring

  /**
   * {@code POST .../deployments/{name}/feedback}: the ground truth of logged predictions, 1 to
   * 1,000 items; each is accepted or refused by itself (see {@link FeedbackResult.Refused}).
   */
  public FeedbackResult feedback(String organizationId, String deployment, List<Feedback> items) {
    return send(request(deployment(organizationId, deployment, "/feedback"))
        .header("Content-Type", "application/json").POST(jsonBody(new FeedbackBatch(items))),
        FeedbackResult.class);
  }

  /**
   * {@code GET .../deployments/{name}/monitoring}: quality, drift and alerts over {@code window}
   * ({@code 30m}, {@code 12h}, {@code 7d}), or the monitor's window when null.
   */
  public MonitoringReport monitoring(String organizationId, String deployment, String window) {
    return get(deployment(organizationId, deployment, "/monitoring")
        + (window == null ? "" : "?window=" + Transfers.query(window)), MonitoringReport.class);
  }

  /** {@code PUT .../deployments/{name}/monitor}: thresholds and action (nulls take defaults). */
  public Monitor setMonitor(String organizationId, String deployment, Monitor monitor) {
    return send(request(deployment(organizationId, deployment, "/monitor"))
        .header("Content-Type", "application/json").PUT(jsonBody(monitor)), Monitor.class);
  }

  /** {@code POST .../deployments/{name}/monitoring/evaluate}: evaluates the monitor now. */
  public MonitoringReport evaluateMonitor(String organizationId, String deployment) {
    return send(request(deployment(organizationId, deployment, "/monitoring/evaluate"))
        .POST(HttpRequest.BodyPublishers.noBody()), MonitoringReport.class);
  }

  private static String deployment(String organizationId, String name, String rest) {
    return org(organizationId) + "/deployments/" + modelSegment(name) + rest;
  }

  private static String model(String organizationId, String name, String rest) {
    return org(organizationId) + "/models/" + modelSegment(name) + rest;
  }

  /** A model name, version number or alias as one path segment ('.' allowed, not first). */
  private static String modelSegment(String name) {
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
      throw new IllegalArgumentException("expected a name of letters, digits, '.', '_' or '-' "
          + "starting with a letter or digit, received " + name);
    }
    return name;
  }

  // ---------------------------------------------------------------- jobs and runs

  /** {@code POST /api/v1/orgs/{org}/jobs}: queues a training job (members). */
  public Job submitJob(String organizationId, TrainingSpec spec) {
    return post(org(organizationId) + "/jobs", spec, Job.class);
  }

  /** {@code GET /api/v1/orgs/{org}/jobs}: a page of jobs, newest first. */
  public JobList jobs(String organizationId, int offset, int limit) {
    return get(org(organizationId) + "/jobs?offset=" + offset + "&limit=" + limit,
        JobList.class);
  }

  /** {@code GET /api/v1/orgs/{org}/jobs/{job}}. */
  public Job job(String organizationId, String jobId) {
    return get(org(organizationId) + "/jobs/" + segment(jobId), Job.class);
  }

  /**
   * {@code POST /api/v1/orgs/{org}/jobs/{job}/cancel} (members): a queued job is cancelled at
   * once, a running one stops at its worker's next heartbeat; CONFLICT once it has ended.
   */
  public Job cancelJob(String organizationId, String jobId) {
    return send(request(org(organizationId) + "/jobs/" + segment(jobId) + "/cancel")
        .POST(HttpRequest.BodyPublishers.noBody()), Job.class);
  }

  /**
   * {@code GET /api/v1/orgs/{org}/jobs/{job}/events}: hands each event of the job to
   * {@code listener} as it comes (the recorded history first) until the job ends, and answers
   * the last one (its terminal state).
   *
   * @throws LeptonClientException UNAVAILABLE if the stream ends before the job does
   */
  public JobEvent followJob(String organizationId, String jobId, Consumer<JobEvent> listener) {
    HttpResponse<InputStream> response = exchange(request(org(organizationId) + "/jobs/"
        + segment(jobId) + "/events").timeout(Duration.ofDays(7))
        .setHeader("Accept", "text/event-stream").GET());
    try (InputStream body = response.body()) {
      if (response.statusCode() >= 400) {
        throw error(response.statusCode(), body.readAllBytes(), response);
      }
      BufferedReader lines = new BufferedReader(new InputStreamReader(body,
          StandardCharsets.UTF_8));
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.startsWith("data:")) {
          JobEvent event = json.readValue(line.substring(5).strip(), JobEvent.class);
          listener.accept(event);
          if (event.terminal()) {
            return event;
          }
        }
      }
    } catch (IOException e) {
      throw new LeptonClientException(ErrorCode.UNAVAILABLE, 0, "lost the events of job "
          + jobId + ": " + e.getMessage() + "; follow it again", null, e);
    }
    throw new LeptonClientException(ErrorCode.UNAVAILABLE, 0, "the event stream of job " + jobId
        + " ended before the job did; follow it again", null, null);
  }

  /**
   * {@code POST /api/v1/orgs/{org}/jobs} with {@code "kind": "tune"} (members): queues a
   * hyperparameter search, one train job per trial; refused (INVALID_ARGUMENT) with what to fix
   * when a trial would be refused or a grid exceeds its budget.
   */
  public Job submitSearch(String organizationId, TuningSpec spec) {
    com.fasterxml.jackson.databind.node.ObjectNode body = json.valueToTree(spec);
    body.put("kind", "tune");
    return post(org(organizationId) + "/jobs", body, Job.class);
  }

  /** {@code GET /api/v1/orgs/{org}/jobs/{job}/trials}: a search's trials and its best so far. */
  public Tuning trials(String organizationId, String jobId) {
    return get(org(organizationId) + "/jobs/" + segment(jobId) + "/trials", Tuning.class);
  }

  /** {@code GET /api/v1/orgs/{org}/runs}: a page of runs, newest first. */
  public RunList runs(String organizationId, int offset, int limit) {
    return get(org(organizationId) + "/runs?offset=" + offset + "&limit=" + limit,
        RunList.class);
  }

  /**
   * {@code GET /api/v1/orgs/{org}/runs/{run}}: a run with its metric history and, once it
   * finished, its evaluation report on the held-out split.
   */
  public Run run(String organizationId, String runId) {
    return get(org(organizationId) + "/runs/" + segment(runId), Run.class);
  }

  /** {@code GET /api/v1/orgs/{org}/runs/compare?ids=...}: runs side by side. */
  public RunComparison compareRuns(String organizationId, List<String> runIds) {
    return get(org(organizationId) + "/runs/compare?ids=" + String.join(",",
        runIds.stream().map(LeptonClient::segment).toList()), RunComparison.class);
  }

  // ---------------------------------------------------------------- deployments

  /**
   * {@code POST /api/v1/orgs/{org}/deployments}: deploys a model version (loaded before it is
   * recorded), served at {@code /v2/models/{name}} within its request limits (a limit above the
   * server's is refused: INVALID_ARGUMENT, naming the server's).
   */
  public Deployment createDeployment(String organizationId, CreateDeployment deployment) {
    return post(org(organizationId) + "/deployments", deployment, Deployment.class);
  }

  /** {@code GET /api/v1/orgs/{org}/deployments}: by name. */
  public DeploymentList deployments(String organizationId) {
    return get(org(organizationId) + "/deployments", DeploymentList.class);
  }

  /**
   * {@code GET /api/v1/orgs/{org}/deployments/{name}}: its versions, canary split and request
   * limits.
   */
  public Deployment deployment(String organizationId, String name) {
    return get(deployment(organizationId, name, ""), Deployment.class);
  }

  /**
   * {@code PATCH /api/v1/orgs/{org}/deployments/{name}}: another version, a canary, or a new
   * split, and/or new request limits (in force for the next request); a version that does not
   * load changes nothing (UNPROCESSABLE, with the reason).
   */
  public Deployment updateDeployment(String organizationId, String name,
      UpdateDeployment update) {
    return patch(deployment(organizationId, name, ""), update, Deployment.class);
  }

  /** {@code POST .../deployments/{name}/promote}: the canary becomes the only version. */
  public Deployment promoteDeployment(String organizationId, String name) {
    return post(deployment(organizationId, name, "/promote"), Map.of(), Deployment.class);
  }

  /** {@code POST .../deployments/{name}/rollback}: the canary is dropped at once. */
  public Deployment rollbackDeployment(String organizationId, String name) {
    return post(deployment(organizationId, name, "/rollback"), Map.of(), Deployment.class);
  }

  /**
   * {@code GET .../deployments/{name}/traffic}: each version's counters on the server now
   * (requests by outcome, in flight, the latency histogram), cumulative: two readings give rates.
   */
  public DeploymentTraffic deploymentTraffic(String organizationId, String name) {
    return get(deployment(organizationId, name, "/traffic"), DeploymentTraffic.class);
  }

  /** {@code DELETE /api/v1/orgs/{org}/deployments/{name}}: stops serving it. */
  public void deleteDeployment(String organizationId, String name) {
    delete(deployment(organizationId, name, ""));
  }

  /**
   * {@code POST /v2/models/{deployment}/infer} (Open Inference Protocol) with this client's
   * token, whose organization holds the deployment. The response's {@code id} is the request's,
   * or the prediction id the server gave.
   */
  public InferenceResponse infer(String deployment, InferenceRequest request) {
    byte[] body;
    try { // the protocol takes absent fields, not nulls
      body = json.copy().setSerializationInclusion(JsonInclude.Include.NON_NULL)
          .writeValueAsBytes(request);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot encode the inference request: " + e, e);
    }
    return send(request("/v2/models/" + segment(deployment) + "/infer")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)), InferenceResponse.class);
  }

  /**
   * {@code POST .../deployments/{name}/tokens}: a token that reaches this deployment's inference
   * only; its secret is in the answer, this once.
   */
  public DeploymentTokenCreated createDeploymentToken(String organizationId, String name,
      String tokenName) {
    return post(deployment(organizationId, name, "/tokens"),
        new CreateDeploymentToken(tokenName), DeploymentTokenCreated.class);
  }

  /** {@code GET .../deployments/{name}/tokens}: revoked ones included. */
  public DeploymentTokenList deploymentTokens(String organizationId, String name) {
    return get(deployment(organizationId, name, "/tokens"), DeploymentTokenList.class);
  }

  /** {@code DELETE .../deployments/{name}/tokens/{id}}: revokes it at once. */
  public void revokeDeploymentToken(String organizationId, String name, String tokenId) {
    delete(deployment(organizationId, name, "/tokens/" + segment(tokenId)));
  }

  /** {@code GET /v2/models/{deployment}} (Open Inference Protocol): its inputs and outputs. */
  public ModelMetadata modelMetadata(String deployment) {
    return get("/v2/models/" + segment(deployment), ModelMetadata.class);
  }

  private static String org(String organizationId) {
    return "/api/v1/orgs/" + segment(organizationId);
  }

  private static String dataset(String organizationId, String datasetId, String rest) {
    return org(organizationId) + "/datasets/" + segment(datasetId) + rest;
  }

  /** An id as one path segment: ids are [a-z0-9_], anything else is refused here. */
  private static String segment(String id) {
    if (id == null || !id.matches("[A-Za-z0-9_-]{1,100}")) {
      throw new IllegalArgumentException("expected an id of letters, digits, '_' or '-', received "
          + id);
    }
    return id;
  }

  private <T> T get(String path, Class<T> type) {
    return send(request(path).GET(), type);
  }

  private <T> T post(String path, Object body, Class<T> type) {
    return send(request(path).header("Content-Type", "application/json").POST(jsonBody(body)),
        type);
  }

  private <T> T patch(String path, Object body, Class<T> type) {
    return send(request(path).header("Content-Type", "application/json")
        .method("PATCH", jsonBody(body)), type);
  }

  private void delete(String path) {
    send(request(path).DELETE(), Void.class);
  }

  HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
        .timeout(Duration.ofMinutes(10))
        .header("Accept", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  HttpRequest.BodyPublisher jsonBody(Object body) {
    try {
      return HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot encode " + body + " as JSON: " + e, e);
    }
  }

  <T> T send(HttpRequest.Builder request, Class<T> type) {
    return send(request, type, false);
  }

  /** Sends, maps an error body to LeptonClientException, decodes a success as {@code type}. */
  <T> T send(HttpRequest.Builder request, Class<T> type, boolean anyStatusWithBody) {
    return send(request, json.constructType(type), anyStatusWithBody);
  }

  <T> T send(HttpRequest.Builder request, JavaType type, boolean anyStatusWithBody) {
    HttpResponse<InputStream> response = exchange(request);
    try (InputStream body = response.body()) {
      int status = response.statusCode();
      if (status >= 400 && !(anyStatusWithBody && status == 503)) {
        throw error(status, body.readAllBytes(), response);
      }
      if (type.getRawClass() == Void.class) {
        return null;
      }
      return json.readValue(body, type);
    } catch (IOException e) {
      throw new LeptonClientException(ErrorCode.UNAVAILABLE, 0, "cannot read the answer of "
          + base + ": " + e.getMessage(), null, e);
    }
  }

  HttpResponse<InputStream> exchange(HttpRequest.Builder request) {
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new LeptonClientException(ErrorCode.UNAVAILABLE, 0, "cannot reach the Lepton server at "
          + base + ": " + e.getMessage() + "; is it running (lepton server)?", null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LeptonClientException(ErrorCode.UNAVAILABLE, 0, "interrupted while calling "
          + base, null, e);
    }
  }

  LeptonClientException error(int status, byte[] body, HttpResponse<?> response) {
    String requestId = response.headers().firstValue("X-Request-Id").orElse(null);
    try {
      JsonNode tree = json.readTree(body);
      JsonNode oip = tree == null ? null : tree.path("error");
      if (oip != null && oip.isTextual()) { // the Open Inference Protocol's {"error": "..."}
        return new LeptonClientException(status == 404 ? ErrorCode.NOT_FOUND
            : status == 401 ? ErrorCode.UNAUTHENTICATED : status >= 500 ? ErrorCode.INTERNAL
            : ErrorCode.INVALID_ARGUMENT, status, oip.asText(), requestId, null);
      }
      ApiError e = oip != null && oip.isObject() ? json.treeToValue(tree, ApiError.class) : null;
      if (e != null && e.error() != null && e.error().code() != null) {
        return new LeptonClientException(e.error().code(), status, e.error().message(),
            e.error().requestId() != null ? e.error().requestId() : requestId, null);
      }
    } catch (IOException notAnApiError) {
      // a proxy's or a crashed server's page: report the status
    }
    return new LeptonClientException(status >= 500 ? ErrorCode.INTERNAL
        : ErrorCode.INVALID_ARGUMENT, status, "the server answered HTTP " + status, requestId,
        null);
  }

  ObjectMapper json() {
    return json;
  }
}
