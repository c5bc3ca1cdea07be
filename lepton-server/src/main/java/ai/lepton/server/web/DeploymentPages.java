package ai.lepton.server.web;

import ai.lepton.server.http.Route;
import ai.lepton.server.web.Html.Section;
import java.util.List;

/**
 * Deployments: the list with the "Deploy a version" form (which a model version's "Deploy this
 * version" fills), and a deployment's page: what it serves, the canary's share, promote and roll
 * back; a try-it form (a text, an image drawn to the model's input, or a row of columns) sent to
 * {@code POST .../deployments/{name}/infer} with the session; live requests/s, error and latency
 * charts from polling {@code GET .../deployments/{name}/traffic}; quality from feedback, drift per
 * feature and alerts from {@code GET .../deployments/{name}/monitoring}. One script,
 * {@code /web/deployments.js}, with Chart.js from its webjar. Like {@link TrainingPages}, these
 * are shells that read the public JSON API.
 */
final class DeploymentPages {
  private DeploymentPages() {}

  static List<Route> routes() {
    return List.of(
        Route.get("/orgs/{org}/deployments").tag("web")
            .summary("An organization's deployments; deploy a model version").publicAccess()
            .handle(ctx -> Html.send(ctx, page("Deployments", "deployments", LIST, "org",
                ctx.pathParam("org")))),
        Route.get("/orgs/{org}/deployments/{name}").tag("web")
            .summary("A deployment: try it, live traffic, quality and drift, canary share, "
                + "promote and roll back")
            .publicAccess()
            .handle(ctx -> Html.send(ctx, page("Deployment", "deployment", DEPLOYMENT, "org",
                ctx.pathParam("org"), "name", ctx.pathParam("name")))));
  }

  private static String page(String title, String name, String body, String... params) {
    return Html.orgPage(title, Section.DEPLOYMENTS, "deployments", name,
        body + "\n" + Html.CHART_JS, params);
  }

  private static final String LIST = """
      <h1>Deployments</h1>
      <table class="cards" data-list="deployments">
        <caption class="visually-hidden">Deployments by name</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Serves</th>
          <th scope="col">Canary</th><th scope="col">Batching</th>
          <th scope="col">Updated</th></tr></thead>
        <tbody></tbody>
      </table>
      <section data-writer hidden aria-labelledby="new-deployment">
        <h2 id="new-deployment">Deploy a version</h2>
        <form data-form="create-deployment">
          <div class="grid">
            <label>Name
              <input name="name" required maxlength="100" pattern="[A-Za-z0-9][A-Za-z0-9._\\-]*"
                     autocomplete="off" aria-describedby="deployment-name-help">
              <small id="deployment-name-help">The model name OIP clients call:
                /v2/models/<em>name</em>/infer.</small></label>
            <label>Model version
              <input name="model" required maxlength="200" autocomplete="off"
                     placeholder="model@3" aria-describedby="deployment-model-help">
              <small id="deployment-model-help">MODEL@NUMBER, MODEL@ALIAS, or MODEL for its
                newest version.</small></label>
            <label>Batch size
              <input name="maxBatchSize" type="number" min="1" max="1024" value="1" required
                     aria-describedby="deployment-batch-help">
              <small id="deployment-batch-help">1 answers each request alone; more batches
                concurrent requests.</small></label>
          </div>
          <button type="submit">Deploy</button>
          <p role="status" aria-live="polite"></p>
        </form>
      </section>""";

