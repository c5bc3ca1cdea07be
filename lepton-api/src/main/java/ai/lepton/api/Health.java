package ai.lepton.api;

import java.util.Map;

/** The answer of {@code /healthz} and {@code /readyz}: "ok" or "unavailable", and each check's. */
public record Health(String status, Map<String, String> checks) {}
