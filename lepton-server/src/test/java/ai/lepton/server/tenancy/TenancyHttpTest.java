package ai.lepton.server.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.ServerConfig;
import ai.lepton.server.tenancy.Client.Cred;
import ai.lepton.server.tenancy.Client.Response;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sessions, CSRF, token expiry and revocation, sign-in limits and hostile input, over real HTTP on
 * a fresh server per test.
 */
class TenancyHttpTest extends ServerFixture {
  private String token(String scope, Duration life) {
    return newToken(scope, life).text("token");
  }

  private Response newToken(String scope, Duration life) {
    Response r = client.post(orgPath("/tokens"), owner, Map.of("name", "t", "scope", scope,
        "expiresAt", clock.instant().plus(life).toString()));
    assertEquals(201, r.status(), r.body());
    return r;
  }

  private static void assertError(Response r, int status, String code, String fragment) {
    assertEquals(status, r.status(), r.body());
    assertEquals(code, r.errorCode(), r.body());
    assertTrue(r.errorMessage().contains(fragment), r.body());
  }

  @Test
  void theFirstStartPrintsALinkOnceAndLaterStartsDoNot() {
    String link = server.firstSignInLink().orElseThrow();
    assertTrue(link.matches("http://127\\.0\\.0\\.1:" + server.port() + "/signin/[\\w-]{43}"),
        link);
    assertError(client.post("/api/v1/session/link", Cred.NONE,
        Map.of("code", link.substring(link.lastIndexOf('/') + 1))), 401, "UNAUTHENTICATED",
        "unknown, used or expired");
    restart(ServerConfig.embedded(dir, 0));
    assertTrue(server.firstSignInLink().isEmpty());
  }

  @Test
  void theFirstOrganizationAndAdministratorAreConfigured() {
    restart(new ServerConfig("127.0.0.1", 0, dir.resolve("acme"), null, null, null, null, null,
        null, "Acme", "Ops@Acme.org", ServerConfig.DEFAULT_MAX_UPLOAD_BYTES));
    Cred ops = client.signInWithLink(server.firstSignInLink().orElseThrow());
    assertEquals("ops@acme.org", client.get("/api/v1/me", ops).json().get("user").get("email")
        .asText());
    assertEquals("Acme", client.get("/api/v1/orgs", ops).json().get("items").get(0).get("name")
        .asText());
  }

  @Test
  void theSignInLinkOpensAPageThatDoesNotReflectTheCode() {
    Response page = client.get("/signin/%3Cscript%3Ealert(1)%3C%2Fscript%3E", Cred.NONE);
    assertEquals(200, page.status());
    assertTrue(page.raw().headers().firstValue("Content-Type").orElseThrow()
        .startsWith("text/html"));
    assertTrue(page.raw().headers().firstValue("Content-Security-Policy").orElseThrow()
        .contains("default-src 'none'"));
    assertEquals("no-referrer", page.raw().headers().firstValue("Referrer-Policy")
        .orElseThrow());
    assertTrue(page.body().contains("/api/v1/session/link"));
    assertFalse(page.body().contains("alert(1)"));
  }

  @Test
  void theSessionCookieIsHttpOnlyStrictAndSecureBehindHttps() {
    Response r = client.post("/api/v1/users", owner, Map.of("email", "c@x.org"));
    Response signIn = client.post("/api/v1/session/link", Cred.NONE,
        Map.of("code", r.text("signInLink").replaceAll(".*/", "")));
    String cookie = signIn.raw().headers().firstValue("Set-Cookie").orElseThrow();
    assertTrue(cookie.startsWith("lepton_session="), cookie);
    assertTrue(cookie.contains("; Path=/; Max-Age=604800; HttpOnly; SameSite=Strict"), cookie);
    assertFalse(cookie.contains("Secure"), cookie);
    assertFalse(signIn.json().get("passwordSet").asBoolean());

    restart(new ServerConfig("127.0.0.1", 0, dir.resolve("https"), null, null, null, null, null,
        "https://lepton.example.org", null, null, ServerConfig.DEFAULT_MAX_UPLOAD_BYTES));
    String link = server.firstSignInLink().orElseThrow();
    assertTrue(link.startsWith("https://lepton.example.org/signin/"), link);
    Response secure = client.post("/api/v1/session/link", Cred.NONE,
        Map.of("code", link.replaceAll(".*/", "")));
    assertTrue(secure.raw().headers().firstValue("Set-Cookie").orElseThrow()
        .endsWith("; Secure"));
  }

