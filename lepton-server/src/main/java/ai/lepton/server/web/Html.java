package ai.lepton.server.web;

import io.javalin.http.Context;
import java.util.Arrays;

/**
 * HTML for the server-rendered pages: every value that did not come from this code goes through
 * {@link #text} (element content and quoted attribute values), so user data never becomes markup.
 * The pages are shells: their scripts ({@code /web/*.js}) read the JSON API with the session
 * cookie and write text only, under a Content Security Policy that allows this server's own
 * scripts and styles and nothing inline.
 */
final class Html {
  /** Scripts, styles, images and API calls from this server only; nothing inline, no frames. */
  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:;"
      + " object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  private Html() {}

  /** {@code s} escaped for element content and double-quoted attribute values; null as "". */
  static String text(Object s) {
    if (s == null) {
      return "";
    }
    String v = s.toString();
    StringBuilder b = new StringBuilder(v.length() + 16);
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** Answers {@code html} with the pages' security headers. */
  static void send(Context ctx, String html) {
    ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .header("Referrer-Policy", "same-origin")
        .html(html);
  }

  /**
   * A whole page: the shared head (Pico CSS from its webjar, the core script {@code lepton.js},
   * then {@code script}, a page's own script under {@code /web}, or null), a skip link, the
   * {@code header} (from {@link #header()}, or an organization's from {@link #orgPage}) and
   * {@code main}, which the caller built with {@link #text} around every value.
   */
  static String page(String title, String header, String main, String script) {
    return """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>%s · Lepton</title>
          <link rel="stylesheet" href="/webjars/picocss__pico/2.1.1/css/pico.min.css">
          <link rel="stylesheet" href="/web/lepton.css">
          <script src="/web/lepton.js" defer></script>
        %s</head>
        <body>
          <a class="skip" href="#main">Skip to content</a>
        %s
          <main id="main" class="container">
        %s
          </main>
        </body>
        </html>
        """.formatted(text(title),
        script == null ? "" : "  <script src=\"/web/" + script + ".js\" defer></script>\n",
        header, main);
  }

  /**
   * The header of the pages outside an organization: the name, and once signed in the API page and
   * the user.
   */
  static String header() {
    return """
          <header class="container">
            <nav aria-label="Main" class="bar">
              <ul><li><a href="/orgs" class="brand"><strong>Lepton</strong></a></li></ul>
              <ul data-signed-in hidden>
                <li><a href="/api-docs">API</a></li>
                <li><span data-field="user"></span></li>
                <li><button type="button" class="secondary outline" data-action="sign-out">Sign
                  out</button></li>
              </ul>
            </nav>
          </header>""";
  }

  /** A section of an organization's pages, as the navigation links it. */
  enum Section {
    DATASETS("datasets", "Datasets"),
    MEMBERS("members", "Members"),
    TOKENS("tokens", "Tokens"),
    AUDIT("audit", "Audit"),
    JOBS("jobs", "Jobs"),
    RUNS("runs", "Runs"),
    MODELS("models", "Models"),
    DEPLOYMENTS("deployments", "Deployments");

    final String path;
    final String label;

    Section(String path, String label) {
      this.path = path;
      this.label = label;
    }
  }

  /**
   * The header of an organization's pages: the organization and department switchers (their
   * lists filled by {@code lepton.js}), the sections with {@code current} marked, the API page,
   * and the user. Below 768 px the menu folds behind a button.
   */
  private static String orgHeader(String org, Section current) {
    StringBuilder links = new StringBuilder();
    for (Section s : Section.values()) {
      links.append("          <li><a href=\"/orgs/").append(text(org)).append('/').append(s.path)
          .append('"').append(s == current ? " aria-current=\"page\"" : "").append(" data-section>")
          .append(s.label).append("</a></li>\n");
    }
    return """
          <header class="container">
            <nav aria-label="Main" class="bar">
              <ul><li><a href="/orgs" class="brand"><strong>Lepton</strong></a></li></ul>
              <button type="button" class="menu-toggle secondary outline" aria-expanded="false"
                      aria-controls="menu">Menu</button>
              <div id="menu" class="menu">
                <details class="dropdown" data-switch="org">
                  <summary><span class="hint">Organization</span>
                    <span data-field="org-name">…</span></summary>
                  <ul></ul>
                </details>
                <details class="dropdown" data-switch="dept">
                  <summary><span class="hint">Department</span>
                    <span data-field="dept-name">All</span></summary>
                  <ul></ul>
                </details>
                <ul class="user">
                  <li><span data-field="user"></span></li>
                  <li><button type="button" class="secondary outline" data-action="sign-out">Sign
                    out</button></li>
                </ul>
                <ul class="sections">
        %s          <li><a href="/api-docs">API</a></li>
                </ul>
              </div>
            </nav>
          </header>""".formatted(links);
  }

  /** Chart.js from its webjar, for the end of a body: deferred, it runs after the page's script. */
  static final String CHART_JS =
      "<script src=\"/webjars/chart.js/4.5.1/dist/chart.umd.min.js\" defer></script>";

  /**
   * A whole organization's page: its header with {@code section} current, {@code body} under
   * {@link #orgMain} as {@code name}, and the page's script {@code /web/<script>.js}.
   *
   * @param params names and values, alternating, the organization first: {@code "org", orgId}
   */
  static String orgPage(String title, Section section, String script, String name, String body,
      String... params) {
    if (params.length < 2 || !"org".equals(params[0])) {
      throw new IllegalArgumentException("an organization's page needs \"org\" and its id first;"
          + " received " + Arrays.toString(params));
    }
    return page(title, orgHeader(params[1], section), orgMain(name, body, params), script);
  }

  /**
   * The content of an organization's page: {@code body} in an element naming the page (which part
   * of the page's script runs) and carrying the path's parameters as {@code data-} attributes
   * ({@code org} first, then dataset, version...), busy until the script has loaded its data.
   *
   * @param params names and values, alternating: {@code "org", orgId, "dataset", datasetId}
   */
  private static String orgMain(String page, String body, String... params) {
    StringBuilder attributes = new StringBuilder();
    for (int i = 0; i + 1 < params.length; i += 2) {
      attributes.append(" data-").append(params[i]).append("=\"").append(text(params[i + 1]))
          .append('"');
    }
    return """
            <div data-page="%s"%s aria-busy="true">
        %s
            </div>""".formatted(text(page), attributes, body);
  }
}
