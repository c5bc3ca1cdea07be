package ai.lepton.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.layers.Dense;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A classifier's class names travel in its file, so serving names classes as training did. */
class ClassNamesTest {
  private static final List<String> FASHION = List.of("T-shirt/top", "Trouser", "Pullover");

  @TempDir Path dir;

  private static Sequential classifier() {
    Sequential model = new Sequential().add(new Dense(4, "relu")).add(new Dense(3, "softmax"));
    model.build(3, 2);
    return model;
  }

  @Test
  void classNamesRoundTripThroughAFileAndThroughBytes() {
    Sequential model = classifier();
    model.classNames(FASHION);
    Path file = dir.resolve("c.lepton");
    model.save(file);

    ModelArchive archive = ModelArchive.open(file);
    assertEquals(Optional.of(FASHION), archive.classNames());
    assertEquals(Optional.of(FASHION), archive.load().classNames());
    assertEquals(Optional.of(FASHION), ModelFile.read(file).classNames());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    model.save(out);
    assertEquals(Optional.of(FASHION),
        ModelArchive.open(out.toByteArray(), ModelArchive.Limits.DEFAULT).load().classNames());
  }

  @Test
  void aModelWithoutClassNamesSavesNoEntryAndLoadsWithoutThem() {
    Path file = dir.resolve("plain.lepton");
    classifier().save(file);
    assertEquals(Optional.empty(), Model.load(file).classNames());
    assertTrue(ModelFile.read(file).classNames().isEmpty());
  }

  @Test
  void namesAreCheckedWhenSet() {
    Sequential model = classifier();
    assertRefused(() -> model.classNames(List.of()), "expected 1 to 65536 class names",
        "received 0");
    assertRefused(() -> model.classNames(List.of("a", "b", "a")),
        "class name 'a' appears twice (again at 2)");
    assertRefused(() -> model.classNames(List.of("a", "", "c")), "class name 1 is empty");
    assertRefused(() -> model.classNames(List.of("a", "b", "x".repeat(257))),
        "class name 2 is 257 chars long", "1 to 256 printable characters");
    assertRefused(() -> model.classNames(List.of("a", "b\nc", "d")),
        "class name 1 is 'b\nc', with a control character");
    List<String> nulls = new ArrayList<>(List.of("a", "b"));
    nulls.add(null);
    assertRefused(() -> model.classNames(nulls), "class name 2 is null");
    assertRefused(() -> model.classNames(List.of("a", "b")),
        "2 class names for an output of 3 columns", "give one name per column");
    assertEquals(Optional.empty(), model.classNames(), "a refused list is not kept");
    assertEquals(List.of("a", "b", "c"),
        model.classNames(List.of("a", "b", "c")).classNames().orElseThrow());
    assertEquals(Optional.empty(), model.classNames(null).classNames());
  }

  @Test
  void aModelBuiltAfterItsNamesWereSetIsCheckedWhenSaved() {
    Sequential model = new Sequential().add(new Dense(3, "softmax"));
    model.classNames(List.of("a", "b")); // unbuilt: the width is not known yet
    model.build(1, 4);
    LeptonException e = assertThrows(LeptonException.class,
        () -> model.save(dir.resolve("m.lepton")));
    assertTrue(e.getMessage().contains("2 class names for an output of 3 columns"),
        e.getMessage());
  }

  @Test
  void theLargestListRoundTrips() {
    List<String> many = IntStream.range(0, ClassNames.MAX_COUNT).mapToObj(i -> "c" + i).toList();
    Sequential model = new Sequential().add(new Dense(ClassNames.MAX_COUNT, "softmax"));
    model.build(1, 1);
    Path file = dir.resolve("many.lepton");
    model.classNames(many).save(file);
    assertEquals(many, ModelArchive.open(file).classNames().orElseThrow());
  }

  private static void assertRefused(Runnable call, String... fragments) {
    LeptonException e = assertThrows(LeptonException.class, call::run);
    assertTrue(e.getMessage().startsWith("classNames: "), e.getMessage());
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
  }
}
