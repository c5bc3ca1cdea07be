package ai.lepton.server.crypto;

import ai.lepton.server.db.Database;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The file password of the embedded H2 database ({@code CIPHER=AES}): 32 random bytes, made on the
 * first start and kept beside the database in {@value #FILE_NAME}, wrapped by the {@link
 * MasterKey}; never in plaintext on disk. Without the master key the database file cannot be read.
 *
 * <p>File format: lines starting with '#' are comments; each other line is {@code <master key id>
 * <base64 of the password encrypted by that master key>}. There is one such line, except while
 * {@link KeyService#rotateMasterKey} runs: it adds the new key's line, re-wraps the organization
 * keysets in the database, then drops the old key's line. A crash in between leaves both lines,
 * so the master key that the database's keysets are wrapped by still opens the file; the next
 * start that gets past the keyset check keeps only its own key's line. Every write goes to a
 * temporary file, is synced, and is moved over the file atomically. The key file is written
 * before H2 makes the database: a first start that stopped between the two leaves a key file
 * without a database, which the next start uses.
 */
public final class DatabaseFileKey {
  /** The name of the wrapped password's file in the data directory. */
  static final String FILE_NAME = "database.key";
  private static final int PASSWORD_BYTES = 32;
  /** Binds a wrapped password to its purpose: it does not unwrap as anything else. */
  private static final byte[] ASSOCIATED_DATA =
      "lepton embedded database file password".getBytes(StandardCharsets.US_ASCII);
  /** What H2 writes at the start of a file it encrypts ({@code FileEncrypt}). */
  private static final byte[] H2_ENCRYPTED_HEADER =
      "H2encrypt\n".getBytes(StandardCharsets.US_ASCII);

  private final Path file;
  private final String password;
  /**
   * Master key id to the password wrapped by that key, in the file's order; changed only at
   * construction and under {@link KeyService}'s rotation lock.
   */
  private Map<Long, byte[]> wrapped;

  private DatabaseFileKey(Path file, String password, Map<Long, byte[]> wrapped) {
    this.file = file;
    this.password = password;
    this.wrapped = wrapped;
  }

  /**
   * The file password of the embedded database in {@code dataDir}, unwrapped by {@code master};
   * made and saved when the data directory holds no database yet.
   *
   * @throws KeyException if {@code master} cannot unwrap it (the message names the key ids and
   *     what to do), if the file is malformed, if the database exists without it (unencrypted,
   *     from an earlier version, or its key file lost), or if it cannot be read or written
   */
  public static DatabaseFileKey open(Path dataDir, MasterKey master) {
    Path file = dataDir.resolve(FILE_NAME);
    Map<Long, byte[]> wrapped;
    try {
      wrapped = parse(Files.readString(file, StandardCharsets.US_ASCII), file);
    } catch (NoSuchFileException e) {
      return create(dataDir, file, master);
    } catch (IOException e) {
      throw new KeyException("cannot read the embedded database's key file " + file + ": " + e,
          e);
    }
    byte[] mine = wrapped.get(master.id());
    if (mine == null) {
      throw new KeyException("refusing to start: the embedded database's password in " + file
          + " is wrapped by master key " + ids(wrapped) + ", not by the master key from "
          + master.source() + " (id " + master.id() + "); start with the master key that was in"
          + " use when the data was written (its key file, or " + MasterKey.ENVIRONMENT + ")");
    }
    try {
      byte[] password = master.aead().decrypt(mine, ASSOCIATED_DATA);
      return new DatabaseFileKey(file, new String(password, StandardCharsets.US_ASCII), wrapped);
    } catch (GeneralSecurityException e) {
      throw new KeyException("refusing to start: the master key from " + master.source()
          + " (id " + master.id() + ") cannot unwrap the embedded database's password in " + file
          + " (altered, or written by another key with the same id): restore the file from the"
          + " backup of the data directory", e);
    }
  }

  /** Whether {@code dataDir} holds an embedded database or its key file already. */
  public static boolean exists(Path dataDir) {
    return Files.exists(dataDir.resolve(FILE_NAME))
        || Files.exists(Database.embeddedFile(dataDir));
  }

  /** The password, for {@link Database#embedded}. Secret. */
  public String password() {
    return password;
  }

  /** Adds the password wrapped by {@code next} to the file (a rotation's first step). */
  void addWrapping(MasterKey next) {
    Map<Long, byte[]> more = new LinkedHashMap<>(wrapped);
    more.put(next.id(), wrap(password.getBytes(StandardCharsets.US_ASCII), next));
    save(more);
  }

  /**
   * Keeps only the password wrapped by {@code master} in the file (a rotation's last step, or
   * the undoing of its first); nothing is written when that is all the file holds.
   */
  void keepOnly(MasterKey master) {
    byte[] mine = wrapped.get(master.id());
    if (mine == null) {
      throw new IllegalStateException("the key file " + file + " holds no wrapping by master key "
          + master.id());
    }
    if (wrapped.size() > 1) {
      save(Map.of(master.id(), mine));
    }
  }

  private static DatabaseFileKey create(Path dataDir, Path file, MasterKey master) {
    Path database = Database.embeddedFile(dataDir);
    if (Files.exists(database)) {
      throw new KeyException(encrypted(database)
          ? "refusing to start: the embedded database " + database + " is encrypted but its key"
              + " file " + file + " is missing; restore it from the backup of the data directory"
              + " (it is wrapped by the master key, and without it the database cannot be read)"
          : "refusing to start: the embedded database " + database + " is not encrypted (it was"
              + " made by an earlier Lepton) and this version keeps it encrypted; Lepton does not"
              + " convert it: start with a new data directory (--data-dir) and upload the"
              + " datasets again, then delete the old directory, whose database holds names,"
              + " emails, dataset previews and the audit log in plaintext");
    }
    byte[] random = new byte[PASSWORD_BYTES];
    new SecureRandom().nextBytes(random);
    // Base64url without padding: 43 characters, no space (H2 splits its password at a space).
    String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    DatabaseFileKey key = new DatabaseFileKey(file, password, Map.of());
    key.save(Map.of(master.id(), wrap(password.getBytes(StandardCharsets.US_ASCII), master)));
    return key;
  }

  private static byte[] wrap(byte[] password, MasterKey by) {
    try {
      return by.aead().encrypt(password, ASSOCIATED_DATA);
    } catch (GeneralSecurityException e) {
      throw new KeyException("cannot wrap the embedded database's password with master key "
          + by.id() + ": " + e.getMessage(), e);
    }
  }

  private static boolean encrypted(Path database) {
    try (InputStream in = Files.newInputStream(database)) {
      return Arrays.equals(in.readNBytes(H2_ENCRYPTED_HEADER.length), H2_ENCRYPTED_HEADER);
    } catch (IOException e) {
      throw new KeyException("cannot read the embedded database " + database + ": " + e, e);
    }
  }

  private static Map<Long, byte[]> parse(String text, Path file) {
    Map<Long, byte[]> wrapped = new LinkedHashMap<>();
    for (String line : text.split("\\R")) {
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      String[] parts = t.split(" ");
      try {
        if (parts.length != 2) {
          throw new IllegalArgumentException("expected '<master key id> <base64>'");
        }
        wrapped.put(Long.parseLong(parts[0]), Base64.getDecoder().decode(parts[1]));
      } catch (IllegalArgumentException e) {
        throw new KeyException("the embedded database's key file " + file + " is malformed ("
            + e.getMessage() + "): restore it from the backup of the data directory", e);
      }
    }
    if (wrapped.isEmpty()) {
      throw new KeyException("the embedded database's key file " + file + " holds no key:"
          + " restore it from the backup of the data directory");
    }
    return wrapped;
  }

  /** Writes {@code next} to a temporary file, syncs it, and moves it over the file atomically. */
  private void save(Map<Long, byte[]> next) {
    StringBuilder text = new StringBuilder("# The password of the embedded database"
        + " (lepton.mv.db), wrapped by the master key\n# whose id starts the line. Keep it with"
        + " the database: without it the database cannot be read.\n");
    next.forEach((id, bytes) -> text.append(id).append(' ')
        .append(Base64.getEncoder().encodeToString(bytes)).append('\n'));
    Path dir = file.toAbsolutePath().getParent();
    Path temporary = dir.resolve(FILE_NAME + ".new");
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(temporary);
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.createFile(temporary, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rw-------")));
      } else {
        Files.createFile(temporary);
      }
      try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
        ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.US_ASCII));
        while (bytes.hasRemaining()) {
          out.write(bytes);
        }
        out.force(true);
      }
      Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      syncDirectory(dir);
    } catch (IOException e) {
      throw new KeyException("cannot write the embedded database's key file " + file + ": " + e
          + " (it is unchanged)", e);
    }
    wrapped = new LinkedHashMap<>(next);
  }

  /** Makes the move durable: the directory entry is synced too. */
  private static void syncDirectory(Path dir) throws IOException {
    if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      return; // Windows cannot open a directory as a channel; its moves are durable on return
    }
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  private static String ids(Map<Long, byte[]> wrapped) {
    return wrapped.keySet().stream().map(String::valueOf).collect(Collectors.joining(" or "));
  }
}
