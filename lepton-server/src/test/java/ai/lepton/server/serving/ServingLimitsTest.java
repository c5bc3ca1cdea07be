package ai.lepton.server.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.lepton.api.DeploymentLimits;
import org.junit.jupiter.api.Test;

/** A deployment's limits in force: its own where it set them, never above the server's. */
class ServingLimitsTest {
  private static final ServingLimits SERVER = new ServingLimits(1000, 500, 16, 100, 50);

  @Test
  void aDeploymentsOwnLimitsHoldWhereSetAndTheServersElsewhere() {
    assertEquals(new ServingLimits(200, 500, 16, 2.5, 50),
        SERVER.lowered(new DeploymentLimits(2.5, null, 200L, null)));
    assertEquals(SERVER, SERVER.lowered(DeploymentLimits.SERVER));
  }

  @Test
  void aLimitStoredAboveALoweredCeilingIsHeldToIt() {
    assertEquals(SERVER, SERVER.lowered(new DeploymentLimits(1e6, 1000, 1L << 30, 4096)));
  }
}
