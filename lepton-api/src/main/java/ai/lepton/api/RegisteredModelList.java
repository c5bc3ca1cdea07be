package ai.lepton.api;

import java.util.List;

/** Registered models, by name. */
public record RegisteredModelList(List<RegisteredModel> models) {
  public RegisteredModelList {
    models = List.copyOf(models);
  }
}
