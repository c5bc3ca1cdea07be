package ai.lepton.server.serving;

import java.nio.charset.StandardCharsets;

/**
 * A reader of one JSON document held in a byte array, made for inference requests: numbers are
 * read straight into floats, correctly rounded (as {@link Float#parseFloat}), with no token
 * objects and no copies of their text. On a 784-pixel Fashion-MNIST request the decoder takes 15
 * CPU us with it against 24 with Jackson's streaming parser and its fast double parser (medians,
 * DecodeBench), where Jackson was about 40% of the server's CPU samples of an MLP request; 10 us
 * since {@link #number} reads the usual forms inline (docs/benchmarks.md). NaN,
 * Infinity and -Infinity are read as numbers, so the decoder can say which element holds one.
 * Every error names the byte offset.
 */
final class JsonCursor {
  /** The longest number: room for the exact decimal of any float, however pointless. */
  static final int MAX_NUMBER = 1000;
  /** 10^0 .. 10^22: the powers of ten a double holds exactly. */
  private static final double[] POW10 = new double[23];

  static {
    POW10[0] = 1;
    for (int i = 1; i < POW10.length; i++) {
      POW10[i] = POW10[i - 1] * 10;
    }
  }

  private final byte[] b;
  private final int end;
  private final int maxDepth;
  private final int maxString;
  private int i;
  private int depth;
  /** The value {@link #plain} read last. */
  private float plainValue;

  JsonCursor(byte[] bytes, int length, int maxDepth, int maxString) {
    this.b = bytes;
    this.end = length;
    this.maxDepth = maxDepth;
    this.maxString = maxString;
  }

