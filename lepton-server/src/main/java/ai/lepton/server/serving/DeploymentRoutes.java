package ai.lepton.server.serving;

import ai.lepton.api.CreateDeployment;
import ai.lepton.api.CreateDeploymentToken;
import ai.lepton.api.Deployment;
import ai.lepton.api.DeploymentList;
import ai.lepton.api.DeploymentTokenCreated;
import ai.lepton.api.DeploymentTokenList;
import ai.lepton.api.DeploymentTraffic;
import ai.lepton.api.UpdateDeployment;
import ai.lepton.server.http.Api;
import ai.lepton.server.http.Route;
import ai.lepton.server.tenancy.Principal;
import io.javalin.http.Context;
import java.util.List;

/**
 * The deployments API under {@code /api/v1/orgs/{org}/deployments}: create, list, get, update
 * (a new version, a canary and its share, request limits), promote, roll back, delete. Refusals are the
 * {@link ai.lepton.server.http.ApiException}s documented on {@link DeploymentService}.
 */
public final class DeploymentRoutes {
  private static final String TAG = "deployments";

  private final DeploymentService service;

  public DeploymentRoutes(DeploymentService service) {
    this.service = service;
  }

  public List<Route> routes() {
    String all = "/api/v1/orgs/{org}/deployments";
    String one = all + "/{name}";
    return List.of(
        Route.post(all).tag(TAG).summary("Deploy a model version under a name (members): "
                + "loaded before it is recorded, served at /v2/models/{name} within its request "
                + "limits (each at most the server's)")
            .reads(CreateDeployment.class).returns(Deployment.class)
            .handle(ctx -> ctx.json(service.create(p(ctx), org(ctx),
                Api.body(ctx, CreateDeployment.class), ctx.ip()))),
        Route.get(all).tag(TAG).summary("List the organization's deployments by name")
            .returns(DeploymentList.class)
            .handle(ctx -> ctx.json(new DeploymentList(service.list(p(ctx), org(ctx))))),
        Route.get(one).tag(TAG).summary("Get a deployment: its versions, canary split and "
                + "request limits")
            .returns(Deployment.class)
            .handle(ctx -> ctx.json(service.get(p(ctx), org(ctx), name(ctx)))),
        Route.patch(one).tag(TAG).summary("Serve another version, add a canary with its "
                + "share, or change the canary's share, and/or change request limits (members);"
                + " the new version loads before traffic moves, and one that does not load "
                + "changes nothing; new limits hold from the next request")
            .reads(UpdateDeployment.class).returns(Deployment.class)
            .handle(ctx -> ctx.json(service.update(p(ctx), org(ctx), name(ctx),
                Api.body(ctx, UpdateDeployment.class), ctx.ip()))),
        Route.post(one + "/promote").tag(TAG).summary("Make the canary the only version "
                + "(members)").returns(Deployment.class).status(200)
            .handle(ctx -> ctx.json(service.promote(p(ctx), org(ctx), name(ctx), ctx.ip()))),
        Route.post(one + "/rollback").tag(TAG).summary("Drop the canary at once: the primary "
                + "answers everything (members)").returns(Deployment.class).status(200)
            .handle(ctx -> ctx.json(service.rollback(p(ctx), org(ctx), name(ctx), ctx.ip()))),
        Route.delete(one).tag(TAG).summary("Stop serving and delete a deployment (admins)")
            .handle(ctx -> service.delete(p(ctx), org(ctx), name(ctx), ctx.ip())),
        Route.post(one + "/tokens").tag(TAG).summary("Create a token that reaches this "
                + "deployment's inference only (members); its secret is shown once")
            .reads(CreateDeploymentToken.class).returns(DeploymentTokenCreated.class)
            .handle(ctx -> ctx.json(service.createToken(p(ctx), org(ctx), name(ctx),
                Api.body(ctx, CreateDeploymentToken.class), ctx.ip()))),
        Route.get(one + "/tokens").tag(TAG).summary("List a deployment's tokens (members)")
            .returns(DeploymentTokenList.class)
            .handle(ctx -> ctx.json(new DeploymentTokenList(service.tokens(p(ctx), org(ctx),
                name(ctx))))),
        Route.delete(one + "/tokens/{token}").tag(TAG).summary("Revoke a deployment token "
                + "(members)")
            .handle(ctx -> service.revokeToken(p(ctx), org(ctx), name(ctx),
                ctx.pathParam("token"), ctx.ip())),
        Route.get(one + "/traffic").tag(TAG).summary("The deployment's serving counters on "
                + "this server now, per version: requests by outcome, in flight, the latency "
                + "histogram; cumulative, so two readings give rates")
            .returns(DeploymentTraffic.class)
            .handle(ctx -> ctx.json(service.traffic(p(ctx), org(ctx), name(ctx)))));
  }

  private static Principal p(Context ctx) {
    return Principal.of(ctx);
  }

  private static String org(Context ctx) {
    return ctx.pathParam("org");
  }

  private static String name(Context ctx) {
    return ctx.pathParam("name");
  }
}
