package ai.lepton.server.web;

import ai.lepton.server.http.Route;
import java.util.List;

/**
 * The web UI's first pages: the start page, sign-in, and the organizations of the signed-in user
 * (the page is a shell; its script reads the API with the session cookie and goes to sign-in when
 * there is no session).
 */
public final class WebRoutes {
  private WebRoutes() {}

  public static List<Route> routes() {
    return List.of(
        Route.get("/").tag("web").summary("The web UI's start page").publicAccess()
            .handle(ctx -> ctx.redirect("/signin")),
        Route.get("/signin").tag("web").summary("The sign-in page").publicAccess()
            .handle(ctx -> ctx.html(Html.page("Sign in", null, """
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
                </article>"""))),
        Route.get("/orgs").tag("web").summary("The signed-in start page: your organizations")
            .publicAccess()
            .handle(ctx -> ctx.html(Html.page("Organizations", null, """
                <section data-page="orgs" aria-busy="true">
                  <h1>Your organizations</h1>
                  <p data-field="who"></p>
                  <table>
                    <thead><tr><th scope="col">Name</th><th scope="col">Id</th>
                      <th scope="col">Created</th></tr></thead>
                    <tbody></tbody>
                  </table>
                  <button type="button" class="secondary" data-action="sign-out">Sign out</button>
                </section>"""))));
  }
}
