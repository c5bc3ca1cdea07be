package ai.lepton.server.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.AuditEvent.Outcome;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The limits on what an audit event may hold, each with a message that names the field. */
class AuditEntryTest {
  private static AuditEntry with(String actor, String action, String resourceId,
      Map<String, String> details) {
    return new AuditEntry("o", actor, action, "dataset", resourceId, "::1", Outcome.SUCCESS,
        details);
  }

  private static void refused(String fragment, Runnable make) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::run);
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  @Test
  void refusesValuesOutsideTheLimits() {
    refused("audit actor is required", () -> with(null, "dataset.upload", null, Map.of()));
    refused("audit actor must be at most 200", () -> with("u".repeat(201), "dataset.upload",
        null, Map.of()));
    refused("must look like dataset.upload", () -> with("u", "Dataset Upload", null, Map.of()));
    refused("audit resourceId must be at most 200", () -> with("u", "dataset.upload",
        "r".repeat(201), Map.of()));
    refused("must not hold NUL", () -> with("u\0", "dataset.upload", null, Map.of()));
    refused("not valid Unicode", () -> with("u\ud800", "dataset.upload", null, Map.of()));
    Map<String, String> many = new HashMap<>();
    for (int i = 0; i <= AuditEntry.MAX_DETAILS; i++) {
      many.put("k" + i, "v");
    }
    refused("at most 32 details", () -> with("u", "dataset.upload", null, many));
    refused("detail name must be", () -> with("u", "dataset.upload", null, Map.of("a b", "v")));
    refused("detail v must be at most 1024", () -> with("u", "dataset.upload", null,
        Map.of("v", "x".repeat(1025))));
    refused("organizationId must not be empty", () -> AuditEntry.system("", "node.start",
        Outcome.SUCCESS));
  }

  @Test
  void keepsDetailsSortedByName() {
    AuditEntry e = with("u", "dataset.upload", null, Map.of("b", "2", "a", "1", "c", "3"));
    assertEquals(List.of("a", "b", "c"), List.copyOf(e.details().keySet()));
    assertEquals(AuditLog.SYSTEM, AuditEntry.system("o", "node.start", Outcome.SUCCESS).actor());
  }
}
