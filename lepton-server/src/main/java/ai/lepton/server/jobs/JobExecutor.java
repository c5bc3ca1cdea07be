package ai.lepton.server.jobs;

/**
 * Runs the queued jobs: claims them from the job table and runs each to its end. The in-process
 * pool ({@link LocalExecutor}) is the default; an executor that starts a Kubernetes Job per claimed
 * job implements the same interface, and the rest of the server does not change. The queue is the
 * database, so any number of executors, in any number of processes, share it.
 */
public interface JobExecutor extends AutoCloseable {
  /** Starts taking jobs. */
  void start();

  /** How many jobs it runs at once. */
  int slots();

  /** Tells it that a job was queued, so an idle slot claims it now instead of at its next poll. */
  void wake();

  /**
   * Tells it that the cancel of job {@code jobId} committed, so that the job, if it runs here,
   * stops at its next batch rather than at its worker's next heartbeat. Jobs running in other
   * processes learn of the cancel from their heartbeat.
   */
  void cancelled(String jobId);

  /**
   * Stops taking jobs and waits for the running ones to stop at their next batch; their leases
   * expire and another worker resumes them from their last checkpoint.
   */
  @Override
  void close();
}
