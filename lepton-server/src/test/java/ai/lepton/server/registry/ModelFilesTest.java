package ai.lepton.server.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.ErrorCode;
import ai.lepton.api.ModelSignature;
import ai.lepton.api.TensorSignature;
import ai.lepton.server.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Validation of model files from their bytes in memory, and the signatures read from them. */
class ModelFilesTest {
  @TempDir Path dir;

  private ModelFiles files() {
    return new ModelFiles(1 << 20, dir.resolve("tmp"));
  }

  @Test
  void anOnnxModelsSignatureIsReadFromItsSession() {
    ModelFiles.Inspection i = files().inspect("onnx", TestModels.onnxAdd());
    assertEquals(new ModelSignature(
        List.of(new TensorSignature("x", List.of(-1L, 3L), "FP32")),
        List.of(new TensorSignature("y", List.of(-1L, 3L), "FP32"))), i.signature());
    assertFalse(i.hasPreprocessing());
  }

  @Test
  void onnxGarbageIsUnprocessable() {
    ApiException e = assertThrows(ApiException.class, () -> files().inspect("onnx",
        "this is not a protobuf".getBytes(StandardCharsets.UTF_8)));
    assertEquals(ErrorCode.UNPROCESSABLE, e.code());
    assertTrue(e.getMessage().startsWith("not a valid ONNX model: ONNX Runtime cannot load it"),
        e.getMessage());
  }

  @Test
  void anOnnxModelNamingExternalDataNeverReadsAFileOfTheServer() throws Exception {
    // a file next to the server's working directory, and one by an absolute path
    Path secret = Files.writeString(dir.resolve("secret.bin"), "0123456789ab");
    for (String location : List.of("secret.bin", secret.toString(), "../" + dir.relativize(
        secret), "../../../../../../../../etc/hostname")) {
      ApiException e = assertThrows(ApiException.class, () -> files().inspect("onnx",
          TestModels.onnxExternal(location)), location);
      assertEquals(ErrorCode.UNPROCESSABLE, e.code(), location);
    }
    try (var left = Files.list(dir.resolve("tmp"))) {
      assertEquals(0, left.count(), "the empty directories are deleted");
    }
  }

  @Test
  void aLeptonModelsSignatureIsReadFromItsArchive() {
    ModelFiles.Inspection i = files().inspect("lepton", TestModels.lepton());
    assertEquals(new ModelSignature(
        List.of(new TensorSignature("input", List.of(-1L, 2L), "FP32")),
        List.of(new TensorSignature("dense_1", List.of(-1L, 1L), "FP32"))), i.signature());
    assertFalse(i.hasPreprocessing());
  }

  @Test
  void aLeptonFileOverTheServersParameterLimitIsTooLargeWithoutCoresAdviceToCode() {
    Map<String, byte[]> entries = TestModels.entries(TestModels.lepton());
    String config = new String(entries.get("config.json"), StandardCharsets.UTF_8);
    entries.put("config.json", config.replaceFirst("\"units\" ?: ?3", "\"units\": 700000000")
        .getBytes(StandardCharsets.UTF_8));
    ApiException e = assertThrows(ApiException.class, () -> files().inspect("lepton",
        TestModels.zip(entries)));
    assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, e.code(), e.getMessage());
    assertTrue(e.getMessage().startsWith("not a valid .lepton model file: config.json"),
        e.getMessage());
    assertFalse(e.getMessage().contains("(model in memory)"), e.getMessage());
    assertFalse(e.getMessage().contains("raise max"), e.getMessage());
  }
}
