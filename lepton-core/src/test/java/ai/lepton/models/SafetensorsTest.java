package ai.lepton.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.internal.Json;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SafetensorsTest {

  /** Floats whose bits a careless writer or reader would change. */
  static final float[] AWKWARD = {
      Float.NaN, Float.intBitsToFloat(0x7fc0_1234), Float.intBitsToFloat(0xffa0_0001),
      Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.0f, 0.0f, Float.MIN_VALUE,
      Float.MAX_VALUE, -1.5f, 3.14159f, 1e-38f};

  static void assertSameTensors(Map<String, Tensor> expected, Map<String, Tensor> actual) {
    assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()), "names and order");
    expected.forEach((name, t) -> {
      Tensor a = actual.get(name);
      assertArrayEquals(t.shape(), a.shape(), name);
      assertArrayEquals(bits(t.toFloatArray()), bits(a.toFloatArray()), name);
    });
  }

  /** Raw bits, so that NaN payloads and -0.0 count as different values. */
  static int[] bits(float[] values) {
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Float.floatToRawIntBits(values[i]);
    }
    return out;
  }

  static Map<String, Tensor> awkwardTensors() {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("z/scalar", Tensor.scalar(-0.0f)); // rank 0, and not in alphabetical order
    tensors.put("dense/kernel", Tensor.of(AWKWARD, 3, 4));
    tensors.put("empty", Tensor.zeros(0, 5));
    tensors.put("a", Tensor.zeros(3, 0, 2));
    tensors.put("dense/bias", Tensor.of(new float[] {1, 2, 3}, 3));
    return tensors;
  }

  @Test
  void roundTripKeepsEveryBitShapeAndTheOrder() {
    Map<String, Tensor> tensors = awkwardTensors();
    byte[] bytes = Safetensors.toBytes(tensors, Map.of("format", "pt", "note", "ü"));
    Safetensors.Contents read = Safetensors.read(bytes, "test");
    assertSameTensors(tensors, read.tensors());
    assertEquals(Map.of("format", "pt", "note", "ü"), read.metadata());
  }

  @Test
  void emptyFileRoundTrips() {
    Safetensors.Contents read = Safetensors.read(Safetensors.toBytes(Map.of(), Map.of()), "test");
    assertTrue(read.tensors().isEmpty() && read.metadata().isEmpty());
  }

  @Test
  void layoutIsLengthPrefixedAlignedJsonThenContiguousLittleEndianData() throws Exception {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("w", Tensor.of(new float[] {1f, -2f}, 1, 2));
    tensors.put("b", Tensor.of(new float[] {0.5f}, 1));
    byte[] bytes = Safetensors.toBytes(tensors, Map.of());

    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long n = buf.getLong(0);
    assertEquals(0, n % 8, "header padded to 8 bytes");
    assertEquals(8 + n + 12, bytes.length, "nothing but header and 3 floats");
    String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
    assertEquals('{', header.charAt(0));
    assertTrue(header.endsWith("}") || header.matches("(?s).*} +"), header);
    JsonNode json = Json.parse(header, "header");
    assertEquals(List.of("w", "b"), json.properties().stream().map(Map.Entry::getKey).toList());
    assertEquals("{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]}",
        json.get("w").toString());
    assertEquals("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}",
        json.get("b").toString());
    int data = 8 + (int) n;
    assertEquals(1f, buf.getFloat(data));
    assertEquals(-2f, buf.getFloat(data + 4));
    assertEquals(0.5f, buf.getFloat(data + 8));
    assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f}, Arrays.copyOfRange(bytes, data, data + 4),
        "1.0f little-endian");
  }

  @Test
  void readsAHeaderWrittenTheWayTheReferenceLibraryWritesIt() {
    // Python's safetensors puts __metadata__ first and pads the header with spaces.
    byte[] file = file("{\"__metadata__\":{\"format\":\"pt\"},"
        + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", floats(1f, 2f));
    Safetensors.Contents read = Safetensors.read(file, "test");
    assertArrayEquals(new float[] {1f, 2f}, read.tensors().get("a").toFloatArray());
    assertEquals(Map.of("format", "pt"), read.metadata());
  }

  @Test
  void readsTensorsWhoseHeaderOrderDiffersFromTheirDataOrder() {
    byte[] file = file("{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
        + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", floats(1f, 2f));
    Map<String, Tensor> read = Safetensors.read(file, "test").tensors();
    assertEquals(1f, read.get("a").item());
    assertEquals(2f, read.get("b").item());
  }

  // ---------------------------------------------------------------- hostile input

  @Test
  void rejectsAFileShorterThanTheLengthPrefix() {
    assertRejected(new byte[] {1, 0, 0}, "fewer than the 8-byte header length");
  }

  @Test
  void rejectsTruncatedData() {
    byte[] whole = Safetensors.toBytes(awkwardTensors(), Map.of());
    byte[] cut = Arrays.copyOf(whole, whole.length - 10);
    assertRejected(cut, "bytes of tensor data but at most");
  }

  @Test
  void rejectsAStreamThatEndsInsideATensor() {
    byte[] whole = Safetensors.toBytes(awkwardTensors(), Map.of());
    byte[] cut = Arrays.copyOf(whole, whole.length - 10);
    LeptonException e = assertThrows(LeptonException.class,
        () -> Safetensors.read(new ByteArrayInputStream(cut), Long.MAX_VALUE, "test"));
    assertTrue(e.getMessage().contains("into the 12 bytes of tensor 'dense/bias'; the file is "
        + "truncated"), e.getMessage());
  }

  @Test
  void rejectsAFileThatEndsInsideTheHeader() {
    byte[] whole = Safetensors.toBytes(awkwardTensors(), Map.of());
    LeptonException e = assertThrows(LeptonException.class, () -> Safetensors.read(
        new ByteArrayInputStream(Arrays.copyOf(whole, 20)), Long.MAX_VALUE, "test"));
    assertTrue(e.getMessage().contains("the file ends 12 bytes into its"), e.getMessage());
  }

  @Test
  void rejectsAHeaderLengthPastTheEndOfTheFile() {
    byte[] file = withLength(1000, "{}".getBytes(StandardCharsets.UTF_8));
    assertRejected(file, "declares a header of 1000 bytes, past the end of the file");
  }

  @Test
  void rejectsAHugeHeaderLengthWithoutAllocatingIt() {
    // The stream claims to be endless; only the cap stops a 2^62-byte allocation.
    byte[] file = withLength(1L << 62, "{}".getBytes(StandardCharsets.UTF_8));
    LeptonException e = assertThrows(LeptonException.class,
        () -> Safetensors.read(new ByteArrayInputStream(file), Long.MAX_VALUE, "test"));
    assertTrue(e.getMessage().contains("declares a header of 4611686018427387904 bytes; "
        + "expected 2 to 100000000"), e.getMessage());
    // The top bit set reads as negative if treated as signed: still rejected, printed unsigned.
    assertRejected(withLength(-8, new byte[0]), "header of 18446744073709551608 bytes");
  }

  @Test
  void aHugeClaimedTensorAllocatesOnlyWhatTheStreamHolds() throws IOException {
    // 2 GB claimed, 16 bytes present: allocating the claim would exhaust the test's 2 GB heap.
    byte[] file = file("{\"big\":{\"dtype\":\"F32\",\"shape\":[500000000],"
        + "\"data_offsets\":[0,2000000000]}}", floats(1, 2, 3, 4));
    LeptonException e = assertThrows(LeptonException.class,
        () -> Safetensors.read(new ByteArrayInputStream(file), Long.MAX_VALUE, "test"));
    assertTrue(e.getMessage().contains("the file ends 16 bytes into the 2000000000 bytes of "
        + "tensor 'big'"), e.getMessage());
  }

  @Test
  void rejectsOverlappingOffsets() {
    assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", floats(1, 2, 3)),
        "tensor 'b' at data_offsets [4, 12] overlaps tensor 'a' at [0, 8]");
  }

  @Test
  void rejectsAGapBetweenTensors() {
    assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", floats(1, 2, 3)),
        "bytes [4, 8) of the data belong to no tensor");
    assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
        floats(1, 2)), "bytes [0, 4) of the data belong to no tensor");
  }

  @Test
  void rejectsBytesAfterTheLastTensor() {
    assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
        floats(1, 2)), "bytes after the last tensor's data");
  }

  @Test
  void rejectsAShapeThatDisagreesWithTheOffsets() {
    assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}",
        floats(1, 2, 3)), "tensor 'a' has shape [2, 2], which needs 16 bytes of F32 data, but its "
        + "data_offsets [0, 12] span 12 bytes");
  }

  @Test
  void rejectsAShapeWhoseProductOverflows() {
    // (2^31-1)^3 overflows a long, and the trailing 0 would hide a wrapped product: the reader
    // must stop at the first partial product over the limit.
    assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,2147483647,0],"
        + "\"data_offsets\":[0,0]}}", new byte[0]), "more than one tensor can hold");
    assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296],"
        + "\"data_offsets\":[0,0]}}", new byte[0]), "dimensions that are integers from 0 to");
  }

  @Test
  void rejectsBadShapesAndOffsets() {
    assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}}",
        new byte[0]), "has shape [-1]; expected dimensions that are integers");
    assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}",
        floats(1)), "has shape [1.5]");
    assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}",
        floats(1)), "expected [begin, end] with 0 <= begin <= end");
    assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}",
        floats(1)), "has data_offsets [0]");
    assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}",
        floats(1)), "has data_offsets [-4,0]");
    assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", floats(1)),
        "must be described by exactly dtype, shape and data_offsets");
  }

  @Test
  void rejectsADtypeOtherThanF32AndSaysWhichItFound() {
    assertRejected(file("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}",
        floats(1)), "tensor 'a' has dtype F16 but Lepton reads only F32 (float32) tensors");
  }

  @Test
  void rejectsDuplicateTensorNames() {
    assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", floats(1, 2)),
        "not valid JSON (Duplicate field 'a')");
  }

  @Test
  void rejectsBadNamesOnReadAndOnWrite() {
    assertRejected(file("{\"\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
        floats(1)), "tensor name '' is empty");
    assertRejected(file("{\"" + "x".repeat(1025) + "\":{\"dtype\":\"F32\",\"shape\":[1],"
        + "\"data_offsets\":[0,4]}}", floats(1)), "is longer than 1024 characters");
    assertRejected(file("{\"a\\u0000b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
        floats(1)), "contains a control character");
    LeptonException e = assertThrows(LeptonException.class,
        () -> Safetensors.toBytes(Map.of("__metadata__", Tensor.scalar(1)), Map.of()));
    assertTrue(e.getMessage().contains("is reserved for the file's metadata"), e.getMessage());
  }

  @Test
  void rejectsAHeaderThatIsNotAJsonObjectOfTheRightShape() {
    assertRejected(file("[1, 2]", new byte[0]), "does not start with '{'");
    assertRejected(file("{\"a\": ", new byte[0]), "its header is not valid JSON");
    assertRejected(file("{} {}", new byte[0]), "its header is not valid JSON");
    assertRejected(withLength(4, new byte[] {'{', '"', (byte) 0xff, '}'}), "not valid UTF-8");
    assertRejected(file("{\"__metadata__\":{\"n\":1}}", new byte[0]),
        "__metadata__ value 'n' must be a string");
    assertRejected(file("{\"__metadata__\":[]}", new byte[0]), "__metadata__ must be an object");
  }

  // ---------------------------------------------------------------- helpers

  private static void assertRejected(byte[] file, String expected) {
    LeptonException e = assertThrows(LeptonException.class, () -> Safetensors.read(file, "t.st"));
    assertTrue(e.getMessage().startsWith("t.st is not a valid safetensors file: "), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  /** A file with the given header JSON (padded to 8 bytes) and data section. */
  static byte[] file(String header, byte[] data) {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    byte[] padded = Arrays.copyOf(json, (json.length + 7) & ~7);
    Arrays.fill(padded, json.length, padded.length, (byte) ' ');
    byte[] head = withLength(padded.length, padded);
    byte[] out = Arrays.copyOf(head, head.length + data.length);
    System.arraycopy(data, 0, out, head.length, data.length);
    return out;
  }

  private static byte[] withLength(long length, byte[] rest) {
    return ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(length).put(rest).array();
  }

  static byte[] floats(float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }
}
