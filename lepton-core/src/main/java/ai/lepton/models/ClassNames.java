package ai.lepton.models;

import ai.lepton.LeptonException;
import ai.lepton.internal.Json;
import ai.lepton.models.ModelArchive.TensorSpec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The rules for a classifier's class names ({@code classes.json} in a model file): one per column
 * of the model's only output, in column order, as Hugging Face's {@code id2label} and Keras'
 * {@code class_names}. Checked when set, when saved and when a file opens.
 */
final class ClassNames {
  /** The most classes: a softmax over a large vocabulary still fits, a hostile list does not. */
  static final int MAX_COUNT = 1 << 16;
  /** The longest name, in chars: a label, not a document. */
  static final int MAX_CHARS = 256;
  private static final String KEY = "class_names";

  private ClassNames() {}

  /**
   * An unmodifiable copy of {@code names} once checked.
   *
   * @throws LeptonException starting with {@code what} if there are none or more than
   *     {@link #MAX_COUNT}, or a name is null, empty, longer than {@link #MAX_CHARS}, holds a
   *     control character, or repeats
   */
  static List<String> check(List<String> names, String what) {
    if (names == null || names.isEmpty() || names.size() > MAX_COUNT) {
      throw badCount(what, names == null ? "null" : Integer.toString(names.size()));
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (name == null || name.isEmpty() || name.length() > MAX_CHARS
          || name.chars().anyMatch(Character::isISOControl)) {
        throw new LeptonException(what + ": class name " + i + " is " + (name == null ? "null"
            : name.isEmpty() ? "empty" : name.length() > MAX_CHARS ? name.length() + " chars "
            + "long" : "'" + name + "', with a control character") + "; each name must be 1 to "
            + MAX_CHARS + " printable characters");
      }
      if (!seen.add(name)) {
        throw new LeptonException(what + ": class name '" + name + "' appears twice (again at "
            + i + "); each column needs its own name");
      }
    }
    return List.copyOf(names);
  }

  private static LeptonException badCount(String what, String received) {
    return new LeptonException(what + ": expected 1 to " + MAX_COUNT + " class names, one per "
        + "output column; received " + received);
  }

  /**
   * Checks that the model has one output whose last dimension has one column per name.
   *
   * @throws LeptonException starting with {@code what} otherwise
   */
  static void checkWidth(List<String> names, List<TensorSpec> outputs, String what) {
    if (outputs.size() != 1) {
      throw new LeptonException(what + ": the model has " + outputs.size() + " outputs, but "
          + "class names name the columns of a model's only output; set them on a model with one");
    }
    List<Integer> shape = outputs.get(0).shape();
    int width = shape.get(shape.size() - 1);
    if (width != names.size()) {
      throw new LeptonException(what + ": " + names.size() + " class names for an output of "
          + width + " columns (output '" + outputs.get(0).name() + "' of shape " + shape
          + "); give one name per column");
    }
  }

  /** {@code {"class_names": [...]}}. */
  static String toJson(List<String> names) {
    ObjectNode json = Json.object();
    ArrayNode list = json.putArray(KEY);
    names.forEach(list::add);
    return json.toString();
  }

  /**
   * The names in {@code json}, checked.
   *
   * @throws LeptonException starting with {@code what} if it is not an object with a
   *     {@code class_names} array of strings, or the names break a rule of {@link #check}
   */
  static List<String> fromJson(String json, String what) {
    JsonNode list = Json.parseObject(json, what).path(KEY);
    if (!list.isArray()) {
      throw new LeptonException(what + ": expected {\"" + KEY + "\": [\"name\", ...]}, but "
          + KEY + " is " + (list.isMissingNode() ? "missing" : list.getNodeType()));
    }
    if (list.size() > MAX_COUNT) {
      throw badCount(what, Integer.toString(list.size()));
    }
    List<String> names = new ArrayList<>(list.size());
    for (JsonNode name : list) {
      if (!name.isTextual()) {
        throw new LeptonException(what + ": class name " + names.size() + " is "
            + name.getNodeType() + ", not a string");
      }
      names.add(name.textValue());
    }
    return check(names, what);
  }
}
