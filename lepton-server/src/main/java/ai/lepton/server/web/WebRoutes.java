package ai.lepton.server.web;

import ai.lepton.server.http.Route;
import ai.lepton.server.tenancy.TenancyRoutes;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The web UI: sign-in, the signed-in user's organizations, each organization's pages (members,
 * tokens, audit, datasets) and the browsable API. Every page is a shell whose script reads the API
 * with the session cookie and goes to sign-in when there is no session, so the pages themselves
 * are public and hold no data.
 */
public final class WebRoutes {
  private WebRoutes() {}

  public static List<Route> routes() {
    List<Route> routes = new ArrayList<>(List.of(
        // with a session cookie, to the organizations (whose script goes to sign-in when the
        // session has ended); without, to sign-in
        Route.get("/").tag("web").summary("The web UI's start page").publicAccess()
            .handle(ctx -> ctx.redirect(ctx.cookie(TenancyRoutes.COOKIE) == null ? "/signin"
                : "/orgs")),
        Route.get("/signin").tag("web").summary("The sign-in page").publicAccess()
            .handle(ctx -> Html.send(ctx, Html.page("Sign in", Html.header(), """
                <article class="narrow">
                  <h1>Sign in</h1>
                  <form data-api="POST /api/v1/session" data-then="/orgs">
                    <label for="email">Email</label>
                    <input id="email" name="email" type="email" autocomplete="username" required>
                    <label for="password">Password</label>
                    <input id="password" name="password" type="password"
                           autocomplete="current-password" required>
                    <p role="status" aria-live="polite"></p>
                    <button type="submit">Sign in</button>
                  </form>
                </article>""", null))),
        Route.get("/orgs").tag("web").summary("The signed-in start page: your organizations")
            .publicAccess()
            .handle(ctx -> Html.send(ctx, Html.page("Organizations", Html.header(), """
                <div data-page="orgs" aria-busy="true">
                  <h1>Your organizations</h1>
                  <p data-field="who"></p>
                  <table class="cards">
                    <caption class="visually-hidden">Your organizations</caption>
                    <thead><tr><th scope="col">Name</th><th scope="col">Your role</th>
                      <th scope="col">Id</th><th scope="col">Created</th></tr></thead>
                    <tbody></tbody>
                  </table>
                  <section aria-labelledby="new-org">
                    <h2 id="new-org">Create an organization</h2>
                    <form data-form="create-org">
                      <fieldset role="group">
                        <input name="name" aria-label="Name of the new organization"
                               placeholder="Name" required maxlength="100">
                        <button type="submit">Create</button>
                      </fieldset>
                      <p role="status" aria-live="polite"></p>
                    </form>
                  </section>
                </div>""", "orgs"))),
        Route.get("/orgs/{org}").tag("web").summary("An organization's start page: its datasets")
            .publicAccess()
            .handle(ctx -> ctx.redirect("/orgs/" + segment(ctx.pathParam("org")) + "/datasets")),
        Route.get("/api-docs").tag("web")
            .summary("The browsable API: Swagger UI over /openapi.json").publicAccess()
            .handle(ctx -> Html.send(ctx, API_DOCS))));
    routes.addAll(OrgPages.routes());
    routes.addAll(DatasetPages.routes());
    routes.addAll(TrainingPages.routes());
    routes.addAll(DeploymentPages.routes());
    return routes;
  }

  /** {@code s} as one path segment. */
  static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Swagger UI from its webjar, without Pico (whose element styles would restyle it). */
  private static final String API_DOCS = """
      <!doctype html>
      <html lang="en">
      <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>API · Lepton</title>
        <link rel="stylesheet" href="/webjars/swagger-ui/5.34.1/swagger-ui.css">
        <link rel="stylesheet" href="/web/api-docs.css">
        <script src="/webjars/swagger-ui/5.34.1/swagger-ui-bundle.js" defer></script>
        <script src="/web/api-docs.js" defer></script>
      </head>
      <body>
        <header class="api-bar">
          <nav aria-label="Main">
            <a href="/orgs"><strong>Lepton</strong></a>
            <a href="/openapi.json">openapi.json</a>
          </nav>
        </header>
        <main id="main" aria-label="API reference">
          <div id="swagger" aria-busy="true"></div>
        </main>
      </body>
      </html>
      """;
}
