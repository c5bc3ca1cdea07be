package ai.lepton.client;

import ai.lepton.api.ApiError;
import ai.lepton.api.AuditPage;
import ai.lepton.api.AuditVerification;
import ai.lepton.api.ErrorCode;
import ai.lepton.api.Health;
import ai.lepton.api.Me;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

/**
 * A Java client of the Lepton server's HTTP API. Thread-safe; one per server and token.
 *
 * <pre>{@code
 * LeptonClient lepton = LeptonClient.connect(URI.create("http://localhost:8080"), token);
 * lepton.health();
 * }</pre>
 *
 * Every call throws {@link LeptonClientException} with the server's error code and message when
 * the server refuses, and with {@link ErrorCode#UNAVAILABLE} when it cannot be reached.
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
    return send(request("/api/v1/me").GET(), Me.class);
  }

  /** {@code GET /api/v1/orgs/{org}/audit}: the newest {@code limit} events of the organization. */
  public AuditPage auditEvents(String organizationId, int limit) {
    return send(request("/api/v1/orgs/" + segment(organizationId) + "/audit?limit=" + limit)
        .GET(), AuditPage.class);
  }

  /** {@code GET /api/v1/orgs/{org}/audit/verify}: whether the organization's chain is intact. */
  public AuditVerification verifyAudit(String organizationId) {
    return send(request("/api/v1/orgs/" + segment(organizationId) + "/audit/verify").GET(),
        AuditVerification.class);
  }

  /** An id as one path segment: ids are [a-z0-9_], anything else is refused here. */
  private static String segment(String id) {
    if (id == null || !id.matches("[A-Za-z0-9_-]{1,100}")) {
      throw new IllegalArgumentException("expected an id of letters, digits, '_' or '-', received "
          + id);
    }
    return id;
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
      ApiError e = json.readValue(body, ApiError.class);
      if (e.error() != null && e.error().code() != null) {
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
