package ai.lepton.api;

/**
 * Registers a model; its files arrive as versions.
 *
 * @param name 1-100 characters (letters, digits, '.', '_', '-'), starting with a letter or digit,
 *     unique in the organization
 * @param description at most 2000 characters, or null
 */
public record CreateModel(String name, String description) {}
