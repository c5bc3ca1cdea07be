// Training and the registry: jobs (list, new training, a job's live charts from its Server-Sent
// Events, cancel), runs (list, compare) and models (list, versions, a version's evaluation
// report). Charts are Chart.js canvases without animation, so they keep up with live events.
(function () {
  "use strict";
  var h = lepton.h, $ = lepton.$, $$ = lepton.$$, field = lepton.field, link = lepton.link;
  var TERMINAL = ["succeeded", "failed", "cancelled"];

  function enc(s) { return encodeURIComponent(s); }

  async function emails(ctx) {
    var byId = {};
    (await ctx.members()).forEach(function (m) { byId[m.userId] = m.email; });
    return function (id) { return id === ctx.session.user.id ? "you" : (byId[id] || id); };
  }

  // "accuracy 0.93, loss 0.21": a few metrics, loss and accuracy first
  function metricsText(metrics, max) {
    var names = Object.keys(metrics || {}).sort(function (a, b) { return rank(a) - rank(b) || (a < b ? -1 : 1); });
    return names.slice(0, max || 4).map(function (k) { return k + " " + lepton.number(metrics[k]); }).join(", ");
  }
  function rank(name) {
    return ["accuracy", "loss", "macro_f1", "r2", "rmse", "mae", "auc"].indexOf(name) >>> 0;
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    var s = Math.round(seconds);
    if (s < 60) return s + " s";
    if (s < 3600) return Math.floor(s / 60) + " min " + (s % 60) + " s";
    return Math.floor(s / 3600) + " h " + Math.floor(s % 3600 / 60) + " min";
  }

  // dataset id (or name, as a spec may give it) -> its name
  async function datasetNames(ctx) {
    var byId = {};
    (await lepton.api("GET", ctx.base + "/datasets")).datasets.forEach(function (d) { byId[d.id] = d.name; });
    return function (ref) { return byId[ref] || ref; };
  }

  function fact(box, name, value) { box.appendChild(h("div", {}, h("dt", {}, name), h("dd", {}, value))); }

  function stateBadge(state) { return h("span", { class: "state " + state }, state); }

  function modelText(spec) {
    var m = spec.model || {};
    return m.template || (m.baseModel ? "fine-tune " + m.baseModel : "custom config");
  }

  // a line chart with a linear x axis; series are added as points arrive
  function lineChart(canvas, xTitle, yTitle) {
    return lepton.lineChart(canvas, {
      x: { type: "linear", title: { display: true, text: xTitle } },
      y: { title: { display: !!yTitle, text: yTitle || "" } }
    });
  }

  // validation series dashed
  function series(chart, name) { return lepton.series(chart, name, name.indexOf("val_") === 0, 2); }

  // points hidden once a line has many: the line alone reads better
  function redraw(chart) {
    chart.data.datasets.forEach(function (d) { if (d.pointRadius !== 0) d.pointRadius = d.data.length > 60 ? 0 : 2; });
    chart.update("none");
  }

  // ------------------------------------------------------------------------- jobs

  lepton.page("jobs", async function (root, ctx) {
    link(root, "new-job", ctx.pages + "/jobs/new");
    $(root, "[data-link=new-job]").hidden = !ctx.canWrite;
    var table = $(root, "[data-list=jobs]");
    var loaded = await Promise.all([lepton.api("GET", ctx.base + "/jobs?limit=100"), emails(ctx),
      datasetNames(ctx)]);
    var who = loaded[1], dataset = loaded[2];
    loaded[0].jobs.forEach(function (j) {
      var epochs = j.spec.hyperparameters ? j.spec.hyperparameters.epochs : null;
      var progress = j.state === "succeeded" ? "done"
          : j.checkpointEpoch !== null && epochs ? j.checkpointEpoch + " / " + epochs + " epochs"
          : j.state === "running" ? "running" : "";
      lepton.row(table, [h("a", { href: ctx.pages + "/jobs/" + enc(j.id) }, j.id), stateBadge(j.state),
        progress, modelText(j.spec) + " on " + dataset(j.spec.dataset),
        j.startedAt ? lepton.time(j.startedAt) : h("span", { class: "muted" }, "not yet"), who(j.createdBy)]);
    });
    if (loaded[0].jobs.length === 0) {
      lepton.empty(table, "No jobs yet" + (ctx.canWrite ? ": start one with New training." : "."));
    }
  });

  lepton.page("new-job", async function (root, ctx) {
    link(root, "jobs", ctx.pages + "/jobs");
    var form = $(root, "[data-form=new-job]");
    var datasets = (await lepton.api("GET", ctx.base + "/datasets")).datasets
        .filter(function (d) { return d.latestVersion > 0; });
    var dataset = $(form, "[name=dataset]"), version = $(form, "[name=version]");
    var target = $(form, "[name=target]");
    if (datasets.length === 0) {
      lepton.say($(form, "[role=status]"), "No dataset has a version yet: upload one under Datasets first.", true);
    }
    lepton.options(dataset, datasets.map(function (d) { return { value: d.id, label: d.name }; }));

    async function versions() {
      if (!dataset.value) return;
      var vs = (await lepton.api("GET", ctx.base + "/datasets/" + enc(dataset.value) + "/versions")).versions
          .filter(function (v) { return !v.deletedAt; }).reverse();
      lepton.options(version, vs.map(function (v) {
        return { value: String(v.number), label: "v" + v.number + " · " + v.fileName + " · " + v.rows + " rows" };
      }));
      await targets();
    }
    async function targets() {
      if (!dataset.value || !version.value) return;
      var profile = await lepton.api("GET", ctx.base + "/datasets/" + enc(dataset.value) + "/versions/" +
          version.value + "/profile");
      var columns = profile.columns.map(function (c) { return { value: c.name, label: c.name + " (" + c.type.toLowerCase() + ")" }; });
      lepton.options(target, columns);
      if (profile.labelColumn) target.value = profile.labelColumn;
      else if (columns.length) target.value = columns[columns.length - 1].value;
      // images, IDX and texts bring their labels; there is no column to choose
      field(root, "target-label").hidden = columns.length === 0;
      target.required = columns.length > 0;
    }
    dataset.addEventListener("change", versions);
    version.addEventListener("change", targets);
    await versions();

    lepton.onSubmit(form, async function (v) {
      var spec = {
        dataset: v.dataset, version: Number(v.version), model: { template: v.template },
        target: field(root, "target-label").hidden ? null : v.target,
        hyperparameters: { epochs: Number(v.epochs), batchSize: Number(v.batchSize),
          learningRate: Number(v.learningRate) },
        registerAs: v.registerAs,
        classNames: v.classNames ? v.classNames.split(",").map(function (n) { return n.trim(); }) : null
      };
      var job = await lepton.api("POST", ctx.base + "/jobs", spec);
      window.location.assign(ctx.pages + "/jobs/" + enc(job.id));
      return "Submitted " + job.id;
    });
  });

  lepton.page("job", async function (root, ctx) {
    var id = root.getAttribute("data-job");
    var path = ctx.base + "/jobs/" + enc(id);
    link(root, "jobs", ctx.pages + "/jobs");
    var loaded = await Promise.all([lepton.api("GET", path), emails(ctx), datasetNames(ctx)]);
    var job = loaded[0];
    var epochs = job.spec.hyperparameters ? job.spec.hyperparameters.epochs : null;
    field(root, "id").textContent = job.id;
    field(root, "template").textContent = modelText(job.spec);
    field(root, "dataset").textContent = loaded[2](job.spec.dataset) + (job.spec.version ? " v" + job.spec.version : "");
    field(root, "by").textContent = loaded[1](job.createdBy);
    var status = $(root, "[data-status=job]");
    var loss = lineChart($(root, "[data-chart=loss]"), "step");
    var metrics = lineChart($(root, "[data-chart=metrics]"), "step");
    var cancel = $(root, "[data-action=cancel]");

    function showState(j) {
      lepton.clear(field(root, "state")).appendChild(stateBadge(j.state));
      lepton.clear(field(root, "started")).appendChild(j.startedAt ? lepton.time(j.startedAt) : h("span", { class: "muted" }, "not yet"));
      cancel.hidden = !ctx.canWrite || TERMINAL.indexOf(j.state) >= 0 || j.cancelRequested;
      if (j.error) lepton.say(status, "Failed: " + j.error, true);
      var result = lepton.clear(field(root, "result"));
      if (j.state === "succeeded") {
        result.appendChild(h("a", { href: ctx.pages + "/runs/compare?ids=" + enc(j.runId), title: j.runId }, "the run"));
        if (j.spec.registerAs) {
          result.append(", ");
          result.appendChild(h("a", { href: ctx.pages + "/models/" + enc(j.spec.registerAs) }, "model " + j.spec.registerAs));
        }
      } else result.textContent = TERMINAL.indexOf(j.state) >= 0 ? "none" : "–";
      if (j.state === "succeeded") field(root, "progress").value = 1;
      if (j.startedAt && j.finishedAt) {
        field(root, "eta").textContent = "–";
        field(root, "took").textContent = duration((Date.parse(j.finishedAt) - Date.parse(j.startedAt)) / 1000);
      }
      if (j.state === "succeeded" && j.runId && !reported) {
        reported = true;
        report(j.runId);
      }
    }
    // the finished run's evaluation on its held-out split, as its model version shows it
    var reported = false;
    async function report(runId) {
      var section = field(root, "report-section");
      section.hidden = false;
      var run = await lepton.api("GET", ctx.base + "/runs/" + enc(runId));
      if (run.evaluationReport) showReport(section, run.evaluationReport);
      else field(section, "report-note").textContent = "No evaluation report: the training had no held-out split.";
    }
    showState(job);

    cancel.addEventListener("click", async function () {
      if (!await lepton.confirm("Cancel this job? A running training stops at its next batch; it cannot be resumed.", "Cancel job")) return;
      try {
        job = await lepton.api("POST", path + "/cancel");
        showState(job);
        lepton.say(status, job.state === "cancelled" ? "Cancelled." : "Cancelling: the training stops at its next batch.");
      } catch (err) { lepton.say(status, err.message, true); }
    });

    function progress(e) {
      field(root, "epoch").textContent = (e.epoch + 1) + (e.epochs ? " / " + e.epochs : "");
      field(root, "step").textContent = lepton.number(e.step);
      if (e.samplesPerSecond !== null) field(root, "speed").textContent = lepton.number(Math.round(e.samplesPerSecond));
      if (e.etaSeconds !== null) field(root, "eta").textContent = duration(e.etaSeconds);
      var total = e.epochs || epochs;
      if (total) field(root, "progress").value = Math.min(1, (e.epoch + (e.type === "epoch" ? 1 : 0.5)) / total);
      Object.keys(e.logs).forEach(function (name) {
        var chart = name.indexOf("loss") >= 0 ? loss : metrics;
        series(chart, e.type === "batch" ? name + " (running)" : name).data.push({ x: e.step, y: e.logs[name] });
      });
      scheduleRedraw();
    }

    // a fast training sends many events a second: draw at most four times a second, so the page
    // stays responsive (its buttons too) however fast the points arrive
    var drawPending = false;
    function scheduleRedraw() {
      if (drawPending) return;
      drawPending = true;
      setTimeout(function () {
        requestAnimationFrame(function () {
          drawPending = false;
          redraw(loss);
          redraw(metrics);
        });
      }, 250);
    }

    var source = new EventSource(path + "/events");
    source.addEventListener("batch", function (m) { progress(JSON.parse(m.data)); });
    source.addEventListener("epoch", function (m) { progress(JSON.parse(m.data)); });
    source.addEventListener("state", async function (m) {
      var e = JSON.parse(m.data);
      if (TERMINAL.indexOf(e.state) < 0 && e.state === job.state) return;
      if (TERMINAL.indexOf(e.state) >= 0) source.close(); // the stream ends here; EventSource would reconnect and replay it
      job = await lepton.api("GET", path);
      showState(job);
    });
    source.addEventListener("error", function () {
      if (source.readyState === EventSource.CLOSED) lepton.say(status, "Live progress stopped: reload the page to follow the job again.", true);
    });
  });

  // ------------------------------------------------------------------------- runs

  lepton.page("runs", async function (root, ctx) {
    var table = $(root, "[data-list=runs]");
    var runs = (await lepton.api("GET", ctx.base + "/runs?limit=100")).runs;
    runs.forEach(function (r) {
      var params = ["epochs", "batchSize", "learningRate"].filter(function (k) { return r.parameters[k] !== undefined; })
          .map(function (k) { return k + " " + r.parameters[k]; }).join(", ");
      lepton.row(table, [
        h("td", { class: "select" }, h("input", { type: "checkbox", name: "run", value: r.id, "aria-label": "Compare " + r.id })),
        h("a", { href: ctx.pages + "/jobs/" + enc(r.jobId) }, r.id),
        r.model ? (r.model.template || r.model.baseModel || "config") : "", params,
        r.finishedAt ? metricsText(r.metrics, 3) || h("span", { class: "muted" }, "no evaluation") : h("span", { class: "muted" }, "no final metrics"),
        lepton.time(r.createdAt)]);
    });
    if (runs.length === 0) lepton.empty(table, "No runs yet: a job's run appears when a worker starts it.");
    var form = $(root, "[data-form=compare]");
    // a refusal ("choose at least two") goes once the choice changes
    form.addEventListener("change", function () { lepton.say($(form, "[role=status]"), ""); });
    lepton.onSubmit(form, async function () {
      var ids = $$(form, "input[name=run]:checked").map(function (c) { return c.value; });
      if (ids.length < 2) throw new Error("choose at least two runs to compare");
      window.location.assign(ctx.pages + "/runs/compare?ids=" + ids.map(enc).join(","));
      return "Comparing " + ids.length + " runs";
    });
  });

  lepton.page("compare", async function (root, ctx) {
    link(root, "runs", ctx.pages + "/runs");
    var ids = (new URLSearchParams(window.location.search).get("ids") || "").split(",").filter(Boolean);
    var runs = await Promise.all(ids.map(function (id) { return lepton.api("GET", ctx.base + "/runs/" + enc(id)); }));
    var heads = [h("th", { scope: "col" }, "")].concat(runs.map(function (r) {
      return h("th", { scope: "col" }, h("a", { href: ctx.pages + "/jobs/" + enc(r.jobId) }, r.id));
    }));
    function table(name, rows, numeric) {
      var t = $(root, "[data-list=" + name + "]");
      $(t, "thead").appendChild(h("tr", {}, heads.map(function (th) { return th.cloneNode(true); })));
      rows.forEach(function (key) {
        var values = runs.map(function (r) { return numeric ? r.metrics[key] : r.parameters[key]; });
        var differ = values.some(function (v) { return v !== values[0]; });
        $(t, "tbody").appendChild(h("tr", { class: differ ? "differs" : null }, h("th", { scope: "row" }, key),
            values.map(function (v) { return h("td", {}, v === undefined ? "–" : numeric ? lepton.number(v) : v); })));
      });
      if (rows.length === 0) lepton.empty(t, "None recorded.");
    }
    function keys(what) {
      var all = {};
      runs.forEach(function (r) { Object.keys(r[what]).forEach(function (k) { all[k] = true; }); });
      return Object.keys(all).sort();
    }
    table("metrics", keys("metrics"), true);
    table("parameters", keys("parameters"), false);
    // one chart per metric, every run's history overlaid
    var names = {};
    runs.forEach(function (r) { r.history.forEach(function (p) { names[p.name] = true; }); });
    var box = field(root, "histories");
    Object.keys(names).sort().forEach(function (name) {
      var canvas = h("canvas", { role: "img", "aria-label": name + " by epoch, one line per run" });
      box.appendChild(h("figure", { class: "chart", "data-metric": name }, h("figcaption", {}, name),
          h("div", { class: "canvas" }, canvas)));
      var chart = lineChart(canvas, "epoch");
      runs.forEach(function (r) {
        var s = series(chart, r.id);
        r.history.filter(function (p) { return p.name === name; })
            .forEach(function (p) { s.data.push({ x: p.epoch + 1, y: p.value }); });
      });
      redraw(chart);
    });
    if (Object.keys(names).length === 0) box.appendChild(h("p", { class: "muted" }, "These runs recorded no history yet."));
  });

  // ------------------------------------------------------------------------- models

  lepton.page("models", async function (root, ctx) {
    var table = $(root, "[data-list=models]");
    var models = (await lepton.api("GET", ctx.base + "/models")).models;
    models.forEach(function (m) {
      lepton.row(table, [h("a", { href: ctx.pages + "/models/" + enc(m.name) }, m.name),
        m.latestVersion === 0 ? h("span", { class: "muted" }, "none") : "v" + m.latestVersion,
        Object.keys(m.aliases).map(function (a) { return a + " → v" + m.aliases[a]; }).join(", "),
        lepton.time(m.createdAt), m.description || ""]);
    });
    if (models.length === 0) lepton.empty(table, "No models yet: a training with \"Register as\" publishes one.");
  });

  // dataset version id -> link to its page, looked up through the datasets' version lists
  async function datasetVersions(ctx, ids) {
    var wanted = {}, found = {};
    ids.filter(Boolean).forEach(function (id) { wanted[id] = true; });
    if (Object.keys(wanted).length === 0) return found;
    var datasets = (await lepton.api("GET", ctx.base + "/datasets")).datasets;
    await Promise.all(datasets.map(async function (d) {
      var vs = (await lepton.api("GET", ctx.base + "/datasets/" + enc(d.id) + "/versions")).versions;
      vs.forEach(function (v) {
        if (wanted[v.id]) found[v.id] = { href: ctx.pages + "/datasets/" + enc(d.id) + "/versions/" + v.number, label: d.name + " v" + v.number };
      });
    }));
    return found;
  }

  function lineage(ctx, l, dsv) {
    if (!l || l.source !== "run") return "upload";
    var parts = [];
    if (l.datasetVersionId) {
      var d = dsv[l.datasetVersionId];
      parts.push(d ? h("a", { href: d.href }, d.label) : l.datasetVersionId);
    }
    if (l.runId) parts.push(h("a", { href: ctx.pages + "/jobs/" + enc(l.jobId), title: l.runId }, "the run's job"));
    if (l.parentVersionId) parts.push("fine-tuned from " + l.parentVersionId);
    var out = [];
    parts.forEach(function (p, i) { if (i) out.push(", "); out.push(p); });
    return h("span", {}, out);
  }

  lepton.page("model", async function (root, ctx) {
    var model = root.getAttribute("data-model");
    var path = ctx.base + "/models/" + enc(model);
    link(root, "models", ctx.pages + "/models");
    var loaded = await Promise.all([lepton.api("GET", path), lepton.api("GET", path + "/versions")]);
    $$(root, "[data-field=name]").forEach(function (el) { el.textContent = loaded[0].name; });
    field(root, "description").textContent = loaded[0].description || "";
    var versions = loaded[1].versions.slice().reverse();
    var dsv = await datasetVersions(ctx, versions.map(function (v) { return v.lineage && v.lineage.datasetVersionId; }));
    var table = $(root, "[data-list=versions]");
    versions.forEach(function (v) {
      var tr = lepton.row(table, [h("a", { href: ctx.pages + "/models/" + enc(model) + "/versions/" + v.number }, "v" + v.number),
        v.deletedAt ? h("span", { class: "muted" }, "deleted") : metricsText(v.metrics, 4), lineage(ctx, v.lineage, dsv),
        (v.aliases || []).join(", "),
        Object.keys(v.tags || {}).map(function (k) { return k + "=" + v.tags[k]; }).join(", "),
        lepton.time(v.createdAt)]);
      if (v.deletedAt) tr.classList.add("deleted");
    });
    if (versions.length === 0) lepton.empty(table, "No versions yet.");
  });

  lepton.page("model-version", async function (root, ctx) {
    var model = root.getAttribute("data-model"), ref = root.getAttribute("data-ref");
    var v = await lepton.api("GET", ctx.base + "/models/" + enc(model) + "/versions/" + enc(ref));
    link(root, "models", ctx.pages + "/models");
    link(root, "model", ctx.pages + "/models/" + enc(v.modelName));
    field(root, "model").textContent = v.modelName;
    field(root, "version").textContent = "v" + v.number;
    field(root, "title").textContent = v.modelName + " v" + v.number;
    // a version that can be served: to the deployments, with the form filled
    var deploy = $(root, "[data-link=deploy]");
    deploy.setAttribute("href", ctx.pages + "/deployments?model=" + enc(v.modelName + "@" + v.number));
    deploy.hidden = !ctx.canWrite || !!v.deletedAt || v.format !== "lepton";
    var dsv = await datasetVersions(ctx, [v.lineage && v.lineage.datasetVersionId]);
    var facts = field(root, "facts");
    fact(facts, "Format", v.format);
    fact(facts, "Size", lepton.bytes(v.sizeBytes));
    fact(facts, "Lineage", lineage(ctx, v.lineage, dsv));
    fact(facts, "Aliases", (v.aliases || []).join(", ") || "none");
    fact(facts, "Tags", Object.keys(v.tags || {}).map(function (k) { return k + "=" + v.tags[k]; }).join(", ") || "none");
    fact(facts, "Created", lepton.time(v.createdAt));

    if (v.evaluationReport) showReport(root, v.evaluationReport);
    else field(root, "report-note").textContent = "No evaluation report: only versions published by a training run have one.";
  });

  // an evaluation report into the report section (TrainingPages.REPORT) of a model version's or
  // a job's page: headline metrics, then the confusion matrix, per-class rows and ROC curve of a
  // classification, or a regression's metrics
  function showReport(root, r) {
    field(root, "report-note").textContent = (r.task === "classification" ? "Classification" : "Regression") +
        " on " + lepton.number(r.samples) + " held-out samples the training never saw.";
    var headline = field(root, "headline");
    // a regression's own metrics get their table below; the headline keeps the loss and the rest
    var tabled = r.task === "classification" ? [] : ["mae", "mse", "rmse", "r2", "max_error"];
    Object.keys(r.metrics).filter(function (k) { return tabled.indexOf(k) < 0; })
        .forEach(function (k) { fact(headline, k, lepton.number(r.metrics[k])); });
    if (r.task === "classification") {
      confusion(field(root, "confusion"), r);
      var per = field(root, "per-class");
      per.hidden = false;
      var t = $(per, "table");
      r.perClass.forEach(function (c) {
        lepton.row(t, [c.name, lepton.number(c.precision), lepton.number(c.recall), lepton.number(c.f1), lepton.number(c.support)]);
      });
      if (r.roc.length) {
        var fig = field(root, "roc");
        fig.hidden = false;
        field(root, "auc").textContent = "ROC curve of " + r.classes[1] + " · AUC " + lepton.number(r.auc);
        var chart = lineChart($(fig, "canvas"), "false positive rate", "true positive rate");
        series(chart, "ROC").data = r.roc.map(function (p) { return { x: p.falsePositiveRate, y: p.truePositiveRate }; });
        var chance = series(chart, "chance");
        chance.data = [{ x: 0, y: 0 }, { x: 1, y: 1 }];
        chance.borderDash = [4, 4];
        chance.pointRadius = 0;
        chart.options.scales.x.min = 0; chart.options.scales.x.max = 1;
        chart.options.scales.y.min = 0; chart.options.scales.y.max = 1;
        chart.update("none");
      }
    } else if (r.regression) {
      var box = field(root, "regression");
      box.hidden = false;
      var labels = { meanAbsoluteError: "Mean absolute error", meanSquaredError: "Mean squared error",
        rootMeanSquaredError: "Root mean squared error", r2: "R²", maxError: "Largest error" };
      Object.keys(r.regression).forEach(function (k) {
        $(box, "tbody").appendChild(h("tr", {}, h("th", { scope: "row" }, labels[k] || k), h("td", {}, lepton.number(r.regression[k]))));
      });
    }
  }

  // counts shaded by their share of the true class's row; the diagonal in the primary colour
  function confusion(fig, r) {
    fig.hidden = false;
    var table = $(fig, "table");
    $(table, "thead").appendChild(h("tr", {}, h("th", { scope: "col" }, "true \\ predicted"),
        r.classes.map(function (c) { return h("th", { scope: "col" }, c); })));
    r.confusionMatrix.forEach(function (counts, i) {
      var total = counts.reduce(function (a, b) { return a + b; }, 0) || 1;
      $(table, "tbody").appendChild(h("tr", {}, h("th", { scope: "row" }, r.classes[i]), counts.map(function (n, j) {
        var td = h("td", { class: i === j ? "hit" : "miss", title: lepton.number(n) + " of " + lepton.number(total) }, lepton.number(n));
        var share = n / total;
        td.style.backgroundColor = (i === j ? "rgba(1, 114, 173, " : "rgba(217, 53, 38, ") + (0.08 + 0.72 * share).toFixed(3) + ")";
        if (share > 0.55) td.classList.add("dark");
        return td;
      })));
    });
  }
})();
