// The audit log (admins): the newest events first, older ones on demand, and the chain's check.
lepton.page("audit", async function (root, ctx) {
  "use strict";
  var h = lepton.h, $ = lepton.$;
  var PAGE = 50;
  var table = $(root, "[data-list=audit]");
  var older = $(root, "[data-action=older]");
  var emails = {};
  (await ctx.members()).forEach(function (m) { emails[m.userId] = m.email; });
  var next = null;

  // the resource's type and id, and the event's details folded under them
  function resource(e) {
    var keys = Object.keys(e.details);
    var details = keys.length === 0 ? null : h("details", { class: "pairs" },
        h("summary", {}, keys.length === 1 ? "1 detail" : keys.length + " details"),
        h("dl", {}, keys.map(function (k) {
          return h("div", {}, h("dt", {}, k), h("dd", {}, e.details[k]));
        })));
    var name = e.details.name || e.details.email || e.details.fileName;
    return h("div", {}, e.resourceType ? e.resourceType + " " : "", name ? h("strong", {}, name) : "",
        e.resourceId ? h("code", { class: "block-code" }, e.resourceId) : "", details);
  }

  async function more() {
    var query = "?limit=" + PAGE + (next === null ? "" : "&before=" + next);
    var page = await lepton.api("GET", ctx.base + "/audit" + query);
    page.events.forEach(function (e) {
      lepton.row(table, [String(e.sequence), lepton.time(e.time),
        e.actor === "system" ? "system" : (emails[e.actor] || e.actor),
        h("code", { class: "nowrap" }, e.action),
        resource(e), h("span", { class: "outcome " + e.outcome.toLowerCase() }, e.outcome.toLowerCase()),
        e.clientAddress || ""]);
    });
    if (next === null && page.events.length === 0) lepton.empty(table, "No events yet.");
    next = page.nextBefore;
    older.hidden = next === null;
  }

  older.addEventListener("click", async function () {
    older.setAttribute("aria-busy", "true");
    try { await more(); } catch (err) { lepton.say($(root, "[data-status=audit]"), err.message, true); }
    older.removeAttribute("aria-busy");
  });

  var verify = $(root, "[data-action=verify]");
  verify.addEventListener("click", async function () {
    var status = $(root, "[data-status=verify]");
    lepton.say(status, "");
    verify.setAttribute("aria-busy", "true");
    try {
      var v = await lepton.api("GET", ctx.base + "/audit/verify");
      if (v.intact) {
        lepton.say(status, "Intact (" + v.eventsChecked.toLocaleString() + " events).");
      } else {
        lepton.say(status, "Broken: event #" + v.firstBadSequence + " was " + v.problem +
            " (" + v.eventsChecked.toLocaleString() + " events checked).", true);
      }
    } catch (err) {
      lepton.say(status, err.message, true);
    } finally {
      verify.removeAttribute("aria-busy");
    }
  });

  try {
    await more();
  } catch (err) {
    if (err.status !== 403) throw err;
    verify.hidden = true;
    table.hidden = true;
    lepton.say($(root, "[data-status=audit]"), "Only the organization's admins read its audit log.", true);
  }
});
