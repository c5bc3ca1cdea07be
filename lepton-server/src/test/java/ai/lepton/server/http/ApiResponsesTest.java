package ai.lepton.server.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How answers leave the server: whole past the buffer they are copied through, gzip for large
 * JSON when the client accepts it, never for small answers or already compressed types.
 */
class ApiResponsesTest {
  private Javalin server;
  private final HttpClient http = HttpClient.newHttpClient();

  /** A JSON array of {@code n} bytes, with no repeating period that a copy could hide. */
  private static byte[] json(int n) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; sb.length() < n - 1; i++) {
      sb.append(i == 0 ? "" : ",").append(i);
    }
    sb.setLength(n - 1);
    return sb.append(']').toString().getBytes(StandardCharsets.US_ASCII);
  }

  @BeforeEach
  void start() {
    Route json = Route.get("/json/{bytes}").tag("test").summary("JSON of a size").publicAccess()
        .handle(ctx -> ctx.contentType("application/json")
            .result(json(Integer.parseInt(ctx.pathParam("bytes")))));
    Route png = Route.get("/png").tag("test").summary("an image").publicAccess()
        .handle(ctx -> ctx.contentType("image/png").result(json(100_000)));
    server = new Api(Json.mapper(), new SimpleMeterRegistry(), ctx -> false, List.of(json, png))
        .create("127.0.0.1", 0).start();
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  private HttpResponse<byte[]> get(String path, boolean gzip) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.port() + path));
    if (gzip) {
      request.header("Accept-Encoding", "gzip");
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void answersLargerThanTheCopyBufferArriveWhole() throws Exception {
    for (int size : new int[] {1, 8191, 8192, 8193, 100_000, 1 << 20}) {
      HttpResponse<byte[]> r = get("/json/" + size, false);
      assertEquals(200, r.statusCode());
      // as the route set it: the gzip strategy's allowed list matches it exactly
      assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(null));
      assertTrue(r.headers().firstValue("Content-Encoding").isEmpty());
      assertArrayEquals(json(size), r.body(), "an answer of " + size + " bytes");
    }
  }

  @Test
  void largeJsonIsGzippedForClientsThatAcceptIt() throws Exception {
    HttpResponse<byte[]> r = get("/json/100000", true);
    assertEquals("gzip", r.headers().firstValue("Content-Encoding").orElse(null));
    assertTrue(r.body().length < 50_000, r.body().length + " bytes");
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(r.body()))) {
      assertArrayEquals(json(100_000), in.readAllBytes());
    }
  }

  @Test
  void smallAnswersAndCompressedTypesAreNotGzipped() throws Exception {
    HttpResponse<byte[]> small = get("/json/1000", true);
    assertTrue(small.headers().firstValue("Content-Encoding").isEmpty());
    assertArrayEquals(json(1000), small.body());
    HttpResponse<byte[]> png = get("/png", true);
    assertTrue(png.headers().firstValue("Content-Encoding").isEmpty());
    assertEquals(100_000, png.body().length);
  }
}
