package ai.lepton.api;

import java.util.List;

/** An organization's deployments, by name. */
public record DeploymentList(List<Deployment> deployments) {
  public DeploymentList {
    deployments = List.copyOf(deployments);
  }
}
