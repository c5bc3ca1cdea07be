package ai.lepton.server.jobs;

import ai.lepton.api.TrainingSpec;
import ai.lepton.server.http.ApiException;
import java.util.regex.Pattern;

/**
 * What the server bounds in a training spec beyond the ranges {@link TrainingSpec} checks itself
 * (epochs, batch size, units, rates, fractions, templates, preprocessing): the lengths and
 * characters of the names it stores and later looks up. A refusal names the field, what it must
 * be and the value received.
 */
final class SpecLimits {
  /** The longest target column name. */
  static final int MAX_TARGET = 200;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  private static final Pattern BASE_MODEL = Pattern.compile(
      "[A-Za-z0-9][A-Za-z0-9._-]{0,99}@[A-Za-z0-9][A-Za-z0-9._-]{0,49}");

  private SpecLimits() {}

  /** @throws ApiException INVALID_ARGUMENT naming the first field out of bounds */
  static void check(TrainingSpec spec) {
    if (!NAME.matcher(spec.dataset()).matches()) {
      throw field("dataset", "a dataset's name or id (1-100 letters, digits, '.', '_', '-')",
          spec.dataset());
    }
    String base = spec.model().baseModel();
    if (base != null && !BASE_MODEL.matcher(base).matches()) {
      throw field("model.baseModel", "name@version or name@alias (a name of 1-100 letters,"
          + " digits, '.', '_', '-')", base);
    }
    if (spec.target() != null && spec.target().length() > MAX_TARGET) {
      throw field("target", "a column name of at most " + MAX_TARGET + " characters",
          spec.target());
    }
    if (spec.registerAs() != null && !NAME.matcher(spec.registerAs()).matches()) {
      throw field("registerAs", "a model name (1-100 letters, digits, '.', '_', '-')",
          spec.registerAs());
    }
  }

  private static ApiException field(String name, String expected, String received) {
    return ApiException.invalid(name + " must be " + expected + "; received '"
        + shorten(received) + "'");
  }

  /** A value for a message: printable, at most 100 characters. */
  static String shorten(String s) {
    String printable = s.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
        .toString();
    return printable.length() <= 100 ? printable : printable.substring(0, 100) + "...";
  }
}
