// Datasets: the list and the create form; a dataset's versions, lineage, upload (with progress)
// and derive forms; a version's profile with its histograms, drawn as SVG.
(function () {
  "use strict";
  var h = lepton.h, $ = lepton.$;
  var TABULAR = ["CSV", "JSONL"];

  function datasetPath(ctx, id) { return ctx.base + "/datasets/" + encodeURIComponent(id); }
  function datasetPage(ctx, id) { return ctx.pages + "/datasets/" + encodeURIComponent(id); }

  async function emails(ctx) {
    var byId = {};
    (await ctx.members()).forEach(function (m) { byId[m.userId] = m.email; });
    return function (id) { return id === ctx.session.user.id ? "you" : (byId[id] || id); };
  }

  // "split (train 0.8, test 0.2, seed 42)": the recipe's operation and its settings
  function recipeText(recipe) {
    var settings = Object.keys(recipe).filter(function (k) { return k !== "op"; }).map(function (k) {
      var v = recipe[k];
      return k + " " + (typeof v === "object" ? JSON.stringify(v) : v);
    });
    return recipe.op + (settings.length ? " (" + settings.join(", ") + ")" : "");
  }

  function madeBy(v) {
    if (!v.lineage) return "upload";
    return recipeText(v.lineage.recipe) + " of v" + v.lineage.parentNumber +
        (v.lineage.part ? ", " + v.lineage.part + " part" : "");
  }

  // ------------------------------------------------------------------------- the list

  lepton.page("datasets", async function (root, ctx) {
    var table = $(root, "[data-list=datasets]");
    var loaded = await Promise.all([lepton.api("GET", ctx.base + "/datasets"), ctx.projects()]);
    var projects = {};
    loaded[1].forEach(function (p) { projects[p.id] = p; });
    lepton.filterNote(ctx, $(root, "[data-field=filter]"), "the datasets");
    var shown = loaded[0].datasets.filter(function (d) {
      var p = projects[d.projectId];
      return !ctx.inDept || (p && p.departmentId && ctx.inDept.has(p.departmentId));
    });
    shown.forEach(function (d) {
      lepton.row(table, [h("a", { href: datasetPage(ctx, d.id) }, d.name),
        d.projectId ? (projects[d.projectId] ? projects[d.projectId].name : d.projectId) : "",
        d.latestVersion === 0 ? h("span", { class: "muted" }, "none yet") : String(d.latestVersion),
        lepton.time(d.createdAt), d.description || ""]);
    });
    if (shown.length === 0) {
      lepton.empty(table, ctx.dept ? "No dataset of this department's projects."
          : "No datasets yet" + (ctx.canWrite ? ": create one below, then upload a file to it." : "."));
    }

    var writer = $(root, "[data-writer]");
    writer.hidden = !ctx.canWrite;
    var select = $(root, "select[data-projects]");
    lepton.options(select, loaded[1].map(function (p) { return { value: p.id, label: p.name }; }),
        select.getAttribute("data-projects"));
    lepton.onSubmit($(root, "[data-form=create-dataset]"), async function (v) {
      var d = await lepton.api("POST", ctx.base + "/datasets",
          { name: v.name, projectId: v.projectId, description: v.description });
      window.location.assign(datasetPage(ctx, d.id));
      return "Created " + d.name + ".";
    });
  });

  // ------------------------------------------------------------------------- a dataset

  lepton.page("dataset", async function (root, ctx) {
    var id = root.getAttribute("data-dataset");
    var loaded = await Promise.all([lepton.api("GET", datasetPath(ctx, id)), emails(ctx)]);
    var dataset = loaded[0], who = loaded[1];
    document.title = dataset.name + " · Lepton";
    lepton.$$(root, "[data-field=name]").forEach(function (el) { el.textContent = dataset.name; });
    $(root, "[data-link=datasets]").setAttribute("href", ctx.pages + "/datasets");
    $(root, "[data-field=description]").textContent = dataset.description || "";
    lepton.$$(root, "[data-writer]").forEach(function (el) { el.hidden = !ctx.canWrite; });
    $(root, "[data-admin]").hidden = !ctx.isAdmin;

    $(root, "[data-action=delete-dataset]").addEventListener("click", async function () {
      var question = "Delete the dataset " + dataset.name + " with all its versions? Their " +
          "content and profiles are deleted for good.";
      if (!await lepton.confirm(question, "Delete dataset")) return;
      try {
        await lepton.api("DELETE", datasetPath(ctx, id));
        window.location.assign(ctx.pages + "/datasets");
      } catch (err) {
        lepton.say($(root, "[data-status=dataset]"), err.message, true);
      }
    });

    async function load() {
      var versions = (await lepton.api("GET", datasetPath(ctx, id) + "/versions")).versions;
      var table = $(root, "[data-list=versions]");
      lepton.clear($(table, "tbody"));
      versions.forEach(function (v) {
        lepton.row(table, [h("a", { href: versionPage(v.number) }, "v" + v.number),
          v.deletedAt ? h("span", {}, v.fileName + " ", h("small", { class: "muted" }, "(deleted)"))
            : v.fileName,
          v.format, lepton.number(v.rows), h("span", { class: "nowrap" }, lepton.bytes(v.sizeBytes)),
          madeBy(v),
          h("span", {}, lepton.time(v.createdAt), " by " + who(v.createdBy))]);
      });
      if (versions.length === 0) {
        lepton.empty(table, "No versions yet" + (ctx.canWrite ? ": upload a file below." : "."));
      }
      lineage(versions);
      lepton.options($(root, "select[data-versions]"), versions.filter(function (v) {
        return TABULAR.indexOf(v.format) >= 0 && !v.deletedAt;
      }).reverse().map(function (v) {
        return { value: String(v.number),
          label: "v" + v.number + " · " + v.fileName + " · " + lepton.number(v.rows) + " rows" };
      }));
      return versions;
    }

    function versionPage(number) { return datasetPage(ctx, id) + "/versions/" + number; }

    // uploads at the top level, each derived version under the one it came from
    function lineage(versions) {
      var list = lepton.clear($(root, "[data-tree=lineage]"));
      var items = {};
      versions.forEach(function (v) {
        var li = h("li", {}, h("a", { href: versionPage(v.number) }, "v" + v.number), " ",
            v.fileName + " · " + lepton.number(v.rows) + " rows" + (v.deletedAt ? " · deleted" : ""),
            h("small", { class: "muted block" }, v.lineage ? madeBy(v) : "uploaded"));
        items[v.number] = li;
        var parent = v.lineage ? items[v.lineage.parentNumber] : null;
        if (parent) ($(parent, "ul") || parent.appendChild(h("ul"))).appendChild(li);
        else list.appendChild(li);
      });
      if (versions.length === 0) list.appendChild(h("li", { class: "muted" }, "Nothing yet."));
    }

    var upload = $(root, "[data-form=upload]");
    var progress = $(upload, "progress");
    $(upload, "[name=file]").addEventListener("change", function (e) {
      var f = e.target.files[0];
      var guess = f ? formatOf(f.name) : null;
      if (guess) $(upload, "[name=format]").value = guess;
    });
    lepton.onSubmit(upload, async function (v, form) {
      var status = $(form, "[role=status]");
      progress.hidden = false;
      progress.value = 0;
      var version = await send(datasetPath(ctx, id) + "/versions", v, function (fraction) {
        progress.value = Math.round(fraction * 100);
        lepton.say(status, fraction < 1 ? "Uploading… " + progress.value + "%"
            : "Uploaded; checking and profiling…");
      });
      form.reset();
      await load();
      return "Version " + version.number + ": " + lepton.number(version.rows) + " rows of " +
          version.format + ".";
    });

    var derive = $(root, "[data-form=derive]");
    var op = $(derive, "[name=op]");
    function showOp() {
      lepton.$$(derive, "[data-op]").forEach(function (el) {
        el.hidden = el.getAttribute("data-op").split(" ").indexOf(op.value) < 0;
      });
    }
    op.addEventListener("change", showOp);
    showOp();
    lepton.onSubmit(derive, async function (v) {
      var path = datasetPath(ctx, id) + "/versions/" + encodeURIComponent(v.version) + "/derive";
      var made = (await lepton.api("POST", path, recipe(v))).versions;
      await load();
      return "Derived " + made.map(function (x) {
        var part = x.lineage && x.lineage.part;
        return "v" + x.number + (part ? " (" + part + ", " + lepton.number(x.rows) + " rows)" : "");
      }).join(", ") + ".";
    });

    await load();
  });

  function formatOf(name) {
    var n = name.toLowerCase();
    if (/\.csv$/.test(n)) return "CSV";
    if (/\.(jsonl|ndjson)$/.test(n)) return "JSONL";
    if (/\.txt$/.test(n)) return "TEXT";
    if (/\.zip$/.test(n)) return "IMAGE_ZIP";
    if (/(\.idx\d?|-ubyte)(\.gz)?$/.test(n)) return "IDX";
    return null;
  }

  // posts the upload form as multipart (fields before the file, which the server streams) and
  // reports the upload's progress as a fraction; resolves to the new version
  function send(path, v, onProgress) {
    return new Promise(function (resolve, reject) {
      var data = new FormData();
      data.append("format", v.format);
      if (v.label) data.append("label", v.label);
      data.append("file", v.file, v.file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", path);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-CSRF-Token", lepton.csrf());
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) onProgress(e.loaded / e.total);
      });
      xhr.addEventListener("load", function () {
        try { resolve(lepton.parse(xhr.status, xhr.responseText)); } catch (err) { reject(err); }
      });
      xhr.addEventListener("error", function () {
        reject(new Error("the upload was interrupted; nothing was stored, try again"));
      });
      xhr.send(data);
    });
  }

  function columnList(text) {
    return (text || "").split(",").map(function (c) { return c.trim(); }).filter(Boolean);
  }

  // the derive form's fields as a recipe (see ai.lepton.api.Recipe)
  function recipe(v) {
    var columns = columnList(v.columns);
    switch (v.op) {
      case "split":
        return { op: "split", train: Number(v.train), validation: Number(v.validation || 0),
          test: Number(v.test || 0), seed: Number(v.seed) };
      case "drop_missing":
        return { op: "drop_missing", columns: columns };
      case "fill_missing":
        var fills = {};
        columns.forEach(function (c) {
          fills[c] = v.strategy === "constant" ? { strategy: "constant", value: v.value }
              : { strategy: v.strategy };
        });
        return { op: "fill_missing", columns: fills };
      case "scale":
        return { op: "scale", method: v.method, columns: columns };
      default:
        return { op: v.op };
    }
  }

  // ------------------------------------------------------------------------- a version

  lepton.page("version", async function (root, ctx) {
    var id = root.getAttribute("data-dataset");
    var number = root.getAttribute("data-version");
    var path = datasetPath(ctx, id) + "/versions/" + encodeURIComponent(number);
    var loaded = await Promise.all([lepton.api("GET", datasetPath(ctx, id)), lepton.api("GET", path),
      emails(ctx)]);
    var dataset = loaded[0], version = loaded[1], who = loaded[2];
    // a deleted version is a tombstone: what it was and where it came from, no content or profile
    var profile = version.deletedAt ? null : await lepton.api("GET", path + "/profile");
    document.title = dataset.name + " v" + version.number + " · Lepton";
    $(root, "[data-link=datasets]").setAttribute("href", ctx.pages + "/datasets");
    var back = $(root, "[data-link=dataset]");
    back.setAttribute("href", datasetPage(ctx, id));
    back.textContent = dataset.name;
    $(root, "[data-field=version]").textContent = "v" + version.number;
    $(root, "[data-field=title]").textContent = dataset.name + " · v" + version.number;
    var download = $(root, "[data-link=content]");
    var remove = $(root, "[data-action=delete-version]");
    if (version.deletedAt) {
      var notice = $(root, "[data-field=deleted]");
      notice.hidden = false;
      notice.textContent = "This version was deleted: its content and profile are gone. Its " +
          "number is not given again, and the versions derived from it keep their lineage.";
    } else {
      download.hidden = false;
      download.setAttribute("href", path + "/content");
      download.setAttribute("download", version.fileName);
      download.textContent = "Download " + version.fileName + " (" + lepton.bytes(version.sizeBytes) + ")";
      remove.hidden = !ctx.isAdmin;
    }
    remove.addEventListener("click", async function () {
      var question = "Delete v" + version.number + " (" + version.fileName + ") of " + dataset.name +
          "? Its content and profile are deleted for good; it stays listed as deleted.";
      if (!await lepton.confirm(question, "Delete version")) return;
      try {
        await lepton.api("DELETE", path);
        window.location.assign(datasetPage(ctx, id));
      } catch (err) {
        lepton.say($(root, "[data-status=version]"), err.message, true);
      }
    });

    facts($(root, "[data-facts=version]"), [
      ["Format", version.format], ["Rows", lepton.number(version.rows)],
      ["Columns", profile && profile.columns.length ? String(profile.columns.length) : null],
      ["Label column", profile ? profile.labelColumn : null], ["Size", lepton.bytes(version.sizeBytes)],
      ["SHA-256", h("code", { class: "hash" }, version.sha256)],
      ["Created", h("span", {}, lepton.time(version.createdAt), " by " + who(version.createdBy))],
      ["Deleted", version.deletedAt ? lepton.time(version.deletedAt) : null]]);

    if (version.lineage) {
      show(root, "lineage");
      var l = version.lineage;
      lepton.clear($(root, "[data-field=lineage]")).append("Derived from ",
          h("a", { href: datasetPage(ctx, id) + "/versions/" + l.parentNumber }, "v" + l.parentNumber),
          l.parentDeleted ? " (since deleted)" : "",
          " by " + l.recipe.op + (l.part ? ": the " + l.part + " part." : "."));
      $(root, "[data-field=recipe]").textContent = "recipe     " + JSON.stringify(l.recipe) +
          "\nparameters " + JSON.stringify(l.parameters);
    }
    if (!profile) return;
    columns(root, profile);
    histograms(root, profile);
    topValues(root, profile);
    balance(root, profile);
    details(root, profile);
    preview(root, profile);
  });

  function show(root, section) { $(root, "[data-section=" + section + "]").hidden = false; }

  function facts(dl, pairs) {
    pairs.forEach(function (p) {
      if (p[1] === null || p[1] === undefined) return;
      dl.appendChild(h("div", {}, h("dt", {}, p[0]), h("dd", {}, p[1])));
    });
  }

  function columns(root, profile) {
    if (!profile.columns.length) return;
    show(root, "columns");
    var table = $(root, "[data-list=columns]");
    profile.columns.forEach(function (c) {
      lepton.row(table, [h("strong", {}, c.name), c.type.toLowerCase(), lepton.number(c.count),
        c.missing ? h("span", { class: "warn" }, lepton.number(c.missing)) : "0",
        lepton.number(c.distinct) + (c.distinctCapped ? "+" : ""), lepton.number(c.min),
        lepton.number(c.max), lepton.number(c.mean), lepton.number(c.std)]);
    });
  }

  function histograms(root, profile) {
    var numeric = profile.columns.filter(function (c) { return c.histogram && c.histogram.counts.length; });
    if (!numeric.length) return;
    show(root, "histograms");
    var box = $(root, "[data-field=histograms]");
    numeric.forEach(function (c) { box.appendChild(histogram(c)); });
  }

  // equal-width bins as bars; each bar's title names its range and count
  function histogram(c) {
    var W = 320, H = 170, left = 34, right = 8, top = 10, bottom = 132;
    var counts = c.histogram.counts, edges = c.histogram.edges;
    var most = Math.max.apply(null, counts.concat([1]));
    var width = (W - left - right) / counts.length;
    var first = lepton.number(edges[0]), last = lepton.number(edges[edges.length - 1]);
    var label = "Histogram of " + c.name + ": " + counts.length + " bins from " + first + " to " + last +
        "; the fullest holds " + lepton.number(most) + " values.";
    var chart = lepton.svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": label,
      class: "histogram" });
    counts.forEach(function (n, i) {
      var height = (bottom - top) * n / most;
      var range = "[" + lepton.number(edges[i]) + ", " + lepton.number(edges[i + 1]) +
          (i === counts.length - 1 ? "]" : ")");
      chart.appendChild(lepton.svg("rect", { x: left + i * width + 1, y: bottom - height,
        width: Math.max(width - 2, 1), height: height, class: "bar" },
      lepton.svg("title", {}, range + ": " + lepton.number(n))));
    });
    function text(x, y, anchor, content, cls) {
      chart.appendChild(lepton.svg("text", { x: x, y: y, "text-anchor": anchor, class: cls }, content));
    }
    chart.appendChild(lepton.svg("line", { x1: left, x2: W - right, y1: bottom, y2: bottom, class: "axis" }));
    chart.appendChild(lepton.svg("line", { x1: left, x2: left, y1: top, y2: bottom, class: "axis" }));
    text(left - 4, top + 8, "end", lepton.number(most));
    text(left - 4, bottom, "end", "0");
    text(left, bottom + 16, "start", first);
    text(W - right, bottom + 16, "end", last);
    text((left + W - right) / 2, bottom + 32, "middle", c.name, "name");
    return h("figure", { class: "chart", "data-column": c.name }, chart,
        h("figcaption", {}, c.name + ": " + counts.length + " bins, " + lepton.number(c.count) + " values" +
            (c.missing ? ", " + lepton.number(c.missing) + " missing" : "")));
  }

  function topValues(root, profile) {
    var withTop = profile.columns.filter(function (c) { return c.top && c.top.length; });
    if (!withTop.length) return;
    show(root, "top");
    var box = $(root, "[data-field=top]");
    withTop.forEach(function (c) {
      var table = h("table", { class: "bars" }, h("caption", {}, c.name),
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Value"), h("th", { scope: "col" }, "Count"),
              h("th", { scope: "col" }, "Share"))), h("tbody"));
      bars(table, c.top, c.count + c.missing);
      box.appendChild(h("figure", { class: "chart" }, table));
    });
  }

  // rows of value, count and a bar of its share of total
  function bars(table, counts, total) {
    counts.forEach(function (vc) {
      var share = total ? vc.count / total : 0;
      var bar = h("span", { class: "bar" });
      bar.style.width = (share * 100).toFixed(1) + "%";
      lepton.row(table, [vc.value, lepton.number(vc.count),
        h("span", { class: "share" }, h("span", { class: "track" }, bar), (share * 100).toFixed(1) + "%")]);
    });
  }

  function balance(root, profile) {
    if (!profile.classBalance.length) return;
    show(root, "balance");
    var total = profile.classBalance.reduce(function (s, vc) { return s + vc.count; }, 0);
    $(root, "[data-field=balance-caption]").textContent = profile.classBalance.length + " classes" +
        (profile.labelColumn ? " of the label column " + profile.labelColumn : "") + ", " +
        lepton.number(total) + " samples";
    bars($(root, "[data-list=balance]"), profile.classBalance, total);
  }

  function details(root, profile) {
    var dl = $(root, "[data-facts=details]");
    var title = $(root, "[data-field=details-title]");
    if (profile.text) {
      title.textContent = "Text";
      var t = profile.text;
      facts(dl, [["Lines", lepton.number(t.lines)], ["Blank lines", lepton.number(t.blankLines)],
        ["Line length", lepton.number(t.minLength) + " to " + lepton.number(t.maxLength) +
            " characters, " + lepton.number(t.meanLength) + " on average"],
        ["Words", lepton.number(t.words)],
        ["Vocabulary", (t.vocabularyEstimated ? "about " : "") + lepton.number(t.vocabulary) + " words"]]);
    } else if (profile.images) {
      var im = profile.images;
      title.textContent = "Images";
      facts(dl, [["Classes", im.classes.join(", ")], ["Width", im.minWidth + " to " + im.maxWidth + " px"],
        ["Height", im.minHeight + " to " + im.maxHeight + " px"], ["Channels", im.channels.join(", ")]]);
    } else if (profile.idx) {
      title.textContent = "IDX";
      facts(dl, [["Shape", profile.idx.shape.join(" × ")],
        ["Values", profile.idx.minValue + " to " + profile.idx.maxValue + ", " +
            lepton.number(profile.idx.meanValue) + " on average"]]);
    } else {
      return;
    }
    show(root, "details");
  }

  function preview(root, profile) {
    if (!profile.preview.length) return;
    show(root, "preview");
    var table = $(root, "[data-list=preview]");
    var names = profile.columns.length ? profile.columns.map(function (c) { return c.name; })
        : profile.format === "IMAGE_ZIP" ? ["Image", "Class"]
        : profile.format === "TEXT" ? ["Line"] : ["Value"];
    var head = $(table, "thead tr");
    names.forEach(function (n) { head.appendChild(h("th", { scope: "col" }, n)); });
    profile.preview.forEach(function (r) {
      var tr = h("tr");
      r.forEach(function (v) { tr.appendChild(h("td", {}, v)); });
      $(table, "tbody").appendChild(tr);
    });
  }
})();
