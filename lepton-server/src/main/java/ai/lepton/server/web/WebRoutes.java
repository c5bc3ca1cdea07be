package ai.lepton.server.web;

import ai.lepton.server.http.Route;
import java.util.List;

/** The web UI's pages that need no signed-in user: the start page and sign-in. */
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
                </article>"""))));
  }
}
