package ai.lepton.tensor;

/** The reference backend against the shared conformance suite. */
class ReferenceBackendTest extends BackendContractTest {
  private final Backend backend = new ReferenceBackend();

  @Override
  Backend backend() {
    return backend;
  }
}
