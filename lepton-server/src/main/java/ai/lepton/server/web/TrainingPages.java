package ai.lepton.server.web;

import ai.lepton.server.http.Route;
import ai.lepton.server.web.Html.Section;
import java.util.List;

/**
 * Training and the model registry: the jobs list, the "New training" form, a job's page with live
 * loss and metric charts fed by its Server-Sent Events and a Cancel button; the runs list and the
 * comparison of chosen runs; registered models, a model's versions with their lineage, and a
 * version's evaluation report. One script, {@code /web/training.js}, serves them all and draws
 * its charts with Chart.js from its webjar. Like {@link DatasetPages}, these are shells that read
 * the public JSON API.
 */
final class TrainingPages {
  private TrainingPages() {}

  static List<Route> routes() {
    return List.of(
        Route.get("/orgs/{org}/jobs").tag("web").summary("An organization's training jobs")
            .publicAccess()
            .handle(ctx -> Html.send(ctx, page("Jobs", Section.JOBS, "jobs", JOBS, "org",
                ctx.pathParam("org")))),
        // before /jobs/{job}, which would take "new" for a job id
        Route.get("/orgs/{org}/jobs/new").tag("web")
            .summary("Start a training: dataset version, template, target, hyperparameters")
            .publicAccess()
            .handle(ctx -> Html.send(ctx, page("New training", Section.JOBS, "new-job", NEW_JOB,
                "org", ctx.pathParam("org")))),
        Route.get("/orgs/{org}/jobs/{job}").tag("web")
            .summary("A job: live loss and metric charts, progress, cancel").publicAccess()
            .handle(ctx -> Html.send(ctx, page("Job", Section.JOBS, "job", JOB, "org",
                ctx.pathParam("org"), "job", ctx.pathParam("job")))),
        Route.get("/orgs/{org}/runs").tag("web").summary("An organization's runs, to compare")
            .publicAccess()
            .handle(ctx -> Html.send(ctx, page("Runs", Section.RUNS, "runs", RUNS, "org",
                ctx.pathParam("org")))),
        Route.get("/orgs/{org}/runs/compare").tag("web")
            .summary("Runs side by side (query ids=run_a,run_b): parameters, metrics, histories")
            .publicAccess()
            .handle(ctx -> Html.send(ctx, page("Compare runs", Section.RUNS, "compare", COMPARE,
                "org", ctx.pathParam("org")))),
        Route.get("/orgs/{org}/models").tag("web").summary("An organization's registered models")
            .publicAccess()
            .handle(ctx -> Html.send(ctx, page("Models", Section.MODELS, "models", MODELS, "org",
                ctx.pathParam("org")))),
        Route.get("/orgs/{org}/models/{model}").tag("web")
            .summary("A registered model: its versions, metrics, lineage, aliases and tags")
            .publicAccess()
            .handle(ctx -> Html.send(ctx, page("Model", Section.MODELS, "model", MODEL, "org",
                ctx.pathParam("org"), "model", ctx.pathParam("model")))),
        Route.get("/orgs/{org}/models/{model}/versions/{ref}").tag("web")
            .summary("A model version's evaluation report: confusion matrix, per-class metrics, "
                + "ROC curve, regression metrics")
            .publicAccess()
            .handle(ctx -> Html.send(ctx, page("Model version", Section.MODELS, "model-version",
                MODEL_VERSION, "org", ctx.pathParam("org"), "model", ctx.pathParam("model"),
                "ref", ctx.pathParam("ref")))));
  }

  private static String page(String title, Section section, String name, String body,
      String... params) {
    return Html.orgPage(title, section, "training", name, body + "\n" + Html.CHART_JS, params);
  }

  private static final String JOBS = """
      <div class="title-row">
        <h1>Jobs</h1>
        <a role="button" data-writer hidden data-link="new-job">New training</a>
      </div>
      <table class="cards" data-list="jobs">
        <caption class="visually-hidden">Training jobs, newest first</caption>
        <thead><tr><th scope="col">Job</th><th scope="col">State</th>
          <th scope="col">Progress</th><th scope="col">Model</th><th scope="col">Started</th>
          <th scope="col">By</th></tr></thead>
        <tbody></tbody>
      </table>""";

