package ai.lepton.server.audit;

import ai.lepton.api.AuditEvent.Outcome;
import java.time.Instant;

/**
 * Which audit events to list, newest first: every filter is optional (null), and the page is the
 * {@code limit} events below {@code before}.
 *
 * @param actor only this actor's events
 * @param action only this action ("dataset.upload")
 * @param resourceType only events on this kind of resource
 * @param resourceId only events on this resource
 * @param outcome only events that ended so
 * @param from only events at or after this time
 * @param to only events before this time
 * @param before only events numbered below this (the previous page's {@code nextBefore})
 * @param limit the most events in the page, 1-{@value #MAX_LIMIT}
 */
public record AuditQuery(String actor, String action, String resourceType, String resourceId,
    Outcome outcome, Instant from, Instant to, Long before, int limit) {
  /** The largest page. */
  public static final int MAX_LIMIT = 1000;

  public AuditQuery {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1-" + MAX_LIMIT + ", received " + limit);
    }
    if (before != null && before < 1) {
      throw new IllegalArgumentException("before must be a sequence number >= 1, received "
          + before);
    }
  }

  /** The newest {@code limit} events, unfiltered. */
  public static AuditQuery latest(int limit) {
    return new AuditQuery(null, null, null, null, null, null, null, null, limit);
  }

  /** This query for the page below {@code sequence}. */
  public AuditQuery before(long sequence) {
    return new AuditQuery(actor, action, resourceType, resourceId, outcome, from, to, sequence,
        limit);
  }
}
