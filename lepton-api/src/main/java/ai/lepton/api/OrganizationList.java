package ai.lepton.api;

import java.util.List;

/** The organizations the caller is a member of. */
public record OrganizationList(List<Organization> items) {}
