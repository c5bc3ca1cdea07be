package ai.lepton.api;

import java.time.Instant;

/**
 * A training job: queued, then running on a worker, then succeeded, failed or cancelled. See
 * {@code docs/jobs.md} for its lifecycle, leases and checkpoints.
 *
 * @param id the job's id
 * @param kind {@code train} (or {@code tune}, a search that fans out child jobs)
 * @param state {@code queued}, {@code running}, {@code succeeded}, {@code failed} or
 *     {@code cancelled}
 * @param spec what it trains (for a search, its base spec: the trials are its children)
 * @param createdBy the id of the user who submitted it
 * @param createdAt when it was submitted
 * @param startedAt when a worker first took it, or null while queued
 * @param finishedAt when it ended, or null while queued or running
 * @param attempts how many times a worker took it (more than 1 after a worker died)
 * @param cancelRequested whether someone asked to cancel it (a running job stops at its next batch)
 * @param checkpointEpoch the epochs its last checkpoint holds, or null for none
 * @param error why it failed, or null
 * @param parentId the tuning job it is a child of, or null
 * @param runId its run (parameters, metrics, artifact), or null until a worker starts it
 */
public record Job(String id, String kind, String state, TrainingSpec spec, String createdBy,
    Instant createdAt, Instant startedAt, Instant finishedAt, int attempts,
    boolean cancelRequested, Integer checkpointEpoch, String error, String parentId,
    String runId) {}
