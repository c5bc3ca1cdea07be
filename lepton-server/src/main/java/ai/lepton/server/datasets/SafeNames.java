package ai.lepton.server.datasets;

import java.text.Normalizer;
import java.util.Arrays;

/**
 * The one check of names that come from users and could end up as paths: zip entries inside an
 * upload, and the file name an upload gives. A name is refused when a tool that extracts or saves
 * it could be led outside a folder: absolute names, drive letters, backslashes, {@code .} or
 * {@code ..} segments, percent escapes (such as {@code %2e%2e}), control characters (NUL
 * included), and characters that look like or fold to a dot or a slash (fullwidth or one-dot-leader
 * dots, fullwidth solidus, division slash).
 */
final class SafeNames {
  /** Characters that stand for a dot or a slash in another script, not folded by NFKC. */
  private static final String LOOK_ALIKES = "\u3002\uFF61\u2215\u2044\u29F8\u29F9";

  private SafeNames() {}

  /**
   * Why {@code path} (segments separated by '/') is not safe, as the end of a sentence ("is
   * absolute", "holds a backslash"), or null when it is.
   */
  static String problem(String path, int maxLength) {
    if (path.length() > maxLength) {
      return "is longer than " + maxLength + " characters";
    } else if (path.isEmpty() || path.startsWith("/")) {
      return "is absolute";
    } else if (path.length() > 1 && path.charAt(1) == ':') {
      return "starts with a drive letter";
    } else if (path.indexOf('\\') >= 0) {
      return "holds a backslash";
    } else if (path.indexOf('%') >= 0) {
      return "holds a percent escape";
    } else if (path.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      return "holds a control character";
    }
    String folded = Normalizer.normalize(path, Normalizer.Form.NFKC);
    boolean lookAlike = !folded.equals(path) && (folded.contains(".") || folded.contains("/")
        || folded.contains("\\")) || path.chars().anyMatch(c -> LOOK_ALIKES.indexOf(c) >= 0);
    if (lookAlike) {
      return "holds characters that look like dots or slashes";
    }
    if (Arrays.stream(path.split("/")).anyMatch(s -> s.equals(".") || s.equals(".."))) {
      return "holds a '.' or '..' segment";
    }
    return null;
  }
}
