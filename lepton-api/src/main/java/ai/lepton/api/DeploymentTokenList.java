package ai.lepton.api;

import java.util.List;

/** A deployment's tokens, oldest first, revoked ones included. */
public record DeploymentTokenList(List<DeploymentToken> tokens) {
  public DeploymentTokenList {
    tokens = List.copyOf(tokens);
  }
}
