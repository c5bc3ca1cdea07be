package ai.lepton.server.http;

import ai.lepton.api.ApiError;
import ai.lepton.api.ErrorCode;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.compression.Gzip;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP pipeline, in order: a request id, metrics, authentication for signed-in routes, the
 * route, and one mapping of every failure to the {@link ApiError} body. Routes come from the
 * features; {@link OpenApi} documents the same list.
 */
public final class Api {
  /** The header carrying the request id, on every response. */
  public static final String REQUEST_ID = "X-Request-Id";
  /** Largest JSON body a route reads whole (uploads stream and have their own limits). */
  public static final long MAX_JSON_BODY = 1 << 20;
  /** Largest request header block. */
  public static final int MAX_HEADER_BYTES = 16 * 1024;
  /**
   * The buffer Javalin allocates for each answer to copy it through: larger answers take more
   * than one copy into Jetty's own buffer. Most answers are under 1 KB; at 8 KB the copy buffer
   * was a sixth of the bytes an inference request allocated.
   */
  private static final int RESPONSE_COPY_BUFFER = 2 * 1024;
  /**
   * After a 413, at most this much of the unread body is read and dropped before the connection
   * closes, and for at most {@link #DRAIN_TIME}: a client that writes its whole body before it
   * reads the answer (curl, the JDK's HttpClient without Expect: 100-continue) would otherwise
   * have its writes reset by the close, and lose the 413. Read through one small buffer, so
   * memory stays bounded whatever the body.
   */
  static final long DRAIN_BYTES = 16L << 20;
  /** The largest unread request body read to its end after the answer (see finishBody). */
  static final int UNREAD_BODY_BYTES = 64 * 1024;
  /** The longest a 413's body is drained; also the longest the server waits for one read. */
  static final Duration DRAIN_TIME = Duration.ofSeconds(2);

  private static final Logger LOG = LoggerFactory.getLogger(Api.class);
  private static final String START = "lepton.start";
  private static final String ROUTE = "lepton.route";
  private static final String ANSWERED = "lepton.answered";
  private static final String TOO_LARGE = "the request body is larger than " + MAX_JSON_BODY
      + " bytes";

  private final ObjectMapper mapper;
  private final MeterRegistry metrics;
  private final Authenticator authenticator;
  private final List<Route> routes;

  public Api(ObjectMapper mapper, MeterRegistry metrics, Authenticator authenticator,
      List<Route> routes) {
    this.mapper = mapper;
    this.metrics = metrics;
    this.authenticator = authenticator;
    this.routes = List.copyOf(routes);
  }

  public List<Route> routes() {
    return routes;
  }

