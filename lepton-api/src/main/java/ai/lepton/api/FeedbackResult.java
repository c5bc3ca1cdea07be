package ai.lepton.api;

import java.util.List;

/**
 * What became of posted feedback: the items accepted, and each refused item with why.
 *
 * @param accepted how many items were recorded
 * @param refused the items not recorded, in the order they were posted
 */
public record FeedbackResult(int accepted, List<Refused> refused) {
  /**
   * A refused item.
   *
   * @param index the item's position in the posted list, from 0
   * @param predictionId the id it named
   * @param code {@code NOT_FOUND} (no such prediction of this deployment: a wrong id, or a record
   *     dropped under load or past retention), {@code CONFLICT} (feedback was already given) or
   *     {@code INVALID_ARGUMENT} (a malformed item)
   * @param message what was wrong and what to do
   */
  public record Refused(int index, String predictionId, String code, String message) {}
}
