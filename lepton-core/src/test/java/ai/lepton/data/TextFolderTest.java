package ai.lepton.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.lepton.LeptonException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextFolderTest {
  @TempDir Path dir;

  private Path write(String relative, String content) throws IOException {
    Path p = dir.resolve(relative);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, content);
  }

  private Path reviews() throws IOException {
    write("reviews/pos/b.txt", "great film");
    write("reviews/pos/a.txt", "loved it");
    write("reviews/neg/1.txt", "dull");
    write("reviews/neg/more/2.txt", "too long");
    write("reviews/neg/notes.md", "not a .txt file, skipped");
    write("reviews/readme.txt", "outside any class, skipped");
    return dir.resolve("reviews");
  }

  private String error(Path folder, List<String> classes, TextFolder.Limits limits) {
    return assertThrows(LeptonException.class, () -> TextFolder.read(folder, classes, limits))
        .getMessage().replace(dir.toString(), "DIR");
  }

  @Test
  void readsSortedClassesWithTheirFilesInPathOrder() throws IOException {
    TextFolder.Texts d = TextFolder.read(reviews());
    assertEquals(List.of("neg", "pos"), d.classNames());
    assertEquals(List.of("dull", "too long", "loved it", "great film"), d.texts());
    assertArrayEquals(new int[] {0, 0, 1, 1}, d.labels());
  }

  @Test
  void readsOnlyTheNamedClassesInTheirOrder() throws IOException {
    TextFolder.Texts d = TextFolder.read(reviews(), List.of("pos"), TextFolder.Limits.DEFAULT);
    assertEquals(List.of("loved it", "great film"), d.texts());
    assertArrayEquals(new int[] {0, 0}, d.labels());
  }

  @Test
  void refusesPathTraversalInClassNames() throws IOException {
    Path folder = reviews();
    write("secret/key.txt", "secret");
    assertEquals("class name '..' is not a plain folder name; expected the name of a subfolder "
        + "of DIR/reviews, without '/', '\\' or '..'",
        error(folder, List.of(".."), TextFolder.Limits.DEFAULT));
    assertEquals("class name '../secret' is not a plain folder name; expected the name of a "
        + "subfolder of DIR/reviews, without '/', '\\' or '..'",
        error(folder, List.of("pos", "../secret"), TextFolder.Limits.DEFAULT));
    assertEquals("class 'cats' has no folder DIR/reviews/cats; expected one of [neg, pos]",
        error(folder, List.of("cats"), TextFolder.Limits.DEFAULT));
  }

  @Test
  void refusesSymbolicLinksThatWouldEscapeTheFolder() throws IOException {
    Path folder = reviews();
    Path secret = write("secret/key.txt", "secret");
    Files.createSymbolicLink(folder.resolve("pos/key.txt"), secret);
    assertEquals("text folder entry DIR/reviews/pos/key.txt is a symbolic link; links are "
        + "refused so that nothing outside the folder is read; copy the file in instead",
        error(folder, null, TextFolder.Limits.DEFAULT));
    Files.delete(folder.resolve("pos/key.txt"));
    Files.createSymbolicLink(folder.resolve("linked"), secret.getParent());
    assertEquals(List.of("neg", "pos"), TextFolder.read(folder).classNames()); // not a class
    assertEquals("class 'linked' has no folder DIR/reviews/linked; expected one of [neg, pos] "
        + "(symbolic links are not followed; copy the folder in instead)",
        error(folder, List.of("linked"), TextFolder.Limits.DEFAULT));
  }

  @Test
  void refusesTooManyAndTooLargeFilesAndBadUtf8() throws IOException {
    Path folder = reviews();
    assertEquals("text folder DIR/reviews holds more than 3 .txt files; raise maxFiles in "
        + "TextFolder.Limits", error(folder, null, new TextFolder.Limits(3, 100, 1000)));
    assertEquals("text file DIR/reviews/neg/more/2.txt has 8 bytes, over the limit of 5; raise "
        + "maxFileBytes in TextFolder.Limits or shorten it",
        error(folder, null, new TextFolder.Limits(10, 5, 1000)));
    assertEquals("text folder DIR/reviews holds more than 20 bytes of text; raise maxTotalBytes "
        + "in TextFolder.Limits", error(folder, null, new TextFolder.Limits(10, 100, 20)));
    Files.write(folder.resolve("pos/c.txt"), new byte[] {'a', (byte) 0xff});
    assertEquals("text file DIR/reviews/pos/c.txt is not valid UTF-8; save it as UTF-8",
        error(folder, null, TextFolder.Limits.DEFAULT));
  }
}
