package ai.lepton.api;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One entry of an organization's audit log: who did what to which resource, from where, and how it
 * ended. An organization's events are numbered 1, 2, 3... and chained: {@code hash} is the SHA-256
 * (64 lower-case hex digits) of the event's canonical encoding, which includes {@code
 * previousHash}, the hash of the event before (64 zeros for the first). Changing, removing,
 * inserting or reordering events breaks the chain, so anyone holding the events can check them;
 * the encoding is described in docs/audit-log.md.
 *
 * @param sequence the event's number in its organization's log, from 1, without gaps
 * @param time when it was recorded (microsecond precision)
 * @param organizationId the organization whose log holds it
 * @param actor the user id that acted, or "system"
 * @param action what was done, as {@code resource.verb}: "dataset.upload", "member.add"
 * @param resourceType the kind of resource acted on ("dataset"), or null
 * @param resourceId the resource's id, or null
 * @param clientAddress the client's IP address, or null for actions of the platform itself
 * @param outcome how it ended
 * @param details a few more facts (names, sizes, reasons), sorted by name
 * @param hash this event's hash
 * @param previousHash the hash of the event before
 */
public record AuditEvent(long sequence, Instant time, String organizationId, String actor,
    String action, String resourceType, String resourceId, String clientAddress, Outcome outcome,
    Map<String, String> details, String hash, String previousHash) {

  /** How an audited action ended. */
  public enum Outcome {
    /** It was done. */
    SUCCESS,
    /** It was refused: not allowed for this actor. */
    DENIED,
    /** It was allowed but did not complete. */
    FAILED
  }

  public AuditEvent {
    details = Collections.unmodifiableMap(new TreeMap<>(details == null ? Map.of() : details));
  }
}
