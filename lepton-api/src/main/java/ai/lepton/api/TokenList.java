package ai.lepton.api;

import java.util.List;

/** API tokens: the caller's own, or every member's for an organization's admins. */
public record TokenList(List<TokenInfo> items) {}
