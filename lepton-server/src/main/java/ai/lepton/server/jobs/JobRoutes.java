package ai.lepton.server.jobs;

import ai.lepton.api.ErrorCode;
import ai.lepton.api.Job;
import ai.lepton.api.JobEvent;
import ai.lepton.api.JobList;
import ai.lepton.api.Run;
import ai.lepton.api.RunComparison;
import ai.lepton.api.RunList;
import ai.lepton.api.TrainingSpec;
import ai.lepton.api.Tuning;
import ai.lepton.server.http.ApiException;
import ai.lepton.server.http.Route;
import ai.lepton.server.tenancy.Principal;
import io.javalin.http.Context;
import io.javalin.http.sse.SseHandler;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * The jobs API under {@code /api/v1/orgs/{org}/jobs} and {@code .../runs}: submit, list, read,
 * cancel, follow a job's events (Server-Sent Events), read and compare runs. Refusals are
 * {@link ApiException}s documented on {@link JobService}.
 */
public final class JobRoutes {
  private static final String TAG = "jobs";
  private static final int DEFAULT_PAGE = 50;
  /**
   * The most event streams open at once: each holds a thread of the server's async executor and
   * polls the database while it lasts.
   */
  static final int MAX_STREAMS = 64;

  private final JobService service;
  private final Semaphore streams = new Semaphore(MAX_STREAMS);

  JobRoutes(JobService service) {
    this.service = service;
  }

  public List<Route> routes() {
    String jobs = "/api/v1/orgs/{org}/jobs";
    String job = jobs + "/{job}";
    String runs = "/api/v1/orgs/{org}/runs";
    return List.of(
        Route.post(jobs).tag(TAG)
            .summary("Submit a training job (members): a training spec, with an optional kind "
                + "(\"train\"); or, with \"kind\": \"tune\", a tuning spec (a search)")
            .reads(TrainingSpec.class).returns(Job.class)
            .handle(ctx -> ctx.json(service.submit(p(ctx), org(ctx), ctx.body(), ctx.ip()))),
        Route.get(jobs).tag(TAG)
            .summary("List the organization's jobs, newest first; query offset and limit (at "
                + "most " + JobService.MAX_PAGE + ")")
            .returns(JobList.class)
            .handle(ctx -> ctx.json(service.jobs(p(ctx), org(ctx), offset(ctx), limit(ctx)))),
        Route.get(job).tag(TAG).summary("Get a job").returns(Job.class)
            .handle(ctx -> ctx.json(service.job(p(ctx), org(ctx), ctx.pathParam("job")))),
        Route.post(job + "/cancel").tag(TAG)
            .summary("Cancel a job (members): a queued one at once, a running one at its "
                + "worker's next heartbeat")
            .returns(Job.class).status(200)
            .handle(ctx -> ctx.json(service.cancel(p(ctx), org(ctx), ctx.pathParam("job"),
                ctx.ip()))),
        Route.get(job + "/trials").tag(TAG)
            .summary("A hyperparameter search's trials (child jobs, their parameters, states and"
                + " metric) and its best so far; only for a job of kind tune")
            .returns(Tuning.class)
            .handle(ctx -> ctx.json(service.trials(p(ctx), org(ctx), ctx.pathParam("job")))),
        Route.get(job + "/events").tag(TAG)
            .summary("Follow a job as Server-Sent Events (send Accept: text/event-stream): its "
                + "history, then live progress, ending with its terminal state")
            .returns(JobEvent.class)
            .handle(this::events),
        Route.get(runs).tag(TAG)
            .summary("List the organization's runs, newest first; query offset and limit")
            .returns(RunList.class)
            .handle(ctx -> ctx.json(service.runs(p(ctx), org(ctx), offset(ctx), limit(ctx)))),
        Route.get(runs + "/compare").tag(TAG)
            .summary("Compare runs side by side: query ids=run_a,run_b (2 to "
                + JobService.MAX_COMPARED + ")")
            .returns(RunComparison.class)
            .handle(ctx -> ctx.json(service.compare(p(ctx), org(ctx), ids(ctx)))),
        Route.get(runs + "/{run}").tag(TAG)
            .summary("Get a run with its metric history and evaluation report")
            .returns(Run.class)
            .handle(ctx -> ctx.json(service.run(p(ctx), org(ctx), ctx.pathParam("run")))));
  }

  private void events(Context ctx) throws Exception {
    Principal caller = p(ctx);
    String org = org(ctx);
    String job = ctx.pathParam("job");
    service.checkReadable(caller, org, job); // refusals answer as errors, before the stream
    String accept = ctx.header("Accept");
    if (accept == null || !accept.contains("text/event-stream")) {
      throw ApiException.invalid("this endpoint streams Server-Sent Events: send 'Accept: "
          + "text/event-stream' (or read the job and its run instead)");
    }
    if (!streams.tryAcquire()) {
      throw new ApiException(ErrorCode.RATE_LIMITED, MAX_STREAMS + " job event streams are open"
          + " on this server, the most it serves at once; retry later, or read the job instead");
    }
    // the stream runs on Javalin's async executor, after this handler returns: it releases
    try {
      new SseHandler(client -> {
        try {
          service.stream(caller, org, job, e -> client.sendEvent(e.type(), e),
              client::terminated);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          streams.release();
        }
      }).handle(ctx);
    } catch (RuntimeException e) {
      streams.release(); // not started
      throw e;
    }
  }

  private static Principal p(Context ctx) {
    return Principal.of(ctx);
  }

  private static String org(Context ctx) {
    return ctx.pathParam("org");
  }

  private static int offset(Context ctx) {
    return integer(ctx, "offset", 0, 0, Integer.MAX_VALUE - JobService.MAX_PAGE);
  }

  private static int limit(Context ctx) {
    return integer(ctx, "limit", DEFAULT_PAGE, 1, JobService.MAX_PAGE);
  }

  private static int integer(Context ctx, String name, int absent, int min, int max) {
    String value = ctx.queryParam(name);
    if (value == null) {
      return absent;
    }
    if (!value.matches("[0-9]{1,10}") || Long.parseLong(value) < min
        || Long.parseLong(value) > max) {
      throw ApiException.invalid(name + " must be an integer from " + min + " to " + max
          + "; received '" + SpecLimits.shorten(value) + "'");
    }
    return Integer.parseInt(value);
  }

  private static List<String> ids(Context ctx) {
    String ids = ctx.queryParam("ids");
    if (ids == null || ids.isBlank()) {
      throw ApiException.invalid("name the runs to compare as ids=run_a,run_b");
    }
    List<String> list = Arrays.stream(ids.split(",", JobService.MAX_COMPARED + 2))
        .map(String::strip).toList();
    if (list.size() > JobService.MAX_COMPARED) {
      throw ApiException.invalid("compare at most " + JobService.MAX_COMPARED + " runs at once");
    }
    return list;
  }
}
