package ai.lepton.api;

import java.util.Map;

/**
 * Where a derived dataset version came from, enough to repeat the derivation: applying
 * {@code recipe} to the parent gives the same content again.
 *
 * @param parentId the version it was derived from
 * @param parentNumber that version's number (in the same dataset)
 * @param recipe the recipe as it was posted ({@link Recipe}'s JSON form, {@code "op"} first)
 * @param parameters what the recipe computed from the parent: the fill values, the scaler's means
 *     and deviations, the rows in and out of each part
 * @param part the split's part this version holds ({@code train}, {@code validation},
 *     {@code test}), or null for a recipe with one output
 * @param parentDeleted whether the parent was deleted since: the recipe and parameters still
 *     say how this version was made, but the parent's content is gone
 */
public record Lineage(String parentId, int parentNumber, Map<String, Object> recipe,
    Map<String, Object> parameters, String part, boolean parentDeleted) {}
