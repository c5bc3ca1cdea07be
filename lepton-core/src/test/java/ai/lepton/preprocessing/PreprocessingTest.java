package ai.lepton.preprocessing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PreprocessingTest {
  private static final TypeReference<Map<String, Object>> STATE = new TypeReference<>() {};
  private static final int[][] SEQUENCES = {{1, 2, 3}, {4}, {}};

  @Test
  void padsAndTruncatesAsKeras() {
    Tensor pre = Sequences.padSequences(SEQUENCES, 2, "pre", "pre", 0);
    assertArrayEquals(new int[] {3, 2}, pre.shape());
    assertArrayEquals(new float[] {2, 3, 0, 4, 0, 0}, pre.toFloatArray());
    assertArrayEquals(new float[] {1, 2, 4, -1, -1, -1},
        Sequences.padSequences(SEQUENCES, 2, "post", "post", -1).toFloatArray());
    assertArrayEquals(new float[] {1, 2, 3, 0, 0, 4, 0, 0, 0},
        Sequences.padSequences(SEQUENCES).toFloatArray());
    assertEquals("padSequences: padding must be \"pre\" or \"post\"; received \"left\"",
        assertThrows(LeptonException.class,
            () -> Sequences.padSequences(SEQUENCES, 2, "left", "pre", 0)).getMessage());
  }


  @Test
  void standardScalerMatchesScikitLearnAndRoundTripsThroughJson() throws Exception {
    Tensor x = Tensor.of(new float[] {1, 5, 2, 5, 3, 5, Float.NaN, 5}, 4, 2);
    StandardScaler s = StandardScaler.fit(x);
    assertArrayEquals(new float[] {2, 5}, s.mean());
    assertArrayEquals(new float[] {(float) Math.sqrt(2.0 / 3), 1}, s.scale(), 1e-7f);
    float[] z = s.transform(x).toFloatArray();
    assertArrayEquals(new float[] {-1.2247449f, 0, 0, 0, 1.2247449f, 0, Float.NaN, 0}, z, 1e-6f);
    assertArrayEquals(x.toFloatArray(), s.inverseTransform(Tensor.of(z, 4, 2)).toFloatArray(),
        1e-6f, "inverseTransform gives back the original units; NaN stays NaN");

    ObjectMapper json = new ObjectMapper();
    StandardScaler back = StandardScaler.fromState(
        json.readValue(json.writeValueAsString(s.state()), STATE));
    assertArrayEquals(s.mean(), back.mean());
    assertArrayEquals(s.scale(), back.scale());
    assertEquals("StandardScaler.transform: expected a [rows, 2] tensor; received shape [2, 3]; "
        + "transform data with the columns the scaler was fitted on",
        assertThrows(LeptonException.class, () -> s.transform(Tensor.zeros(2, 3))).getMessage());
    assertEquals("StandardScaler.fit: expected at least one row and one feature to fit on; "
        + "received shape [0, 2]",
        assertThrows(LeptonException.class, () -> StandardScaler.fit(Tensor.zeros(0, 2)))
            .getMessage());
  }


  @Test
  void minMaxScalerMapsTheFittedRangeAndRoundTripsThroughJson() throws Exception {
    Tensor x = Tensor.of(new float[] {0, 7, 5, 7, 10, 7}, 3, 2);
    MinMaxScaler s = MinMaxScaler.fit(x, -1, 1);
    assertArrayEquals(new float[] {-1, -1, 0, -1, 1, -1}, s.transform(x).toFloatArray(), 1e-6f);
    // the constant column comes back at its one value
    assertArrayEquals(x.toFloatArray(), s.inverseTransform(s.transform(x)).toFloatArray(), 1e-6f);
    assertArrayEquals(new float[] {2.5f, 7}, s.inverseTransform(Tensor.of(new float[] {-0.5f, -1},
        1, 2)).toFloatArray(), 1e-6f);
    assertEquals("MinMaxScaler.inverseTransform: expected a [rows, 2] tensor; received shape "
        + "[1, 3]; transform data with the columns the scaler was fitted on",
        assertThrows(LeptonException.class, () -> s.inverseTransform(Tensor.zeros(1, 3)))
            .getMessage());

    ObjectMapper json = new ObjectMapper();
    MinMaxScaler back = MinMaxScaler.fromState(
        json.readValue(json.writeValueAsString(s.state()), STATE));
    assertArrayEquals(s.transform(x).toFloatArray(), back.transform(x).toFloatArray());
    assertEquals("MinMaxScaler state lacks the list of numbers 'data_max'; pass the map state() "
        + "returned", assertThrows(LeptonException.class, () -> MinMaxScaler.fromState(
            Map.of("feature_range", new float[] {0, 1}, "data_min", new float[] {0})))
            .getMessage());
  }

}
