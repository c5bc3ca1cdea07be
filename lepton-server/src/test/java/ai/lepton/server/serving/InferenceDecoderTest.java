package ai.lepton.server.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.models.Model;
import ai.lepton.models.ModelArchive;
import ai.lepton.models.ModelArchive.TensorSpec;
import ai.lepton.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way an inference request can be wrong, each refused with a message that says what. */
class InferenceDecoderTest {
  @TempDir Path dir;

  /** Inputs "image" [2, 2] per sample and "extra" [1]; output "scores". */
  private static final Signature TWO_INPUTS = Signature.of(
      List.of(new TensorSpec("image", List.of(-1, 2, 2), "float32"),
          new TensorSpec("extra", List.of(-1, 1), "float32")),
      List.of(new TensorSpec("scores", List.of(-1, 3), "float32")), null, List.of());

  private static InferenceDecoder.Decoded decode(String json, Signature sig, ServingLimits l) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    return InferenceDecoder.decode(new ByteArrayInputStream(body), body.length, sig, l);
  }

  private static InferenceDecoder.Decoded decode(String json) {
    return decode(json, TWO_INPUTS, ServingLimits.DEFAULT);
  }

  private static OipException refused(String json) {
    return refused(json, TWO_INPUTS, ServingLimits.DEFAULT);
  }

  private static OipException refused(String json, Signature sig, ServingLimits limits) {
    return assertThrows(OipException.class, () -> decode(json, sig, limits));
  }

  private static void assertRefused(int status, String fragment, OipException e) {
    assertEquals(status, e.status(), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  private static String extra(String shape, String data) {
    return "{\"name\":\"extra\",\"shape\":" + shape + ",\"datatype\":\"FP32\",\"data\":" + data
        + "}";
  }

  private static final String IMAGE_1 =
      "{\"name\":\"image\",\"shape\":[1,2,2],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}";
  private static final String EXTRA_1 = extra("[1,1]", "[9]");

  @Test
  void aBodyOfUnknownLengthReadsToItsEndAndOneShorterThanDeclaredIsRefused() {
    byte[] body = ("{\"inputs\":[" + IMAGE_1 + "," + EXTRA_1 + "]}")
        .getBytes(StandardCharsets.UTF_8);
    InferenceDecoder.Decoded chunked = InferenceDecoder.decode(new ByteArrayInputStream(body), -1,
        TWO_INPUTS, ServingLimits.DEFAULT);
    assertArrayEquals(new float[] {1, 2, 3, 4}, chunked.inputs().get(0));
    assertRefused(400, "ended before its Content-Length of " + (body.length + 10),
        assertThrows(OipException.class, () -> InferenceDecoder.decode(
            new ByteArrayInputStream(body), body.length + 10, TWO_INPUTS,
            ServingLimits.DEFAULT)));
  }

  /**
   * Small bodies are read into the thread's own array, again at every request: one shorter than
   * the one before reads its own bytes only, even after a body that failed halfway.
   */
  @Test
  void aShorterBodyAfterALongerOneReadsOnlyItsOwnBytes() {
    String longer = "{\"inputs\":[" + IMAGE_1.replace("[1,2,3,4]", "[10.5,20.5,30.5,40.5]")
        + "," + EXTRA_1 + "],\"id\":\"a-long-request-id\"}";
    assertEquals("a-long-request-id", decode(longer).id());
    refused(longer.substring(0, longer.length() - 20));
    InferenceDecoder.Decoded shorter = decode("{\"inputs\":[" + IMAGE_1 + "," + EXTRA_1 + "]}");
    assertArrayEquals(new float[] {1, 2, 3, 4}, shorter.inputs().get(0));
    assertNull(shorter.id());
    refused("{\"inputs\":[");
  }

  /** A hostile Content-Length: megabytes declared, a few bytes sent. */
  @Test
  void aBodyDeclaringMegabytesAllocatesWhatArrivesNotWhatItDeclares() {
    byte[] body = ("{\"inputs\":[" + IMAGE_1 + "," + EXTRA_1 + "]}")
        .getBytes(StandardCharsets.UTF_8);
    long declared = ServingLimits.DEFAULT.maxRequestBytes();
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    assertRefused(400, "ended before its Content-Length of " + declared, assertThrows(
        OipException.class, () -> InferenceDecoder.decode(new ByteArrayInputStream(body),
            declared, TWO_INPUTS, ServingLimits.DEFAULT)));
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertTrue(allocated < declared / 8, allocated + " bytes allocated for " + body.length
        + " sent");
  }

  @Test
  void flatAndNestedDataInAnyFieldOrderReadTheSame() {
    InferenceDecoder.Decoded flat = decode("{\"id\":\"r1\",\"parameters\":{\"x\":[1]},"
        + "\"inputs\":[" + IMAGE_1 + "," + EXTRA_1 + "],\"outputs\":[{\"name\":\"scores\"}]}");
    InferenceDecoder.Decoded nested = decode("{\"inputs\":[{\"data\":[[[1,2],[3,4]]],"
        + "\"datatype\":\"FP32\",\"shape\":[1,2,2],\"name\":\"image\",\"parameters\":{}},"
        + extra("[1,1]", "[[9.0]]") + "]}");
    for (InferenceDecoder.Decoded d : List.of(flat, nested)) {
      assertEquals(1, d.rows());
      assertArrayEquals(new float[] {1, 2, 3, 4}, d.inputs().get(0));
      assertArrayEquals(new float[] {9}, d.inputs().get(1));
    }
    assertEquals("r1", flat.id());
    assertEquals(List.of("scores"), flat.outputs());
    assertNull(nested.outputs());
  }

  @Test
  void inputsComeBackInTheModelsOrderWhateverTheRequestsOrder() {
    InferenceDecoder.Decoded d = decode("{\"inputs\":[" + extra("[2,1]", "[8,9]") + ","
        + "{\"name\":\"image\",\"shape\":[2,2,2],\"datatype\":\"FP32\",\"data\":[1,2,3,4,5,6,7,"
        + "8]}]}");
    assertEquals(2, d.rows());
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, d.inputs().get(0));
    assertArrayEquals(new float[] {8, 9}, d.inputs().get(1));
  }

  @Test
  void aShapeThatDoesNotFitTheModelOrTheData() {
    assertRefused(400, "the model takes [-1, 2, 2]", refused("{\"inputs\":[{\"name\":\"image\","
        + "\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}," + EXTRA_1 + "]}"));
    assertRefused(400, "holds 8 elements, but its data holds 4", refused("{\"inputs\":["
        + "{\"name\":\"image\",\"shape\":[2,2,2],\"datatype\":\"FP32\",\"data\":[1,2,3,4]},"
        + EXTRA_1 + "]}"));
    assertRefused(400, "every input needs the same samples", refused("{\"inputs\":[" + IMAGE_1
        + "," + extra("[2,1]", "[1,2]") + "]}"));
  }

  @Test
  void wrongOrUnknownDatatypes() {
    assertRefused(400, "is INT64 but the model takes FP32", refused("{\"inputs\":["
        + IMAGE_1.replace("FP32", "INT64") + "," + EXTRA_1 + "]}"));
    assertRefused(400, "'float' is not an Open Inference Protocol datatype", refused(
        "{\"inputs\":[" + IMAGE_1.replace("FP32", "float") + "," + EXTRA_1 + "]}"));
    assertRefused(400, "is FP32 but its data holds strings", refused("{\"inputs\":["
        + IMAGE_1.replace("[1,2,3,4]", "[\"1\",2,3,4]") + "," + EXTRA_1 + "]}"));
    assertRefused(400, "no saved preprocessing", refused("{\"inputs\":["
        + IMAGE_1 + "," + extra("[1]", "[\"x\"]").replace("FP32", "BYTES") + "]}"));
  }

  @Test
  void nanInfinityOverflowAndNullAreRefusedNamingTheElement() {
    assertRefused(400, "holds NaN at sample 0, element 2", refused("{\"inputs\":["
        + IMAGE_1.replace("[1,2,3,4]", "[1,2,NaN,4]") + "," + EXTRA_1 + "]}"));
    assertRefused(400, "holds -Infinity at sample 0, element 1", refused("{\"inputs\":["
        + IMAGE_1.replace("[1,2,3,4]", "[1,-Infinity,3,4]") + "," + EXTRA_1 + "]}"));
    assertRefused(400, "holds Infinity at sample 0, element 3", refused("{\"inputs\":["
        + IMAGE_1.replace("[1,2,3,4]", "[1,2,3,1e39]") + "," + EXTRA_1 + "]}"));
    assertRefused(400, "holds null at element 1", refused("{\"inputs\":["
        + IMAGE_1.replace("[1,2,3,4]", "[1,null,3,4]") + "," + EXTRA_1 + "]}"));
  }

  @Test
  void numbersInEveryFormReadAsFloatParseFloatDoesAndHostileOnesAreRefused() {
    String[] values = {"-0", "0.003921569", "0.34509805", "1e-46", "-1.5E+2", "123456789012345678",
        "0.1234567890123456789", "1.17549435e-38", "16777217"};
    InferenceDecoder.Decoded d = decode("{\"inputs\":[" + IMAGE_1.replace("[1,2,3,4]",
        "[" + String.join(", ", java.util.Arrays.copyOf(values, 4)) + "]") + ","
        + extra("[1,1]", "[" + values[4] + "]") + "]}");
    for (int k = 0; k < 4; k++) {
      assertEquals(Float.floatToRawIntBits(Float.parseFloat(values[k])),
          Float.floatToRawIntBits(d.inputs().get(0)[k]), values[k]);
    }
    assertEquals(-150f, d.inputs().get(1)[0]);
    for (int k = 5; k < values.length; k++) {
      assertEquals(Float.parseFloat(values[k]), decode("{\"inputs\":[" + IMAGE_1 + ","
          + extra("[1,1]", "[" + values[k] + "]") + "]}").inputs().get(1)[0], values[k]);
    }
    assertRefused(400, "holds Infinity at sample 0, element 0", refused("{\"inputs\":["
        + IMAGE_1 + "," + extra("[1,1]", "[3.4028236e38]") + "]}"));
    assertRefused(400, "holds Infinity at sample 0, element 0", refused("{\"inputs\":["
        + IMAGE_1 + "," + extra("[1,1]", "[1e999999999]") + "]}"));
    assertRefused(400, "longer than 1000 characters", refused("{\"inputs\":[" + IMAGE_1 + ","
        + extra("[1,1]", "[0." + "1".repeat(1000) + "]") + "]}"));
    String body = "{\"inputs\":[" + IMAGE_1 + "," + extra("[1,1]", "[2.5e]") + "]}";
    assertRefused(400, "expected the exponent's digits at byte " + (body.indexOf("e]") + 1),
        refused(body));
    for (String truncated : new String[] {"[2.", "[2.5", "[-", "[1e+"}) {
      assertRefused(400, "is not a valid inference request: expected", refused("{\"inputs\":["
          + IMAGE_1 + ",{\"name\":\"extra\",\"shape\":[1,1],\"datatype\":\"FP32\","
          + "\"data\":" + truncated));
    }
  }

  @Test
  void missingUnknownAndRepeatedInputs() {
    assertRefused(400, "input 'extra' is missing", refused("{\"inputs\":[" + IMAGE_1 + "]}"));
    assertRefused(400, "the model has no input 'pixels'", refused("{\"inputs\":["
        + IMAGE_1.replace("image", "pixels") + "," + EXTRA_1 + "]}"));
    assertRefused(400, "input 'image' is given twice", refused("{\"inputs\":[" + IMAGE_1 + ","
        + IMAGE_1 + "," + EXTRA_1 + "]}"));
    assertRefused(400, "the request has no inputs", refused("{\"id\":\"x\"}"));
    assertRefused(400, "needs a shape, a datatype and data", refused("{\"inputs\":["
        + "{\"name\":\"image\",\"datatype\":\"FP32\",\"data\":[1,2,3,4]}," + EXTRA_1 + "]}"));
    assertRefused(400, "the model has no output 'logits'", refused("{\"inputs\":[" + IMAGE_1
        + "," + EXTRA_1 + "],\"outputs\":[{\"name\":\"logits\"}]}"));
  }

  @Test
  void malformedJsonAndUnknownFields() {
    assertRefused(400, "not a valid inference request", refused("{\"inputs\":[" + IMAGE_1));
    assertRefused(400, "the body must be a JSON object", refused("[1,2]"));
    assertRefused(400, "unknown field 'input'", refused("{\"input\":[]}"));
    assertRefused(400, "unknown field 'dims' in input 'image'", refused("{\"inputs\":["
        + IMAGE_1.replace("\"data\"", "\"dims\":[1],\"data\"") + "]}"));
    assertRefused(400, "holds more after the request", refused("{\"inputs\":[" + IMAGE_1 + ","
        + EXTRA_1 + "]} {}"));
  }

  @Test
  void overTheElementLimit413OverTheSampleLimit400() {
    ServingLimits small = new ServingLimits(1 << 20, 4, 1, 1, 1);
    assertRefused(413, "more than 4 elements", refused("{\"inputs\":[" + IMAGE_1 + ","
        + EXTRA_1 + "]}", TWO_INPUTS, small));
    ServingLimits oneRow = new ServingLimits(1 << 20, 100, 1, 1, 1);
    assertRefused(400, "holds 2 samples; this deployment takes at most 1 samples", refused("{\"inputs\":[" + extra("[2,1]", "[1,2]") + ","
        + "{\"name\":\"image\",\"shape\":[2,2,2],\"datatype\":\"FP32\",\"data\":[1,2,3,4,5,6,7,"
        + "8]}]}", TWO_INPUTS, oneRow));
  }

  @Test
  void aShapeClaimingBillionsOfElementsAllocatesNothingOfThatSize() {
    assertRefused(400, "holds 4000000000 elements, but its data holds 4", refused(
        "{\"inputs\":[" + IMAGE_1.replace("[1,2,2]", "[1000000000,2,2]") + "," + EXTRA_1
        + "]}"));
  }

  @Test
  void textsGoThroughTheModelsSavedPreprocessing() {
    ModelArchive archive = TestModels.text(dir);
    Model model = archive.load();
    Signature sig = Signature.of(archive.inputs(), archive.outputs(),
        model.preprocessing().orElseThrow(), List.of());
    InferenceDecoder.Decoded d = decode("{\"inputs\":[{\"name\":\"input\",\"shape\":[2],"
        + "\"datatype\":\"BYTES\",\"data\":[\"the cat\",\"a dog barked\"]}]}", sig,
        ServingLimits.DEFAULT);
    Tensor expected = model.preprocessing().orElseThrow().transform(List.of("the cat",
        "a dog barked"));
    assertEquals(2, d.rows());
    assertArrayEquals(expected.toFloatArray(), d.inputs().get(0));
    assertRefused(400, "one string per instance", refused("{\"inputs\":[{\"name\":\"input\","
        + "\"shape\":[1,2],\"datatype\":\"BYTES\",\"data\":[\"a\",\"b\"]}]}", sig,
        ServingLimits.DEFAULT));
  }

  @Test
  void tabularRowsAsJsonArraysOrObjectsGoThroughTheSavedScaler() {
    ModelArchive archive = TestModels.tabular(dir);
    Model model = archive.load();
    Signature sig = Signature.of(archive.inputs(), archive.outputs(),
        model.preprocessing().orElseThrow(), List.of());
    InferenceDecoder.Decoded d = decode("{\"inputs\":[{\"name\":\"input\",\"shape\":[2,1],"
        + "\"datatype\":\"BYTES\",\"data\":[\"[3, 30, 300]\",\"{\\\"c\\\": 500, \\\"a\\\": 5, "
        + "\\\"b\\\": 50}\"]}]}", sig, ServingLimits.DEFAULT);
    Tensor expected = model.preprocessing().orElseThrow().transform(List.of(
        List.of(3.0, 30.0, 300.0), List.of(5.0, 50.0, 500.0)));
    assertArrayEquals(expected.toFloatArray(), d.inputs().get(0));
    assertEquals(List.of(List.of(3.0, 30.0, 300.0), List.of(5.0, 50.0, 500.0)), d.rawRows(),
        "the cells as sent, in column order, for the prediction log");
    assertRefused(400, "names column 'd'", refused("{\"inputs\":[{\"name\":\"input\","
        + "\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"{\\\"d\\\": 1}\"]}]}", sig,
        ServingLimits.DEFAULT));
    assertRefused(400, "must be a list of 3 numbers", refused("{\"inputs\":[{\"name\":\"input\","
        + "\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"[1, 2]\"]}]}", sig,
        ServingLimits.DEFAULT));
    assertRefused(400, "is not JSON", refused("{\"inputs\":[{\"name\":\"input\","
        + "\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"1, 2\"]}]}", sig,
        ServingLimits.DEFAULT));
  }
}
