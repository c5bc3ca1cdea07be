package ai.lepton.server.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.db.Database;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded database's file password: made once, wrapped by the master key, refused to any
 * other key without touching a file, re-wrapped by a master key rotation, and startable after a
 * rotation that stopped between its steps.
 */
class DatabaseFileKeyTest {
  private static final String SECRET = "Wombatville-7731";

  @TempDir Path dir;
  private final MasterKey master = MasterKey.generate();

  /** Opens the encrypted database of {@code dir} with {@code key}, as a server start does. */
  private Database open(MasterKey key) {
    return Database.embedded(dir, DatabaseFileKey.open(dir, key).password());
  }

  private void writeSecretRow(Database db) {
    db.jdbi().useHandle(h -> h.execute("CREATE TABLE IF NOT EXISTS note (text VARCHAR)"));
    db.jdbi().useHandle(h -> h.execute("INSERT INTO note VALUES (?)", SECRET));
  }

  private static String readSecretRow(Database db) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT text FROM note").mapTo(String.class)
        .one());
  }

  /** Every file of the directory and its bytes, to show that a refused start changed none. */
  private Map<Path, String> files() throws IOException {
    Map<Path, String> files = new TreeMap<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        files.put(dir.relativize(p), java.util.HexFormat.of().formatHex(Files.readAllBytes(p)));
      }
    }
    return files;
  }

  private static boolean contains(Path file, String text) throws IOException {
    return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(text);
  }

  /** The master key ids at the start of the key file's lines. */
  private List<Long> wrappingIds() throws IOException {
    return Files.readAllLines(dir.resolve(DatabaseFileKey.FILE_NAME)).stream()
        .filter(l -> !l.startsWith("#")).map(l -> Long.parseLong(l.split(" ")[0])).toList();
  }

  @Test
  void theFirstOpenMakesAWrappedOwnerOnlyPasswordThatLaterOpensGiveBack() throws IOException {
    String password = DatabaseFileKey.open(dir, master).password();
    assertEquals(43, password.length(), "32 random bytes, base64url");
    Path file = dir.resolve(DatabaseFileKey.FILE_NAME);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertFalse(contains(file, password), "the password is stored wrapped, never in plaintext");
    assertEquals(List.of(master.id()), wrappingIds());
    assertEquals(password, DatabaseFileKey.open(dir, master).password());
    assertTrue(DatabaseFileKey.exists(dir));
    try (Database db = open(master)) {
      writeSecretRow(db);
    }
    try (Database db = open(master)) {
      assertEquals(SECRET, readSecretRow(db));
    }
    assertFalse(contains(Database.embeddedFile(dir), SECRET), "the database file is encrypted");
    assertTrue(contains(Database.embeddedFile(dir), "H2encrypt"));
  }

  @Test
  void anUnencryptedDatabaseHoldsItsRowsInPlaintextSoTheScanAboveCanFail() throws IOException {
    // The control of the test above: the same row in an H2 file without CIPHER is readable.
    try (Database db = Database.connect("jdbc:h2:file:" + dir.resolve("lepton").toAbsolutePath()
        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE", "sa", "")) {
      writeSecretRow(db);
    }
    assertTrue(contains(Database.embeddedFile(dir), SECRET));

    // ...and such a database from an earlier version is refused with what to do; nothing is made
    Map<Path, String> before = files();
    KeyException e = assertThrows(KeyException.class, () -> DatabaseFileKey.open(dir, master));
    assertTrue(e.getMessage().contains("is not encrypted"), e.getMessage());
    assertTrue(e.getMessage().contains("start with a new data directory (--data-dir)"),
        e.getMessage());
    assertEquals(before, files());
  }

  @Test
  void anotherMasterKeyIsRefusedBeforeTheDatabaseIsOpenedAndNoFileChanges() throws IOException {
    try (Database db = open(master)) {
      writeSecretRow(db);
    }
    Map<Path, String> before = files();
    MasterKey other = MasterKey.generate();
    KeyException e = assertThrows(KeyException.class, () -> DatabaseFileKey.open(dir, other));
    assertTrue(e.getMessage().startsWith("refusing to start: the embedded database's password"),
        e.getMessage());
    assertTrue(e.getMessage().contains("wrapped by master key " + master.id()), e.getMessage());
    assertTrue(e.getMessage().contains("(id " + other.id() + ")"), e.getMessage());
    assertEquals(before, files());
    try (Database db = open(master)) {
      assertEquals(SECRET, readSecretRow(db));
    }
  }

  @Test
  void anEncryptedDatabaseWhoseKeyFileIsMissingIsRefusedNotRecreated() throws IOException {
    try (Database db = open(master)) {
      writeSecretRow(db);
    }
    Files.delete(dir.resolve(DatabaseFileKey.FILE_NAME));
    Map<Path, String> before = files();
    KeyException e = assertThrows(KeyException.class, () -> DatabaseFileKey.open(dir, master));
    assertTrue(e.getMessage().contains("is encrypted but its key file"), e.getMessage());
    assertTrue(e.getMessage().contains("restore it from the backup"), e.getMessage());
    assertEquals(before, files());
  }

  @Test
  void aMasterKeyRotationReWrapsThePasswordSoOnlyTheNewKeyOpens() throws IOException {
    MasterKey next = MasterKey.generate();
    DatabaseFileKey fileKey = DatabaseFileKey.open(dir, master);
    try (Database db = Database.embedded(dir, fileKey.password())) {
      writeSecretRow(db);
      KeyService keys = new KeyService(db, master, fileKey, Clock.systemUTC());
      keys.rotateOrganizationKey("alpha"); // made, then rotated: two keys
      assertEquals(1, keys.rotateMasterKey(next));
    }
    assertEquals(List.of(next.id()), wrappingIds());
    assertFalse(Files.exists(dir.resolve(DatabaseFileKey.FILE_NAME + ".new")));
    assertThrows(KeyException.class, () -> DatabaseFileKey.open(dir, master));
    DatabaseFileKey reopened = DatabaseFileKey.open(dir, next);
    try (Database db = Database.embedded(dir, reopened.password())) {
      assertEquals(SECRET, readSecretRow(db));
      assertEquals(2, new KeyService(db, next, reopened, Clock.systemUTC()).keyCount("alpha"));
    }
  }

  @Test
  void aRotationThatFailsLeavesTheKeyFileAsItWas() throws IOException {
    DatabaseFileKey fileKey = DatabaseFileKey.open(dir, master);
    try (Database db = Database.embedded(dir, fileKey.password())) {
      KeyService keys = new KeyService(db, master, fileKey, Clock.systemUTC());
      // a keyset that the current master key cannot unwrap: the transaction fails
      new KeyService(db, MasterKey.generate(), Clock.systemUTC()).rotateOrganizationKey("other");
      MasterKey next = MasterKey.generate();
      assertThrows(KeyException.class, () -> keys.rotateMasterKey(next));
      assertEquals(List.of(master.id()), wrappingIds());
      assertThrows(KeyException.class, () -> DatabaseFileKey.open(dir, next));
    }
    assertEquals(fileKey.password(), DatabaseFileKey.open(dir, master).password());
  }

  @Test
  void aRotationStoppedBeforeItsCommitStartsWithTheOldKeyWhichDropsTheNewWrapping()
      throws IOException {
    MasterKey next = MasterKey.generate();
    DatabaseFileKey fileKey = DatabaseFileKey.open(dir, master);
    try (Database db = Database.embedded(dir, fileKey.password())) {
      new KeyService(db, master, fileKey, Clock.systemUTC()).rotateOrganizationKey("alpha");
      fileKey.addWrapping(next); // the rotation's first step; the process dies here
    }
    assertEquals(List.of(master.id(), next.id()), wrappingIds());
    // The new key opens the file but not the keysets, which are still wrapped by the old one.
    DatabaseFileKey byNext = DatabaseFileKey.open(dir, next);
    try (Database db = Database.embedded(dir, byNext.password())) {
      KeyException e = assertThrows(KeyException.class,
          () -> new KeyService(db, next, byNext, Clock.systemUTC()));
      assertTrue(e.getMessage().startsWith("refusing to start"), e.getMessage());
    }
    assertEquals(List.of(master.id(), next.id()), wrappingIds(), "a refused start changes none");
    DatabaseFileKey byOld = DatabaseFileKey.open(dir, master);
    try (Database db = Database.embedded(dir, byOld.password())) {
      assertEquals(2, new KeyService(db, master, byOld, Clock.systemUTC()).keyCount("alpha"));
    }
    assertEquals(List.of(master.id()), wrappingIds());
  }

  @Test
  void aRotationStoppedAfterItsCommitStartsWithTheNewKeyWhichDropsTheOldWrapping()
      throws IOException {
    MasterKey next = MasterKey.generate();
    DatabaseFileKey fileKey = DatabaseFileKey.open(dir, master);
    try (Database db = Database.embedded(dir, fileKey.password())) {
      new KeyService(db, master, fileKey, Clock.systemUTC()).rotateOrganizationKey("alpha");
      // The rotation's first two steps: both wrappings in the file, the keysets re-wrapped and
      // committed (by a service without the file); the process dies before the last step.
      fileKey.addWrapping(next);
      new KeyService(db, master, Clock.systemUTC()).rotateMasterKey(next);
    }
    // A write of the key file that died half-way leaves its temporary file: it is ignored.
    Files.writeString(dir.resolve(DatabaseFileKey.FILE_NAME + ".new"), "12 half-writ");
    assertEquals(List.of(master.id(), next.id()), wrappingIds());
    DatabaseFileKey byNext = DatabaseFileKey.open(dir, next);
    try (Database db = Database.embedded(dir, byNext.password())) {
      assertEquals(2, new KeyService(db, next, byNext, Clock.systemUTC()).keyCount("alpha"));
    }
    assertEquals(List.of(next.id()), wrappingIds());
    assertThrows(KeyException.class, () -> DatabaseFileKey.open(dir, master));
  }
}
