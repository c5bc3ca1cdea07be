package ai.lepton.api;

/** How many times a value occurs: a top value of a column, or a class and its samples. */
public record ValueCount(String value, long count) {}
