// The pages' one script: JSON forms posted to the API, the CSRF header on every state change, and
// errors shown where the form is. No build step; htmx (from a webjar) does the rest.
(function () {
  "use strict";

  var sessionCsrf = null;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : sessionCsrf;
  }

  // fetch with the session cookie and the CSRF header; resolves to the JSON body or throws its message
  async function api(method, path, body) {
    var headers = { "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    var token = csrfToken();
    if (token && method !== "GET") headers["X-CSRF-Token"] = token;
    var res = await fetch(path, {
      method: method, headers: headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    var text = await res.text();
    var json = text ? JSON.parse(text) : null;
    if (!res.ok) {
      var message = json && json.error ? json.error.message : "HTTP " + res.status;
      throw new Error(message);
    }
    return json;
  }
  window.lepton = { api: api };

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text; // never markup: names come from users
    row.appendChild(td);
  }

  // the organizations page: who is signed in, and their organizations
  async function orgsPage(section) {
    try {
      var session = await api("GET", "/api/v1/session");
      sessionCsrf = session.csrfToken;
      section.querySelector('[data-field="who"]').textContent =
          "Signed in as " + session.user.email + ".";
      var orgs = await api("GET", "/api/v1/orgs");
      var body = section.querySelector("tbody");
      orgs.items.forEach(function (o) {
        var row = document.createElement("tr");
        cell(row, o.name);
        cell(row, o.id);
        cell(row, new Date(o.createdAt).toLocaleString());
        body.appendChild(row);
      });
    } catch (err) {
      window.location.assign("/signin");
      return;
    }
    section.removeAttribute("aria-busy");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var orgs = document.querySelector('[data-page="orgs"]');
    if (orgs) orgsPage(orgs);
  });

  document.addEventListener("htmx:configRequest", function (e) {
    var token = csrfToken();
    if (token) e.detail.headers["X-CSRF-Token"] = token;
  });

  // <form data-api="POST /api/v1/..." data-then="/next/page">: fields become a JSON object
  document.addEventListener("submit", async function (e) {
    var form = e.target;
    var spec = form.getAttribute("data-api");
    if (!spec) return;
    e.preventDefault();
    var parts = spec.split(" ");
    var body = {};
    new FormData(form).forEach(function (v, k) { body[k] = v; });
    var status = form.querySelector("[role=status]");
    var button = form.querySelector("[type=submit]");
    if (button) button.setAttribute("aria-busy", "true");
    try {
      await api(parts[0], parts[1], body);
      window.location.assign(form.getAttribute("data-then") || window.location.href);
    } catch (err) {
      if (status) { status.textContent = err.message; status.classList.add("error"); }
    } finally {
      if (button) button.removeAttribute("aria-busy");
    }
  });

  document.addEventListener("click", async function (e) {
    if (e.target.getAttribute("data-action") === "sign-out") {
      try { await api("DELETE", "/api/v1/session"); } finally { window.location.assign("/signin"); }
    }
  });
})();
