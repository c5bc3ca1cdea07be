package ai.lepton.server.jobs;

import ai.lepton.models.Model;
import ai.lepton.models.ModelArchive;
import java.io.ByteArrayOutputStream;

/**
 * A model as the bytes of its {@code .lepton} file (weights, optimizer state, preprocessing), and
 * back, in memory: checkpoints and artifacts reach the disk only through the encrypted blob store.
 */
final class Checkpoints {
  /** What a checkpoint or artifact may hold when read back: Core's defaults, 2 GiB at most. */
  static final ModelArchive.Limits LIMITS = ModelArchive.Limits.DEFAULT
      .withMaxFileBytes(2L << 30);

  private Checkpoints() {}

  static byte[] bytes(Model model) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    model.save(out);
    return out.toByteArray();
  }

  /**
   * The model of a {@code .lepton} file's bytes.
   *
   * @throws ai.lepton.LeptonException if the bytes are not a whole, valid model file
   */
  static Model model(byte[] bytes) {
    return ModelArchive.open(bytes, LIMITS).load();
  }
}
