package ai.lepton.api;

/**
 * Points an alias at a version (creating the alias, or moving it).
 *
 * @param version the version number the alias points at
 */
public record SetAlias(int version) {}
