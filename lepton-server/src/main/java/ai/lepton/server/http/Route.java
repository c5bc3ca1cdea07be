package ai.lepton.server.http;

import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.Objects;

/**
 * One endpoint of the API: what the server registers and what {@code /openapi.json} documents, from
 * the same record, so the two cannot drift.
 *
 * @param method the HTTP method
 * @param path the path, with {@code {name}} parameters (Javalin's syntax, and OpenAPI's)
 * @param tag the feature it belongs to (an OpenAPI tag: "tenancy", "datasets"...)
 * @param summary one line saying what it does
 * @param access who may call it
 * @param request the JSON body it reads (a record class), or null
 * @param response the JSON body it answers with (a record class), or null for none or non-JSON
 * @param status the status of a successful answer
 * @param handler the code
 */
public record Route(HandlerType method, String path, String tag, String summary, Access access,
    Class<?> request, Class<?> response, int status, Handler handler) {

  /** Who may call a route. */
  public enum Access {
    /** Anyone: health, sign-in, the API document. */
    PUBLIC,
    /** A signed-in principal (a bearer token or a session cookie); roles are checked inside. */
    SIGNED_IN
  }

  public Route {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(summary, "summary");
    Objects.requireNonNull(access, "access");
    Objects.requireNonNull(handler, "handler");
  }

  public static Builder get(String path) {
    return new Builder(HandlerType.GET, path, 200);
  }

  public static Builder post(String path) {
    return new Builder(HandlerType.POST, path, 201);
  }

  public static Builder put(String path) {
    return new Builder(HandlerType.PUT, path, 201);
  }

  public static Builder patch(String path) {
    return new Builder(HandlerType.PATCH, path, 200);
  }

  public static Builder delete(String path) {
    return new Builder(HandlerType.DELETE, path, 204);
  }

  /** Builds a route: tag and summary are required, the rest has defaults. */
  public static final class Builder {
    private final HandlerType method;
    private final String path;
    private int status;
    private String tag;
    private String summary;
    private Access access = Access.SIGNED_IN;
    private Class<?> request;
    private Class<?> response;

    private Builder(HandlerType method, String path, int status) {
      this.method = method;
      this.path = path;
      this.status = status;
    }

    public Builder tag(String tag) {
      this.tag = tag;
      return this;
    }

    public Builder summary(String summary) {
      this.summary = summary;
      return this;
    }

    public Builder publicAccess() {
      this.access = Access.PUBLIC;
      return this;
    }

    public Builder reads(Class<?> request) {
      this.request = request;
      return this;
    }

    public Builder returns(Class<?> response) {
      this.response = response;
      return this;
    }

    public Builder status(int status) {
      this.status = status;
      return this;
    }

    public Route handle(Handler handler) {
      return new Route(method, path, tag, summary, access, request, response, status, handler);
    }
  }
}
