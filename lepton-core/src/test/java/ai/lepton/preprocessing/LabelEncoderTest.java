package ai.lepton.preprocessing;

import static ai.lepton.LeptonAssertions.assertFailsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelEncoderTest {
  @Test
  void encodesSortedClassesAndDecodesBack() {
    LabelEncoder enc = LabelEncoder.fit("paris", "tokyo", "amsterdam", "paris");
    assertEquals(List.of("amsterdam", "paris", "tokyo"), enc.classes());
    assertArrayEquals(new int[] {1, 2, 0, 1}, enc.transform("paris", "tokyo", "amsterdam", "paris"));
    assertArrayEquals(new String[] {"tokyo", "amsterdam"}, enc.inverseTransform(2, 0));
  }

  @Test
  void anUnseenLabelOrCodeIsAClearError() {
    LabelEncoder enc = LabelEncoder.fit("cat", "dog");
    assertEquals("LabelEncoder.transform: label 1 is 'bird', unseen when fitting; the known "
        + "classes are [cat, dog]; fit on data that holds every class",
        assertThrows(LeptonException.class, () -> enc.transform("dog", "bird")).getMessage());
    assertEquals("LabelEncoder.inverseTransform: code 0 is 2; expected 0..1 (one per class)",
        assertThrows(LeptonException.class, () -> enc.inverseTransform(2)).getMessage());
    assertEquals("LabelEncoder.fit: label 1 is null; expected a string (drop or impute missing "
        + "labels first)",
        assertThrows(LeptonException.class, () -> LabelEncoder.fit("a", null)).getMessage());
  }

  @Test
  void stateRoundTripsThroughJsonAndRejectsRepeats() throws Exception {
    LabelEncoder enc = LabelEncoder.fit("b", "a", "c");
    ObjectMapper json = new ObjectMapper();
    LabelEncoder back = LabelEncoder.fromState(json.readValue(
        json.writeValueAsString(enc.state()), new TypeReference<Map<String, Object>>() {}));
    assertEquals(enc, back);
    assertEquals("LabelEncoder classes must be distinct; received [a, a]",
        assertThrows(LeptonException.class,
            () -> LabelEncoder.fromState(Map.of("classes", List.of("a", "a")))).getMessage());
    assertEquals("LabelEncoder state: 'classes' must hold strings; received 3 at position 1",
        assertThrows(LeptonException.class,
            () -> LabelEncoder.fromState(Map.of("classes", List.of("a", 3)))).getMessage());
  }

  @Test
  void toCategoricalAsKeras() {
    Tensor oneHot = LabelEncoder.toCategorical(Tensor.of(new float[] {0, 2, 1}, 3, 1));
    assertArrayEquals(new int[] {3, 3}, oneHot.shape());
    assertArrayEquals(new float[] {1, 0, 0, 0, 0, 1, 0, 1, 0}, oneHot.toFloatArray());
    assertArrayEquals(new int[] {2, 4},
        LabelEncoder.toCategorical(Tensor.of(new float[] {3, 0}, 2), 4).shape());
    assertFailsWith("label 0.5 at position 0 is not an integer class",
        () -> LabelEncoder.toCategorical(Tensor.of(new float[] {0.5f}, 1), 2));
    assertFailsWith("label NaN at position 0 is not an integer class",
        () -> LabelEncoder.toCategorical(Tensor.of(new float[] {Float.NaN}, 1)));
  }
}
