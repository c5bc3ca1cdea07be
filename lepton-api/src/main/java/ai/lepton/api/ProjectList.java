package ai.lepton.api;

import java.util.List;

/** An organization's projects the caller can see, by name. */
public record ProjectList(List<Project> items) {}
