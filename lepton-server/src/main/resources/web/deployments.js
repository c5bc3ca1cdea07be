// Deployments: the list with "Deploy a version", and a deployment's page: what it serves, the
// canary's share with promote and roll back, a try-it form, live traffic charts drawn from the
// deployment's cumulative counters read every 2 s, and quality and drift from monitoring. The
// arithmetic (rates, quantiles, the model's input, its answer) is in pure functions, exported as
// lepton.deployments for the browser tests.
(function () {
  "use strict";
  var h = lepton.h, $ = lepton.$, $$ = lepton.$$, field = lepton.field, link = lepton.link;
  var NOT_OK = ["invalid", "too_large", "rate_limited", "error"];
  var POLL_MS = 2000;
  var WINDOW_MS = 5 * 60 * 1000;

  function enc(s) { return encodeURIComponent(s); }
  function versionLink(ctx, v) {
    return h("a", { href: ctx.pages + "/models/" + enc(v.model) + "/versions/" + v.number }, v.model + " v" + v.number);
  }
  function fact(box, name, value) { box.appendChild(h("div", {}, h("dt", {}, name), h("dd", {}, value))); }
  function batching(d) {
    return d.maxBatchSize > 1 ? "up to " + d.maxBatchSize + " samples, " + d.maxQueueDelayMicros + " µs wait" : "off";
  }

  // ------------------------------------------------------------------ traffic arithmetic (pure)

  // The q-quantile (0 to 1), in seconds, of the latencies counted between two readings of one
  // version's histogram ([{le, count}], cumulative, the same bounds in both): linear inside the
  // bucket that holds it. total is the requests between the readings, those slower than the last
  // bound included (they answer the last bound: at least that). Null when none came.
  function quantile(before, after, total, q) {
    if (!(total > 0)) return null;
    var target = q * total, lower = 0, below = 0;
    for (var i = 0; i < after.length; i++) {
      var n = after[i].count - (before && before[i] ? before[i].count : 0);
      if (n >= target && n > below) return lower + (after[i].le - lower) * (target - below) / (n - below);
      lower = after[i].le;
      below = n;
    }
    return lower;
  }

  // What one version did between two readings, per second: requests answered (ok), requests
  // refused or failed (every other outcome), and the median and 99th percentile latency in
  // seconds. before is null for a version first served since the last reading (it counted from
  // zero). Null when a counter went back (the server restarted): the charts leave a gap.
  function step(before, after, seconds) {
    var zero = { requests: {}, latencyBuckets: null };
    var b = before || zero;
    function delta(o) { return (after.requests[o] || 0) - (b.requests[o] || 0); }
    var ok = delta("ok");
    var failed = NOT_OK.reduce(function (n, o) { return n + delta(o); }, 0);
    if (ok < 0 || failed < 0 || !(seconds > 0)) return null;
    var total = ok + failed;
    return { ok: ok / seconds, errors: failed / seconds,
      p50: quantile(b.latencyBuckets, after.latencyBuckets, total, 0.5),
      p99: quantile(b.latencyBuckets, after.latencyBuckets, total, 0.99) };
  }

  // ------------------------------------------------------------------ try-it arithmetic (pure)

  // What the try-it form asks for, from the served version's signature, whether it carries its
  // preprocessing, and the parameters of the run that trained it (null for an uploaded file):
  // a text for a text model, a row of its columns for a table, an image for a model trained on
  // images (its pixels, gray or RGB, side by side), numbers otherwise.
  function inputKind(signature, hasPreprocessing, parameters) {
    var input = signature.inputs[0];
    var sample = input.shape.slice(1);
    var size = sample.every(function (d) { return d > 0; })
        ? sample.reduce(function (a, b) { return a * b; }, 1) : null;
    var p = parameters || {};
    if (hasPreprocessing && p.sequenceLength) return { kind: "text", input: input.name };
    if (hasPreprocessing && p.features && p.features.slice(-3) !== "...") {
      return { kind: "rows", input: input.name, columns: p.features.split(",") };
    }
    if (hasPreprocessing && size && p.inputShape && p.task === "classification" && !p.features) {
      var gray = Math.round(Math.sqrt(size)), rgb = Math.round(Math.sqrt(size / 3));
      if (gray * gray === size) return { kind: "image", input: input.name, width: gray, height: gray, channels: 1, size: size };
      if (rgb * rgb * 3 === size) return { kind: "image", input: input.name, width: rgb, height: rgb, channels: 3, size: size };
    }
    return { kind: "numbers", input: input.name, size: size, shape: sample };
  }

  // The model's input from an image's RGBA pixels (width x height, drawn on black), scaled as
  // training scaled its images: each 0-255 value times float32(1/255) in float32, rows of
  // pixels, channels last; gray as 0.299 R + 0.587 G + 0.114 B, rounded like a stored byte.
  function pixels(rgba, width, height, channels, invert) {
    var out = new Array(width * height * channels), scale = Math.fround(1 / 255);
    for (var i = 0; i < width * height; i++) {
      var r = rgba[4 * i], g = rgba[4 * i + 1], b = rgba[4 * i + 2];
      var values = channels === 1 ? [Math.round(0.299 * r + 0.587 * g + 0.114 * b)] : [r, g, b];
      for (var c = 0; c < channels; c++) {
        var v = invert ? 255 - values[c] : values[c];
        out[i * channels + c] = Math.fround(v * scale);
      }
    }
    return out;
  }

  // The inference request for what the form holds: a text or a row as one raw BYTES instance
  // (the model's saved preprocessing turns it into numbers on the server), an image's scaled
  // pixels or typed numbers as an FP32 tensor of one sample.
  function request(kind, value) {
    var tensor;
    if (kind.kind === "text") {
      if (!value || !value.trim()) throw new Error("type a text to predict from");
      tensor = { name: kind.input, shape: [1], datatype: "BYTES", data: [value] };
    } else if (kind.kind === "rows") {
      var row = {};
      kind.columns.forEach(function (c) {
        var v = value[c] === undefined || value[c] === null ? "" : String(value[c]).trim();
        if (v !== "" && !isFinite(Number(v))) throw new Error(c + " must be a number; received '" + v + "'");
        row[c] = v === "" ? null : Number(v);
      });
      tensor = { name: kind.input, shape: [1], datatype: "BYTES", data: [JSON.stringify(row)] };
    } else if (kind.kind === "image") {
      if (!value) throw new Error("choose an image to predict from");
      tensor = { name: kind.input, shape: [1, kind.size], datatype: "FP32", data: value };
    } else {
      var numbers = String(value || "").split(/[\s,;]+/).filter(Boolean).map(Number);
      if (numbers.length === 0 || numbers.some(function (n) { return !isFinite(n); })) {
        throw new Error("type the input's numbers, separated by commas or spaces");
      }
      if (kind.size && numbers.length !== kind.size) {
        throw new Error("the model takes " + kind.size + " numbers; received " + numbers.length);
      }
      tensor = { name: kind.input, shape: kind.size ? [1].concat(kind.shape) : [1, numbers.length], datatype: "FP32", data: numbers };
    }
    return { inputs: [tensor] };
  }

  // The answer as rows, best first: [{label, score}] for a classifier's scores (class names
  // when given, by index otherwise, at most five), or a regression's one value; a "label"
  // output, when the server adds one, names the predicted class.
  function answer(response, classes) {
    var label = response.outputs.filter(function (o) { return o.name === "label"; })[0];
    var scores = response.outputs.filter(function (o) { return o.name !== "label" && o.datatype !== "BYTES"; })[0];
    var out = { label: label ? String(label.data[0]) : null, value: null, rows: [] };
    if (!scores) return out;
    if (scores.data.length === 1) {
      out.value = scores.data[0];
      return out;
    }
    var named = classes && classes.length === scores.data.length;
    out.rows = scores.data.map(function (s, i) { return { label: named ? classes[i] : "class " + i, score: s }; })
        .sort(function (a, b) { return b.score - a.score; }).slice(0, 5);
    if (!out.label) out.label = out.rows[0].label;
    return out;
  }

  lepton.deployments = { quantile: quantile, step: step, inputKind: inputKind, pixels: pixels,
    request: request, answer: answer };

  // ------------------------------------------------------------------ the list

  lepton.page("deployments", async function (root, ctx) {
    var table = $(root, "[data-list=deployments]");
    var deployments = (await lepton.api("GET", ctx.base + "/deployments")).deployments;
    deployments.forEach(function (d) {
      lepton.row(table, [h("a", { href: ctx.pages + "/deployments/" + enc(d.name) }, d.name),
        versionLink(ctx, d.primary),
        d.canary ? h("span", {}, versionLink(ctx, d.canary), " · " + d.canaryPercent + "%") : h("span", { class: "muted" }, "none"),
        batching(d), lepton.time(d.updatedAt)]);
    });
    if (deployments.length === 0) {
      lepton.empty(table, "No deployments yet" + (ctx.canWrite ? ": deploy a model version below, or from its page." : "."));
    }
    $$(root, "[data-writer]").forEach(function (el) { el.hidden = !ctx.canWrite; });
    var form = $(root, "[data-form=create-deployment]");
    var model = new URLSearchParams(window.location.search).get("model");
    if (model) {
      $(form, "[name=model]").value = model;
      $(form, "[name=name]").value = model.split("@")[0];
      $(form, "[name=name]").focus();
    }
    lepton.onSubmit(form, async function (v) {
      var d = await lepton.api("POST", ctx.base + "/deployments", { name: v.name, model: v.model,
        maxBatchSize: Number(v.maxBatchSize) });
      window.location.assign(ctx.pages + "/deployments/" + enc(d.name));
      return "Deployed " + d.name;
    });
  });

  // ------------------------------------------------------------------ a deployment

  lepton.page("deployment", async function (root, ctx) {
    var name = root.getAttribute("data-name");
    var path = ctx.base + "/deployments/" + enc(name);
    link(root, "deployments", ctx.pages + "/deployments");
    var d = await lepton.api("GET", path);
    $$(root, "[data-field=name]").forEach(function (el) { el.textContent = d.name; });
    $$(root, "[data-writer]").forEach(function (el) { el.hidden = !ctx.canWrite; });
    render(d);
    canaryControls();
    await Promise.all([tryIt(root, ctx, d), monitoring(root, path).catch(function (err) {
      lepton.say(field(root, "window"), "Quality and drift could not be read: " + err.message, true);
    })]);
    traffic(root, path);

    function render(dep) {
      d = dep;
      var facts = lepton.clear(field(root, "facts"));
      fact(facts, "Serves", versionLink(ctx, d.primary));
      fact(facts, "Canary", d.canary ? h("span", {}, versionLink(ctx, d.canary), " · " + d.canaryPercent + "% of requests") : "none");
      fact(facts, "Batching", batching(d));
      fact(facts, "Endpoint", h("code", {}, "/v2/models/" + d.name + "/infer"));
      fact(facts, "Created", lepton.time(d.createdAt));
      fact(facts, "Updated", lepton.time(d.updatedAt));
      var section = field(root, "canary-section");
      section.hidden = false;
      var split = field(root, "split");
      split.hidden = !d.canary;
      var bar = lepton.clear(field(root, "split-bar"));
      if (d.canary) {
        var primary = h("span", { class: "primary" }, "v" + d.primary.number + " · " + (100 - d.canaryPercent) + "%");
        var canary = h("span", { class: "canary" }, "v" + d.canary.number + " · " + d.canaryPercent + "%");
        primary.style.flexGrow = String(Math.max(100 - d.canaryPercent, 1));
        canary.style.flexGrow = String(Math.max(d.canaryPercent, 1));
        bar.append(primary, canary);
        bar.setAttribute("aria-label", "v" + d.primary.number + " answers " + (100 - d.canaryPercent) +
            "% of the requests, the canary v" + d.canary.number + " " + d.canaryPercent + "%");
        $(root, "[data-form=share] [name=share]").value = d.canaryPercent;
      }
      var writer = ctx.canWrite;
      $(root, "[data-form=share]").hidden = !writer || !d.canary;
      $(root, ".actions").hidden = !writer || !d.canary;
      $(root, "[data-form=canary]").hidden = !writer || !!d.canary;
      $(root, "[data-form=canary] [name=canary]").setAttribute("placeholder", d.primary.model + "@" + (d.primary.number + 1));
      lepton.say($(root, "[data-status=canary]"), d.canary ? "" : "No canary: v" + d.primary.number + " answers every request.");
    }

    function canaryControls() {
      var status = $(root, "[data-status=canary]");
      lepton.onSubmit($(root, "[data-form=share]"), async function (v) {
        render(await lepton.api("PATCH", path, { share: Number(v.share) }));
        return "The canary now takes " + d.canaryPercent + "% of the requests.";
      });
      lepton.onSubmit($(root, "[data-form=canary]"), async function (v) {
        render(await lepton.api("PATCH", path, { canary: v.canary, share: Number(v.share) }));
        lepton.say(status, "Canary v" + d.canary.number + " takes " + d.canaryPercent + "% of the requests.");
        return "";
      });
      $(root, "[data-action=promote]").addEventListener("click", async function () {
        var v = d.canary;
        if (!v || !await lepton.confirm("Promote " + v.model + " v" + v.number + "? It answers every request, and v" +
            d.primary.number + " stops serving.", "Promote")) return;
        try {
          render(await lepton.api("POST", path + "/promote"));
          lepton.say(status, "Promoted: v" + d.primary.number + " answers every request.");
        } catch (err) { lepton.say(status, err.message, true); }
      });
      $(root, "[data-action=rollback]").addEventListener("click", async function () {
        var v = d.canary;
        if (!v || !await lepton.confirm("Roll back? The canary v" + v.number + " stops serving at once; v" +
            d.primary.number + " answers every request.", "Roll back")) return;
        try {
          render(await lepton.api("POST", path + "/rollback"));
          lepton.say(status, "Rolled back: v" + d.primary.number + " answers every request.");
        } catch (err) { lepton.say(status, err.message, true); }
      });
    }
  });

  // the served version's input and classes, then the form that sends it
  async function tryIt(root, ctx, d) {
    var form = $(root, "[data-form=try]");
    var v = await lepton.api("GET", ctx.base + "/models/" + enc(d.primary.model) + "/versions/" + d.primary.number);
    var parameters = null;
    if (v.lineage && v.lineage.runId) {
      try {
        parameters = (await lepton.api("GET", ctx.base + "/runs/" + enc(v.lineage.runId))).parameters;
      } catch (err) { parameters = null; } // a run deleted since: the numbers form still works
    }
    var kind = inputKind(v.signature, v.hasPreprocessing, parameters);
    var classes = v.evaluationReport && v.evaluationReport.classes;
    var part = $(form, "[data-try=" + kind.kind + "]");
    part.hidden = false;
    var note = field(root, "try-note");
    var image = null;
    if (kind.kind === "text") {
      note.textContent = "Type a text: the server's saved preprocessing turns it into tokens.";
    } else if (kind.kind === "rows") {
      note.textContent = "One row of the table; leave a cell empty for a missing value.";
      kind.columns.forEach(function (c) {
        part.appendChild(h("label", {}, c, h("input", { name: "col:" + c, inputmode: "decimal", autocomplete: "off" })));
      });
    } else if (kind.kind === "image") {
      note.textContent = "An image, scaled to " + kind.width + " × " + kind.height + (kind.channels === 1 ? " gray" : " RGB") +
          " pixels as the model saw its training images.";
      var canvas = field(root, "pixels");
      canvas.width = kind.width;
      canvas.height = kind.height;
      var drawn = null;
      var draw = function () {
        if (!drawn) return;
        var g = canvas.getContext("2d", { willReadFrequently: true });
        g.fillStyle = "#000";
        g.fillRect(0, 0, kind.width, kind.height);
        g.drawImage(drawn, 0, 0, kind.width, kind.height);
        image = pixels(g.getImageData(0, 0, kind.width, kind.height).data, kind.width, kind.height, kind.channels,
            $(form, "[name=invert]").checked);
        // show what the model gets: the scaled values drawn back
        var shown = g.createImageData(kind.width, kind.height);
        for (var i = 0; i < kind.width * kind.height; i++) {
          for (var c = 0; c < 3; c++) shown.data[4 * i + c] = Math.round(255 * image[i * kind.channels + (kind.channels === 1 ? 0 : c)]);
          shown.data[4 * i + 3] = 255;
        }
        g.putImageData(shown, 0, 0);
      };
      $(form, "[name=image]").addEventListener("change", async function (e) {
        var file = e.target.files[0];
        image = null;
        if (!file) return;
        try {
          drawn = await createImageBitmap(file);
          draw();
          lepton.say($(form, "[role=status]"), "");
        } catch (err) {
          lepton.say($(form, "[role=status]"), "this file is not an image the browser can read; choose a PNG or JPEG", true);
        }
      });
      $(form, "[name=invert]").addEventListener("change", draw);
    } else {
      field(root, "numbers-label").textContent = kind.size
          ? kind.size + " numbers (the model's input " + kind.input + ", shape " + JSON.stringify(kind.shape) + ")"
          : "Numbers";
      note.textContent = "The model's input as numbers, separated by commas or spaces.";
    }
    var answerBox = field(root, "answer");
    lepton.onSubmit(form, async function (values) {
      var value = kind.kind === "text" ? values.text : kind.kind === "image" ? image
          : kind.kind === "numbers" ? values.numbers : {};
      if (kind.kind === "rows") kind.columns.forEach(function (c) { value[c] = values["col:" + c]; });
      var response = await lepton.api("POST", ctx.base + "/deployments/" + enc(d.name) + "/infer", request(kind, value));
      var a = answer(response, classes);
      answerBox.hidden = false;
      var table = $(answerBox, "table");
      lepton.clear($(table, "tbody"));
      table.hidden = a.rows.length === 0;
      a.rows.forEach(function (r) {
        var bar = h("span", { class: "score" });
        bar.style.width = (Math.max(0, Math.min(1, r.score)) * 10).toFixed(2) + "rem";
        lepton.row(table, [r.label, h("span", { class: "score-cell", "data-score": r.score }, bar, lepton.number(r.score))]);
      });
      field(root, "answer-note").textContent = (a.value !== null ? "Predicted value " + lepton.number(a.value)
          : "Predicted " + a.label) + " · version " + response.model_version + " · prediction id " +
          (response.parameters && response.parameters.prediction_id || response.id);
      return "";
    });
  }

  // ------------------------------------------------------------------ live traffic

  function timeChart(canvas, yTitle) {
    return lepton.lineChart(canvas, {
      x: { type: "linear", ticks: { maxTicksLimit: 6, callback: function (v) { return new Date(v).toLocaleTimeString(); } } },
      y: { beginAtZero: true, title: { display: true, text: yTitle } }
    });
  }

  function series(chart, name, dashed) { return lepton.series(chart, name, dashed, 0); }

  // reads the counters every 2 s (not while the page is hidden, never two at once) and draws
  // once per reading: at most one redraw every 2 s, however busy the deployment
  function traffic(root, path) {
    var charts = { requests: timeChart($(root, "[data-chart=requests]"), "requests/s"),
      errors: timeChart($(root, "[data-chart=errors]"), "requests/s"),
      latency: timeChart($(root, "[data-chart=latency]"), "ms") };
    var now = field(root, "traffic-now");
    var last = null, first = null;
    async function read() {
      if (document.hidden) return;
      var t;
      try {
        t = await lepton.api("GET", path + "/traffic");
      } catch (err) {
        lepton.clear(now);
        fact(now, "Traffic", err.message);
        return;
      }
      var at = Date.parse(t.at);
      var totals = { ok: 0, errors: 0, inFlight: 0, answered: 0, p99: null };
      t.versions.forEach(function (v) {
        totals.inFlight += v.inFlight;
        totals.answered += v.requests.ok || 0;
        if (!last) return;
        var before = last.versions.filter(function (p) { return p.version === v.version; })[0] || null;
        var s = step(before, v, (at - last.at) / 1000);
        var x = at;
        series(charts.requests, "v" + v.version).data.push({ x: x, y: s ? s.ok : null });
        series(charts.errors, "v" + v.version).data.push({ x: x, y: s ? s.errors : null });
        series(charts.latency, "v" + v.version + " p50").data.push({ x: x, y: s && s.p50 !== null ? s.p50 * 1000 : null });
        series(charts.latency, "v" + v.version + " p99", true).data.push({ x: x, y: s && s.p99 !== null ? s.p99 * 1000 : null });
        if (s) {
          totals.ok += s.ok;
          totals.errors += s.errors;
          if (s.p99 !== null) totals.p99 = Math.max(totals.p99 || 0, s.p99);
        }
      });
      // the axis spans the readings so far (a minute at least, five at most); points are drawn
      // while a line has few, so a lone reading shows
      if (first === null) first = at;
      Object.keys(charts).forEach(function (k) {
        var c = charts[k];
        c.data.datasets.forEach(function (s) {
          s.data = s.data.filter(function (p) { return p.x >= at - WINDOW_MS; });
          s.pointRadius = s.data.length > 40 ? 0 : 2;
        });
        c.options.scales.x.min = Math.min(at - 60 * 1000, Math.max(first, at - WINDOW_MS));
        c.options.scales.x.max = at;
        c.update("none");
      });
      lepton.clear(now);
      fact(now, "Requests/s", last ? lepton.number(Math.round(totals.ok * 10) / 10) : "…");
      fact(now, "Errors/s", last ? lepton.number(Math.round(totals.errors * 10) / 10) : "…");
      fact(now, "p99 latency", totals.p99 === null ? "–" : lepton.number(Math.round(totals.p99 * 10000) / 10) + " ms");
      fact(now, "In flight", lepton.number(totals.inFlight));
      fact(now, "Answered", lepton.number(totals.answered));
      last = { at: at, versions: t.versions };
    }
    (async function loop() {
      await read();
      setTimeout(loop, POLL_MS);
    })();
  }

  // ------------------------------------------------------------------ quality and drift

  async function monitoring(root, path) {
    var r = await lepton.api("GET", path + "/monitoring");
    field(root, "window").textContent = "From " + new Date(r.from).toLocaleString() + " to now: " +
        lepton.number(r.predictions) + " predictions logged.";
    var q = lepton.clear(field(root, "quality"));
    fact(q, "With feedback", lepton.number(r.quality.samples));
    if (r.quality.accuracy !== null) fact(q, "Accuracy", lepton.number(r.quality.accuracy));
    if (r.quality.mae !== null) fact(q, "MAE", lepton.number(r.quality.mae));
    if (r.quality.rmse !== null) fact(q, "RMSE", lepton.number(r.quality.rmse));
    if (r.quality.samples === 0) fact(q, "Quality", h("span", { class: "muted" }, "no feedback yet"));

    var drift = $(root, "[data-list=drift]");
    r.features.forEach(function (f) {
      lepton.row(drift, [f.feature, lepton.number(f.samples), lepton.number(f.psi),
        h("span", { class: "level " + f.level.toLowerCase() }, f.level.toLowerCase()),
        f.ksStatistic === null ? "–" : lepton.number(f.ksStatistic), f.ksPValue === null ? "–" : lepton.number(f.ksPValue)]);
    });
    if (r.features.length === 0) lepton.empty(drift, "No drift to show: no logged predictions with named features in this window.");

    var classes = $(root, "[data-list=classes]");
    var pd = r.predictionDrift;
    if (pd && (pd.live.length || pd.training.length)) {
      if (pd.psi !== null) field(root, "prediction-drift").textContent = "Predicted classes against the training labels · PSI " + lepton.number(pd.psi);
      var names = [];
      pd.live.concat(pd.training).forEach(function (c) { if (names.indexOf(c.value) < 0) names.push(c.value); });
      function count(list, name) { var c = list.filter(function (x) { return x.value === name; })[0]; return c ? c.count : 0; }
      names.forEach(function (n) { lepton.row(classes, [n, lepton.number(count(pd.live, n)), lepton.number(count(pd.training, n))]); });
    } else lepton.empty(classes, "No predicted classes in this window.");

    var alerts = $(root, "[data-list=alerts]");
    r.alerts.forEach(function (a) {
      var tr = lepton.row(alerts, [a.signal, a.message, lepton.time(a.raisedAt),
        a.resolvedAt ? lepton.time(a.resolvedAt) : h("span", { class: "state failed" }, "open")]);
      if (!a.resolvedAt) tr.classList.add("open");
    });
    if (r.alerts.length === 0) lepton.empty(alerts, "No alerts.");
  }
})();
