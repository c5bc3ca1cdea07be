package ai.lepton.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.ErrorCode;
import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against a real server. */
class LeptonClientTest {
  @TempDir Path dir;

  @Test
  void readsHealthAndMapsErrorsToTheServersCode() {
    try (LeptonServer server = LeptonServer.start(ServerConfig.embedded(dir, 0))) {
      LeptonClient client = LeptonClient.connect(URI.create("http://127.0.0.1:" + server.port()),
          null);
      assertEquals("ok", client.health().status());
      LeptonClientException e = assertThrows(LeptonClientException.class,
          () -> client.send(client.request("/api/v1/nothing").GET(), Object.class));
      assertEquals(ErrorCode.NOT_FOUND, e.code());
      assertEquals(404, e.status());
      assertTrue(e.getMessage().contains("/openapi.json") && e.requestId() != null, e.getMessage());
    }
  }

  @Test
  void anUnreachableServerIsUnavailableAndSaysHowToStartIt() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // free, and closed again: nothing listens there
    }
    LeptonClient client = LeptonClient.connect(URI.create("http://127.0.0.1:" + port), null);
    LeptonClientException e = assertThrows(LeptonClientException.class, client::health);
    assertEquals(ErrorCode.UNAVAILABLE, e.code());
    assertTrue(e.getMessage().contains("lepton server"), e.getMessage());
  }
}
