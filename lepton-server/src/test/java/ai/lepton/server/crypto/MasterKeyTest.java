package ai.lepton.server.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the master key comes from: a generated file, a given file, or the environment. */
class MasterKeyTest {
  @TempDir Path dir;

  @Test
  void theEmbeddedDefaultGeneratesAnOwnerOnlyFileOnceAndSaysWhereToBackItUp() throws IOException {
    Path file = dir.resolve("data/master.key");
    MasterKey first = MasterKey.load(file, null, true);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    String notice = first.generatedNotice().orElseThrow();
    assertTrue(notice.startsWith("master key generated at " + file.toAbsolutePath()), notice);
    assertTrue(notice.contains("back it up: without it the data cannot be read"), notice);
    assertTrue(Files.readString(file).contains(first.toBase64()));

    MasterKey again = MasterKey.load(file, null, true);
    assertEquals(first.id(), again.id());
    assertTrue(again.generatedNotice().isEmpty());
    assertTrue(again.source().contains(file.toString()));
  }

  @Test
  void theEnvironmentVariableTakesPrecedenceOverTheFile() {
    MasterKey inFile = MasterKey.load(dir.resolve("master.key"), null, true);
    MasterKey other = MasterKey.generate();
    MasterKey fromEnv = MasterKey.load(dir.resolve("master.key"), other.toBase64(), true);
    assertEquals(other.id(), fromEnv.id());
    assertNotEquals(inFile.id(), fromEnv.id());
    assertTrue(fromEnv.source().contains(MasterKey.ENVIRONMENT), fromEnv.source());
  }

  @Test
  void aConfiguredFileThatIsMissingIsAnErrorNotANewKey() {
    Path file = dir.resolve("configured.key");
    KeyException e = assertThrows(KeyException.class, () -> MasterKey.load(file, null, false));
    assertTrue(e.getMessage().contains(file + " does not exist"), e.getMessage());
    assertTrue(Files.notExists(file));
  }

  @Test
  void aMalformedKeySaysWhereItCameFrom() throws IOException {
    Path file = Files.writeString(dir.resolve("bad.key"), "# comment\nbm90IGEga2V5c2V0\n");
    KeyException e = assertThrows(KeyException.class, () -> MasterKey.load(file, null, false));
    assertTrue(e.getMessage().contains("is not a Lepton master key"), e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    KeyException env = assertThrows(KeyException.class,
        () -> MasterKey.load(file, "%%%", false));
    assertTrue(env.getMessage().contains(MasterKey.ENVIRONMENT), env.getMessage());
    Path empty = Files.writeString(dir.resolve("empty.key"), "# only a comment\n");
    assertTrue(assertThrows(KeyException.class, () -> MasterKey.load(empty, null, false))
        .getMessage().contains("is empty"));
  }

  @Test
  void aKeyFileIsNeverOverwritten() {
    Path file = dir.resolve("master.key");
    MasterKey.generate().save(file);
    KeyException e = assertThrows(KeyException.class, () -> MasterKey.generate().save(file));
    assertTrue(e.getMessage().contains("exists already"), e.getMessage());
  }
}
