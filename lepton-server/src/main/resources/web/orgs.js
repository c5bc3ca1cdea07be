// The organizations page: the ones you belong to, with your role, and a form to create one.
lepton.page("orgs", async function (root, ctx) {
  "use strict";
  var h = lepton.h;
  lepton.$(root, "[data-field=who]").textContent = "Signed in as " + ctx.session.user.email + ".";
  var loaded = await Promise.all([lepton.api("GET", "/api/v1/orgs"), lepton.api("GET", "/api/v1/me")]);
  var roles = {};
  loaded[1].memberships.forEach(function (m) { roles[m.organizationId] = m.role; });
  var table = lepton.$(root, "table");
  loaded[0].items.forEach(function (o) {
    lepton.row(table, [h("a", { href: "/orgs/" + encodeURIComponent(o.id) + "/datasets" }, o.name),
      roles[o.id] || "", h("code", {}, o.id), lepton.time(o.createdAt)]);
  });
  if (loaded[0].items.length === 0) {
    lepton.empty(table, "You belong to no organization yet: create one below.");
  }

  lepton.onSubmit(lepton.$(root, "[data-form=create-org]"), async function (v) {
    var org = await lepton.api("POST", "/api/v1/orgs", { name: v.name });
    window.location.assign("/orgs/" + encodeURIComponent(org.id) + "/datasets");
    return "Created " + org.name + ".";
  });
});
