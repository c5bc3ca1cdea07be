package ai.lepton.server.ops;

import ai.lepton.api.ErrorCode;
import ai.lepton.api.Health;
import ai.lepton.server.http.OpenApi;
import ai.lepton.server.http.Route;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Operations endpoints: liveness, readiness, Prometheus metrics and the API document. */
public final class OpsRoutes {
  private OpsRoutes() {}

  /**
   * @param checks readiness checks by name (the database, the blob store), each true when ready
   * @param allRoutes the whole route table, for {@code /openapi.json}
   */
  public static List<Route> routes(PrometheusMeterRegistry metrics,
      Map<String, BooleanSupplier> checks, Supplier<List<Route>> allRoutes, String version) {
    return List.of(
        Route.get("/healthz").tag("ops").summary("Liveness: the process answers").publicAccess()
            .returns(Health.class)
            .handle(ctx -> ctx.json(new Health("ok", Map.of()))),
        Route.get("/readyz").tag("ops")
            .summary("Readiness: the database and blob store answer").publicAccess()
            .returns(Health.class)
            .handle(ctx -> {
              Map<String, String> results = new LinkedHashMap<>();
              boolean ready = true;
              for (Map.Entry<String, BooleanSupplier> c : checks.entrySet()) {
                boolean ok = c.getValue().getAsBoolean();
                results.put(c.getKey(), ok ? "ok" : "unavailable");
                ready &= ok;
              }
              ctx.status(ready ? 200 : ErrorCode.UNAVAILABLE.httpStatus())
                  .json(new Health(ready ? "ok" : "unavailable", results));
            }),
        Route.get("/metrics").tag("ops").summary("Prometheus metrics").publicAccess()
            .handle(ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(metrics.scrape())),
        Route.get("/openapi.json").tag("ops").summary("This API's OpenAPI 3 document")
            .publicAccess()
            .handle(ctx -> ctx.json(OpenApi.document(allRoutes.get(), version))));
  }
}
