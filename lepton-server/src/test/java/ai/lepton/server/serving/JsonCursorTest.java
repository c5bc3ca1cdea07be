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
