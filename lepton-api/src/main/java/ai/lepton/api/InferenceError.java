package ai.lepton.api;

/**
 * The error body of every {@code /v2} endpoint, as the Open Inference Protocol v2 defines it:
 * {@code {"error": "..."}}, with the HTTP status saying what kind of failure (400 for a request
 * that does not fit the model, 404 for an unknown model, 413 for one over the size limits, 429
 * over the rate limit). The rest of the API answers with {@link ApiError} instead.
 *
 * @param error what was wrong and how to fix it
 */
public record InferenceError(String error) {}