  @Test
  void cookieSessionsNeedTheCsrfTokenToChangeThingsAndBearerTokensDoNot() {
    Response missing = client.post(orgPath("/projects"), owner.withoutCsrf(),
        Map.of("name", "p1"));
    assertError(missing, 403, "PERMISSION_DENIED", "X-CSRF-Token header is missing");
    assertError(client.post(orgPath("/projects"), owner.withCsrf("guess"), Map.of("name", "p1")),
        403, "PERMISSION_DENIED", "X-CSRF-Token header is wrong");
    assertError(client.delete("/api/v1/session", owner.withoutCsrf()), 403,
        "PERMISSION_DENIED", "CSRF");
    assertEquals(200, client.get(orgPath("/projects"), owner.withoutCsrf()).status(),
        "reads need no CSRF token");
    assertEquals(201, client.post(orgPath("/projects"), owner, Map.of("name", "p1")).status());
    Cred bearer = Cred.token(token("write", Duration.ofDays(1)));
    assertEquals(201, client.post(orgPath("/projects"), bearer, Map.of("name", "p2")).status());
    // the CSRF token comes back from GET /api/v1/session
    Response session = client.get("/api/v1/session", owner.withoutCsrf());
    assertEquals(owner.csrf(), session.text("csrfToken"));
    assertError(client.get("/api/v1/session", bearer), 400, "INVALID_ARGUMENT", "API token");
  }

  @Test
  void signingOutEndsTheSession() {
    assertEquals(204, client.delete("/api/v1/session", owner).status());
    assertError(client.get("/api/v1/me", owner), 401, "UNAUTHENTICATED", "sign in again");
  }

  @Test
  void expiredAndRevokedTokensAnswer401() {
    Response shortMade = newToken("read", Duration.ofHours(1));
    Cred shortLived = Cred.token(shortMade.text("token"));
    Response revokedMade = newToken("read", Duration.ofDays(1));
    Cred revoked = Cred.token(revokedMade.text("token"));
    assertEquals(200, client.get(orgPath("/projects"), shortLived).status());
    assertEquals(200, client.get(orgPath("/projects"), revoked).status());
    String revokedId = revokedMade.json().get("info").get("id").asText();
    assertEquals(204, client.delete(orgPath("/tokens/" + revokedId), owner).status());
    assertError(client.get(orgPath("/projects"), revoked), 401, "UNAUTHENTICATED", "revoked");
    clock.advance(Duration.ofHours(1));
    assertError(client.get(orgPath("/projects"), shortLived), 401, "UNAUTHENTICATED", "expired");
    assertError(client.get(orgPath("/projects"), Cred.token("lpt_" + "A".repeat(43))), 401,
        "UNAUTHENTICATED", "unknown");
    assertError(client.get(orgPath("/projects"), Cred.NONE), 401, "UNAUTHENTICATED", "sign in");
    String shortId = shortMade.json().get("info").get("id").asText();
    boolean used = false;
    for (JsonNode t : client.get(orgPath("/tokens"), owner).json().get("items")) {
      used |= t.get("id").asText().equals(shortId) && !t.get("lastUsedAt").isNull();
    }
    assertTrue(used, "the last-used time is recorded");
    assertFalse(client.get(orgPath("/tokens"), owner).body().contains("lpt_"),
        "the secret is never listed");
  }

