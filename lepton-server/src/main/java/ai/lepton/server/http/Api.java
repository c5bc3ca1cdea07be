package ai.lepton.server.http;

import ai.lepton.api.ApiError;
import ai.lepton.api.ErrorCode;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
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

  private static final Logger LOG = LoggerFactory.getLogger(Api.class);
  private static final String START = "lepton.start";
  private static final String ROUTE = "lepton.route";
  private static final String ANSWERED = "lepton.answered";

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
      cfg.startup.showJavalinBanner = false;
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
          codeFor(e.getStatus()), e.getStatus() == 404 ? "no endpoint " + ctx.method() + " "
              + ctx.path() + "; the API's endpoints are listed at /openapi.json" : e.getMessage()));
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
      cfg.routes.error(413, ctx -> unanswered(ctx, ErrorCode.PAYLOAD_TOO_LARGE,
          "the request body is larger than " + MAX_JSON_BODY + " bytes"));
      cfg.routes.after(ctx -> record(ctx));
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
    ctx.status(code.httpStatus()).json(ApiError.of(code, message, id));
  }

  private static void unanswered(Context ctx, ErrorCode code, String message) {
    if (ctx.attribute(ANSWERED) == null) {
      error(ctx, code, message);
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
