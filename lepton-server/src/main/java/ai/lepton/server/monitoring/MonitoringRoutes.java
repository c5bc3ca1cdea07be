package ai.lepton.server.monitoring;

import ai.lepton.api.Feedback;
import ai.lepton.api.FeedbackBatch;
import ai.lepton.api.FeedbackResult;
import ai.lepton.api.Monitor;
import ai.lepton.api.MonitoringReport;
import ai.lepton.server.http.Api;
import ai.lepton.server.http.ApiException;
import ai.lepton.server.http.Json;
import ai.lepton.server.http.Route;
import ai.lepton.server.tenancy.Principal;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.util.List;

/**
 * Monitoring under {@code /api/v1/orgs/{org}/deployments/{name}}: feedback, the monitoring
 * report, the monitor's thresholds, and an evaluation on demand. Refusals are documented on
 * {@link MonitoringService}.
 */
public final class MonitoringRoutes {
  private static final String TAG = "monitoring";

  private final MonitoringService service;

  public MonitoringRoutes(MonitoringService service) {
    this.service = service;
  }

  public List<Route> routes() {
    String deployment = "/api/v1/orgs/{org}/deployments/{name}";
    return List.of(
        Route.post(deployment + "/feedback").tag(TAG)
            .summary("Post the ground truth of logged predictions (members): one "
                + "{predictionId, groundTruth} or {items: [...]} of up to 1000; each item is "
                + "accepted or refused by itself (unknown id, feedback already given)")
            .reads(FeedbackBatch.class).returns(FeedbackResult.class).status(200)
            .handle(ctx -> ctx.json(service.feedback(p(ctx), org(ctx), name(ctx), items(ctx),
                ctx.ip()))),
        Route.get(deployment + "/monitoring").tag(TAG)
            .summary("Live quality from feedback, input drift per feature and prediction drift "
                + "against the training data, and alerts, over ?window= (30m, 12h, 7d; the "
                + "monitor's window by default)")
            .returns(MonitoringReport.class)
            .handle(ctx -> ctx.json(service.report(p(ctx), org(ctx), name(ctx),
                ctx.queryParam("window")))),
        Route.put(deployment + "/monitor").tag(TAG)
            .summary("Set the deployment's thresholds and action, alert or retrain (members); "
                + "missing fields take the defaults")
            .reads(Monitor.class).returns(Monitor.class).status(200)
            .handle(ctx -> ctx.json(service.setMonitor(p(ctx), org(ctx), name(ctx),
                Api.body(ctx, Monitor.class), ctx.ip()))),
        Route.post(deployment + "/monitoring/evaluate").tag(TAG)
            .summary("Evaluate the monitor now (members): raises and resolves alerts, starts "
                + "retraining when the action says so; answers the report")
            .returns(MonitoringReport.class).status(200)
            .handle(ctx -> ctx.json(service.evaluate(p(ctx), org(ctx), name(ctx)))));
  }

  /** One item, or {@code {"items": [...]}}. */
  private static List<Feedback> items(Context ctx) {
    JsonNode body = Api.body(ctx, JsonNode.class);
    try {
      if (body != null && body.has("items")) {
        FeedbackBatch batch = Json.mapper().treeToValue(body, FeedbackBatch.class);
        return batch.items() == null ? List.of() : batch.items();
      }
      return List.of(Json.mapper().treeToValue(body, Feedback.class));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw ApiException.invalid("feedback is {\"predictionId\": ..., \"groundTruth\": ...} or "
          + "{\"items\": [such objects]}: " + e.getOriginalMessage());
    }
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
