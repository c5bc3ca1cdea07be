package ai.lepton.server.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The request reader against the JDK's parsing: same floats, same strings. */
class JsonCursorTest {
  private static JsonCursor cursor(String json) {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    return new JsonCursor(b, b.length, 4, 1000);
  }

  private static void assertSameFloat(String text) {
    assertEquals(Float.floatToRawIntBits(Float.parseFloat(text)),
        Float.floatToRawIntBits(cursor(text).number()), text);
  }

  @Test
  void numbersRoundAsFloatParseFloatDoes() {
    for (String t : new String[] {"0", "-0", "0.0", "1", "-1.5", "0.003921569", "0.0039215687",
        "1e10", "1E-10", "-2.5e+3", "3.4028235e38", "3.4028236e38", "1e39", "-1e39", "1e-46",
        "1.4e-45", "1.17549435e-38", "123456789012345678901234567890", "0.1", "16777217",
        "0.30000001192092896", "1.00000005960464477539062500001", "8388608.5", "33554435",
        "9007199254740993", "0.000000000000000000000000000000000000011754943"}) {
      assertSameFloat(t);
    }
    SplittableRandom random = new SplittableRandom(42);
    for (int k = 0; k < 50_000; k++) {
      float f = Float.intBitsToFloat(random.nextInt());
      if (Float.isFinite(f)) {
        assertSameFloat(Float.toString(f));
        assertSameFloat(String.format(Locale.ROOT, "%.12g", f));
      }
      double d = random.nextDouble() * Math.pow(10, random.nextInt(-30, 30));
      assertSameFloat(Double.toString(d));
      assertSameFloat(String.format(Locale.ROOT, "%.9f", d));
      // halfway between two floats, and a hair on either side
      float g = Float.intBitsToFloat(random.nextInt(0x00800000, 0x7f000000));
      double half = ((double) g + (double) Math.nextUp(g)) / 2;
      assertSameFloat(new java.math.BigDecimal(half).toPlainString());
      assertSameFloat(new java.math.BigDecimal(half).toString());
      assertSameFloat(Double.toString(Math.nextUp(half)));
      assertSameFloat(Double.toString(Math.nextDown(half)));
    }
  }

  /**
   * Arrays of numbers read as the decoder reads a tensor's data, in runs of the usual forms by
   * {@code plainNumbers} and one at a time by {@code number} where a run stops (an exponent, NaN,
   * 19 digits, white space, a full array): every element as {@link Float#parseFloat} reads it,
   * and the cursor left where the next separator is.
   */
  @Test
  void runsOfPlainNumbersStopAtAnyOtherFormAndAtAFullArray() {
    SplittableRandom random = new SplittableRandom(11);
    String[] others = {"1e3", "-2.5E-4", "NaN", "-Infinity", "1234567890123456789", "0.5 ",
        " 7", "3.4028236e38", "0.0e1", "0.05", "-0.0", "0.0 ", "0.00"}; // and 0.0's neighbours
    for (int k = 0; k < 2_000; k++) {
      int n = random.nextInt(1, 40);
      String[] values = new String[n];
      for (int j = 0; j < n; j++) {
        values[j] = random.nextInt(5) == 0 ? others[random.nextInt(others.length)]
            : random.nextBoolean() ? "0.0" : Float.toString(random.nextInt(256) / 255f)
                .replace("E", "e");
      }
      JsonCursor c = cursor("[" + String.join(",", values) + "]");
      float[] out = new float[random.nextInt(1, n + 2)]; // may be too small, as a lying shape
      int count = 0;
      c.enter('[');
      do {
        int read = count < out.length ? c.plainNumbers(out, count) : 0;
        if (read == 0) {
          if (count == out.length) {
            out = java.util.Arrays.copyOf(out, out.length * 2);
          }
          out[count++] = c.number();
        }
        count += read;
      } while (c.more(']'));
      assertEquals(-1, c.peek());
      assertEquals(n, count, String.join(",", values));
      for (int j = 0; j < n; j++) {
        assertEquals(Float.floatToRawIntBits(Float.parseFloat(values[j].strip())),
            Float.floatToRawIntBits(out[j]), values[j]);
      }
    }
  }

  /**
   * The fast path's forms (up to 18 digits, one dot, an optional exponent) against the JDK on
   * two million random texts: every digit count across the eight-at-a-time read, the exponents
   * around its 10^&plusmn;22 bound, and the numbers followed by what an array puts after them.
   */
  @Test
  void shortDecimalsRoundAsFloatParseFloatDoesOnMillionsOfForms() {
    SplittableRandom random = new SplittableRandom(7);
    StringBuilder text = new StringBuilder();
    for (int k = 0; k < 2_000_000; k++) {
      text.setLength(0);
      if (random.nextInt(4) == 0) {
        text.append('-');
      }
      int digits = random.nextInt(1, 21);
      int dot = random.nextInt(digits + 1); // digits before the dot; all of them: no dot
      for (int d = 0; d < digits; d++) {
        if (d == dot) {
          text.append('.');
        }
        text.append((char) ('0' + (d == 0 && dot > 1 ? random.nextInt(1, 10)
            : random.nextInt(10))));
      }
      if (dot == 0) {
        text.insert(text.charAt(0) == '-' ? 1 : 0, '0');
      }
      if (random.nextInt(3) == 0) {
        text.append(random.nextBoolean() ? 'e' : 'E')
            .append(random.nextInt(3) == 0 ? "-" : random.nextBoolean() ? "+" : "")
            .append(random.nextInt(50));
      }
      String number = text.toString();
      String[] after = {"", ",", "]", " ,1", ",0.5]}]}", "\u00e9"};
      String json = number + after[random.nextInt(after.length)];
      assertEquals(Float.floatToRawIntBits(Float.parseFloat(number)),
          Float.floatToRawIntBits(cursor(json).number()), json);
    }
  }

