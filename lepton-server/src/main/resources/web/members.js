// Members and departments: everyone reads; admins add, change and remove members and create
// departments; installation administrators create users (who get a one-time sign-in link).
lepton.page("members", async function (root, ctx) {
  "use strict";
  var h = lepton.h, $ = lepton.$;
  var ROLES = ["viewer", "member", "admin", "owner"];

  lepton.$$(root, "[data-admin]").forEach(function (el) { el.hidden = !ctx.isAdmin; });
  $(root, "[data-installation-admin]").hidden = !ctx.me.installationAdmin;
  lepton.filterNote(ctx, $(root, "[data-field=filter]"), "the members");

  var table = $(root, "[data-list=members]");
  var status = $(root, "[data-status=members]");

  async function load() {
    var members = await lepton.api("GET", ctx.base + "/members").then(function (r) { return r.items; });
    lepton.clear($(table, "tbody"));
    var shown = members.filter(function (m) {
      return !ctx.inDept || (m.departmentId && ctx.inDept.has(m.departmentId));
    });
    shown.sort(function (a, b) { return a.email.localeCompare(b.email); }).forEach(function (m) {
      var cells = [m.email, roleCell(m),
        m.departmentId ? ctx.departmentName(m.departmentId) : "Whole organization", lepton.time(m.createdAt)];
      if (ctx.isAdmin) cells.push(actions(m));
      lepton.row(table, cells);
    });
    if (shown.length === 0) {
      lepton.empty(table, ctx.dept ? "No member is limited to this department." : "No members.");
    }
  }

  function roleCell(m) {
    if (!ctx.isAdmin) return m.role;
    var select = h("select", { "aria-label": "Role of " + m.email, "data-role-of": m.userId });
    ROLES.forEach(function (r) { select.appendChild(h("option", { value: r }, r)); });
    select.value = m.role;
    return select;
  }

  function actions(m) {
    var change = h("button", { type: "button", class: "secondary outline",
      "aria-label": "Change the role of " + m.email,
      onclick: function () { changeRole(m, change); } }, "Change role");
    var remove = h("button", { type: "button", class: "danger outline",
      "aria-label": "Remove " + m.email,
      onclick: function () { removeMember(m); } }, "Remove");
    return h("td", { class: "actions" }, change, remove);
  }

  async function changeRole(m, button) {
    var role = $(table, "[data-role-of='" + CSS.escape(m.userId) + "']").value;
    if (role === m.role) { lepton.say(status, m.email + " is " + role + " already."); return; }
    button.setAttribute("aria-busy", "true");
    try {
      await lepton.api("PATCH", ctx.base + "/members/" + encodeURIComponent(m.userId), { role: role });
      await load();
      lepton.say(status, m.email + " is now " + role + ".");
    } catch (err) {
      lepton.say(status, err.message, true);
    } finally {
      button.removeAttribute("aria-busy");
    }
  }

  async function removeMember(m) {
    var question = "Remove " + m.email + " from this organization? Their API tokens here are revoked.";
    if (!await lepton.confirm(question, "Remove")) return;
    try {
      await lepton.api("DELETE", ctx.base + "/members/" + encodeURIComponent(m.userId));
      await load();
      lepton.say(status, "Removed " + m.email + ".");
    } catch (err) {
      lepton.say(status, err.message, true);
    }
  }

  function tree() {
    var list = lepton.clear($(root, "[data-tree=departments]"));
    var nodes = {};
    lepton.departmentTree(ctx.departments).forEach(function (t) {
      var href = window.location.pathname + "?dept=" + encodeURIComponent(t.dept.id);
      var li = h("li", {}, h("a", { href: href }, t.dept.name));
      nodes[t.dept.id] = li;
      var parent = t.dept.parentId ? nodes[t.dept.parentId] : null;
      if (parent) {
        var sub = $(parent, "ul") || parent.appendChild(h("ul"));
        sub.appendChild(li);
      } else {
        list.appendChild(li);
      }
    });
    if (ctx.departments.length === 0) list.appendChild(h("li", { class: "muted" }, "No departments yet."));
  }

  lepton.onSubmit($(root, "[data-form=add-member]"), async function (v, form) {
    var m = await lepton.api("POST", ctx.base + "/members",
        { email: v.email, role: v.role, departmentId: v.departmentId });
    form.reset();
    await load();
    return "Added " + m.email + " as " + m.role + ".";
  });

  lepton.onSubmit($(root, "[data-form=create-user]"), async function (v, form) {
    var created = await lepton.api("POST", "/api/v1/users", { email: v.email, displayName: v.displayName });
    form.reset();
    lepton.showSecret($(root, "[data-secret=link]"), created.signInLink);
    var email = $(root, "[data-form=add-member] [name=email]");
    if (email) email.value = created.user.email;
    return "Created " + created.user.email + ". Add them as a member above.";
  });

  lepton.onSubmit($(root, "[data-form=create-department]"), async function (v, form) {
    var d = await lepton.api("POST", ctx.base + "/departments", { name: v.name, parentId: v.parentId });
    form.reset();
    ctx.departments.push(d);
    tree();
    ctx.departmentsChanged();
    return "Created the department " + d.name + ".";
  });

  tree();
  await load();
});