  /** A Javalin server with every route and filter, not yet started. */
  public Javalin create(String host, int port) {
    return Javalin.create(cfg -> {
      cfg.jetty.host = host;
      cfg.jetty.port = port;
      cfg.jsonMapper(new JavalinJackson(mapper, false));
      cfg.http.maxRequestSize = MAX_JSON_BODY;
      cfg.http.prefer405over404 = true;
      cfg.http.compressionStrategy = jsonFirstGzip();
      // Javalin copies each answer to Jetty through a new buffer of this size (by default
      // Jetty's 32 KB output buffer, zeroed for every answer, most of which are under 1 KB)
      cfg.http.responseBufferSize = RESPONSE_COPY_BUFFER;
      cfg.startup.showJavalinBanner = false;
      cfg.jetty.modifyServer(server -> server.setErrorHandler(new EarlyErrors(mapper)));
      cfg.jetty.modifyHttpConfiguration(http -> {
        http.setRequestHeaderSize(MAX_HEADER_BYTES);
        http.setSendServerVersion(false);
      });
      cfg.staticFiles.enableWebjars();
      cfg.staticFiles.add(files -> {
        files.hostedPath = "/web";
        files.directory = "/web";
        files.location = Location.CLASSPATH;
      });
      cfg.routes.before(ctx -> {
        ctx.attribute(START, System.nanoTime());
        ctx.header(REQUEST_ID, newRequestId());
        ctx.header("X-Content-Type-Options", "nosniff");
      });
      for (Route route : routes) {
        cfg.routes.addHttpHandler(route.method(), route.path(), ctx -> run(route, ctx));
      }
      cfg.routes.exception(ApiException.class, (e, ctx) -> {
        ctx.attribute(ANSWERED, true);
        error(ctx, e.code(), e.getMessage());
      });
      cfg.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx,
          codeFor(e.getStatus()), switch (e.getStatus()) {
            case 404 -> "no endpoint " + ctx.method() + " " + ctx.path() + "; the API's "
                + "endpoints are listed at /openapi.json";
            case 413 -> TOO_LARGE;
            default -> e.getMessage();
          }));
      cfg.routes.exception(Exception.class, (e, ctx) -> {
        LOG.error("request {} {} {} failed", ctx.header(REQUEST_ID) == null
            ? ctx.res().getHeader(REQUEST_ID) : ctx.header(REQUEST_ID), ctx.method(), ctx.path(), e);
        error(ctx, ErrorCode.INTERNAL, "the server failed to answer this request; quote request id "
            + ctx.res().getHeader(REQUEST_ID) + " to its operator");
      });
      // Status handlers run for every answer with their status: they leave a route's own
      // refusal as it is (an upload's 413 keeps its message).
      cfg.routes.error(405, ctx -> unanswered(ctx, ErrorCode.METHOD_NOT_ALLOWED, ctx.method()
          + " is not allowed on " + ctx.path() + "; see /openapi.json for its methods"));
      cfg.routes.error(413, ctx -> unanswered(ctx, ErrorCode.PAYLOAD_TOO_LARGE, TOO_LARGE));
      cfg.routes.after(ctx -> {
        finishBody(ctx);
        record(ctx);
      });
    });
  }

  /**
   * The request's JSON body as {@code type}: the one way routes read a body.
   *
   * @throws ApiException INVALID_ARGUMENT for a body of {@code null} (Javalin's reader would fail
   *     with a NullPointerException, a 500), or one that does not fit {@code type}
   */
  public static <T> T body(Context ctx, Class<T> type) {
    if (ctx.body().strip().equals("null")) {
      throw ApiException.invalid("the request needs a JSON object body (" + type.getSimpleName()
          + "); received null");
    }
    return ctx.bodyAsClass(type);
  }

  private void run(Route route, Context ctx) throws Exception {
    ctx.attribute(ROUTE, route.path());
    if (route.access() == Route.Access.SIGNED_IN && !authenticator.authenticate(ctx)) {
      throw new ApiException(ErrorCode.UNAUTHENTICATED, "sign in first: send 'Authorization: "
          + "Bearer <token>' (create a token with 'lepton token create') or a session cookie");
    }
    try {
      route.handler().handle(ctx);
    } catch (JacksonException e) {
      throw ApiException.invalid("the JSON body is not valid for " + ctx.method() + " "
          + route.path() + ": " + e.getOriginalMessage());
    }
    if (ctx.statusCode() == 200 && route.status() != 200) {
      ctx.status(route.status());
    }
  }

  private static void error(Context ctx, ErrorCode code, String message) {
    String id = ctx.res().getHeader(REQUEST_ID);
    if (code == ErrorCode.PAYLOAD_TOO_LARGE) {
      refuseBody(ctx, ctx.jsonMapper().toJsonString(ApiError.of(code, message, id),
          ApiError.class).getBytes(StandardCharsets.UTF_8));
    } else {
      ctx.status(code.httpStatus()).json(ApiError.of(code, message, id));
    }
  }

  /**
   * Answers a 413 at once (sent, with Connection: close), then drains the body the server will
   * not read, within {@link #DRAIN_BYTES} and {@link #DRAIN_TIME}, so that the client can finish
   * writing and read the answer before the connection closes. A client that waits for 100
   * Continue sends no body, so there is nothing to drain.
   */
  private static void refuseBody(Context ctx, byte[] json) {
    ctx.attribute(ANSWERED, true); // the status handler for 413 leaves it as it is
    HttpServletResponse res = ctx.res();
    res.setStatus(ErrorCode.PAYLOAD_TOO_LARGE.httpStatus());
    res.setHeader("Connection", "close");
    res.setContentType("application/json");
    res.setContentLength(json.length);
    try {
      res.getOutputStream().write(json);
      res.flushBuffer();
    } catch (IOException e) {
      return; // the client is gone: nothing to answer, nothing to drain
    }
    if ("100-continue".equalsIgnoreCase(ctx.header("Expect"))) {
      return;
    }
    // a read waits at most DRAIN_TIME for bytes: a client that stops sending is not waited for
    ServletContextRequest.getServletContextRequest(ctx.req()).getConnectionMetaData()
        .getConnection().getEndPoint().setIdleTimeout(DRAIN_TIME.toMillis());
    long deadline = System.nanoTime() + DRAIN_TIME.toNanos();
    byte[] buffer = new byte[64 * 1024];
    long drained = 0;
    try {
      ServletInputStream in = ctx.req().getInputStream();
      while (drained < DRAIN_BYTES && System.nanoTime() < deadline) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, DRAIN_BYTES - drained));
        if (n < 0) {
          return;
        }
        drained += n;
      }
    } catch (IOException | RuntimeException e) {
      // the client stopped, closed or sent a broken body: the connection closes anyway
    }
  }

  /**
   * Reads what is left of a small request body that the route did not read (a refusal that came
   * before the body, a route that takes none), so that the connection stays open for the
   * client's next request; a larger one gets Connection: close. Left unread, a body that came
   * after the answer was ready made Jetty close the connection, and a client could send its
   * next request on it before seeing the close (the JDK's client then failed a POST with
   * "header parser received no bytes", twice in CI).
   */
  private static void finishBody(Context ctx) {
    long length = ctx.req().getContentLengthLong();
    if (length == 0 || ctx.res().isCommitted()
        || (length < 0 && ctx.req().getHeader("Transfer-Encoding") == null)) {
      return;
    }
    try {
      ServletInputStream in = ctx.req().getInputStream();
      if (in.isFinished()) {
        return;
      }
      if (length > 0 && length <= UNREAD_BODY_BYTES) {
        if (in.read() < 0) { // a route that read exactly its Content-Length had not seen the end
          return;
        }
        byte[] buffer = new byte[(int) Math.min(length, 8192)];
        while (in.read(buffer) >= 0) {
          // discarded: what the route refused or had no use for
        }
        return;
      }
    } catch (IOException | IllegalStateException e) {
      // read through a reader, or the client is gone: the connection is not kept
    }
    ctx.res().setHeader("Connection", "close");
  }

  /**
   * Answers a refusal in a body shape of the route's own (the inference protocol's
   * {@code {"error": "..."}}), which the status handlers then leave as it is; a 413 also drains
   * the unread body first, as the API's own 413 does.
   */
  public static void refuse(Context ctx, int status, byte[] json) {
    if (status == ErrorCode.PAYLOAD_TOO_LARGE.httpStatus()) {
      refuseBody(ctx, json);
    } else {
      ctx.attribute(ANSWERED, true);
      ctx.status(status).contentType("application/json").result(json);
    }
  }

  private static void unanswered(Context ctx, ErrorCode code, String message) {
    if (ctx.attribute(ANSWERED) == null) {
      error(ctx, code, message);
    }
  }

  /**
   * Javalin's default gzip, with JSON on its list of types always compressed (when large
   * enough): JSON was never on its excluded list, but without this every answer was first
   * checked against that list's ten types, each a case-insensitive substring search: 7% of the
   * request threads' CPU samples under the serving benchmark (docs/benchmarks.md).
   */
  private static CompressionStrategy jsonFirstGzip() {
    CompressionStrategy gzip = new CompressionStrategy(null, new Gzip());
    List<String> allowed = new ArrayList<>(gzip.getAllowedMimeTypes());
    allowed.add("application/json");
    gzip.setAllowedMimeTypes(allowed);
    return gzip;
  }

  /**
   * What Jetty refuses before any route runs (a request line or URI it cannot parse, headers over
   * {@link #MAX_HEADER_BYTES}), answered in the API's one error shape instead of Jetty's HTML page.
   */
  private static final class EarlyErrors extends ErrorHandler {
    private final ObjectMapper mapper;

    EarlyErrors(ObjectMapper mapper) {
      this.mapper = mapper;
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
      fields.put(HttpHeader.CONTENT_TYPE, "application/json");
      return ByteBuffer.wrap(json(status, reason));
    }

    @Override
    protected void generateResponse(Request request, Response response, int status,
        String reason, Throwable cause, Callback callback) {
      response.setStatus(status);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      response.write(true, ByteBuffer.wrap(json(status, reason)), callback);
    }

    private byte[] json(int status, String reason) {
      ErrorCode code = codeFor(status);
      String message = code == ErrorCode.HEADERS_TOO_LARGE
          ? "the request's headers are larger than " + MAX_HEADER_BYTES / 1024 + " KiB; send"
              + " fewer or shorter headers"
          : "the request was refused before it reached an endpoint (" + reason + "); check the"
              + " URL and its percent-encoding";
      try {
        return mapper.writeValueAsBytes(ApiError.of(code, message, newRequestId()));
      } catch (JacksonException e) {
        throw new IllegalStateException("cannot write an error body", e);
      }
    }
  }

  private static ErrorCode codeFor(int status) {
    for (ErrorCode code : ErrorCode.values()) {
      if (code.httpStatus() == status) {
        return code;
      }
    }
    return status >= 500 ? ErrorCode.INTERNAL : ErrorCode.INVALID_ARGUMENT;
  }

  private void record(Context ctx) {
    Long start = ctx.attribute(START);
    if (start == null) {
      return;
    }
    String template = ctx.attribute(ROUTE) == null ? "unmatched" : ctx.attribute(ROUTE);
    Timer.builder("lepton_http_requests")
        .description("HTTP requests by method, route template and status")
        .tag("method", ctx.method().name())
        .tag("route", template)
        .tag("status", Integer.toString(ctx.statusCode()))
        .register(metrics)
        .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  // A request id only tells requests apart in logs and error reports: it guards nothing, so it
  // comes from the thread's own generator, not from SecureRandom (one lock every request waits on).
  private static String newRequestId() {
    return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
  }

  /** The distinct tags of the routes, for the OpenAPI document. */
  Set<String> tags() {
    return routes.stream().map(Route::tag).collect(Collectors.toCollection(java.util.TreeSet::new));
  }
}
