package ai.lepton.api;

import java.util.List;

/**
 * A page of audit events, newest first.
 *
 * @param events the events, by decreasing sequence number
 * @param nextBefore pass as {@code before} to get the next (older) page; null on the last page
 */
public record AuditPage(List<AuditEvent> events, Long nextBefore) {
  public AuditPage {
    events = List.copyOf(events);
  }
}
