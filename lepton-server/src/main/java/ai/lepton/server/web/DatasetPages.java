package ai.lepton.server.web;

import ai.lepton.server.http.Route;
import ai.lepton.server.web.Html.Section;
import java.util.List;

/**
 * An organization's datasets: the list, a dataset's versions and lineage with the upload and
 * derive forms and its deletion, and a version's profile with its deletion. One script, {@code
 * /web/datasets.js}, serves the three; a deletion asks first in a dialog of {@code lepton.js}.
 *
 * <p>It stays in {@code web} rather than {@code datasets}: the pages are shells that hold no data
 * and call no service (their script reads the public JSON API), they share {@link Html} with the
 * other pages, and moving them would make {@code Html} public API of the server for this alone.
 */
final class DatasetPages {
  private DatasetPages() {}

  static List<Route> routes() {
    return List.of(
        Route.get("/orgs/{org}/datasets").tag("web").summary("An organization's datasets")
            .publicAccess()
            .handle(ctx -> Html.send(ctx, page("Datasets", "datasets", LIST, "org",
                ctx.pathParam("org")))),
        Route.get("/orgs/{org}/datasets/{dataset}").tag("web")
            .summary("A dataset: versions, lineage, upload and derive").publicAccess()
            .handle(ctx -> Html.send(ctx, page("Dataset", "dataset", DATASET, "org",
                ctx.pathParam("org"), "dataset", ctx.pathParam("dataset")))),
        Route.get("/orgs/{org}/datasets/{dataset}/versions/{number}").tag("web")
            .summary("A dataset version's profile: schema, statistics, histograms, preview")
            .publicAccess()
            .handle(ctx -> Html.send(ctx, page("Dataset version", "version", VERSION, "org",
                ctx.pathParam("org"), "dataset", ctx.pathParam("dataset"), "version",
                ctx.pathParam("number")))));
  }

  /** A datasets page; {@code name} says which part of the script runs. */
  private static String page(String title, String name, String body, String... params) {
    return Html.orgPage(title, Section.DATASETS, "datasets", name, body, params);
  }

  private static final String LIST = """
      <h1>Datasets</h1>
      <p data-field="filter" hidden></p>
      <table class="cards" data-list="datasets">
        <caption class="visually-hidden">Datasets</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Project</th>
          <th scope="col">Versions</th><th scope="col">Created</th>
          <th scope="col">Description</th></tr></thead>
        <tbody></tbody>
      </table>
      <section data-writer hidden aria-labelledby="create-dataset">
        <h2 id="create-dataset">Create a dataset</h2>
        <form data-form="create-dataset">
          <div class="grid">
            <label>Name
              <input name="name" required maxlength="100" pattern="[A-Za-z0-9._\\-]+"
                     autocomplete="off" aria-describedby="name-help">
              <small id="name-help">Letters, digits, '.', '_' and '-'.</small></label>
            <label>Project
              <select name="projectId" data-projects="None (the organization)"></select></label>
          </div>
          <label>Description (optional)
            <textarea name="description" maxlength="2000" rows="2"></textarea></label>
          <button type="submit">Create dataset</button>
          <p role="status" aria-live="polite"></p>
        </form>
      </section>""";

