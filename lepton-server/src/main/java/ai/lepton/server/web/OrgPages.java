package ai.lepton.server.web;

import ai.lepton.server.http.Route;
import ai.lepton.server.web.Html.Section;
import java.util.List;

/**
 * An organization's people and records: members and departments, API tokens, the audit log. The
 * forms that change something are rendered hidden; the script shows them to the roles that may use
 * them (the API checks again).
 */
final class OrgPages {
  private OrgPages() {}

  static List<Route> routes() {
    return List.of(
        Route.get("/orgs/{org}/members").tag("web")
            .summary("An organization's members and departments").publicAccess()
            .handle(ctx -> Html.send(ctx, page("Members", ctx.pathParam("org"), Section.MEMBERS,
                "members", MEMBERS))),
        Route.get("/orgs/{org}/tokens").tag("web").summary("Your API tokens in an organization")
            .publicAccess()
            .handle(ctx -> Html.send(ctx, page("API tokens", ctx.pathParam("org"), Section.TOKENS,
                "tokens", TOKENS))),
        Route.get("/orgs/{org}/audit").tag("web")
            .summary("An organization's audit log and its verification").publicAccess()
            .handle(ctx -> Html.send(ctx, page("Audit log", ctx.pathParam("org"), Section.AUDIT,
                "audit", AUDIT))));
  }

  /** An organization's page whose script is {@code /web/<name>.js}. */
  private static String page(String title, String org, Section section, String name, String body) {
    return Html.orgPage(title, section, name, name, body, "org", org);
  }

  private static final String MEMBERS = """
      <h1>Members</h1>
      <p data-field="filter" hidden></p>
      <table class="cards" data-list="members">
        <caption class="visually-hidden">Members</caption>
        <thead><tr><th scope="col">Email</th><th scope="col">Role</th>
          <th scope="col">Department</th><th scope="col">Member since</th>
          <th scope="col" data-admin hidden>Actions</th></tr></thead>
        <tbody></tbody>
      </table>
      <p role="status" aria-live="polite" data-status="members"></p>
      <section data-admin hidden aria-labelledby="add-member">
        <h2 id="add-member">Add a member</h2>
        <form data-form="add-member">
          <div class="grid">
            <label>Email
              <input name="email" type="email" required maxlength="254" autocomplete="off"></label>
            <label>Role
              <select name="role" data-roles>
                <option value="viewer">viewer: reads</option>
                <option value="member" selected>member: reads and writes</option>
                <option value="admin">admin: also manages members</option>
                <option value="owner">owner: also deletes the organization</option>
              </select></label>
            <label>Department
              <select name="departmentId" data-departments="Whole organization"></select></label>
          </div>
          <button type="submit">Add member</button>
          <p role="status" aria-live="polite"></p>
        </form>
      </section>
      <section data-installation-admin hidden aria-labelledby="new-user">
        <h2 id="new-user">Create a user</h2>
        <p>Someone without an account gets a one-time sign-in link; once they have used it, add
          them here by email.</p>
        <form data-form="create-user">
          <div class="grid">
            <label>Email
              <input name="email" type="email" required maxlength="254" autocomplete="off"></label>
            <label>Display name (optional)
              <input name="displayName" maxlength="100" autocomplete="off"></label>
          </div>
          <button type="submit" class="secondary">Create user</button>
          <p role="status" aria-live="polite"></p>
        </form>
        <div data-secret="link" hidden>
          <p class="warning">Hand this link to them: it signs in once, within 24 hours, and is
            not shown again.</p>
          <fieldset role="group">
            <input readonly aria-label="One-time sign-in link" data-field="secret">
            <button type="button" data-action="copy">Copy</button>
          </fieldset>
          <p role="status" aria-live="polite" data-status="copy"></p>
        </div>
      </section>
      <section aria-labelledby="departments">
        <h2 id="departments">Departments</h2>
        <ul class="tree" data-tree="departments"></ul>
        <form data-form="create-department" data-admin hidden>
          <div class="grid">
            <label>New department
              <input name="name" required maxlength="100" autocomplete="off"></label>
            <label>Inside
              <select name="parentId" data-departments="Top level"></select></label>
          </div>
          <button type="submit" class="secondary">Create department</button>
          <p role="status" aria-live="polite"></p>
        </form>
      </section>""";

  private static final String TOKENS = """
      <h1>API tokens</h1>
      <p>A token lets the CLI, the Java client or a script call the API as you, in this
        organization: send it as <code>Authorization: Bearer &lt;token&gt;</code>.</p>
      <table class="cards" data-list="tokens">
        <caption class="visually-hidden">API tokens</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Owner</th><th scope="col">Scope</th>
          <th scope="col">Project</th><th scope="col">Expires</th><th scope="col">Last used</th>
          <th scope="col">Status</th></tr></thead>
        <tbody></tbody>
      </table>
      <p role="status" aria-live="polite" data-status="tokens"></p>
      <section data-secret="token" hidden aria-labelledby="new-token" tabindex="-1">
        <h2 id="new-token">Your new token</h2>
        <p class="warning">Copy it now: it is shown only this once. Lepton keeps only its hash;
          a lost token cannot be recovered, only revoked and replaced.</p>
        <fieldset role="group">
          <input readonly aria-label="The new token's secret" data-field="secret">
          <button type="button" data-action="copy">Copy</button>
        </fieldset>
        <p role="status" aria-live="polite" data-status="copy"></p>
      </section>
      <section aria-labelledby="create-token">
        <h2 id="create-token">Create a token</h2>
        <form data-form="create-token">
          <div class="grid">
            <label>Name
              <input name="name" required maxlength="100" autocomplete="off"
                     placeholder="ci-pipeline"></label>
            <label>Scope
              <select name="scope">
                <option value="read">read</option>
                <option value="write" selected>write</option>
                <option value="admin">admin</option>
              </select></label>
          </div>
          <div class="grid">
            <label>Project
              <select name="projectId" data-projects="Every project"></select></label>
            <label>Expires in
              <select name="days">
                <option value="7">7 days</option>
                <option value="30">30 days</option>
                <option value="90" selected>90 days</option>
                <option value="180">180 days</option>
              </select></label>
          </div>
          <button type="submit">Create token</button>
          <p role="status" aria-live="polite"></p>
        </form>
      </section>""";

  private static final String AUDIT = """
      <h1>Audit log</h1>
      <div class="toolbar">
        <button type="button" data-action="verify">Verify the chain</button>
        <p role="status" aria-live="polite" data-status="verify"></p>
      </div>
      <div class="scroll" role="region" aria-label="Audit events" tabindex="0">
        <table class="cards dense" data-list="audit">
          <caption class="visually-hidden">Audit events, newest first</caption>
          <thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Actor</th>
            <th scope="col">Action</th><th scope="col">Resource</th><th scope="col">Outcome</th>
            <th scope="col">Address</th></tr></thead>
          <tbody></tbody>
        </table>
      </div>
      <p role="status" aria-live="polite" data-status="audit"></p>
      <button type="button" class="secondary" data-action="older" hidden>Older events</button>""";
}