  private static final String NEW_JOB = """
      <nav aria-label="breadcrumb">
        <ul><li><a data-link="jobs">Jobs</a></li><li><a aria-current="page">New training</a></li></ul>
      </nav>
      <h1>New training</h1>
      <form data-form="new-job">
        <div class="grid">
          <label>Dataset <select name="dataset" required></select></label>
          <label>Version <select name="version" required></select></label>
        </div>
        <div class="grid">
          <label>Template
            <select name="template" required aria-describedby="template-help">
              <option value="mlp">mlp: dense layers, for tables</option>
              <option value="linear-regression">linear-regression: one linear unit</option>
              <option value="cnn">cnn: convolutions, for images</option>
              <option value="text-lstm">text-lstm: an LSTM over tokens, for texts</option>
            </select>
            <small id="template-help">The model to train; its input follows the dataset.</small>
          </label>
          <label data-field="target-label">Target column
            <select name="target" aria-describedby="target-help"></select>
            <small id="target-help">The column to predict, from the version's profile.</small>
          </label>
        </div>
        <div class="grid">
          <label>Epochs <input name="epochs" type="number" min="1" max="10000" value="10"
                               required></label>
          <label>Batch size <input name="batchSize" type="number" min="1" max="65536" value="32"
                                   required></label>
          <label>Learning rate <input name="learningRate" type="number" min="0" step="any"
                                      value="0.001" required></label>
        </div>
        <label>Register as (optional)
          <input name="registerAs" maxlength="100" pattern="[A-Za-z0-9._\\-]+" autocomplete="off"
                 aria-describedby="register-help">
          <small id="register-help">The registered model whose next version the trained model
            becomes; none keeps it as the run's artifact only.</small></label>
        <label>Class names (optional)
          <input name="classNames" maxlength="100000" autocomplete="off"
                 aria-describedby="class-names-help">
          <small id="class-names-help">For labels that are the numbers 0, 1, 2...: their names in
            that order, separated by commas (T-shirt/top, Trouser, ...). The model answers with
            them.</small></label>
        <button type="submit">Start training</button>
        <p role="status" aria-live="polite"></p>
      </form>""";

  /**
   * The evaluation report's section, filled by training.js's {@code showReport}: on a model
   * version's page, and on a finished job's page (hidden until its run has a report).
   */
  private static final String REPORT = """
      <section aria-labelledby="report">
        <h2 id="report">Evaluation</h2>
        <p data-field="report-note"></p>
        <dl class="facts" data-field="headline"></dl>
        <div class="report">
          <figure class="chart" data-field="confusion" hidden>
            <figcaption>Confusion matrix: rows are the true classes, columns the
              predicted</figcaption>
            <div class="scroll"><table class="confusion">
              <caption class="visually-hidden">Confusion matrix</caption>
              <thead></thead><tbody></tbody></table></div>
          </figure>
          <figure class="chart" data-field="roc" hidden><figcaption data-field="auc">ROC</figcaption>
            <div class="canvas square"><canvas data-chart="roc" role="img"
              aria-label="ROC curve"></canvas></div></figure>
        </div>
        <div class="scroll" data-field="per-class" hidden><table class="dense">
          <caption>Per class</caption>
          <thead><tr><th scope="col">Class</th><th scope="col">Precision</th>
            <th scope="col">Recall</th><th scope="col">F1</th><th scope="col">Support</th></tr></thead>
          <tbody></tbody></table></div>
        <div data-field="regression" hidden><table class="dense">
          <caption>Regression metrics</caption><tbody></tbody></table></div>
      </section>""";

