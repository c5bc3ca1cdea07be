package ai.lepton.server.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.ServerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up sweep deletes what an interrupted upload or derivation left: temporary files, and
 * dataset blobs that no version refers to; it keeps the blobs versions use and other features'.
 */
class DatasetSweepTest {
  @TempDir Path dir;

  @Test
  void aRestartDeletesLeftoversAndKeepsWhatVersionsUse() throws IOException {
    try (Platform platform = Platform.embedded(dir.resolve("data"),
        ServerConfig.DEFAULT_MAX_UPLOAD_BYTES)) {
      String id = platform.dataset("kept");
      byte[] text = "one\ntwo\n".getBytes(StandardCharsets.UTF_8);
      assertEquals(201, platform.put(id, platform.owner, "format=TEXT&fileName=t.txt", text)
          .status());
      Path kept = platform.datasetBlobs().get(0);
      platform.stop();

      // what a server killed between storing a blob and recording its version leaves
      Path orphan = Files.copy(kept, kept.resolveSibling("orphan"));
      Path otherDataset = kept.getParent().resolveSibling("ds_gone").resolve("blob");
      Files.createDirectories(otherDataset.getParent());
      Files.copy(kept, otherDataset);
      // (the registry sweeps its own "models/" prefix; a prefix no sweep owns stays)
      Path model = kept.getParent().getParent().resolveSibling("elsewhere").resolve("m1");
      Files.createDirectories(model.getParent());
      Files.copy(kept, model);
      Path tmp = Files.createDirectories(platform.dataDir.resolve("tmp"));
      Files.writeString(tmp.resolve("upload-1.zip"), "partial"); // a zip being profiled
      Files.createDirectories(tmp.resolve("derive-1/out"));
      Files.writeString(tmp.resolve("derive-1/out/train.csv"), "a\n1\n");

      platform.start();
      assertEquals(List.of(kept), platform.datasetBlobs());
      assertTrue(Files.exists(model), "other features' blobs are not the sweep's");
      assertEquals(List.of(), platform.tempFiles());
      assertTrue(Files.notExists(orphan));
      assertArrayEquals(text, platform.get(platform.orgPath("/datasets/" + id
          + "/versions/1/content"), platform.owner).bytes());
    }
  }
}
