package ai.lepton.server.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.blobs.BlobException;
import ai.lepton.server.blobs.BlobStore;
import ai.lepton.server.db.Database;
import ai.lepton.server.db.TestDatabases;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Organization keysets in the database, on H2 and PostgreSQL: wrapping, start checks, rotation. */
class KeyServiceTest {
  @TempDir Path dir;

  static List<TestDatabases.Named> databases() {
    return TestDatabases.both();
  }

  private static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String read(EncryptedBlobStore blobs, String org, String key) throws IOException {
    try (InputStream in = blobs.open(org, key)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static byte[] wrapped(Database db, String org) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT wrapped_keyset FROM"
        + " organization_keyset WHERE organization_id = :o").bind("o", org)
        .mapTo(byte[].class).one());
  }

  private static void setWrapped(Database db, String org, byte[] wrapped) {
    db.jdbi().useHandle(h -> h.createUpdate("UPDATE organization_keyset SET wrapped_keyset = :w"
        + " WHERE organization_id = :o").bind("w", wrapped).bind("o", org).execute());
  }

  @ParameterizedTest
  @MethodSource("databases")
  void makesOneKeysetPerOrganizationOnFirstUseAndStoresItWrapped(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      KeyService keys = new KeyService(db, MasterKey.generate(), Clock.systemUTC());
      assertEquals(0, keys.keyCount("alpha"));
      assertTrue(keys.forReading("alpha").isEmpty());
      keys.forWriting("alpha");
      keys.forWriting("alpha");
      keys.forWriting("beta");
      assertEquals(1, keys.keyCount("alpha"));
      int rows = db.jdbi().withHandle(h -> h.createQuery(
          "SELECT COUNT(*) FROM organization_keyset").mapTo(Integer.class).one());
      assertEquals(2, rows);
      long masterId = db.jdbi().withHandle(h -> h.createQuery("SELECT master_key_id FROM"
          + " organization_keyset WHERE organization_id = 'alpha'").mapTo(Long.class).one());
      assertEquals(keys.masterKey().id(), masterId);
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void refusesToStartWithAMasterKeyThatCannotUnwrapTheStoredKeys(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      MasterKey right = MasterKey.generate();
      new KeyService(db, MasterKey.generate(), Clock.systemUTC()); // an empty database: any key
      new KeyService(db, right, Clock.systemUTC()).forWriting("alpha");
      MasterKey wrong = MasterKey.generate();
      KeyException e = assertThrows(KeyException.class,
          () -> new KeyService(db, wrong, Clock.systemUTC()));
      assertTrue(e.getMessage().startsWith("refusing to start"), e.getMessage());
      assertTrue(e.getMessage().contains("wrapped by master key " + right.id()), e.getMessage());
      assertTrue(e.getMessage().contains("(id " + wrong.id() + ")"), e.getMessage());
      new KeyService(db, right, Clock.systemUTC()); // the right one starts
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aWrappedKeysetCopiedToAnotherOrganizationDoesNotUnwrap(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      MasterKey master = MasterKey.generate();
      KeyService keys = new KeyService(db, master, Clock.systemUTC());
      keys.forWriting("alpha");
      keys.forWriting("beta");
      setWrapped(db, "beta", wrapped(db, "alpha"));
      // read by a server started on the copied row (this one keeps beta's keys in memory)
      KeyService started = new KeyService(db, master, Clock.systemUTC());
      KeyException e = assertThrows(KeyException.class, () -> started.forReading("beta"));
      assertTrue(e.getMessage().contains("cannot unwrap the keys of organization beta"),
          e.getMessage());
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void masterKeyRotationRewrapsEveryKeysetAndLeavesBlobsReadable(TestDatabases.Named kind)
      throws IOException {
    try (Database db = kind.open().get();
        BlobStore raw = BlobStore.directory(dir.resolve("blobs"))) {
      MasterKey old = MasterKey.generate();
      KeyService keys = new KeyService(db, old, Clock.systemUTC());
      EncryptedBlobStore blobs = new EncryptedBlobStore(raw, keys);
      blobs.put("alpha", "a", new ByteArrayInputStream(text("written by alpha")), 100);
      blobs.put("beta", "b", new ByteArrayInputStream(text("written by beta")), 100);
      List<String> filesBefore = raw.list("");
      byte[] ciphertextBefore = raw.open("orgs/alpha/a").readAllBytes();

      MasterKey next = MasterKey.generate();
      assertEquals(2, keys.rotateMasterKey(next));
      assertEquals(next.id(), keys.masterKey().id());
      assertEquals("written by alpha", read(blobs, "alpha", "a"));
      assertEquals(filesBefore, raw.list(""));
      assertArrayEquals(ciphertextBefore, raw.open("orgs/alpha/a").readAllBytes());

      // A server started later: the old key is refused, the new one reads every blob.
      assertThrows(KeyException.class, () -> new KeyService(db, old, Clock.systemUTC()));
      EncryptedBlobStore restarted = new EncryptedBlobStore(raw,
          new KeyService(db, next, Clock.systemUTC()));
      assertEquals("written by alpha", read(restarted, "alpha", "a"));
      assertEquals("written by beta", read(restarted, "beta", "b"));
      int underOld = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM"
          + " organization_keyset WHERE master_key_id <> :id").bind("id", next.id())
          .mapTo(Integer.class).one());
      assertEquals(0, underOld);
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void organizationKeyRotationWritesWithTheNewKeyAndStillReadsTheOld(TestDatabases.Named kind)
      throws IOException {
    try (Database db = kind.open().get();
        BlobStore raw = BlobStore.directory(dir.resolve("blobs"))) {
      MasterKey master = MasterKey.generate();
      KeyService keys = new KeyService(db, master, Clock.systemUTC());
      EncryptedBlobStore blobs = new EncryptedBlobStore(raw, keys);
      blobs.put("alpha", "before", new ByteArrayInputStream(text("old key")), 100);
      byte[] keysetBefore = wrapped(db, "alpha");

      keys.rotateOrganizationKey("alpha");
      assertEquals(2, keys.keyCount("alpha"));
      blobs.put("alpha", "after", new ByteArrayInputStream(text("new key")), 100);
      assertEquals("old key", read(blobs, "alpha", "before"));
      assertEquals("new key", read(blobs, "alpha", "after"));

      // The new blob really uses the new key: the keyset from before the rotation (read by a
      // server started on it) cannot read it.
      setWrapped(db, "alpha", keysetBefore);
      EncryptedBlobStore started = new EncryptedBlobStore(raw,
          new KeyService(db, master, Clock.systemUTC()));
      assertEquals("old key", read(started, "alpha", "before"));
      BlobException e = assertThrows(BlobException.class, () -> read(started, "alpha", "after"));
      assertTrue(e.getMessage().contains("cannot be decrypted"), e.getMessage());

      keys.rotateOrganizationKey("gamma"); // an organization without keys gets its first
      assertEquals(2, keys.keyCount("gamma"));
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aRotationByAnotherServerIsUsedByTheNextWriteDespiteTheUnwrappedKeysInMemory(
      TestDatabases.Named kind) throws IOException {
    try (Database db = kind.open().get();
        BlobStore raw = BlobStore.directory(dir.resolve("blobs"))) {
      MasterKey master = MasterKey.generate();
      KeyService here = new KeyService(db, master, Clock.systemUTC());
      KeyService other = new KeyService(db, master, Clock.systemUTC());
      EncryptedBlobStore blobs = new EncryptedBlobStore(raw, here);
      blobs.put("alpha", "before", new ByteArrayInputStream(text("old key")), 100);
      assertEquals("old key", read(blobs, "alpha", "before")); // unwrapped and kept here
      byte[] keysetBefore = wrapped(db, "alpha");

      other.rotateOrganizationKey("alpha");
      blobs.put("alpha", "after", new ByteArrayInputStream(text("new key")), 100);
      assertEquals("new key", read(blobs, "alpha", "after"));
      assertEquals("old key", read(blobs, "alpha", "before"));
      // Written with the other server's new key: the keyset from before cannot read it.
      setWrapped(db, "alpha", keysetBefore);
      EncryptedBlobStore started = new EncryptedBlobStore(raw,
          new KeyService(db, master, Clock.systemUTC()));
      BlobException e = assertThrows(BlobException.class, () -> read(started, "alpha", "after"));
      assertTrue(e.getMessage().contains("cannot be decrypted"), e.getMessage());
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void readsUseTheKeptKeysUntilARotationOrDeletionHereCommits(TestDatabases.Named kind)
      throws IOException {
    try (Database db = kind.open().get();
        BlobStore raw = BlobStore.directory(dir.resolve("blobs"))) {
      MasterKey master = MasterKey.generate();
      KeyService keys = new KeyService(db, master, Clock.systemUTC());
      EncryptedBlobStore blobs = new EncryptedBlobStore(raw, keys);
      blobs.put("alpha", "a", new ByteArrayInputStream(text("kept")), 100);
      assertEquals("kept", read(blobs, "alpha", "a"));
      // No query per read: a row gone behind this server's back is not seen...
      db.jdbi().useHandle(h -> h.execute("DELETE FROM organization_keyset"
          + " WHERE organization_id = 'alpha'"));
      assertEquals("kept", read(blobs, "alpha", "a"));
      // ...but a deletion committed through a store that empties the caches is, at once.
      db.jdbi().useTransaction(db::invalidateCaches);
      BlobException e = assertThrows(BlobException.class, () -> read(blobs, "alpha", "a"));
      assertTrue(e.getMessage().contains("cannot be decrypted"), e.getMessage());
    }
  }
}
