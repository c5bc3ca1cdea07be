package ai.lepton.api;

/**
 * Sets a tag of a model version (adding it, or replacing its value).
 *
 * @param value at most 500 characters
 */
public record SetTag(String value) {}
