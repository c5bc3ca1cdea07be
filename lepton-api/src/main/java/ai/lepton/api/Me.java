package ai.lepton.api;

import java.util.List;

/**
 * The caller: who they are and where they belong.
 *
 * @param installationAdmin whether they administer this installation (create users)
 * @param passwordSet whether they have a password (false until they set one after a link)
 */
public record Me(User user, boolean installationAdmin, boolean passwordSet,
    List<Membership> memberships) {}
