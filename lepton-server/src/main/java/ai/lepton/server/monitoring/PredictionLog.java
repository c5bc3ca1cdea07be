package ai.lepton.server.monitoring;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where serving records every inference request, once, as it answers it. The call returns at
 * once with the prediction id to give the caller (the OIP response's {@code id}); the record is
 * written later, in batches, off the request thread. Under load a bounded queue drops records (a
 * counter says how many) instead of blocking or growing: a dropped record's id is unknown to
 * feedback. Whether a record keeps its inputs and outputs is decided by sampling; its predicted
 * class or value is kept either way. See {@code docs/monitoring.md}.
 */
public interface PredictionLog {
  /**
   * One sample of a request, decoded.
   *
   * @param features the inputs by feature name as the training data names its columns, each a
   *     {@link Number} or a {@link String} (a raw row's cells; a tensor's values named by their
   *     column), or null for a missing value; may be empty (an image, a text) when there are no
   *     named features
   * @param predictedClass the predicted class's label as the training data writes it, or null
   *     for a regression
   * @param predictedValue the predicted value of a regression, or null for a classification
   * @param outputs the model's outputs for the sample (scores, values), kept with the inputs
   */
  record Sample(Map<String, Object> features, String predictedClass, Double predictedValue,
      List<Double> outputs) {
    public Sample {
      // a raw row's missing cell is a null value, which Map.copyOf would refuse
      features = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(
          features, "features")));
      outputs = List.copyOf(Objects.requireNonNull(outputs, "outputs"));
      if ((predictedClass == null) == (predictedValue == null)) {
        throw new IllegalArgumentException("a logged sample has a predicted class "
            + "(classification) or a predicted value (regression), exactly one; received class "
            + predictedClass + " and value " + predictedValue);
      }
    }
  }

  /**
   * Logs one inference request of {@code deployment} (its samples in order) served by
   * {@code modelVersionId}.
   *
   * @return the prediction id: feedback names it, with a sample's index for a batch
   */
  String log(String organizationId, String deployment, String modelVersionId,
      List<Sample> samples, Duration latency);
}
