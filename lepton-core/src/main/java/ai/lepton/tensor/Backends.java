package ai.lepton.tensor;

/**
 * Chooses the backend once per process: the Vector API backend when {@code jdk.incubator.vector} is
 * present (run with {@code --add-modules jdk.incubator.vector}), otherwise the reference backend with a
 * one-line notice. The system property {@code lepton.backend=reference} forces the reference.
 */
final class Backends {
  private static final Backend CURRENT = choose();

  private Backends() {}

  static Backend current() {
    return CURRENT;
  }

  private static Backend choose() {
    if ("reference".equals(System.getProperty("lepton.backend"))) {
      return new ReferenceBackend();
    }
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      System.err.println("Lepton: jdk.incubator.vector is not present, using the slow reference "
          + "backend; run java with --add-modules jdk.incubator.vector for the fast one.");
      return new ReferenceBackend();
    }
    // Loaded by name so that no class touching the incubator module loads when it is absent.
    try {
      return (Backend) Class.forName("ai.lepton.tensor.VectorBackend")
          .getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      System.err.println("Lepton: the Vector API backend failed to start (" + e
          + "), using the slow reference backend.");
      return new ReferenceBackend();
    }
  }
}
