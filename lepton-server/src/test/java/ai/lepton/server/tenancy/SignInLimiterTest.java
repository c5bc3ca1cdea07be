package ai.lepton.server.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SignInLimiterTest {
  private final TestClock clock = new TestClock();
  private final SignInLimiter limiter = new SignInLimiter(clock, 5, Duration.ofMinutes(15));

  @Test
  void fiveFailuresBlockUntilTheOldestLeavesTheWindow() {
    for (int i = 0; i < 5; i++) {
      assertTrue(limiter.retryAfter("a").isEmpty(), "attempt " + i);
      limiter.failed("a");
      clock.advance(Duration.ofMinutes(1));
    }
    // the first failure was 5 minutes ago: 10 minutes to wait
    assertEquals(Duration.ofMinutes(10), limiter.retryAfter("a").orElseThrow());
    assertTrue(limiter.retryAfter("b").isEmpty(), "other keys are not limited");
    clock.advance(Duration.ofMinutes(10));
    assertTrue(limiter.retryAfter("a").isEmpty());
    limiter.failed("a");
    assertTrue(limiter.retryAfter("a").isPresent(), "four failures still in the window + one");
  }

  @Test
  void successClearsTheKey() {
    for (int i = 0; i < 4; i++) {
      limiter.failed("a");
    }
    limiter.succeeded("a");
    limiter.failed("a");
    assertTrue(limiter.retryAfter("a").isEmpty());
  }
}
