package ai.lepton.server.serving;

import ai.lepton.LeptonException;
import ai.lepton.api.ErrorCode;
import ai.lepton.api.InferenceError;
import ai.lepton.api.InferenceRequest;
import ai.lepton.api.InferenceResponse;
import ai.lepton.api.ModelMetadata;
import ai.lepton.api.OipHealth;
import ai.lepton.api.ServerMetadata;
import ai.lepton.models.ModelArchive.TensorSpec;
import ai.lepton.preprocessing.FeaturePreprocessing;
import ai.lepton.server.blobs.BlobKeys;
import ai.lepton.server.http.Api;
import ai.lepton.server.http.ApiException;
import ai.lepton.server.http.Authenticator;
import ai.lepton.server.http.Route;
import ai.lepton.server.monitoring.PredictionLog;
import ai.lepton.server.tenancy.Principal;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Open Inference Protocol v2 over HTTP, at the server's root so that KServe and Triton clients
 * take the server's address as their base URL: health, server and model metadata, and inference.
 * Every failure answers with the protocol's {@code {"error": "..."}} body. Inference takes the
 * organization from the caller's credentials, applies the deployment's limits (its token bucket:
 * 429; its body size: 413; its samples per request: 400; see {@link Limiter}), records the serving
 * metrics, and logs each answered request to the {@link PredictionLog} (monitoring's feedback,
 * live quality and drift read it).
 */