  @Test
  void edgeValuesRoundAsFloatParseFloatDoes() {
    for (String t : new String[] {"-0", "-0.0", "0.00000000", "1e-46", "-1e-46", "3.4028236e38",
        "3.4028235677973366e38", "3.4028235677973367e38", "1.4e-45", "7.0e-46", "7.1e-46",
        "1.1754942e-38", "1.17549435e-38", "0.12345678", "0.123456789", "0.1234567890123456",
        "12345678.12345678", "0.99999999999999999", "16777216.5", "16777217.000000001",
        "0.000000000000000000000000000000000000000000001", "1e22", "1e23", "1e-22", "1e-23",
        "9007199254740993e-22", "123456789012345678", "1234567890123456789", "4.9e-324",
        "1" + "0".repeat(38), "1" + "0".repeat(39), "0." + "0".repeat(44) + "1"}) {
      assertSameFloat(t);
    }
    // exactly halfway between two floats, written in fewer than 19 digits: ties go to even
    SplittableRandom random = new SplittableRandom(11);
    int checked = 0;
    while (checked < 20_000) {
      float g = Float.intBitsToFloat(random.nextInt(0x00800000, 0x7f000000));
      String half = new java.math.BigDecimal(((double) g + Math.nextUp(g)) / 2)
          .stripTrailingZeros().toPlainString();
      if (half.replace(".", "").replace("-", "").length() <= 18) {
        assertSameFloat(half);
        checked++;
      }
    }
  }

  @Test
  void hostileNumbersAreReadOrRefusedClearly() {
    assertEquals(Float.POSITIVE_INFINITY, cursor("1e999999999999").number());
    assertEquals(0f, cursor("1e-999999999999").number());
    assertEquals(Float.NEGATIVE_INFINITY, cursor("-1.5E+400").number());
    String thousand = "1" + "0".repeat(JsonCursor.MAX_NUMBER - 1);
    assertEquals(Float.POSITIVE_INFINITY, cursor(thousand).number());
    assertEquals(1f, cursor("0." + "0".repeat(980) + "1e981").number());
    OipException tooLong = assertThrows(OipException.class, () -> cursor(thousand + "0")
        .number());
    assertTrue(tooLong.getMessage().contains("longer than 1000 characters"),
        tooLong.getMessage());
    for (String truncated : new String[] {"", "-", "1.", "-1.", "1e", "1e+", "1.5E-", "0.",
        "12345678.", "-.5", "+1", "Na", "Inf", "-Infinit", "\u00e91"}) {
      OipException e = assertThrows(OipException.class, () -> cursor(truncated).number(),
          truncated);
      assertTrue(e.getMessage().contains("at byte"), e.getMessage());
    }
    OipException fraction = assertThrows(OipException.class, () -> cursor("[12345678.,1]")
        .skipValue());
    assertTrue(fraction.getMessage().contains("a digit after the decimal point at byte 10"),
        fraction.getMessage());
  }

  @Test
  void nanAndInfinitiesAreNumbers() {
    assertTrue(Float.isNaN(cursor("NaN").number()));
    assertEquals(Float.POSITIVE_INFINITY, cursor("Infinity").number());
    assertEquals(Float.NEGATIVE_INFINITY, cursor(" -Infinity").number());
    assertThrows(OipException.class, () -> cursor("-NaN").number());
    assertThrows(OipException.class, () -> cursor("1.").number());
    assertThrows(OipException.class, () -> cursor("1e").number());
    assertThrows(OipException.class, () -> cursor(".5").number());
  }

  @Test
  void stringsWithEscapesAndUnicode() {
    assertEquals("plain", cursor("\"plain\"").string());
    assertEquals("a\"b\\c/d\n\t\u00e9\u20ac", cursor("\"a\\\"b\\\\c\\/d\\n\\t\\u00e9€\"")
        .string());
    assertEquals("smile \uD83D\uDE00!", cursor("\"smile \\ud83d\\ude00!\"").string());
    assertEquals("\u00e9t\u00e9 caf\u00e9", cursor("\"\u00e9t\u00e9 caf\\u00e9\"").string());
    OipException control = assertThrows(OipException.class, () -> cursor("\"a\nb\"").string());
    assertTrue(control.getMessage().contains("control character"), control.getMessage());
    assertThrows(OipException.class, () -> cursor("\"a\\x\"").string());
    assertThrows(OipException.class, () -> cursor("\"unterminated").string());
    assertThrows(OipException.class, () -> cursor("\"" + "x".repeat(1001) + "\"").string());
  }

  @Test
  void nestingIsBoundedAndValuesSkip() {
    JsonCursor ok = cursor("{\"a\": [1, {\"b\": null}, true, \"s\"], \"c\": {}} 7");
    ok.skipValue();
    assertEquals(7f, ok.number());
    OipException deep = assertThrows(OipException.class, () -> cursor("[[[[[1]]]]]")
        .skipValue());
    assertTrue(deep.getMessage().contains("deeper than 4"), deep.getMessage());
    OipException bad = assertThrows(OipException.class, () -> cursor("[1 2]").skipValue());
    assertTrue(bad.getMessage().contains("expected ',' or ']' at byte 3"), bad.getMessage());
  }
}
