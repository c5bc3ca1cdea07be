package ai.lepton.server.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import ai.lepton.server.registry.TestModels;
import ai.lepton.server.tenancy.Client.Cred;
import ai.lepton.server.tenancy.Client.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every role (owner, admin, member, viewer, and a user of another organization) against every
 * action on departments, members, projects, tokens, datasets, jobs, models and monitoring, over
 * real HTTP: the status each gets, and that another organization's ids answer 404 exactly like
 * missing ones. Runs on H2
 * ({@link AuthorizationMatrixH2Test}) and on PostgreSQL ({@link AuthorizationMatrixPostgresTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AuthorizationMatrix {
  private static final String[] ROLES = {"owner", "admin", "member", "viewer", "outsider"};
  private static final String MISSING_ORG = "org_aaaaaaaaaaaaaaaaaaaaaaaaaa";

  private final TestClock clock = new TestClock();
  private LeptonServer server;
  private Client client;
  private Cred ownerSession;
  private String orgA;
  private String orgB;
  private final Map<String, Cred> sessions = new LinkedHashMap<>();
  private final Map<String, Cred> tokens = new LinkedHashMap<>();
  private final Map<String, String> userIds = new LinkedHashMap<>();
  private final Map<String, String> inB = new LinkedHashMap<>();
  private final AtomicInteger counter = new AtomicInteger();

  /** The server's configuration: its database. */
  abstract ServerConfig config(Path dir);

  @BeforeAll
  void setUp(@TempDir Path dir) {
    server = LeptonServer.start(config(dir), clock);
    client = new Client(server.port());
    ownerSession = client.signInWithLink(server.firstSignInLink().orElseThrow());
    sessions.put("owner", ownerSession);
    orgA = client.get("/api/v1/orgs", ownerSession).json().get("items").get(0).get("id")
        .asText();
    userIds.put("owner", client.get("/api/v1/me", ownerSession).json().get("user").get("id")
        .asText());
    for (String role : new String[] {"admin", "member", "viewer", "outsider"}) {
      String email = role + "@x.org";
      Response made = client.post("/api/v1/users", ownerSession, Map.of("email", email));
      assertEquals(201, made.status(), made.body());
      userIds.put(role, made.json().get("user").get("id").asText());
      sessions.put(role, client.signInWithLink(made.text("signInLink")));
      if (!role.equals("outsider")) {
        Response added = client.post(a("/members"), ownerSession,
            Map.of("email", email, "role", role));
        assertEquals(201, added.status(), added.body());
      }
    }
    for (String role : ROLES) {
      if (!role.equals("outsider")) {
        tokens.put(role, Cred.token(newToken(sessions.get(role), orgA, "admin")));
      }
    }
    // the outsider's own organization, with one of everything
    Cred outsider = sessions.get("outsider");
    Response b = client.post("/api/v1/orgs", outsider, Map.of("name", "B"));
    assertEquals(201, b.status(), b.body());
    orgB = b.text("id");
    inB.put("dept", client.post("/api/v1/orgs/" + orgB + "/departments", outsider,
        Map.of("name", "b-dept")).text("id"));
    inB.put("project", client.post("/api/v1/orgs/" + orgB + "/projects", outsider,
        Map.of("name", "b-project")).text("id"));
    inB.put("token", client.post("/api/v1/orgs/" + orgB + "/tokens", outsider,
        tokenBody("b", "read")).json().get("info").get("id").asText());
    inB.put("user", userIds.get("outsider"));
    inB.put("dataset", client.post("/api/v1/orgs/" + orgB + "/datasets", outsider,
        Map.of("name", "b-dataset")).text("id"));
    inB.put("model", client.post("/api/v1/orgs/" + orgB + "/models", outsider,
        Map.of("name", "b-model")).text("name"));
  }

  @AfterAll
  void tearDown() {
    server.close();
  }

  private String a(String path) {
    return "/api/v1/orgs/" + orgA + path;
  }

  private Map<String, Object> tokenBody(String name, String scope) {
    return Map.of("name", name, "scope", scope, "expiresAt",
        clock.instant().plus(Duration.ofDays(30)).toString());
  }

  private String newToken(Cred cred, String org, String scope) {
    Response r = client.post("/api/v1/orgs/" + org + "/tokens", cred,
        tokenBody("t" + counter.incrementAndGet(), scope));
    assertEquals(201, r.status(), r.body());
    return r.text("token");
  }

  private String fresh(String prefix) {
    return prefix + counter.incrementAndGet();
  }

  /** Fixtures made by the owner, fresh for each try so deletions do not interfere. */
  private String freshDepartment() {
    return client.post(a("/departments"), ownerSession, Map.of("name", fresh("d"))).text("id");
  }

  private String freshProject() {
    return client.post(a("/projects"), ownerSession, Map.of("name", fresh("p"))).text("id");
  }

  private String freshUser() {
    String email = fresh("u") + "@x.org";
    client.post("/api/v1/users", ownerSession, Map.of("email", email));
    return email;
  }

  private String freshMember() {
    String email = freshUser();
    return client.post(a("/members"), ownerSession, Map.of("email", email, "role", "viewer"))
        .text("userId");
  }

  /** A dataset with versions 1 and 2, made by the owner; answers its id. */
  private String freshDataset() {
    String id = client.post(a("/datasets"), ownerSession, Map.of("name", fresh("ds"))).text("id");
    for (int i = 0; i < 2; i++) {
      Response v = client.send("PUT", a("/datasets/" + id + "/versions?format=TEXT&fileName=t.txt"),
          ownerSession, "\"one\"");
      assertEquals(201, v.status(), v.body());
    }
    return id;
  }

  /** A model with versions 1 and 2, made by the owner; answers its name. */
  private String freshModel() {
    String name = fresh("model");
    for (int i = 0; i < 2; i++) {
      Response v = client.putBytes(a("/models/" + name + "/versions?format=onnx"),
          tokens.get("owner"), TestModels.onnxAdd());
      assertEquals(201, v.status(), v.body());
    }
    return name;
  }

  /** A deployment (by the owner) of a fresh .lepton model, with a canary when asked. */
  private String freshDeployment(boolean canary) {
    String model = fresh("served");
    for (int i = 0; i < 2; i++) {
      assertEquals(201, client.putBytes(a("/models/" + model + "/versions?format=lepton"),
          tokens.get("owner"), TestModels.lepton()).status());
    }
    String name = fresh("dep");
    Response made = client.post(a("/deployments"), tokens.get("owner"), Map.of("name", name,
        "model", model + "@1"));
    assertEquals(201, made.status(), made.body());
    if (canary) {
      assertEquals(200, client.patch(a("/deployments/" + name), tokens.get("owner"),
          Map.of("canary", model + "@2")).status());
    }
    return name;
  }

  private String ownersToken() {
    Response r = client.post(a("/tokens"), ownerSession, tokenBody(fresh("o"), "read"));
    return r.json().get("info").get("id").asText();
  }

  /** The credentials a role acts with in organization A: a token, or the outsider's session. */
  private Cred cred(String role) {
    return role.equals("outsider") ? sessions.get("outsider") : tokens.get(role);
  }

  /** One action, made against organization A as {@code role}; answers its status. */
  private record Action(String name, String expected, Function<Cred, Response> call) {}

  private List<Action> actions() {
    List<Action> list = new ArrayList<>();
    String dept = freshDepartment();
    String project = freshProject();
    //                                   owner admin member viewer outsider
    list.add(new Action("list departments", "200 200 200 200 404",
        c -> client.get(a("/departments"), c)));
    list.add(new Action("get department", "200 200 200 200 404",
        c -> client.get(a("/departments/" + dept), c)));
    list.add(new Action("create department", "201 201 403 403 404",
        c -> client.post(a("/departments"), c, Map.of("name", fresh("d")))));
    list.add(new Action("update department", "200 200 403 403 404",
        c -> client.patch(a("/departments/" + freshDepartment()), c, Map.of("name", "renamed"))));
    list.add(new Action("delete department", "204 204 403 403 404",
        c -> client.delete(a("/departments/" + freshDepartment()), c)));
    list.add(new Action("list members", "200 200 200 200 404",
        c -> client.get(a("/members"), c)));
    list.add(new Action("add member", "201 201 403 403 404",
        c -> client.post(a("/members"), c, Map.of("email", freshUser(), "role", "member"))));
    list.add(new Action("update member", "200 200 403 403 404",
        c -> client.patch(a("/members/" + freshMember()), c, Map.of("role", "member"))));
    list.add(new Action("remove member", "204 204 403 403 404",
        c -> client.delete(a("/members/" + freshMember()), c)));
    list.add(new Action("list projects", "200 200 200 200 404",
        c -> client.get(a("/projects"), c)));
    list.add(new Action("get project", "200 200 200 200 404",
        c -> client.get(a("/projects/" + project), c)));
    list.add(new Action("create project", "201 201 201 403 404",
        c -> client.post(a("/projects"), c, Map.of("name", fresh("p")))));
    list.add(new Action("delete project", "204 204 403 403 404",
        c -> client.delete(a("/projects/" + freshProject()), c)));
    list.add(new Action("list tokens", "200 200 200 200 404",
        c -> client.get(a("/tokens"), c)));
    list.add(new Action("create token", "201 201 201 201 404",
        c -> client.post(a("/tokens"), c, tokenBody(fresh("t"), "read"))));
    list.add(new Action("revoke another member's token", "204 204 404 404 404",
        c -> client.delete(a("/tokens/" + ownersToken()), c)));
    String dataset = freshDataset();
    list.add(new Action("list datasets", "200 200 200 200 404",
        c -> client.get(a("/datasets"), c)));
    list.add(new Action("create dataset", "201 201 201 403 404",
        c -> client.post(a("/datasets"), c, Map.of("name", fresh("ds")))));
    list.add(new Action("read a version", "200 200 200 200 404",
        c -> client.get(a("/datasets/" + dataset + "/versions/1"), c)));
    list.add(new Action("delete dataset version", "204 204 403 403 404",
        c -> client.delete(a("/datasets/" + freshDataset() + "/versions/1"), c)));
    list.add(new Action("delete dataset", "204 204 403 403 404",
        c -> client.delete(a("/datasets/" + freshDataset()), c)));
    String model = freshModel();
    list.add(new Action("list models", "200 200 200 200 404",
        c -> client.get(a("/models"), c)));
    list.add(new Action("create model", "201 201 201 403 404",
        c -> client.post(a("/models"), c, Map.of("name", fresh("model")))));
    list.add(new Action("push a model version", "201 201 201 403 404",
        c -> client.putBytes(a("/models/" + model + "/versions?format=onnx"), c,
            TestModels.onnxAdd())));
    list.add(new Action("read a model version", "200 200 200 200 404",
        c -> client.get(a("/models/" + model + "/versions/1"), c)));
    list.add(new Action("download a model version", "200 200 200 200 404",
        c -> client.get(a("/models/" + model + "/versions/1/content"), c)));
    list.add(new Action("set a model alias", "200 200 200 403 404",
        c -> client.put(a("/models/" + model + "/aliases/production"), c,
            Map.of("version", 1))));
    list.add(new Action("remove a model alias", "204 204 204 403 404", c -> {
      String m = freshModel();
      client.put(a("/models/" + m + "/aliases/staging"), tokens.get("owner"),
          Map.of("version", 1));
      return client.delete(a("/models/" + m + "/aliases/staging"), c);
    }));
    list.add(new Action("set a model version tag", "200 200 200 403 404",
        c -> client.put(a("/models/" + model + "/versions/1/tags/team"), c,
            Map.of("value", "risk"))));
    list.add(new Action("delete model version", "204 204 403 403 404",
        c -> client.delete(a("/models/" + freshModel() + "/versions/1"), c)));
    list.add(new Action("delete model", "204 204 403 403 404",
        c -> client.delete(a("/models/" + freshModel()), c)));
    String job = client.post(a("/jobs"), ownerSession, Map.of("dataset", "d", "model",
        Map.of("template", "mlp"))).text("id");
    list.add(new Action("list jobs", "200 200 200 200 404", c -> client.get(a("/jobs"), c)));
    list.add(new Action("read a job", "200 200 200 200 404",
        c -> client.get(a("/jobs/" + job), c)));
    list.add(new Action("submit job", "201 201 201 403 404",
        c -> client.post(a("/jobs"), c, Map.of("dataset", "d", "model",
            Map.of("template", "mlp")))));
    list.add(new Action("list runs", "200 200 200 200 404", c -> client.get(a("/runs"), c)));
    list.add(new Action("post feedback", "200 200 200 403 404",
        c -> client.post(a("/deployments/web/feedback"), c, Map.of("predictionId", "prd_1",
            "groundTruth", "yes"))));
    list.add(new Action("read a deployment's monitoring", "200 200 200 200 404",
        c -> client.get(a("/deployments/web/monitoring"), c)));
    list.add(new Action("set a deployment's monitor", "200 200 200 403 404",
        c -> client.put(a("/deployments/web/monitor"), c, Map.of("minSamples", 10))));
    list.add(new Action("evaluate a deployment's monitor", "200 200 200 403 404",
        c -> client.post(a("/deployments/web/monitoring/evaluate"), c, Map.of())));
    Map<String, Object> tuning = Map.of("kind", "tune", "base", Map.of("dataset", "d", "model",
        Map.of("template", "mlp")), "method", "grid", "parameters",
        Map.of("units", Map.of("values", List.of(4, 8))));
    String search = client.post(a("/jobs"), ownerSession, tuning).text("id");
    list.add(new Action("submit search", "201 201 201 403 404",
        c -> client.post(a("/jobs"), c, tuning)));
    list.add(new Action("read a search's trials", "200 200 200 200 404",
        c -> client.get(a("/jobs/" + search + "/trials"), c)));
    String deployment = freshDeployment(false);
    list.add(new Action("list deployments", "200 200 200 200 404",
        c -> client.get(a("/deployments"), c)));
    list.add(new Action("read a deployment", "200 200 200 200 404",
        c -> client.get(a("/deployments/" + deployment), c)));
    list.add(new Action("infer (OIP; a session is not enough)", "200 200 200 200 401",
        c -> client.post("/v2/models/" + deployment + "/infer", c, Map.of("inputs",
            List.of(Map.of("name", "input", "shape", List.of(1, 2), "datatype", "FP32",
                "data", List.of(1, 2)))))));
    list.add(new Action("infer under the organization's path (the pages' try-it)",
        "200 200 200 200 404", c -> client.post(a("/deployments/" + deployment + "/infer"), c,
            Map.of("inputs", List.of(Map.of("name", "input", "shape", List.of(1, 2),
                "datatype", "FP32", "data", List.of(1, 2)))))));
    list.add(new Action("read a deployment's traffic", "200 200 200 200 404",
        c -> client.get(a("/deployments/" + deployment + "/traffic"), c)));
    list.add(new Action("create deployment", "201 201 201 403 404", c -> {
      String m = fresh("m");
      client.putBytes(a("/models/" + m + "/versions?format=lepton"), tokens.get("owner"),
          TestModels.lepton());
      return client.post(a("/deployments"), c, Map.of("name", fresh("d"), "model", m));
    }));
    list.add(new Action("update a deployment's canary", "200 200 200 403 404",
        c -> client.patch(a("/deployments/" + freshDeployment(true)), c, Map.of("share", 20))));
    list.add(new Action("set a deployment's request limits", "200 200 200 403 404",
        c -> client.patch(a("/deployments/" + deployment), c, Map.of("limits",
            Map.of("requestsPerSecond", 100, "maxRequestSamples", 8)))));
    list.add(new Action("promote a canary", "200 200 200 403 404",
        c -> client.post(a("/deployments/" + freshDeployment(true) + "/promote"), c,
            Map.of())));
    list.add(new Action("roll a canary back", "200 200 200 403 404",
        c -> client.post(a("/deployments/" + freshDeployment(true) + "/rollback"), c,
            Map.of())));
    list.add(new Action("create a deployment token", "201 201 201 403 404",
        c -> client.post(a("/deployments/" + deployment + "/tokens"), c, Map.of("name", "a"))));
    list.add(new Action("list deployment tokens", "200 200 200 403 404",
        c -> client.get(a("/deployments/" + deployment + "/tokens"), c)));
    list.add(new Action("revoke a deployment token", "204 204 204 403 404", c -> {
      String id = client.post(a("/deployments/" + deployment + "/tokens"), tokens.get("owner"),
          Map.of("name", "r")).json().at("/info/id").asText();
      return client.delete(a("/deployments/" + deployment + "/tokens/" + id), c);
    }));
    list.add(new Action("delete deployment", "204 204 403 403 404",
        c -> client.delete(a("/deployments/" + freshDeployment(false)), c)));
    return list;
  }

  @Test
  void eachRoleGetsTheStatusItsRoleAllowsInItsOrganization() {
    List<String> wrong = new ArrayList<>();
    for (Action action : actions()) {
      String[] expected = action.expected().split(" ");
      for (int i = 0; i < ROLES.length; i++) {
        Response r = action.call().apply(cred(ROLES[i]));
        if (r.status() != Integer.parseInt(expected[i])) {
          wrong.add(action.name() + " as " + ROLES[i] + ": expected " + expected[i] + ", got "
              + r.status() + " " + r.body());
        }
        if (r.status() == 403) {
          assertEquals("PERMISSION_DENIED", r.errorCode(), r.body());
        }
        if (r.status() == 404) {
          assertEquals("NOT_FOUND", r.errorCode(), r.body());
        }
      }
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
  }

  @Test
  void everyoneRevokesTheirOwnTokens() {
    for (String role : new String[] {"owner", "admin", "member", "viewer"}) {
      Cred session = sessions.get(role);
      Response made = client.post(a("/tokens"), session, tokenBody(fresh("mine"), "read"));
      String id = made.json().get("info").get("id").asText();
      assertEquals(204, client.delete(a("/tokens/" + id), tokens.get(role)).status(), role);
      String listed = client.get(a("/tokens"), tokens.get(role)).body();
      assertTrue(listed.contains("\"revokedAt\":\"" + clock.instant()), listed);
    }
  }

  @Test
  void adminsListEveryMembersTokensOthersOnlyTheirOwn() {
    int all = client.get(a("/tokens"), tokens.get("admin")).json().get("items").size();
    for (String role : new String[] {"member", "viewer"}) {
      var items = client.get(a("/tokens"), tokens.get(role)).json().get("items");
      assertTrue(items.size() < all);
      for (var item : items) {
        assertEquals(userIds.get(role), item.get("userId").asText());
      }
    }
  }

  /**
   * Members of A, with sessions (not limited to one organization by a token), try every action
   * on B's resources: 404, with the same message as for an id that does not exist.
   */
  @Test
  void anotherOrganizationsResourcesAnswerNotFoundLikeMissingOnes() {
    String b = "/api/v1/orgs/" + orgB;
    List<String[]> tries = List.of(
        new String[] {"GET", b, null},
        new String[] {"DELETE", b, null},
        new String[] {"GET", b + "/departments", null},
        new String[] {"POST", b + "/departments", "{\"name\":\"x\"}"},
        new String[] {"GET", b + "/departments/" + inB.get("dept"), null},
        new String[] {"PATCH", b + "/departments/" + inB.get("dept"), "{\"name\":\"x\"}"},
        new String[] {"DELETE", b + "/departments/" + inB.get("dept"), null},
        new String[] {"GET", b + "/members", null},
        new String[] {"POST", b + "/members", "{\"email\":\"viewer@x.org\",\"role\":\"owner\"}"},
        new String[] {"PATCH", b + "/members/" + inB.get("user"), "{\"role\":\"viewer\"}"},
        new String[] {"DELETE", b + "/members/" + inB.get("user"), null},
        new String[] {"GET", b + "/projects", null},
        new String[] {"POST", b + "/projects", "{\"name\":\"x\"}"},
        new String[] {"GET", b + "/projects/" + inB.get("project"), null},
        new String[] {"DELETE", b + "/projects/" + inB.get("project"), null},
        new String[] {"GET", b + "/tokens", null},
        new String[] {"POST", b + "/tokens", "{\"name\":\"x\",\"scope\":\"read\",\"expiresAt\":\""
            + clock.instant().plus(Duration.ofDays(1)) + "\"}"},
        new String[] {"DELETE", b + "/tokens/" + inB.get("token"), null},
        new String[] {"DELETE", b + "/datasets/" + inB.get("dataset"), null},
        new String[] {"DELETE", b + "/datasets/" + inB.get("dataset") + "/versions/1", null},
        new String[] {"GET", b + "/models/" + inB.get("model"), null},
        new String[] {"DELETE", b + "/models/" + inB.get("model"), null},
        new String[] {"PUT", b + "/models/" + inB.get("model") + "/aliases/production",
            "{\"version\":1}"},
        new String[] {"DELETE", b + "/models/" + inB.get("model") + "/versions/1", null});
    for (String role : new String[] {"owner", "admin", "member", "viewer"}) {
      for (Cred cred : new Cred[] {sessions.get(role), tokens.get(role)}) {
        for (String[] t : tries) {
          Response foreign = client.send(t[0], t[1], cred, t[2]);
          Response missing = client.send(t[0], t[1].replace(orgB, MISSING_ORG), cred, t[2]);
          String where = role + " " + t[0] + " " + t[1];
          assertEquals(404, foreign.status(), where + ": " + foreign.body());
          assertEquals("NOT_FOUND", foreign.errorCode(), where);
          assertEquals(missing.status(), foreign.status(), where);
          assertEquals(missing.errorMessage().replace(MISSING_ORG, "ID"),
              foreign.errorMessage().replace(orgB, "ID"), where);
        }
      }
    }
    // B's ids under A's path: like ids that do not exist in A
    for (String[] kind : new String[][] {{"projects", "project", "prj_"},
        {"departments", "dept", "dept_"}, {"tokens", "token", "tok_"},
        {"members", "user", "usr_"}}) {
      String foreignId = inB.get(kind[1]);
      String missingId = kind[2] + "a".repeat(26);
      Response foreign = client.delete(a("/" + kind[0] + "/" + foreignId), ownerSession);
      Response missing = client.delete(a("/" + kind[0] + "/" + missingId), ownerSession);
      assertEquals(404, foreign.status(), foreign.body());
      assertEquals(missing.errorMessage().replace(missingId, "ID"),
          foreign.errorMessage().replace(foreignId, "ID"));
    }
    assertEquals(404, client.get(a("/projects/" + inB.get("project")), ownerSession).status());
    assertEquals(404, client.get(a("/departments/" + inB.get("dept")), ownerSession).status());
  }

  @Test
  void tokenScopesLimitWhatATokenDoes() {
    Cred read = Cred.token(newToken(ownerSession, orgA, "read"));
    Cred write = Cred.token(newToken(ownerSession, orgA, "write"));
    Cred admin = Cred.token(newToken(ownerSession, orgA, "admin"));
    assertEquals(200, client.get(a("/projects"), read).status());
    Response denied = client.post(a("/projects"), read, Map.of("name", fresh("p")));
    assertEquals(403, denied.status());
    assertTrue(denied.errorMessage().contains("scope is read"), denied.body());
    assertEquals(201, client.post(a("/projects"), write, Map.of("name", fresh("p"))).status());
    assertEquals(403, client.post(a("/departments"), write, Map.of("name", fresh("d"))).status());
    assertEquals(403, client.post(a("/members"), write,
        Map.of("email", freshUser(), "role", "viewer")).status());
    assertEquals(201, client.post(a("/departments"), admin, Map.of("name", fresh("d")))
        .status());
    // a viewer's admin-scoped token is still a viewer's
    assertEquals(403, client.post(a("/projects"), tokens.get("viewer"),
        Map.of("name", fresh("p"))).status());
    // a project-limited token sees its project only
    String p1 = freshProject();
    String p2 = freshProject();
    Response limited = client.post(a("/tokens"), ownerSession, Map.of("name", "one project",
        "scope", "write", "projectId", p1,
        "expiresAt", clock.instant().plus(Duration.ofDays(1)).toString()));
    Cred one = Cred.token(limited.text("token"));
    assertEquals(200, client.get(a("/projects/" + p1), one).status());
    assertEquals(404, client.get(a("/projects/" + p2), one).status());
    assertEquals(1, client.get(a("/projects"), one).json().get("items").size());
    assertEquals(403, client.get(a("/members"), one).status());
    // a token is limited to its organization: creating another one needs a session
    assertEquals(403, client.post("/api/v1/orgs", admin, Map.of("name", "C")).status());
    assertEquals(1, client.get("/api/v1/orgs", tokens.get("admin")).json().get("items").size());
  }
}
