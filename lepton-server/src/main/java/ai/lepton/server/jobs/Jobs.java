package ai.lepton.server.jobs;

import ai.lepton.server.audit.AuditLog;
import ai.lepton.server.crypto.EncryptedBlobStore;
import ai.lepton.server.db.Database;
import ai.lepton.server.http.Route;
import ai.lepton.server.tenancy.TenancyService;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The jobs feature put together: the store, the service and its routes, and the in-process
 * executor with {@code workers} slots (0 for a server that only queues, while other processes
 * train). Closing it stops the workers; their jobs resume elsewhere from their checkpoints.
 */
public final class Jobs implements AutoCloseable {
  /** How long a claimed job stays leased without a heartbeat. */
  public static final Duration LEASE = Duration.ofSeconds(60);
  /** How often a worker heartbeats its job (a cancel reaches it within this). */
  public static final Duration HEARTBEAT = Duration.ofSeconds(5);
  /** How often an idle worker looks for jobs queued by other processes. */
  public static final Duration POLL = Duration.ofSeconds(2);

  private final JobService service;
  private final JobRoutes routes;
  private final JobExecutor executor;

  private Jobs(JobService service, JobRoutes routes, JobExecutor executor) {
    this.service = service;
    this.routes = routes;
    this.executor = executor;
  }

  /**
   * Builds the feature and starts its workers.
   *
   * @param workers jobs run at once in this process (0 or more)
   * @param threadsPerJob each job's thread budget (its compute context)
   * @param preparer turns a spec into a training ({@code Training.prepare})
   * @param publisher registers trained models
   */
  public static Jobs start(Database database, EncryptedBlobStore blobs, AuditLog audit,
      TenancyService tenancy, Clock clock, int workers, int threadsPerJob, JobPreparer preparer,
      ModelPublisher publisher) {
    if (workers < 0) {
      throw new IllegalArgumentException("job workers must be 0 or more, received " + workers);
    }
    JobStore store = new JdbiJobStore(database);
    JobEvents events = new JobEvents();
    ScheduledExecutorService heartbeats = LocalExecutor.heartbeatScheduler();
    Worker.Settings settings = new Worker.Settings(LEASE, HEARTBEAT, threadsPerJob);
    String process = "worker-" + UUID.randomUUID();
    List<Worker> slots = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      slots.add(new Worker(process + "-" + i, store, database, blobs, preparer, publisher,
          events, clock, heartbeats, settings));
    }
    LocalExecutor executor = new LocalExecutor(slots, heartbeats, POLL);
    JobService service = new JobService(database, store, audit, tenancy, events, clock,
        executor);
    executor.start();
    return new Jobs(service, new JobRoutes(service), executor);
  }

  /**
   * Queues the retraining of what job {@code jobId} trained, on the latest version of its
   * dataset (a monitor's {@code retrain} action).
   *
   * @return the new job's id
   */
  public String retrain(String organizationId, String jobId, String reason) {
    return service.retrain(organizationId, jobId, reason);
  }

  public List<Route> routes() {
    return routes.routes();
  }

  @Override
  public void close() {
    executor.close();
  }
}