  private static final String DEPLOYMENT = """
      <nav aria-label="breadcrumb">
        <ul><li><a data-link="deployments">Deployments</a></li>
          <li><a aria-current="page" data-field="name"></a></li></ul>
      </nav>
      <h1 data-field="name">Deployment</h1>
      <dl class="facts" data-field="facts"></dl>

      <section data-field="canary-section" hidden aria-labelledby="canary">
        <h2 id="canary">Canary</h2>
        <div data-field="split" class="split" hidden>
          <div class="bar" role="img" data-field="split-bar"></div>
        </div>
        <form data-form="share" data-writer hidden>
          <fieldset role="group">
            <input name="share" type="number" min="0" max="100" required
                   aria-label="The canary's share of the requests, in percent">
            <button type="submit">Set share</button>
          </fieldset>
          <p role="status" aria-live="polite"></p>
        </form>
        <div class="actions" data-writer hidden>
          <button type="button" data-action="promote">Promote the canary</button>
          <button type="button" class="secondary" data-action="rollback">Roll back</button>
        </div>
        <form data-form="canary" data-writer hidden>
          <div class="grid">
            <label>Canary version
              <input name="canary" required maxlength="200" autocomplete="off"
                     placeholder="model@4"></label>
            <label>Share (percent)
              <input name="share" type="number" min="0" max="100" value="10" required></label>
          </div>
          <button type="submit">Start the canary</button>
          <p role="status" aria-live="polite"></p>
        </form>
        <p role="status" aria-live="polite" data-status="canary"></p>
      </section>

      <section aria-labelledby="try">
        <h2 id="try">Try it</h2>
        <form data-form="try">
          <p class="muted" data-field="try-note"></p>
          <label data-try="text" hidden>Text
            <textarea name="text" rows="3" maxlength="10000"></textarea></label>
          <div data-try="image" hidden class="try-image">
            <label>Image
              <input name="image" type="file" accept="image/*"></label>
            <label><input name="invert" type="checkbox" role="switch"> Invert (dark objects on a
              light background, the other way round from the training images)</label>
            <canvas data-field="pixels" role="img" aria-label="The image as the model sees it">
            </canvas>
          </div>
          <div data-try="rows" hidden class="grid try-rows"></div>
          <label data-try="numbers" hidden><span data-field="numbers-label">Numbers</span>
            <textarea name="numbers" rows="2"></textarea></label>
          <button type="submit">Predict</button>
          <p role="status" aria-live="polite"></p>
        </form>
        <div data-field="answer" hidden>
          <p data-field="answer-note"></p>
          <table class="dense" data-list="answer">
            <caption class="visually-hidden">The model's answer, best first</caption>
            <thead><tr><th scope="col">Class</th><th scope="col">Score</th></tr></thead>
            <tbody></tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="traffic">
        <h2 id="traffic">Traffic</h2>
        <p class="muted">This server's counters, read every 2 seconds while the page is open;
          the last 5 minutes.</p>
        <dl class="facts" data-field="traffic-now"></dl>
        <div class="charts wide">
          <figure class="chart"><figcaption>Requests per second</figcaption>
            <div class="canvas"><canvas data-chart="requests" role="img"
              aria-label="Requests answered per second, by version"></canvas></div></figure>
          <figure class="chart"><figcaption>Errors per second</figcaption>
            <div class="canvas"><canvas data-chart="errors" role="img"
              aria-label="Refused and failed requests per second, by version"></canvas></div>
          </figure>
          <figure class="chart"><figcaption>Latency (ms)</figcaption>
            <div class="canvas"><canvas data-chart="latency" role="img"
              aria-label="Median and 99th percentile latency in milliseconds, by version">
            </canvas></div></figure>
        </div>
      </section>

      <section aria-labelledby="monitoring">
        <h2 id="monitoring">Quality and drift</h2>
        <p class="muted" data-field="window"></p>
        <dl class="facts" data-field="quality"></dl>
        <div class="scroll"><table class="dense" data-list="drift">
          <caption>Input drift per feature against the training data</caption>
          <thead><tr><th scope="col">Feature</th><th scope="col">Samples</th>
            <th scope="col">PSI</th><th scope="col">Level</th>
            <th scope="col">KS statistic</th><th scope="col">KS p-value</th></tr></thead>
          <tbody></tbody></table></div>
        <div class="scroll"><table class="dense" data-list="classes">
          <caption data-field="prediction-drift">Predicted classes against the training
            labels</caption>
          <thead><tr><th scope="col">Class</th><th scope="col">Predicted</th>
            <th scope="col">In training</th></tr></thead>
          <tbody></tbody></table></div>
        <div class="scroll"><table class="cards" data-list="alerts">
          <caption>Alerts</caption>
          <thead><tr><th scope="col">Signal</th><th scope="col">Message</th>
            <th scope="col">Raised</th><th scope="col">Resolved</th></tr></thead>
          <tbody></tbody></table></div>
      </section>""";
}
