// What every page shares, with no build step: the API client (session cookie, CSRF header, the
// error body's message), a DOM builder that writes text only (names come from users and never
// become markup), formatting, forms, the organization navigation, and the page registry that runs
// a page's own script (members.js, datasets.js...) once the session and organization are known.
(function () {
  "use strict";

  var csrf = null;

  /** An API refusal: the HTTP status, the error code and the server's message. */
  function ApiError(status, code, message) {
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.message = message;
  }
  ApiError.prototype = Object.create(Error.prototype);

  // resolves to the JSON body (null for none), or rejects with an ApiError
  async function api(method, path, body) {
    var headers = { "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (csrf && method !== "GET") headers["X-CSRF-Token"] = csrf;
    var res;
    try {
      res = await fetch(path, {
        method: method, headers: headers, credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body)
      });
    } catch (err) {
      throw new ApiError(0, "NETWORK", "the server could not be reached; check your connection");
    }
    return parse(res.status, await res.text());
  }

  function parse(status, text) {
    var json = null;
    try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
    if (status >= 200 && status < 300) return json;
    if (json && json.error) throw new ApiError(status, json.error.code, json.error.message);
    throw new ApiError(status, "HTTP_" + status, "the server answered HTTP " + status);
  }

  // ------------------------------------------------------------------------------- DOM

  // h("a", {href: x, class: "y", onclick: f}, "text", node...): attributes set as attributes,
  // on* as listeners, children appended (strings as text nodes, never parsed as HTML)
  function h(tag, attrs) {
    var el = document.createElement(tag);
    build(el, attrs, Array.prototype.slice.call(arguments, 2));
    return el;
  }

  function svg(tag, attrs) {
    var el = document.createElementNS("http://www.w3.org/2000/svg", tag);
    build(el, attrs, Array.prototype.slice.call(arguments, 2));
    return el;
  }

  function build(el, attrs, children) {
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k.indexOf("on") === 0) el.addEventListener(k.substring(2), v);
      else el.setAttribute(k, v === true ? "" : String(v));
    });
    append(el, children);
  }

  function append(el, children) {
    children.forEach(function (c) {
      if (c === null || c === undefined || c === false || c === "") return;
      if (Array.isArray(c)) append(el, c);
      else el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    });
  }

  function $(root, selector) { return root.querySelector(selector); }
  function $$(root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }

  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

  // the element with data-field=name, and the links with data-link=name pointed at href
  function field(root, name) { return $(root, "[data-field=" + name + "]"); }
  function link(root, name, href) {
    $$(root, "[data-link=" + name + "]").forEach(function (a) { a.setAttribute("href", href); });
  }

  // a table row whose cells carry their column's name, for the stacked layout of narrow screens
  function row(table, cells) {
    var labels = $$(table, "thead th").map(function (th) { return th.textContent.trim(); });
    var tr = h("tr");
    cells.forEach(function (c, i) {
      var td = c instanceof Node && c.tagName === "TD" ? c : h("td", {}, c);
      if (labels[i]) td.setAttribute("data-label", labels[i]);
      tr.appendChild(td);
    });
    $(table, "tbody").appendChild(tr);
    return tr;
  }

  function empty(table, message) {
    var columns = $$(table, "thead th").length || 1;
    $(table, "tbody").appendChild(h("tr", { class: "empty" },
        h("td", { colspan: columns }, message)));
  }

  // a status line: text, marked as an error or not
  function say(el, message, isError) {
    if (!el) return;
    el.textContent = message || "";
    el.classList.toggle("error", !!isError);
    el.classList.toggle("ok", !!message && !isError);
  }

  // ------------------------------------------------------------------------------- formatting

  var dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
  var timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });

  // a date and time that wraps between the two only
  function time(iso) {
    if (!iso) return h("span", { class: "muted" }, "never");
    var d = new Date(iso);
    return h("time", { datetime: iso, title: iso }, h("span", { class: "nowrap" }, dateFormat.format(d)),
        " ", h("span", { class: "nowrap" }, timeFormat.format(d)));
  }

  function number(n) {
    if (n === null || n === undefined) return "";
    if (Number.isInteger(n)) return n.toLocaleString();
    var a = Math.abs(n);
    if (a !== 0 && (a < 1e-3 || a >= 1e7)) return n.toExponential(3);
    return n.toLocaleString(undefined, { maximumSignificantDigits: 4 });
  }

  function bytes(n) {
    var units = ["bytes", "KB", "MB", "GB", "TB"];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)) + " " + units[i];
  }

  // ------------------------------------------------------------------------------- forms

  // the form's fields as an object; empty fields as null
  function values(form) {
    var v = {};
    new FormData(form).forEach(function (value, key) {
      v[key] = typeof value === "string" && value.trim() === "" ? null : value;
    });
    return v;
  }

  // runs handler(values, form) on submit with the button busy; its resolved text, or the
  // error's message, goes to the form's status line
  function onSubmit(form, handler) {
    form.addEventListener("submit", async function (e) {
      e.preventDefault();
      var status = $(form, "[role=status]");
      var button = $(form, "[type=submit]");
      say(status, "");
      button.setAttribute("aria-busy", "true");
      button.disabled = true;
      try {
        say(status, await handler(values(form), form));
      } catch (err) {
        say(status, err.message, true);
      } finally {
        button.removeAttribute("aria-busy");
        button.disabled = false;
      }
    });
  }

  // <option>s for a select: a blank choice first when blankLabel is given
  function options(select, items, blankLabel) {
    var keep = select.value;
    clear(select);
    if (blankLabel) select.appendChild(h("option", { value: "" }, blankLabel));
    items.forEach(function (it) {
      select.appendChild(h("option", { value: it.value }, it.label));
    });
    if (keep && items.some(function (it) { return it.value === keep; })) select.value = keep;
  }

  // a modal question answered by its two buttons (Escape cancels); resolves true to go ahead
  function confirmAction(question, action) {
    return new Promise(function (resolve) {
      var dialog = h("dialog", { "aria-labelledby": "confirm-question" });
      function close(answer) { dialog.close(); dialog.remove(); resolve(answer); }
      var cancel = h("button", { type: "button", class: "secondary",
        onclick: function () { close(false); } }, "Cancel");
      var go = h("button", { type: "button", class: "danger", onclick: function () { close(true); } }, action);
      dialog.appendChild(h("article", {}, h("p", { id: "confirm-question" }, question),
          h("footer", {}, cancel, go)));
      dialog.addEventListener("cancel", function (e) { e.preventDefault(); close(false); });
      document.body.appendChild(dialog);
      dialog.showModal();
      cancel.focus();
    });
  }

  // a secret shown once: the section, its input, and a copy button
  function showSecret(section, secret) {
    var input = $(section, "[data-field=secret]");
    input.value = secret;
    say($(section, "[data-status=copy]"), "");
    section.hidden = false;
    section.focus();
    input.select();
  }

  document.addEventListener("click", async function (e) {
    var button = e.target.closest("[data-action=copy]");
    if (!button) return;
    var section = button.closest("[data-secret]");
    var input = $(section, "[data-field=secret]");
    var status = $(section, "[data-status=copy]");
    try {
      await navigator.clipboard.writeText(input.value);
      say(status, "Copied to the clipboard.");
    } catch (err) {
      input.select();
      say(status, "Selected: press Ctrl+C (or Cmd+C) to copy.");
    }
  });

  // ------------------------------------------------------------------------------- session

  function toSignIn() {
    window.location.assign("/signin?next=" +
        encodeURIComponent(window.location.pathname + window.location.search));
  }

  // a path on this server to go to after sign-in, or null for anything else
  function safeNext() {
    var next = new URLSearchParams(window.location.search).get("next");
    return next && /^\/(?![\/\\])/.test(next) ? next : null;
  }

  var sessionLoad = null;
  function session() {
    if (!sessionLoad) {
      sessionLoad = api("GET", "/api/v1/session").then(function (s) {
        csrf = s.csrfToken;
        $$(document, "[data-signed-in]").forEach(function (el) { el.hidden = false; });
        $$(document, "header [data-field=user]").forEach(function (el) {
          el.textContent = s.user.email;
        });
        return s;
      });
    }
    return sessionLoad;
  }

  document.addEventListener("click", async function (e) {
    if (!e.target.closest("[data-action=sign-out]")) return;
    try { await api("DELETE", "/api/v1/session"); } finally { window.location.assign("/signin"); }
  });

  // <form data-api="POST /api/v1/..." data-then="/next/page">: fields posted as a JSON object
  function apiForm(form) {
    var spec = form.getAttribute("data-api").split(" ");
    onSubmit(form, async function (v) {
      await api(spec[0], spec[1], v);
      window.location.assign(safeNext() || form.getAttribute("data-then") || window.location.href);
      return "";
    });
  }

  // ------------------------------------------------------------------------------- organization

  var RANK = { viewer: 1, member: 2, admin: 3, owner: 4 };

  // departments in tree order: [{dept, depth}], children by name under their parent
  function departmentTree(departments) {
    var byParent = {};
    departments.forEach(function (d) {
      var key = d.parentId || "";
      (byParent[key] = byParent[key] || []).push(d);
    });
    var out = [];
    (function walk(parent, depth) {
      (byParent[parent] || []).sort(function (a, b) { return a.name.localeCompare(b.name); })
          .forEach(function (d) { out.push({ dept: d, depth: depth }); walk(d.id, depth + 1); });
    })("", 0);
    return out;
  }

  // the ids of department id and of every department inside it
  function subtree(departments, id) {
    var ids = new Set([id]);
    var grew = true;
    while (grew) {
      grew = false;
      departments.forEach(function (d) {
        if (d.parentId && ids.has(d.parentId) && !ids.has(d.id)) { ids.add(d.id); grew = true; }
      });
    }
    return ids;
  }

  function departmentOptions(ctx) {
    return departmentTree(ctx.departments).map(function (t) {
      return { value: t.dept.id, label: "\u2003".repeat(t.depth) + t.dept.name };
    });
  }

  async function orgContext(org) {
    var loaded = await Promise.all([session(), api("GET", "/api/v1/me"),
      api("GET", "/api/v1/orgs"),
      api("GET", "/api/v1/orgs/" + encodeURIComponent(org) + "/departments")]);
    var me = loaded[1];
    var membership = me.memberships.filter(function (m) { return m.organizationId === org; })[0];
    var departments = loaded[3].items;
    var deptId = new URLSearchParams(window.location.search).get("dept");
    var dept = departments.filter(function (d) { return d.id === deptId; })[0] || null;
    var base = "/api/v1/orgs/" + encodeURIComponent(org);
    var cache = {};
    function once(key, load) { return cache[key] || (cache[key] = load()); }
    var ctx = {
      org: org,
      base: base,
      pages: "/orgs/" + encodeURIComponent(org),
      session: loaded[0],
      me: me,
      organizations: loaded[2].items,
      membership: membership,
      rank: membership ? RANK[membership.role] : 0,
      departments: departments,
      dept: dept,
      inDept: dept ? subtree(departments, dept.id) : null,
      departmentName: function (id) {
        var d = departments.filter(function (x) { return x.id === id; })[0];
        return d ? d.name : id;
      },
      projects: function () {
        return once("projects", function () {
          return api("GET", base + "/projects").then(function (r) { return r.items; });
        });
      },
      members: function () {
        return once("members", function () {
          return api("GET", base + "/members").then(function (r) { return r.items; });
        });
      }
    };
    ctx.isAdmin = ctx.rank >= RANK.admin;
    ctx.canWrite = ctx.rank >= RANK.member;
    // after ctx.departments changed: the department choices and the switcher again
    ctx.departmentsChanged = function () {
      $$(document, "select[data-departments]").forEach(function (select) {
        options(select, departmentOptions(ctx), select.getAttribute("data-departments"));
      });
      navigation(ctx);
    };
    ctx.departmentsChanged();
    return ctx;
  }

  function navigation(ctx) {
    var header = $(document, "header");
    var current = $(header, "a[aria-current=page][data-section]");
    var section = current ? current.getAttribute("href").split("/").pop() : "datasets";
    var org = ctx.organizations.filter(function (o) { return o.id === ctx.org; })[0];
    $(header, "[data-field=org-name]").textContent = org ? org.name : ctx.org;
    var orgList = clear($(header, "[data-switch=org] ul"));
    ctx.organizations.forEach(function (o) {
      orgList.appendChild(h("li", {}, h("a", {
        href: "/orgs/" + encodeURIComponent(o.id) + "/" + section,
        "aria-current": o.id === ctx.org ? "true" : null
      }, o.name)));
    });
    orgList.appendChild(h("li", {}, h("a", { href: "/orgs" }, "All organizations…")));

    var here = window.location.pathname;
    $(header, "[data-field=dept-name]").textContent = ctx.dept ? ctx.dept.name : "All";
    var deptList = clear($(header, "[data-switch=dept] ul"));
    deptList.appendChild(h("li", {}, h("a", {
      href: here, "aria-current": ctx.dept ? null : "true"
    }, "All departments")));
    departmentTree(ctx.departments).forEach(function (t) {
      deptList.appendChild(h("li", {}, h("a", {
        href: here + "?dept=" + encodeURIComponent(t.dept.id),
        class: "depth-" + Math.min(t.depth, 4),
        "aria-current": ctx.dept && ctx.dept.id === t.dept.id ? "true" : null
      }, t.dept.name)));
    });
    if (ctx.dept) {
      $$(header, "a[data-section]").forEach(function (a) {
        a.setAttribute("href", a.getAttribute("href") + "?dept=" + encodeURIComponent(ctx.dept.id));
      });
    }
  }

  // the narrow screen's menu: a button that shows and hides it (Escape closes it again)
  document.addEventListener("click", function (e) {
    var toggle = e.target.closest(".menu-toggle");
    if (!toggle) return;
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    if (open) {
      var first = $(document.getElementById(toggle.getAttribute("aria-controls")), "summary, a, button");
      if (first) first.focus();
    }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var toggle = $(document, ".menu-toggle[aria-expanded=true]");
    if (toggle && document.getElementById("menu").contains(document.activeElement)) {
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    }
  });

  // a note above a list filtered by the department switcher, with a way back to everything
  function filterNote(ctx, el, what) {
    if (!ctx.dept || !el) return;
    clear(el).hidden = false;
    append(el, ["Showing " + what + " of the department " + ctx.dept.name +
        " and the departments inside it. ", h("a", { href: window.location.pathname }, "Show all")]);
  }

  // ------------------------------------------------------------------------------ charts

  // Chart.js, which a page with charts loads after its own script, is there once pages run
  var COLORS = ["#0172ad", "#d93526", "#398712", "#8e44ad", "#c77c02", "#017f8e", "#5d6b89"];

  // a line chart of {x, y} points on the given scales, without animation so it keeps up with
  // live data
  function lineChart(canvas, scales) {
    return new Chart(canvas, {
      type: "line",
      data: { datasets: [] },
      options: {
        animation: false, maintainAspectRatio: false, parsing: false, normalized: true,
        interaction: { mode: "nearest", intersect: false },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: scales
      }
    });
  }

  // the series of chart named name, added in the next color the first time; pointRadius 0 draws
  // the line alone
  function series(chart, name, dashed, pointRadius) {
    var found = chart.data.datasets.filter(function (d) { return d.label === name; })[0];
    if (found) return found;
    var color = COLORS[chart.data.datasets.length % COLORS.length];
    found = { label: name, data: [], borderColor: color, backgroundColor: color,
      pointRadius: pointRadius, borderWidth: 2, borderDash: dashed ? [6, 3] : undefined };
    chart.data.datasets.push(found);
    return found;
  }

  // ------------------------------------------------------------------------------- pages

  var handlers = {};
  // registers the code of the page whose content element has data-page=name
  function page(name, handler) { handlers[name] = handler; }

  function failed(root, err) {
    root.insertBefore(h("article", { class: "problem", role: "alert" },
        h("p", {}, err.status === 404
            ? "Not found: " + err.message + ". "
            : "This page could not be loaded: " + err.message + ". "),
        h("a", { href: "/orgs" }, "Your organizations")), root.firstChild);
  }

  document.addEventListener("DOMContentLoaded", async function () {
    $$(document, "form[data-api]").forEach(apiForm);
    var root = $(document, "[data-page]");
    if (!root) return;
    var handler = handlers[root.getAttribute("data-page")];
    try {
      var ctx = root.hasAttribute("data-org")
          ? await orgContext(root.getAttribute("data-org"))
          : { session: await session() };
      if (handler) await handler(root, ctx);
    } catch (err) {
      if (err.status === 401) { toSignIn(); return; }
      failed(root, err);
    } finally {
      root.removeAttribute("aria-busy");
    }
  });

  window.lepton = {
    api: api, parse: parse, h: h, svg: svg, $: $, $$: $$, clear: clear, row: row, empty: empty,
    say: say, time: time, number: number, bytes: bytes, onSubmit: onSubmit, options: options,
    confirm: confirmAction, showSecret: showSecret, page: page, filterNote: filterNote,
    departmentTree: departmentTree, csrf: function () { return csrf; }, field: field, link: link,
    lineChart: lineChart, series: series
  };
})();