  @Test
  void aPasswordIsSetOnceSignedInThenSignInIsRateLimited() {
    assertError(client.put("/api/v1/me/password", owner, Map.of("newPassword", "short")), 400,
        "INVALID_ARGUMENT", "at least 12 characters");
    assertEquals(204, client.put("/api/v1/me/password", owner,
        Map.of("newPassword", "a long and good password")).status());
    assertTrue(client.get("/api/v1/me", owner).json().get("passwordSet").asBoolean());
    Map<String, String> wrong = Map.of("email", ServerConfig.DEFAULT_ADMIN_EMAIL,
        "password", "not the password");
    for (int i = 0; i < TenancyService.SIGN_IN_FAILURES; i++) {
      assertError(client.post("/api/v1/session", Cred.NONE, wrong), 401, "UNAUTHENTICATED",
          "email or password is wrong");
    }
    Map<String, String> right = Map.of("email", ServerConfig.DEFAULT_ADMIN_EMAIL,
        "password", "a long and good password");
    Response limited = client.post("/api/v1/session", Cred.NONE, right);
    assertError(limited, 429, "RATE_LIMITED", "try again in 900 seconds");
    assertEquals("900", limited.raw().headers().firstValue("Retry-After").orElseThrow());
    clock.advance(Duration.ofMinutes(5));
    assertEquals("600", client.post("/api/v1/session", Cred.NONE, right).raw().headers()
        .firstValue("Retry-After").orElseThrow());
    clock.advance(Duration.ofMinutes(10));
    Response ok = client.post("/api/v1/session", Cred.NONE, right);
    assertEquals(201, ok.status(), ok.body());
    Cred session = Cred.session(Client.cookieOf(ok), ok.text("csrfToken"));
    assertEquals(ServerConfig.DEFAULT_ADMIN_EMAIL, client.get("/api/v1/me", session).json()
        .get("user").get("email").asText());
  }

  @Test
  void unknownJsonFieldsAreRefusedByName() {
    assertError(client.post(orgPath("/projects"), owner, "{\"name\":\"p\",\"colour\":\"red\"}"),
        400, "INVALID_ARGUMENT", "colour");
  }

  @Test
  void overLongNamesAndControlCharactersAreRefused() {
    assertError(client.post(orgPath("/departments"), owner, Map.of("name", "d".repeat(101))),
        400, "INVALID_ARGUMENT", "at most 100 characters");
    assertError(client.post(orgPath("/projects"), owner, "{\"name\":\"a\\u0007b\"}"), 400,
        "INVALID_ARGUMENT", "control characters");
    assertError(client.post(orgPath("/projects"), owner, "{\"name\":\"p\",\"description\":\""
        + "x".repeat(1001) + "\"}"), 400, "INVALID_ARGUMENT", "description is too long");
    assertError(client.post(orgPath("/projects"), owner, "{}"), 400, "INVALID_ARGUMENT",
        "name is required");
    assertError(client.post(orgPath("/projects"), owner, "null"), 400, "INVALID_ARGUMENT",
        "JSON object");
  }

  @Test
  void deeplyNestedJsonIsRefused() {
    String deep = "{\"name\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
    assertError(client.post(orgPath("/projects"), owner, deep), 400, "INVALID_ARGUMENT",
        "JSON");
  }

  @Test
  void oversizedOrMalformedAuthorizationHeadersAreRefused() {
    assertError(client.get("/api/v1/me", Cred.token("lpt_" + "x".repeat(8000))), 401,
        "UNAUTHENTICATED", "not a Lepton API token");
    Response huge = client.get("/api/v1/me", Cred.token("lpt_" + "x".repeat(20_000)));
    assertEquals(431, huge.status(), huge.body());
    assertError(client.get("/api/v1/me", Cred.header("Basic YWRtaW46YWRtaW4=")), 401,
        "UNAUTHENTICATED", "Bearer lpt_");
    assertError(client.get("/api/v1/me", Cred.token("not-a-token")), 401, "UNAUTHENTICATED",
        "lpt_");
  }

  @Test
  void theApiDocumentListsTheTenancyRoutes() {
    JsonNode paths = client.get("/openapi.json", Cred.NONE).json().get("paths");
    for (String path : new String[] {"/api/v1/orgs", "/api/v1/orgs/{org}",
        "/api/v1/orgs/{org}/departments/{dept}", "/api/v1/orgs/{org}/members/{user}",
        "/api/v1/orgs/{org}/projects/{project}", "/api/v1/orgs/{org}/tokens/{token}",
        "/api/v1/users", "/api/v1/me", "/api/v1/me/password", "/api/v1/session",
        "/api/v1/session/link"}) {
      assertNotNull(paths.get(path), path);
    }
    assertEquals("tenancy", paths.get("/api/v1/orgs").get("post").get("tags").get(0).asText());
    assertEquals("#/components/schemas/CreateToken", paths.get("/api/v1/orgs/{org}/tokens")
        .get("post").get("requestBody").get("content").get("application/json").get("schema")
        .get("$ref").asText());
  }
}
