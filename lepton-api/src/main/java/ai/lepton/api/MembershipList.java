package ai.lepton.api;

import java.util.List;

/** Memberships: an organization's members, or the caller's organizations. */
public record MembershipList(List<Membership> items) {}
