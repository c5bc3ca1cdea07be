package ai.lepton.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The server's one JSON configuration: strict on input (unknown fields, nulls for primitives and
 * trailing tokens are errors; nesting, string and number lengths are bounded, so a hostile body
 * cannot exhaust the stack or the heap), ISO-8601 timestamps on output.
 */
public final class Json {
  /** Deepest nesting a request body may have. */
  public static final int MAX_DEPTH = 32;
  /** Longest string value in a request body (a dataset description, a recipe). */
  public static final int MAX_STRING = 64 * 1024;

  private Json() {}

  public static ObjectMapper mapper() {
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(MAX_DEPTH)
            .maxStringLength(MAX_STRING)
            .maxNumberLength(64)
            .build())
        .build();
    return JsonMapper.builder(factory)
        .addModule(new JavaTimeModule())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .build();
  }
}
