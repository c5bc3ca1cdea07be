package ai.lepton.api;

import java.util.List;

/**
 * One column of a tabular dataset: its inferred type and statistics.
 *
 * @param name the column name (the CSV header, or the JSON field)
 * @param type the type of its present values
 * @param nullable whether some rows miss a value
 * @param count the present (non-missing) values
 * @param missing the missing values: empty fields, JSON nulls or absent fields, and the tokens
 *     {@code NA}, {@code N/A}, {@code NaN}, {@code null}
 * @param min the smallest value (numeric columns; null otherwise or when all are missing)
 * @param max the largest value (numeric columns)
 * @param mean the mean (numeric columns)
 * @param std the population standard deviation (numeric columns)
 * @param distinct distinct present values, counted up to the limit of values tracked
 * @param distinctCapped whether {@code distinct} reached that limit (there may be more)
 * @param top the most frequent values with their counts, most frequent first (all but numeric
 *     columns)
 * @param histogram equal-width bins of the values (numeric columns)
 */
public record ColumnProfile(String name, ColumnType type, boolean nullable, long count,
    long missing, Double min, Double max, Double mean, Double std, long distinct,
    boolean distinctCapped, List<ValueCount> top, Histogram histogram) {
  public ColumnProfile {
    top = List.copyOf(top);
  }
}
