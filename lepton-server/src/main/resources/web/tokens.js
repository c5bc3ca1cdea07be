// API tokens: yours (every member's for admins), a form that creates one and shows its secret
// once, and revocation.
lepton.page("tokens", async function (root, ctx) {
  "use strict";
  var h = lepton.h, $ = lepton.$;
  var DAY = 24 * 60 * 60 * 1000;
  var table = $(root, "[data-list=tokens]");
  var status = $(root, "[data-status=tokens]");
  var loaded = await Promise.all([ctx.projects(), ctx.members()]);
  var projects = {}, emails = {};
  loaded[0].forEach(function (p) { projects[p.id] = p.name; });
  loaded[1].forEach(function (m) { emails[m.userId] = m.email; });
  lepton.options($(root, "select[data-projects]"), loaded[0].map(function (p) {
    return { value: p.id, label: p.name };
  }), $(root, "select[data-projects]").getAttribute("data-projects"));

  async function load() {
    var tokens = (await lepton.api("GET", ctx.base + "/tokens")).items;
    lepton.clear($(table, "tbody"));
    tokens.forEach(function (t) {
      var owner = t.userId === ctx.session.user.id ? "you" : (emails[t.userId] || t.userId);
      lepton.row(table, [h("strong", {}, t.name), owner, t.scope,
        t.projectId ? (projects[t.projectId] || t.projectId) : "every project",
        lepton.time(t.expiresAt), lepton.time(t.lastUsedAt), state(t)]);
    });
    if (tokens.length === 0) lepton.empty(table, "No tokens yet: create one below.");
  }

  function state(t) {
    if (t.revokedAt) return h("span", { class: "muted" }, "revoked");
    if (new Date(t.expiresAt) <= new Date()) return h("span", { class: "muted" }, "expired");
    return h("td", { class: "actions" }, h("button", { type: "button", class: "danger outline",
      "aria-label": "Revoke the token " + t.name, onclick: function () { revoke(t); } }, "Revoke"));
  }

  async function revoke(t) {
    var question = "Revoke the token " + t.name + "? Whatever uses it stops working at once.";
    if (!await lepton.confirm(question, "Revoke")) return;
    try {
      await lepton.api("DELETE", ctx.base + "/tokens/" + encodeURIComponent(t.id));
      await load();
      lepton.say(status, "Revoked " + t.name + ".");
    } catch (err) {
      lepton.say(status, err.message, true);
    }
  }

  lepton.onSubmit($(root, "[data-form=create-token]"), async function (v, form) {
    var expiresAt = new Date(Date.now() + Number(v.days) * DAY).toISOString();
    var created = await lepton.api("POST", ctx.base + "/tokens",
        { name: v.name, scope: v.scope, projectId: v.projectId, expiresAt: expiresAt });
    form.reset();
    await load();
    lepton.showSecret($(root, "[data-secret=token]"), created.token);
    return "Created " + created.info.name + ".";
  });

  await load();
});
