package ai.lepton;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.lepton.layers.Bidirectional;
import ai.lepton.layers.Dropout;
import ai.lepton.layers.GRU;
import ai.lepton.layers.LSTM;
import ai.lepton.layers.Layer;
import ai.lepton.layers.MultiHeadAttention;
import ai.lepton.layers.SimpleRNN;
import ai.lepton.layers.SpatialDropout1D;
import ai.lepton.layers.TransformerEncoder;
import ai.lepton.optimizers.Optimizer;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Members that Lepton's packages share only with each other stay out of the public API: the
 * models package reaches them through {@code ai.lepton.internal.Hooks}. What a layer of your own
 * overrides is protected; what a user calls is public.
 */
class PublicSurfaceTest {
  @Test
  void membersOnlyTheModelsPackageCallsAreNotPublic() throws NoSuchMethodException {
    assertEquals("protected",
        access(Layer.class.getDeclaredMethod("seedEpoch", long.class, int.class)));
    assertEquals("package-private", access(Layer.class.getDeclaredMethod("defaultName")));
    assertEquals("package-private", access(Optimizer.class.getDeclaredMethod("state")));
    assertEquals("package-private",
        access(Optimizer.class.getDeclaredMethod("loadState", Map.class, long.class)));
    // a user's training loop adds the penalty to its loss, as with Keras' layer.losses
    assertEquals("public", access(Layer.class.getDeclaredMethod("regularization")));
  }

  @Test
  void noBuiltInLayerWidensSeedEpochAgain() {
    List<String> widened = new ArrayList<>();
    for (Class<?> type : List.of(Dropout.class, SpatialDropout1D.class, MultiHeadAttention.class,
        LSTM.class, GRU.class, SimpleRNN.class, Bidirectional.class, TransformerEncoder.class)) {
      Method m = declared(type, "seedEpoch");
      if (!access(m).equals("protected")) {
        widened.add(m.getDeclaringClass().getSimpleName() + ": " + access(m));
      }
    }
    assertEquals(List.of(), widened);
  }

  /** The closest declaration of {@code name} in {@code type} or its superclasses. */
  private static Method declared(Class<?> type, String name) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      for (Method m : c.getDeclaredMethods()) {
        if (m.getName().equals(name)) {
          return m;
        }
      }
    }
    throw new AssertionError(type + " has no " + name);
  }

  private static String access(Method m) {
    int mod = m.getModifiers();
    return Modifier.isPublic(mod) ? "public" : Modifier.isProtected(mod) ? "protected"
        : Modifier.isPrivate(mod) ? "private" : "package-private";
  }
}