public final class OipRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(OipRoutes.class);
  private static final String TAG = "inference";
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

  /** Who is calling an inference endpoint: their organization. */
  @FunctionalInterface
  public interface Caller {
    /**
     * The caller's organization.
     *
     * @throws ApiException when the request has no valid credentials for one organization
     */
    String organizationId(Context ctx);
  }

  private final Servables servables;
  private final Caller caller;
  private final PredictionLog log;
  private final String serverVersion;

  /**
   * @param servables what is served, each servable with its deployment's limits
   * @param log where every answered request is logged, off the request thread
   * @param serverVersion what {@code GET /v2} reports
   */
  public OipRoutes(Servables servables, Caller caller, PredictionLog log, String serverVersion) {
    this.servables = servables;
    this.caller = caller;
    this.log = log;
    this.serverVersion = serverVersion;
  }

  /**
   * The caller of the server's API: a bearer token (or a session), resolved by
   * {@code authenticator}, limited to one organization.
   */
  public static Caller signedIn(Authenticator authenticator) {
    return ctx -> {
      if (!authenticator.authenticate(ctx)) {
        throw new ApiException(ErrorCode.UNAUTHENTICATED, "send 'Authorization: Bearer <token>'"
            + " with an API token of the model's organization (create one with 'lepton token "
            + "create')");
      }
      String organization = Principal.of(ctx).organizationId();
      if (organization == null) {
        throw new ApiException(ErrorCode.UNAUTHENTICATED, "inference needs an API token, which"
            + " names the model's organization; a browser session does not");
      }
      return organization;
    };
  }

  public List<Route> routes() {
    String model = "/v2/models/{name}";
    String version = model + "/versions/{version}";
    return List.of(
        Route.get("/v2/health/live").tag(TAG).summary("Open Inference Protocol: the server is "
            + "live").publicAccess().returns(OipHealth.Live.class)
            .handle(guard(ctx -> ctx.json(new OipHealth.Live(true)))),
        Route.get("/v2/health/ready").tag(TAG).summary("Open Inference Protocol: the server "
            + "takes inference requests").publicAccess().returns(OipHealth.Ready.class)
            .handle(guard(ctx -> ctx.json(new OipHealth.Ready(true)))),
        Route.get("/v2").tag(TAG).summary("Open Inference Protocol: server metadata")
            .publicAccess().returns(ServerMetadata.class)
            .handle(guard(ctx -> ctx.json(new ServerMetadata("lepton", serverVersion,
                List.of())))),
        Route.get(model).tag(TAG).summary("Open Inference Protocol: a model's inputs and "
            + "outputs").publicAccess().returns(ModelMetadata.class)
            .handle(guard(this::metadata)),
        Route.get(version).tag(TAG).summary("Open Inference Protocol: a model version's inputs"
            + " and outputs").publicAccess().returns(ModelMetadata.class)
            .handle(guard(this::metadata)),
        Route.get(model + "/ready").tag(TAG).summary("Open Inference Protocol: the model "
            + "answers").publicAccess().returns(OipHealth.ModelReady.class)
            .handle(guard(this::ready)),
        Route.get(version + "/ready").tag(TAG).summary("Open Inference Protocol: the model "
            + "version answers").publicAccess().returns(OipHealth.ModelReady.class)
            .handle(guard(this::ready)),
        Route.post(model + "/infer").tag(TAG).summary("Open Inference Protocol: predict")
            .publicAccess().reads(InferenceRequest.class).returns(InferenceResponse.class)
            .status(200).handle(guard(this::infer)),
        Route.post(version + "/infer").tag(TAG).summary("Open Inference Protocol: predict "
            + "with one version").publicAccess().reads(InferenceRequest.class)
            .returns(InferenceResponse.class).status(200).handle(guard(this::infer)));
  }

  /**
   * {@code POST /api/v1/orgs/{org}/deployments/{name}/infer}: the inference of
   * {@code /v2/models/{name}/infer} (same body, answer, limits and metrics) for the callers
   * {@code member} accepts, which the API's filter signed in: the web pages' try-it form, whose
   * session has no organization of its own for the OIP path to use. The filter refuses a session
   * without its CSRF token, as for any change. Refusals have the rest of the API's error body,
   * with the code of the protocol's status.
   */
  public Route organizationInfer(Caller member) {
    return Route.post("/api/v1/orgs/{org}/deployments/{name}/infer").tag(TAG)
        .summary("Predict with a deployment as a signed-in member (viewers included), the "
            + "web pages' try-it: an Open Inference Protocol request and answer")
        .reads(InferenceRequest.class).returns(InferenceResponse.class).status(200)
        .handle(ctx -> {
          try {
            infer(ctx, member);
          } catch (OipException e) {
            throw new ApiException(code(e.status()), e.getMessage());
          }
        });
  }

  private static ErrorCode code(int status) {
    for (ErrorCode c : ErrorCode.values()) {
      if (c.httpStatus() == status) {
        return c;
      }
    }
    return ErrorCode.INTERNAL;
  }

  private Servable find(Context ctx) {
    return find(ctx, caller.organizationId(ctx));
  }

  private Servable find(Context ctx, String organization) {
    String name = ctx.pathParam("name");
    String version = ctx.pathParamMap().get("version");
    return servables.find(organization, name, version).orElseThrow(() -> new OipException(404,
        version == null ? "no model '" + name + "' is deployed in this organization; deploy "
            + "it first, or check the name (and the token's organization)"
            : "model '" + name + "' has no version '" + version + "' deployed; GET /v2/models/"
                + name + " names the one it serves"));
  }

  private void metadata(Context ctx) {
    Servable s = find(ctx);
    List<ModelMetadata.Tensor> outputs = tensors(s.signature().outputs());
    if (s.signature().labelled()) {
      outputs.add(new ModelMetadata.Tensor(Signature.LABEL, "BYTES", List.of(-1L)));
    }
    ctx.json(new ModelMetadata(s.name(), List.of(s.version()), s.platform(),
        tensors(s.signature().inputs()), outputs));
  }

  private void ready(Context ctx) {
    ctx.json(new OipHealth.ModelReady(find(ctx).name(), true));
  }

  private static List<ModelMetadata.Tensor> tensors(List<TensorSpec> specs) {
    List<ModelMetadata.Tensor> out = new ArrayList<>();
    for (TensorSpec s : specs) {
      out.add(new ModelMetadata.Tensor(s.name(), Signature.datatype(s),
          s.shape().stream().map(Integer::longValue).toList()));
    }
    return out;
  }

  private void infer(Context ctx) throws IOException {
    infer(ctx, caller);
  }

  private void infer(Context ctx, Caller caller) throws IOException {
    long start = System.nanoTime();
    String organization = caller.organizationId(ctx);
    Servable s = acquire(ctx, organization);
    ServingMetrics.Meters meters = s.meters();
    meters.started();
    ServingMetrics.Outcome outcome = ServingMetrics.Outcome.ERROR;
    try {
      Limiter limiter = s.limiter();
      long wait = limiter.take();
      ServingLimits limits = limiter.limits();
      if (wait > 0) {
        outcome = ServingMetrics.Outcome.RATE_LIMITED;
        ctx.header("Retry-After", Long.toString(wait));
        throw new OipException(429, "deployment '" + s.name() + "' takes at most "
            + limits.requestsPerSecond() + " requests per second (bursts of " + limits.burst()
            + "); retry after " + wait + " s, or send several samples per request");
      }
      long length = ctx.req().getContentLengthLong();
      if (length > limits.maxRequestBytes()) {
        outcome = ServingMetrics.Outcome.TOO_LARGE;
        throw tooLarge(s, limits);
      }
      InferenceDecoder.Decoded request = InferenceDecoder.decode(
          new Limited(ctx.req().getInputStream(), s, limits), length, s.signature(), limits);
      List<float[]> outputs = s.infer(request.inputs(), request.rows());
      int[] classes = classes(s.signature(), outputs.get(0), request.rows());
      String predictionId = log(organization, s, request, outputs, classes, start);
      ctx.contentType("application/json").result(encode(s, request, predictionId, outputs,
          classes));
      outcome = ServingMetrics.Outcome.OK;
    } catch (OipException e) {
      outcome = e.status() == 413 ? ServingMetrics.Outcome.TOO_LARGE
          : e.status() == 429 ? ServingMetrics.Outcome.RATE_LIMITED
          : ServingMetrics.Outcome.INVALID;
      throw e;
    } catch (LeptonException e) { // values the model refuses that the decoder could not see
      outcome = ServingMetrics.Outcome.INVALID;
      throw OipException.invalid(e.getMessage());
    } catch (IllegalStateException e) { // the server is stopping
      throw new OipException(503, e.getMessage());
    } finally {
      meters.finished(outcome, System.nanoTime() - start);
      s.release();
    }
  }

  /**
   * The servable, held until the request ends: one retired (and freed) between the lookup and
   * the hold is looked up again, so a rollout fails no request.
   */
  private Servable acquire(Context ctx, String organization) {
    Servable s = find(ctx, organization);
    while (!s.acquire()) {
      Servable again = find(ctx, organization);
      if (again == s) {
        throw new IllegalStateException("model '" + s.name() + "' version " + s.version()
            + " is retired but still served");
      }
      s = again;
    }
    return s;
  }

  private static OipException tooLarge(Servable s, ServingLimits limits) {
    return OipException.tooLarge("the request body is larger than " + limits.maxRequestBytes()
        + " bytes, the limit of deployment '" + s.name() + "'; send fewer samples per request");
  }

  /**
   * Each sample's arg-max column of the first output when it {@linkplain Signature#classifies()
   * classifies}; null otherwise (a regression's value).
   */
  private static int[] classes(Signature sig, float[] scores, int rows) {
    if (!sig.classifies()) {
      return null;
    }
    int width = sig.outputWidth(0);
    int[] best = new int[rows];
    for (int r = 0; r < rows; r++) {
      int at = r * width;
      for (int j = 1; j < width; j++) {
        if (scores[at + j] > scores[at + best[r]]) {
          best[r] = j;
        }
      }
    }
    return best;
  }

  /**
   * Logs the answered request, one sample per row, and answers its prediction id. Building the
   * samples boxes the row's outputs and, for a model with named features, its inputs; the log
   * itself only queues. A log that fails is reported here and never fails the answer.
   */
  private String log(String organization, Servable s, InferenceDecoder.Decoded request,
      List<float[]> outputs, int[] classes, long start) {
    try {
      Signature sig = s.signature();
      float[] tensorFeatures = tensorFeatures(sig, request);
      List<PredictionLog.Sample> samples = new ArrayList<>(request.rows());
      for (int r = 0; r < request.rows(); r++) {
        List<Double> values = new ArrayList<>();
        for (int o = 0; o < outputs.size(); o++) {
          int width = sig.outputWidth(o);
          for (int j = r * width; j < (r + 1) * width; j++) {
            values.add((double) outputs.get(o)[j]);
          }
        }
        String predicted = classes == null ? null : sig.classNames().isEmpty()
            ? Integer.toString(classes[r]) : sig.classNames().get(classes[r]);
        samples.add(new PredictionLog.Sample(features(sig, request, tensorFeatures, r), predicted,
            classes == null ? values.get(0) : null, values));
      }
      return log.log(organization, s.name(), s.versionId(), samples,
          Duration.ofNanos(System.nanoTime() - start));
    } catch (RuntimeException e) {
      String id = "prd_" + BlobKeys.randomSegment();
      LOG.error("cannot log prediction {} of model {} version {}; answered without it", id,
          s.name(), s.version(), e);
      return id;
    }
  }

  /**
   * A tensor request's inputs in the training data's units, {@code [rows, features]}: a client
   * that sends a tensor to a model with feature preprocessing sends it scaled, as the model takes
   * it, while drift compares with the training columns; null for raw rows and models without
   * named features.
   */
  private static float[] tensorFeatures(Signature sig, InferenceDecoder.Decoded request) {
    if (sig.features().isEmpty() || request.rawRows() != null
        || !(sig.preprocessing() instanceof FeaturePreprocessing f)) {
      return null;
    }
    return f.scaler().inverseTransform(Tensor.of(request.inputs().get(0), request.rows(),
        sig.features().size())).toFloatArray();
  }

  /**
   * Sample {@code r}'s features by column: a raw row's cells, or a tensor's values in the
   * training data's units ({@link #tensorFeatures}); none for images and texts.
   */
  private static Map<String, Object> features(Signature sig, InferenceDecoder.Decoded request,
      float[] tensorFeatures, int r) {
    List<String> columns = sig.features();
    if (columns.isEmpty()) {
      return Map.of();
    }
    Map<String, Object> features = new LinkedHashMap<>();
    if (request.rawRows() != null) {
      List<Double> row = request.rawRows().get(r);
      for (int j = 0; j < columns.size(); j++) {
        features.put(columns.get(j), row.get(j));
      }
    } else {
      for (int j = 0; j < columns.size(); j++) {
        features.put(columns.get(j), (double) tensorFeatures[r * columns.size() + j]);
      }
    }
    return features;
  }

  /**
   * The response, written straight from the output arrays: {@code id} is the request's own when
   * it sent one (as the protocol has it), else the prediction id, which
   * {@code parameters.prediction_id} always carries for feedback.
   */
  private static byte[] encode(Servable s, InferenceDecoder.Decoded request, String predictionId,
      List<float[]> outputs, int[] classes) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + 16 * outputs.get(0).length);
    try (JsonGenerator g = JSON.createGenerator(bytes)) {
      g.writeStartObject();
      g.writeStringField("model_name", s.name());
      g.writeStringField("model_version", s.version());
      g.writeStringField("id", request.id() != null ? request.id() : predictionId);
      g.writeObjectFieldStart("parameters");
      g.writeStringField("prediction_id", predictionId);
      g.writeEndObject();
      g.writeArrayFieldStart("outputs");
      List<TensorSpec> specs = s.signature().outputs();
      for (int o = 0; o < specs.size(); o++) {
        TensorSpec spec = specs.get(o);
        if (request.outputs() != null && !request.outputs().contains(spec.name())) {
          continue;
        }
        g.writeStartObject();
        g.writeStringField("name", spec.name());
        g.writeStringField("datatype", "FP32");
        g.writeArrayFieldStart("shape");
        g.writeNumber(request.rows());
        for (int d = 1; d < spec.shape().size(); d++) {
          g.writeNumber(spec.shape().get(d));
        }
        g.writeEndArray();
        g.writeArrayFieldStart("data");
        for (float v : outputs.get(o)) {
          g.writeNumber(v);
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      Signature sig = s.signature();
      if (sig.labelled()
          && (request.outputs() == null || request.outputs().contains(Signature.LABEL))) {
        g.writeStartObject();
        g.writeStringField("name", Signature.LABEL);
        g.writeStringField("datatype", "BYTES");
        g.writeArrayFieldStart("shape");
        g.writeNumber(request.rows());
        g.writeEndArray();
        g.writeArrayFieldStart("data");
        for (int c : classes) {
          g.writeString(sig.classNames().get(c));
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return bytes.toByteArray();
  }

  /** Answers every failure of {@code handler} with the protocol's error body. */
  private static Handler guard(Handler handler) {
    return ctx -> {
      try {
        handler.handle(ctx);
      } catch (OipException e) {
        refuse(ctx, e.status(), e.getMessage());
      } catch (ApiException e) {
        refuse(ctx, e.code().httpStatus(), e.getMessage());
      } catch (Exception e) {
        String id = ctx.res().getHeader(Api.REQUEST_ID);
        LOG.error("request {} {} {} failed", id, ctx.method(), ctx.path(), e);
        refuse(ctx, 500, "the server failed to answer this request; quote request id " + id
            + " to its operator");
      }
    };
  }

  private static void refuse(Context ctx, int status, String message) {
    byte[] json = ctx.jsonMapper().toJsonString(new InferenceError(message),
        InferenceError.class).getBytes(StandardCharsets.UTF_8);
    Api.refuse(ctx, status, json);
  }

  /** The body, refused with a 413 past the deployment's {@code limits}. */
  private static final class Limited extends FilterInputStream {
    private final Servable servable;
    private final ServingLimits limits;
    private long read;

    Limited(InputStream in, Servable servable, ServingLimits limits) {
      super(in);
      this.servable = servable;
      this.limits = limits;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      count(b < 0 ? 0 : 1);
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      count(n);
      return n;
    }

    private void count(int n) {
      if (n > 0 && (read += n) > limits.maxRequestBytes()) {
        throw tooLarge(servable, limits);
      }
    }
  }
}
