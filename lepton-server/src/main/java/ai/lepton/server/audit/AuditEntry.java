package ai.lepton.server.audit;

import ai.lepton.api.AuditEvent.Outcome;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a feature records about one action, before the log numbers and chains it. Every field is
 * limited; a value out of bounds throws here, and since the event is appended inside the action's
 * transaction, the action does not happen either (audit fails closed). Keep user input out of
 * {@code details} or bound it first.
 *
 * @param organizationId the organization whose log records it (1-64 characters)
 * @param actor the acting user's id, or {@link AuditLog#SYSTEM} (1-200 characters)
 * @param action {@code resource.verb}, lower case: "dataset.upload" (1-100 characters)
 * @param resourceType the kind of resource, lower case ("dataset"), or null
 * @param resourceId the resource's id (at most 200 characters), or null
 * @param clientAddress the client's IP address (at most 100 characters), or null
 * @param outcome how it ended
 * @param details at most {@value #MAX_DETAILS} entries; names of 1-64 letters, digits, '_', '.'
 *     or '-'; values of at most {@value #MAX_DETAIL_VALUE} characters
 */
public record AuditEntry(String organizationId, String actor, String action, String resourceType,
    String resourceId, String clientAddress, Outcome outcome, Map<String, String> details) {
  /** The most details an event carries. */
  public static final int MAX_DETAILS = 32;
  /** The longest detail value, in characters. */
  public static final int MAX_DETAIL_VALUE = 1024;

  private static final Pattern ACTION = Pattern.compile("[a-z][a-z0-9_-]*(\\.[a-z0-9_-]+)*");
  private static final Pattern DETAIL_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  public AuditEntry {
    text("organizationId", organizationId, 64, false);
    text("actor", actor, 200, false);
    text("action", action, 100, false);
    if (!ACTION.matcher(action).matches()) {
      throw new IllegalArgumentException("an audit action must look like dataset.upload (lower"
          + " case, dot-separated), received " + action);
    }
    text("resourceType", resourceType, 100, true);
    if (resourceType != null && !ACTION.matcher(resourceType).matches()) {
      throw new IllegalArgumentException("an audit resource type must be lower case like"
          + " dataset, received " + resourceType);
    }
    text("resourceId", resourceId, 200, true);
    text("clientAddress", clientAddress, 100, true);
    Objects.requireNonNull(outcome, "outcome");
    details = details == null ? Map.of() : details;
    if (details.size() > MAX_DETAILS) {
      throw new IllegalArgumentException("an audit event has at most " + MAX_DETAILS
          + " details, received " + details.size());
    }
    for (Map.Entry<String, String> d : details.entrySet()) {
      if (d.getKey() == null || !DETAIL_NAME.matcher(d.getKey()).matches()) {
        throw new IllegalArgumentException("an audit detail name must be 1-64 letters, digits,"
            + " '_', '.' or '-', received " + d.getKey());
      }
      text("detail " + d.getKey(), d.getValue(), MAX_DETAIL_VALUE, false);
    }
    details = Collections.unmodifiableMap(new TreeMap<>(details));
  }

  /** An event with no resource, client or details (for actions of the platform itself). */
  public static AuditEntry system(String organizationId, String action, Outcome outcome) {
    return new AuditEntry(organizationId, AuditLog.SYSTEM, action, null, null, null, outcome,
        Map.of());
  }

  // Text must survive both databases and UTF-8 unchanged, or its hash would no longer match:
  // PostgreSQL refuses NUL, and unpaired surrogates do not encode.
  private static void text(String field, String value, int max, boolean nullable) {
    if (value == null) {
      if (nullable) {
        return;
      }
      throw new IllegalArgumentException("audit " + field + " is required");
    }
    if (value.isEmpty() && !nullable) {
      throw new IllegalArgumentException("audit " + field + " must not be empty");
    }
    if (value.length() > max) {
      throw new IllegalArgumentException("audit " + field + " must be at most " + max
          + " characters, received " + value.length());
    }
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("audit " + field + " must not hold NUL characters");
    }
    try {
      StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(value));
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("audit " + field + " is not valid Unicode text");
    }
  }
}
