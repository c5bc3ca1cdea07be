package ai.lepton.api;

/**
 * The bodies of the Open Inference Protocol v2 health endpoints, as KServe writes them; the
 * status (200, or 4xx and 503 for "no") is the answer, as Triton's clients read it.
 */
public final class OipHealth {
  private OipHealth() {}

  /** {@code GET /v2/health/live}: the process answers. */
  public record Live(boolean live) {}

  /** {@code GET /v2/health/ready}: the server takes inference requests. */
  public record Ready(boolean ready) {}

  /**
   * {@code GET /v2/models/{name}[/versions/{version}]/ready}.
   *
   * @param name the model
   * @param ready whether it answers inference requests
   */
  public record ModelReady(String name, boolean ready) {}
}
