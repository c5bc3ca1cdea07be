package ai.lepton.server.tenancy;

import ai.lepton.server.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/** A small JSON client of a real server for the HTTP tests: bearer tokens or a session cookie. */
final class Client {
  static final ObjectMapper JSON = Json.mapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** Credentials: a bearer token, or a session cookie and its CSRF token (sent when non-null). */
  record Cred(String authorization, String cookie, String csrf) {
    static final Cred NONE = new Cred(null, null, null);

    static Cred token(String token) {
      return new Cred("Bearer " + token, null, null);
    }

    /** Any Authorization header, as is. */
    static Cred header(String authorization) {
      return new Cred(authorization, null, null);
    }

    static Cred session(String cookie, String csrf) {
      return new Cred(null, cookie, csrf);
    }

    Cred withoutCsrf() {
      return new Cred(authorization, cookie, null);
    }

    Cred withCsrf(String other) {
      return new Cred(authorization, cookie, other);
    }
  }

  record Response(int status, String body, HttpResponse<String> raw) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    String text(String field) {
      return json().get(field).asText();
    }

    String errorCode() {
      return json().path("error").path("code").asText();
    }

    String errorMessage() {
      return json().path("error").path("message").asText();
    }
  }

  private final String base;

  Client(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  Response get(String path, Cred cred) {
    return send("GET", path, cred, null);
  }

  Response delete(String path, Cred cred) {
    return send("DELETE", path, cred, null);
  }

  Response post(String path, Cred cred, Object body) {
    return send("POST", path, cred, body);
  }

  Response patch(String path, Cred cred, Object body) {
    return send("PATCH", path, cred, body);
  }

  Response put(String path, Cred cred, Object body) {
    return send("PUT", path, cred, body);
  }

  /** {@code body}: a String sent as is, a Map or record written as JSON, or null for none. */
  Response send(String method, String path, Cred cred, Object body) {
    try {
      String text = body == null ? null : body instanceof String s ? s
          : JSON.writeValueAsString(body);
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
          .method(method, text == null ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(text));
      if (text != null) {
        b.header("Content-Type", "application/json");
      }
      if (cred.authorization() != null) {
        b.header("Authorization", cred.authorization());
      }
      if (cred.cookie() != null) {
        b.header("Cookie", TenancyRoutes.COOKIE + "=" + cred.cookie());
      }
      if (cred.csrf() != null) {
        b.header("X-CSRF-Token", cred.csrf());
      }
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body(), r);
    } catch (Exception e) {
      throw new AssertionError(method + " " + path + " failed: " + e, e);
    }
  }

  /** {@code PUT} of {@code body} as a raw application/octet-stream body (a file upload). */
  Response putBytes(String path, Cred cred, byte[] body) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
          .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
          .header("Content-Type", "application/octet-stream");
      if (cred.authorization() != null) {
        b.header("Authorization", cred.authorization());
      }
      if (cred.cookie() != null) {
        b.header("Cookie", TenancyRoutes.COOKIE + "=" + cred.cookie());
      }
      if (cred.csrf() != null) {
        b.header("X-CSRF-Token", cred.csrf());
      }
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body(), r);
    } catch (Exception e) {
      throw new AssertionError("PUT " + path + " failed: " + e, e);
    }
  }

  /** Signs in with a link's code: the session's credentials. */
  Cred signInWithLink(String link) {
    String code = link.substring(link.lastIndexOf('/') + 1);
    Response r = post("/api/v1/session/link", Cred.NONE, Map.of("code", code));
    if (r.status() != 201) {
      throw new AssertionError("link sign-in answered " + r.status() + ": " + r.body());
    }
    return Cred.session(cookieOf(r), r.text("csrfToken"));
  }

  static String cookieOf(Response r) {
    String header = r.raw().headers().firstValue("Set-Cookie").orElseThrow();
    String pair = header.substring(0, header.indexOf(';'));
    return pair.substring(pair.indexOf('=') + 1);
  }
}
