package ai.lepton.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One immutable version of a registered model: a validated file, hashed and encrypted at rest.
 * Its file is downloaded from {@code .../versions/{number}/content}.
 *
 * @param id the version's id ({@code mv_...}), which deployments and lineage name
 * @param modelId the registered model's id
 * @param modelName the registered model's name
 * @param number 1, 2, 3... within the model; a number is never given twice, even after deletion
 * @param format {@code lepton} (a {@code .lepton} file) or {@code onnx}
 * @param sizeBytes the file's size in bytes (before encryption)
 * @param sha256 the file's SHA-256, 64 lower-case hex digits
 * @param signature its inputs and outputs; null for a deleted version
 * @param hasPreprocessing whether the file carries preprocessing that turns raw rows or texts into
 *     its input (a {@code .lepton} file's {@code preprocessing.json})
 * @param metrics named numbers recorded with it (accuracy, loss...), possibly empty
 * @param evaluationReport the evaluation of the training run that made it on its held-out
 *     split (loss and metrics, confusion matrix, per-class scores, ROC...), or null for an
 *     uploaded file
 * @param lineage where it came from
 * @param aliases the aliases pointing at it, by name
 * @param tags its tags
 * @param deletedAt when it was deleted, or null: a deleted version stays listed as a tombstone,
 *     its file is gone
 */
public record ModelVersion(String id, String modelId, String modelName, int number,
    String format, long sizeBytes, String sha256, ModelSignature signature,
    boolean hasPreprocessing, Map<String, Double> metrics, EvaluationReport evaluationReport,
    ModelLineage lineage, List<String> aliases, Map<String, String> tags, String createdBy,
    Instant createdAt, Instant deletedAt) {}