  /** The next byte that is not white space, not consumed; -1 at the end. */
  int peek() {
    while (i < end) {
      byte c = b[i];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return c;
      }
      i++;
    }
    return -1;
  }

  /** Consumes {@code c} if it comes next. */
  boolean consume(char c) {
    if (peek() == c) {
      i++;
      return true;
    }
    return false;
  }

  void expect(char c) {
    if (!consume(c)) {
      throw error("'" + c + "'");
    }
  }

  /** Opens an object or array, counting the nesting. */
  void enter(char open) {
    expect(open);
    if (++depth > maxDepth) {
      throw OipException.invalid("the body nests deeper than " + maxDepth + " levels");
    }
  }

  void leave() {
    depth--;
  }

  /**
   * After an element of an array or object: true for a comma (another element follows), false
   * when {@code close} ends it (consumed).
   */
  boolean more(char close) {
    int c = peek();
    if (c == ',') {
      i++;
      return true;
    }
    if (c == close) {
      i++;
      leave();
      return false;
    }
    throw error("',' or '" + close + "'");
  }

  String string() {
    if (peek() != '"') {
      throw error("a string");
    }
    int start = ++i;
    // a multi-byte UTF-8 character's bytes are negative as Java bytes
    while (i < end && b[i] != '"' && b[i] != '\\' && (b[i] >= 0x20 || b[i] < 0)) {
      i++;
    }
    if (i < end && b[i] == '"') { // the usual case: no escapes
      checkLength(i - start);
      return new String(b, start, i++ - start, StandardCharsets.UTF_8);
    }
    // escapes: raw runs decoded as UTF-8, escapes appended as chars (so that the two halves of
    // a surrogate pair, escaped separately, join)
    i = start;
    StringBuilder out = new StringBuilder();
    int run = i;
    while (true) {
      if (i >= end) {
        throw error("the end of a string");
      }
      byte c = b[i];
      if (c == '"' || c == '\\') {
        out.append(new String(b, run, i - run, StandardCharsets.UTF_8));
        i++;
        if (c == '"') {
          break;
        }
        out.append(escape());
        run = i;
      } else if (c >= 0 && c < 0x20) {
        throw error("no control character in a string (escape it)");
      } else {
        i++;
      }
      checkLength(out.length() + i - run);
    }
    return out.toString();
  }

  private char escape() {
    if (i >= end) {
      throw error("an escape");
    }
    byte e = b[i++];
    switch (e) {
      case '"', '\\', '/' -> {
        return (char) e;
      }
      case 'b' -> {
        return '\b';
      }
      case 'f' -> {
        return '\f';
      }
      case 'n' -> {
        return '\n';
      }
      case 'r' -> {
        return '\r';
      }
      case 't' -> {
        return '\t';
      }
      case 'u' -> {
        if (i + 4 > end) {
          throw error("four hex digits");
        }
        try {
          char code = (char) Integer.parseInt(new String(b, i, 4, StandardCharsets.ISO_8859_1),
              16);
          i += 4;
          return code;
        } catch (NumberFormatException x) {
          throw error("four hex digits");
        }
      }
      default -> throw error("a valid escape");
    }
  }

  /**
   * A float: correctly rounded, NaN or an infinity as written, overflow to an infinity. The
   * usual forms ({@link #plain}) are read inline, in a method small enough for the JIT to inline
   * into the decoder's loop (the full reader is not: a call per element cost more than the
   * parsing); anything else goes to {@link #numberInFull}.
   */
  float number() {
    int p = plain(peek() < 0 ? end : i);
    if (p >= 0) {
      i = p;
      return plainValue;
    }
    return numberInFull();
  }

  /**
   * Reads numbers of the usual forms ({@link #plain}) into {@code out} from {@code at}, for as
   * long as they come, separated by bare commas, and {@code out} has room; returns how many. The
   * cursor stays after the last one read (before its comma), so the caller's
   * {@link #more} reads what follows; none read when the next element is of another form. A
   * flat tensor's elements are read here without the per-element checks of the general path
   * (white space, nesting, strings; the usual forms are always finite): most of what a
   * 784-value request cost beyond the digits.
   */
  int plainNumbers(float[] out, int at) {
    int n = at;
    int p = peek() < 0 ? end : i;
    while (n < out.length) {
      int q;
      if (p + 3 < end && b[p] == '0' && b[p + 1] == '.' && b[p + 2] == '0' && b[p + 3] == ',') {
        q = p + 3; // 0.0 and a comma: the commonest element of an image or a sparse row
        out[n++] = 0f;
      } else {
        q = plain(p);
        if (q < 0) {
          break;
        }
        out[n++] = plainValue;
      }
      i = q;
      if (q + 1 >= end || b[q] != ',' || (b[q + 1] != '-' && (b[q + 1] < '0' || b[q + 1] > '9'))) {
        break;
      }
      p = q + 1;
    }
    return n - at;
  }

  /**
   * The usual forms of a number at {@code p} (an optional minus, at most 18 digits with an
   * optional fraction, no exponent), in one pass over the bytes and one double operation: where
   * it ends, with the float in {@link #plainValue}; -1 for anything else, which
   * {@link #numberInFull} reads.
   */
  private int plain(int p) {
    boolean negative = p < end && b[p] == '-';
    if (negative) {
      p++;
    }
    int digitsStart = p;
    long mantissa = 0;
    for (int d; p < end && (d = b[p] - '0') >= 0 && d <= 9; p++) {
      mantissa = mantissa * 10 + d;
    }
    int digits = p - digitsStart;
    int fraction = 0;
    if (digits > 0 && p < end && b[p] == '.') {
      int fractionStart = ++p;
      for (int d; p < end && (d = b[p] - '0') >= 0 && d <= 9; p++) {
        mantissa = mantissa * 10 + d;
      }
      fraction = p - fractionStart;
      digits = fraction == 0 ? 0 : digits + fraction;
    }
    if (digits > 0 && digits <= 18 && mantissa < (1L << 53)
        && (p == end || (b[p] != 'e' && b[p] != 'E'))) {
      double d = mantissa / POW10[fraction]; // one correctly rounded operation: see numberInFull
      if (d == 0 || (d >= Float.MIN_NORMAL
          && (Double.doubleToRawLongBits(d) & 0x1FFFFFFFL) != 0x10000000L)) {
        plainValue = (float) (negative ? -d : d);
        return p;
      }
    }
    return -1;
  }

  /** Any number {@link #number} reads, and the errors for what is not one. */
  private float numberInFull() {
    int c = peek();
    int start = i;
    boolean negative = c == '-';
    int p = negative ? start + 1 : start;
    if (p < end && (b[p] == 'N' || b[p] == 'I')) {
      i = p;
      return literal(negative);
    }
    long mantissa = 0; // wraps past 18 digits, which then go to Float.parseFloat
    int digitsStart = p;
    for (int d; p < end && (d = b[p] - '0') >= 0 && d <= 9; p++) {
      mantissa = mantissa * 10 + d;
    }
    if (p == digitsStart) {
      throw error("a number");
    }
    int digits = p - digitsStart;
    int exponent = 0;
    if (p < end && b[p] == '.') {
      int fractionStart = ++p;
      for (int d; p < end && (d = b[p] - '0') >= 0 && d <= 9; p++) {
        mantissa = mantissa * 10 + d;
      }
      if (p == fractionStart) {
        i = p;
        throw error("a digit after the decimal point");
      }
      digits += p - fractionStart;
      exponent = fractionStart - p;
    }
    if (p < end && (b[p] == 'e' || b[p] == 'E')) {
      p++;
      boolean minus = p < end && b[p] == '-';
      if (p < end && (b[p] == '+' || b[p] == '-')) {
        p++;
      }
      int e = 0;
      int exponentStart = p;
      for (int d; p < end && (d = b[p] - '0') >= 0 && d <= 9; p++) {
        e = Math.min(100_000, e * 10 + d);
      }
      if (p == exponentStart) {
        i = p;
        throw error("the exponent's digits");
      }
      exponent += minus ? -e : e;
    }
    i = p;
    if (p - start > MAX_NUMBER) {
      throw OipException.invalid("a number at byte " + start + " is longer than " + MAX_NUMBER
          + " characters");
    }
    if (digits <= 18 && mantissa < (1L << 53) && exponent >= -22 && exponent <= 22) {
      // one correctly rounded double operation; rounding that double to float is correct too,
      // unless it falls exactly halfway between two floats (then the text decides, below) or
      // among the subnormals (whose halfway points sit elsewhere)
      double d = exponent >= 0 ? mantissa * POW10[exponent] : mantissa / POW10[-exponent];
      long bits = Double.doubleToRawLongBits(d);
      if (d == 0 || (d >= Float.MIN_NORMAL && (bits & 0x1FFFFFFFL) != 0x10000000L)) {
        return (float) (negative ? -d : d);
      }
    }
    return Float.parseFloat(new String(b, start, p - start, StandardCharsets.ISO_8859_1));
  }

  /** A non-negative integer of at most 18 digits. */
  long integer() {
    peek();
    int start = i;
    long v = 0;
    while (i < end && b[i] >= '0' && b[i] <= '9' && i - start < 18) {
      v = v * 10 + (b[i++] - '0');
    }
    if (i == start || (i < end && (b[i] == '.' || b[i] == 'e' || b[i] == 'E'
        || (b[i] >= '0' && b[i] <= '9')))) {
      i = start;
      throw error("a non-negative integer of at most 18 digits");
    }
    return v;
  }

  private float literal(boolean negative) {
    if (!negative && matches("NaN")) {
      return Float.NaN;
    }
    if (matches("Infinity")) {
      return negative ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
    }
    throw error("a number");
  }

  /** Consumes {@code word} if it comes next. */
  boolean matches(String word) {
    peek();
    if (i + word.length() > end) {
      return false;
    }
    for (int k = 0; k < word.length(); k++) {
      if (b[i + k] != word.charAt(k)) {
        return false;
      }
    }
    i += word.length();
    return true;
  }

  /** Skips one value of any kind. */
  void skipValue() {
    int c = peek();
    switch (c) {
      case '{' -> {
        enter('{');
        if (!consume('}')) {
          do {
            string();
            expect(':');
            skipValue();
          } while (more('}'));
        } else {
          leave();
        }
      }
      case '[' -> {
        enter('[');
        if (!consume(']')) {
          do {
            skipValue();
          } while (more(']'));
        } else {
          leave();
        }
      }
      case '"' -> string();
      case 't', 'f', 'n' -> {
        if (!matches("true") && !matches("false") && !matches("null")) {
          throw error("a value");
        }
      }
      default -> number();
    }
  }

  /** The offset of the next byte, for messages. */
  int offset() {
    return i;
  }

  OipException error(String expected) {
    peek();
    return OipException.invalid("the body is not a valid inference request: expected "
        + expected + " at byte " + i + (i < end ? "" : " (the end of the body)"));
  }

  private void checkLength(int bytes) {
    if (bytes > maxString) {
      throw OipException.invalid("a string in the body is longer than " + maxString
          + " bytes");
    }
  }
}
