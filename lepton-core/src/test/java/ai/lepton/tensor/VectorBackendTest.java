package ai.lepton.tensor;

/** The Vector API backend against the shared conformance suite. */
class VectorBackendTest extends BackendContractTest {
  private final Backend backend = new VectorBackend(new WorkerPool(2, "vector-backend-test"));

  @Override
  Backend backend() {
    return backend;
  }
}
