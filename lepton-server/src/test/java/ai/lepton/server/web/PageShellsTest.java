package ai.lepton.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pages as HTTP answers, without a browser: every page is HTML under the Content Security
 * Policy, the scripts and styles it names are served, and what comes from the address is escaped.
 */
class PageShellsTest {
  private static final List<String> PAGES = List.of("/signin", "/orgs", "/api-docs",
      "/orgs/org_x/members", "/orgs/org_x/tokens", "/orgs/org_x/audit", "/orgs/org_x/datasets",
      "/orgs/org_x/datasets/ds_y", "/orgs/org_x/datasets/ds_y/versions/1",
      "/orgs/org_x/jobs", "/orgs/org_x/jobs/new", "/orgs/org_x/jobs/job_y", "/orgs/org_x/runs",
      "/orgs/org_x/runs/compare?ids=run_a,run_b", "/orgs/org_x/models", "/orgs/org_x/models/m",
      "/orgs/org_x/models/m/versions/1", "/orgs/org_x/deployments",
      "/orgs/org_x/deployments/web");

  @TempDir Path dir;
  private LeptonServer server;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    server = LeptonServer.start(ServerConfig.embedded(dir, 0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyPageIsHtmlUnderTheContentSecurityPolicyAndItsAssetsAreServed() throws Exception {
    for (String page : PAGES) {
      HttpResponse<String> r = get(page);
      assertEquals(200, r.statusCode(), page);
      assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), page);
      assertEquals(Html.CONTENT_SECURITY_POLICY,
          r.headers().firstValue("Content-Security-Policy").orElse(null), page);
      assertFalse(r.body().contains("<script>") || r.body().contains(" style=\""),
          page + " has inline script or style, which the policy refuses");
      Matcher asset = Pattern.compile("(?:src|href)=\"(/(?:web|webjars)/[^\"]+)\"")
          .matcher(r.body());
      int assets = 0;
      while (asset.find()) {
        assertEquals(200, get(asset.group(1)).statusCode(), asset.group(1) + " of " + page);
        assets++;
      }
      assertTrue(assets >= 2, page + " names its stylesheet and scripts");
    }
  }

  @Test
  void anOrganizationsPageNeedsItsOrganizationFirst() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
        Html.orgPage("Dataset", Html.Section.DATASETS, "datasets", "dataset", "", "dataset", "d"));
    assertEquals("an organization's page needs \"org\" and its id first; received [dataset, d]",
        e.getMessage());
  }

  @Test
  void anOrganizationsStartPageIsItsDatasets() throws Exception {
    HttpResponse<String> r = get("/orgs/org_x");
    assertEquals(302, r.statusCode());
    assertEquals("/orgs/org_x/datasets", r.headers().firstValue("Location").orElseThrow());
  }

  @Test
  void whatComesFromTheAddressIsEscapedNeverMarkup() throws Exception {
    String hostile = "%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E";
    for (String page : List.of("/orgs/" + hostile + "/members",
        "/orgs/x/datasets/" + hostile + "/versions/" + hostile,
        "/orgs/x/models/" + hostile + "/versions/" + hostile, "/orgs/x/jobs/" + hostile,
        "/orgs/x/deployments/" + hostile)) {
      String body = get(page).body();
      assertFalse(body.contains("<script>alert(1)"), body);
      assertTrue(body.contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), body);
    }
    HttpResponse<String> r = get("/orgs/" + hostile);
    assertEquals("/orgs/%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E/datasets",
        r.headers().firstValue("Location").orElseThrow());
  }
}
