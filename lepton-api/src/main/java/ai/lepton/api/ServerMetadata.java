package ai.lepton.api;

import java.util.List;

/**
 * The answer of {@code GET /v2}, the Open Inference Protocol v2's server metadata object.
 *
 * @param name {@code lepton}
 * @param version the server's version
 * @param extensions the protocol extensions the server supports (none)
 */
public record ServerMetadata(String name, String version, List<String> extensions) {}