  private static final String JOB = """
      <nav aria-label="breadcrumb">
        <ul><li><a data-link="jobs">Jobs</a></li><li><a aria-current="page" data-field="id"></a></li></ul>
      </nav>
      <div class="title-row">
        <h1>Job <span data-field="template"></span> on <span data-field="dataset"></span></h1>
        <button type="button" class="danger" data-action="cancel" hidden>Cancel</button>
      </div>
      <p data-status="job" role="status" aria-live="polite"></p>
      <dl class="facts">
        <div><dt>State</dt><dd data-field="state"></dd></div>
        <div><dt>Epoch</dt><dd data-field="epoch">–</dd></div>
        <div><dt>Step</dt><dd data-field="step">–</dd></div>
        <div><dt>Samples/s</dt><dd data-field="speed">–</dd></div>
        <div><dt>ETA</dt><dd data-field="eta">–</dd></div>
        <div><dt>Took</dt><dd data-field="took">–</dd></div>
        <div><dt>Started</dt><dd data-field="started"></dd></div>
        <div><dt>By</dt><dd data-field="by"></dd></div>
        <div><dt>Result</dt><dd data-field="result">–</dd></div>
      </dl>
      <progress data-field="progress" value="0" max="1" aria-label="Training progress"></progress>
      <div class="charts wide">
        <figure class="chart"><figcaption>Loss</figcaption>
          <div class="canvas"><canvas data-chart="loss" role="img"
            aria-label="Loss by step"></canvas></div></figure>
        <figure class="chart"><figcaption>Metrics</figcaption>
          <div class="canvas"><canvas data-chart="metrics" role="img"
            aria-label="Metrics by step"></canvas></div></figure>
      </div>
      <div data-field="report-section" hidden>
      """ + REPORT + """
      </div>""";

  private static final String RUNS = """
      <h1>Runs</h1>
      <form data-form="compare">
        <div class="scroll">
        <table class="cards" data-list="runs">
          <caption class="visually-hidden">Runs, newest first; choose two or more to compare</caption>
          <thead><tr><th scope="col">Compare</th><th scope="col">Run</th><th scope="col">Model</th>
            <th scope="col">Parameters</th><th scope="col">Metrics</th>
            <th scope="col">Started</th></tr></thead>
          <tbody></tbody>
        </table>
        </div>
        <button type="submit">Compare</button>
        <p role="status" aria-live="polite"></p>
      </form>""";

  private static final String COMPARE = """
      <nav aria-label="breadcrumb">
        <ul><li><a data-link="runs">Runs</a></li><li><a aria-current="page">Compare</a></li></ul>
      </nav>
      <h1>Compare runs</h1>
      <section aria-labelledby="compare-metrics">
        <h2 id="compare-metrics">Final metrics</h2>
        <div class="scroll"><table class="dense" data-list="metrics">
          <caption class="visually-hidden">Final metrics by run</caption>
          <thead></thead><tbody></tbody></table></div>
      </section>
      <section aria-labelledby="compare-histories">
        <h2 id="compare-histories">Histories</h2>
        <div class="charts wide" data-field="histories"></div>
      </section>
      <section aria-labelledby="compare-parameters">
        <h2 id="compare-parameters">Parameters</h2>
        <div class="scroll"><table class="dense" data-list="parameters">
          <caption class="visually-hidden">Parameters by run; differences marked</caption>
          <thead></thead><tbody></tbody></table></div>
      </section>""";

  private static final String MODELS = """
      <h1>Models</h1>
      <table class="cards" data-list="models">
        <caption class="visually-hidden">Registered models</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Latest version</th>
          <th scope="col">Aliases</th><th scope="col">Created</th>
          <th scope="col">Description</th></tr></thead>
        <tbody></tbody>
      </table>""";

  private static final String MODEL = """
      <nav aria-label="breadcrumb">
        <ul><li><a data-link="models">Models</a></li>
          <li><a aria-current="page" data-field="name"></a></li></ul>
      </nav>
      <h1 data-field="name">Model</h1>
      <p data-field="description"></p>
      <div class="scroll">
      <table class="cards" data-list="versions">
        <caption class="visually-hidden">Versions, newest first</caption>
        <thead><tr><th scope="col">Version</th><th scope="col">Metrics</th>
          <th scope="col">Lineage</th><th scope="col">Aliases</th><th scope="col">Tags</th>
          <th scope="col">Created</th></tr></thead>
        <tbody></tbody>
      </table>
      </div>""";

  private static final String MODEL_VERSION = """
      <nav aria-label="breadcrumb">
        <ul><li><a data-link="models">Models</a></li><li><a data-link="model" data-field="model"></a></li>
          <li><a aria-current="page" data-field="version"></a></li></ul>
      </nav>
      <div class="title-row">
        <h1 data-field="title">Model version</h1>
        <a role="button" data-writer hidden data-link="deploy">Deploy this version</a>
      </div>
      <dl class="facts" data-field="facts"></dl>
      """ + REPORT;
}
