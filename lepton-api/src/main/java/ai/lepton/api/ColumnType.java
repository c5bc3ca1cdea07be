package ai.lepton.api;

/** The type inferred for a tabular column from all its present values. */
public enum ColumnType {
  /** Whole numbers only, such as {@code 42} or {@code -7}. */
  INTEGER,
  /** Decimal numbers, such as {@code 1.5} or {@code 2e-3}. */
  NUMBER,
  /** {@code true} and {@code false} only (any case). */
  BOOLEAN,
  /** Text with few distinct short values: a category, such as a city or a label. */
  CATEGORICAL,
  /** Free text: many distinct or long values. */
  TEXT
}