  private static final String DATASET = """
      <nav aria-label="breadcrumb">
        <ul><li><a data-link="datasets">Datasets</a></li>
          <li><a aria-current="page" data-field="name"></a></li></ul>
      </nav>
      <h1 data-field="name">Dataset</h1>
      <p data-field="description"></p>
      <p data-status="dataset" role="status" aria-live="polite"></p>
      <section aria-labelledby="versions">
        <h2 id="versions">Versions</h2>
        <table class="cards" data-list="versions">
          <caption class="visually-hidden">Versions, oldest first</caption>
          <thead><tr><th scope="col">Version</th><th scope="col">File</th>
            <th scope="col">Format</th><th scope="col">Rows</th><th scope="col">Size</th>
            <th scope="col">Made by</th><th scope="col">Created</th></tr></thead>
          <tbody></tbody>
        </table>
      </section>
      <section aria-labelledby="lineage">
        <h2 id="lineage">Lineage</h2>
        <ul class="tree" data-tree="lineage"></ul>
      </section>
      <section data-writer hidden aria-labelledby="upload">
        <h2 id="upload">Upload a new version</h2>
        <form data-form="upload">
          <label>File
            <input type="file" name="file" required></label>
          <div class="grid">
            <label>Format
              <select name="format">
                <option value="CSV">CSV (header row)</option>
                <option value="JSONL">JSON lines</option>
                <option value="TEXT">Text, one sample per line</option>
                <option value="IMAGE_ZIP">Zip of class folders of images</option>
                <option value="IDX">IDX (MNIST style)</option>
              </select></label>
            <label>Label column (optional)
              <input name="label" maxlength="100" autocomplete="off"
                     placeholder="the column to predict"></label>
          </div>
          <progress value="0" max="100" hidden aria-label="Upload progress"></progress>
          <button type="submit">Upload</button>
          <p role="status" aria-live="polite"></p>
        </form>
      </section>
      <section data-writer hidden aria-labelledby="derive">
        <h2 id="derive">Derive a version</h2>
        <form data-form="derive">
          <div class="grid">
            <label>From version
              <select name="version" data-versions required></select></label>
            <label>Recipe
              <select name="op">
                <option value="split">split into train, validation and test</option>
                <option value="drop_missing">drop rows with missing values</option>
                <option value="fill_missing">fill missing values</option>
                <option value="drop_duplicates">drop duplicate rows</option>
                <option value="scale">scale numeric columns</option>
              </select></label>
          </div>
          <fieldset data-op="split">
            <legend>Split</legend>
            <div class="grid">
              <label>Train
                <input name="train" type="number" min="0.01" max="0.99" step="0.01"
                       value="0.8"></label>
              <label>Validation
                <input name="validation" type="number" min="0" max="0.98" step="0.01"
                       value="0"></label>
              <label>Test
                <input name="test" type="number" min="0" max="0.98" step="0.01"
                       value="0.2"></label>
              <label>Seed
                <input name="seed" type="number" step="1" value="42"></label>
            </div>
          </fieldset>
          <fieldset data-op="fill_missing" hidden>
            <legend>Fill</legend>
            <div class="grid">
              <label>Strategy
                <select name="strategy">
                  <option value="mean">mean</option>
                  <option value="median">median</option>
                  <option value="mode">mode (most frequent)</option>
                  <option value="constant">constant</option>
                </select></label>
              <label>Constant value
                <input name="value" maxlength="1000" autocomplete="off"
                       placeholder="for the constant strategy"></label>
            </div>
          </fieldset>
          <fieldset data-op="scale" hidden>
            <legend>Scale</legend>
            <label>Method
              <select name="method">
                <option value="standard">standard: zero mean, unit variance</option>
                <option value="minmax">min-max: to the range 0 to 1</option>
              </select></label>
          </fieldset>
          <label data-op="drop_missing fill_missing scale" hidden>Columns
            <input name="columns" maxlength="10000" autocomplete="off"
                   aria-describedby="columns-help">
            <small id="columns-help">Comma-separated; empty for every column (fill needs
              at least one).</small></label>
          <button type="submit">Derive</button>
          <p role="status" aria-live="polite"></p>
        </form>
      </section>
      <section data-admin hidden aria-labelledby="delete-dataset">
        <h2 id="delete-dataset">Delete this dataset</h2>
        <p>Deletes every version's content and profile, for good; the name can then be used
          again. To delete one version, open it.</p>
        <button type="button" class="danger outline" data-action="delete-dataset">Delete
          dataset</button>
      </section>""";

  private static final String VERSION = """
      <nav aria-label="breadcrumb">
        <ul><li><a data-link="datasets">Datasets</a></li>
          <li><a data-link="dataset" data-field="name"></a></li>
          <li><a aria-current="page" data-field="version"></a></li></ul>
      </nav>
      <h1 data-field="title">Dataset version</h1>
      <p data-field="deleted" class="warning" role="note" hidden></p>
      <p class="toolbar"><a data-link="content" download role="button" class="secondary"
           hidden>Download</a>
        <button type="button" class="danger outline" data-action="delete-version"
                hidden>Delete version</button></p>
      <p data-status="version" role="status" aria-live="polite"></p>
      <dl class="facts" data-facts="version"></dl>
      <section data-section="lineage" hidden aria-labelledby="v-lineage">
        <h2 id="v-lineage">Lineage</h2>
        <p data-field="lineage"></p>
        <pre data-field="recipe"></pre>
      </section>
      <section data-section="columns" hidden aria-labelledby="v-columns">
        <h2 id="v-columns">Columns</h2>
        <div class="scroll" role="region" aria-labelledby="v-columns" tabindex="0">
          <table class="cards dense" data-list="columns">
            <caption class="visually-hidden">Columns and their statistics</caption>
            <thead><tr><th scope="col">Column</th><th scope="col">Type</th>
              <th scope="col">Present</th><th scope="col">Missing</th>
              <th scope="col">Distinct</th><th scope="col">Min</th><th scope="col">Max</th>
              <th scope="col">Mean</th><th scope="col">Std</th></tr></thead>
            <tbody></tbody>
          </table>
        </div>
      </section>
      <section data-section="histograms" hidden aria-labelledby="v-histograms">
        <h2 id="v-histograms">Histograms</h2>
        <div class="charts" data-field="histograms"></div>
      </section>
      <section data-section="top" hidden aria-labelledby="v-top">
        <h2 id="v-top">Most frequent values</h2>
        <div class="charts" data-field="top"></div>
      </section>
      <section data-section="balance" hidden aria-labelledby="v-balance">
        <h2 id="v-balance">Class balance</h2>
        <table class="bars" data-list="balance">
          <caption data-field="balance-caption"></caption>
          <thead><tr><th scope="col">Class</th><th scope="col">Samples</th>
            <th scope="col">Share</th></tr></thead>
          <tbody></tbody>
        </table>
      </section>
      <section data-section="details" hidden aria-labelledby="v-details">
        <h2 id="v-details" data-field="details-title">Details</h2>
        <dl class="facts" data-facts="details"></dl>
      </section>
      <section data-section="preview" hidden aria-labelledby="v-preview">
        <h2 id="v-preview">Preview</h2>
        <div class="scroll" role="region" aria-labelledby="v-preview" tabindex="0">
          <table class="striped preview" data-list="preview">
            <thead><tr></tr></thead>
            <tbody></tbody>
          </table>
        </div>
      </section>""";
}
