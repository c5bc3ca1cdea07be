package ai.lepton.internal;

import static ai.lepton.LeptonAssertions.assertFailsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.TokenStreamFactory;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  /** A config record as layers have them: camelCase in Java, snake_case in JSON. */
  record Config(int units, boolean useBias) {
    Config {
      if (units < 1) {
        throw new IllegalArgumentException("units must be positive, received " + units);
      }
    }
  }

  /**
   * Whoever holds an ObjectMapper (or its factory) can reconfigure it, loosening the parsing of
   * every hostile file Lepton reads; so nothing public hands one out, only trees and values.
   */
  @Test
  void noPublicMemberHandsOutSomethingThatConfiguresParsing() {
    List<String> leaks = new ArrayList<>();
    List<Class<?>> classes = new ArrayList<>(List.of(Json.class));
    classes.addAll(List.of(Json.class.getClasses()));
    for (Class<?> c : classes) {
      for (Field f : c.getFields()) {
        if (configures(f.getType())) {
          leaks.add(c.getSimpleName() + "." + f.getName());
        }
      }
      for (Method m : c.getMethods()) {
        if (Modifier.isPublic(m.getModifiers()) && configures(m.getReturnType())) {
          leaks.add(c.getSimpleName() + "." + m.getName() + "()");
        }
      }
    }
    assertEquals(List.of(), leaks);
  }

  private static boolean configures(Class<?> type) {
    return ObjectCodec.class.isAssignableFrom(type) || ObjectWriter.class.isAssignableFrom(type)
        || TokenStreamFactory.class.isAssignableFrom(type);
  }

  @Test
  void aShallowReaderRefusesDeeperNestingAndStaysStrict() throws JacksonException {
    Json.TreeReader reader = Json.reader(2);
    assertEquals(1, reader.read("{\"a\":[1]}").path("a").get(0).intValue());
    assertThrows(StreamConstraintsException.class, () -> reader.read("{\"a\":[[1]]}"));
    assertThrows(JacksonException.class, () -> reader.read("{\"a\":1,\"a\":2}"),
        "a repeated key");
    assertThrows(JacksonException.class, () -> reader.read("{} {}"), "a second value");
  }

  @Test
  void configRecordsRoundTripThroughSnakeCaseKeys() {
    var tree = Json.configTree(new Config(3, true));
    assertEquals("{\"units\":3,\"use_bias\":true}", tree.toString());
    assertEquals(new Config(3, true), Json.configValue(tree, Config.class, "config"));
  }

  @Test
  void anInvalidConfigNamesWhatItConfiguresAndWhy() {
    assertFailsWith("invalid config for layer Dense: Unrecognized field \"bias\"",
        () -> Json.configValue(Json.parse("{\"units\":3,\"bias\":true}", "config"), Config.class,
            "invalid config for layer Dense"));
    assertFailsWith("units must be positive, received 0",
        () -> Json.configValue(Json.parse("{\"units\":0,\"use_bias\":true}", "config"),
            Config.class, "invalid config for layer Dense"));
    assertFailsWith("invalid config for layer Dense: Cannot coerce",
        () -> Json.configValue(Json.parse("{\"units\":\"3\",\"use_bias\":true}", "config"),
            Config.class, "invalid config for layer Dense"));
  }

  @Test
  void treesOfPlainValuesKeepTheirOrderAndTypes() {
    var map = new java.util.LinkedHashMap<String, Object>();
    map.put("b", List.of(1, 2.5));
    map.put("a", "x");
    assertEquals("{\"b\":[1,2.5],\"a\":\"x\"}", Json.tree(map).toString());
    assertEquals(Map.of("b", List.of(1, 2.5), "a", "x"), Json.toMap(Json.tree(map)));
    assertTrue(Json.object().isEmpty() && Json.array().isEmpty());
  }
}
