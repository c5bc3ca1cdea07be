package ai.lepton.api;

import java.util.List;

/**
 * Ground truth for many predictions at once.
 *
 * @param items 1 to 1,000 items; each is accepted or refused by itself
 */
public record FeedbackBatch(List<Feedback> items) {}
