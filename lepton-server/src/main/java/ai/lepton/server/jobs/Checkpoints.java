package ai.lepton.server.jobs;

import ai.lepton.models.Model;
import ai.lepton.models.ModelArchive;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A model as the bytes of its {@code .lepton} file, and back (weights and optimizer state). */
final class Checkpoints {
  /** What a checkpoint or artifact may hold when read back: Core's defaults, 2 GiB at most. */
  static final ModelArchive.Limits LIMITS = ModelArchive.Limits.DEFAULT
      .withMaxFileBytes(2L << 30);

  private Checkpoints() {}

  static byte[] bytes(Model model) {
    try {
      Path file = Files.createTempFile("lepton-model", ".lepton");
      try {
        model.save(file);
        return Files.readAllBytes(file);
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the model: " + e.getMessage(), e);
    }
  }

  /**
   * The model of a {@code .lepton} file's bytes.
   *
   * @throws ai.lepton.LeptonException if the bytes are not a whole, valid model file
   */
  static Model model(byte[] bytes) {
    try {
      Path file = Files.createTempFile("lepton-model", ".lepton");
      try {
        Files.write(file, bytes);
        return ModelArchive.open(file, LIMITS).load();
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the model: " + e.getMessage(), e);
    }
  }
}
