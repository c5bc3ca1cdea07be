package ai.lepton.server.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master key: a Tink AEAD keyset (AES256_GCM) that wraps every organization's data keys and
 * the embedded database's file password ({@link DatabaseFileKey}). It never encrypts data itself,
 * so it can be rotated by re-wrapping those keys alone.
 *
 * <p>It comes from the environment variable {@value #ENVIRONMENT} (the base64 line of a key file)
 * when set, else from a key file. For the embedded default the file is generated on first start,
 * readable by its owner only, and {@link #generatedNotice()} says where it is: without it the data
 * cannot be read, so it must be backed up.
 *
 * <p>File format: lines starting with '#' are comments; the one other line is the base64 of the
 * keyset in Tink's binary format (cleartext: protect the file, or keep it in a secret store).
 */
public final class MasterKey {
  /** The environment variable that holds the master key (base64), taking precedence over files. */
  public static final String ENVIRONMENT = "LEPTON_MASTER_KEY";

  private static final Logger LOG = LoggerFactory.getLogger(MasterKey.class);
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  static {
    try {
      AeadConfig.register();
      StreamingAeadConfig.register();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final KeysetHandle keyset;
  private final Aead aead;
  private final String source;
  private final String generatedNotice;

  private MasterKey(KeysetHandle keyset, String source, String generatedNotice) {
    this.keyset = keyset;
    this.source = source;
    this.generatedNotice = generatedNotice;
    try {
      this.aead = keyset.getPrimitive(RegistryConfiguration.get(), Aead.class);
    } catch (GeneralSecurityException e) {
      throw new KeyException("the master key from " + source + " is not an AEAD keyset", e);
    }
  }

  /** A new random master key, held in memory (save it with {@link #save}). */
  public static MasterKey generate() {
    try {
      return new MasterKey(KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM),
          "a newly generated key", null);
    } catch (GeneralSecurityException e) {
      throw new KeyException("cannot generate a master key: " + e.getMessage(), e);
    }
  }

  /**
   * The master key of this server: {@code environmentValue} when not null (the value of {@value
   * #ENVIRONMENT}), else the key file at {@code file}. A missing file is generated when {@code
   * generateIfMissing} (the embedded default), else it is an error.
   *
   * @throws KeyException if the key is missing, unreadable or malformed (the message names the
   *     file or variable and what to do)
   */
  public static MasterKey load(Path file, String environmentValue, boolean generateIfMissing) {
    if (environmentValue != null && !environmentValue.isBlank()) {
      return parse(environmentValue, "the environment variable " + ENVIRONMENT);
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      if (!generateIfMissing) {
        throw new KeyException("the master key file " + file + " does not exist: give the file"
            + " that was generated when the data was first written, or set " + ENVIRONMENT);
      }
      MasterKey key = generate();
      key.save(file);
      // Not logged: the command that started the server prints it (logging it too showed it
      // twice; ServerCommandTest counts it).
      String notice = "master key generated at " + file.toAbsolutePath()
          + ", back it up: without it the data cannot be read";
      return new MasterKey(key.keyset, "the file " + file, notice);
    } catch (IOException e) {
      throw new KeyException("cannot read the master key file " + file + ": " + e, e);
    }
    warnIfOthersCanRead(file);
    return parse(text, "the file " + file);
  }

  /** A master key from the text of a key file or the value of {@value #ENVIRONMENT}. */
  static MasterKey parse(String text, String source) {
    String line = null;
    for (String l : text.split("\\R")) {
      String t = l.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      if (line != null) {
        throw new KeyException("the master key in " + source + " has more than one key line");
      }
      line = t;
    }
    if (line == null) {
      throw new KeyException("the master key in " + source + " is empty");
    }
    try {
      byte[] bytes = Base64.getDecoder().decode(line);
      return new MasterKey(TinkProtoKeysetFormat.parseKeyset(bytes, InsecureSecretKeyAccess.get()),
          source, null);
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new KeyException("the master key in " + source + " is not a Lepton master key (the"
          + " base64 of a Tink AEAD keyset): " + e.getMessage(), e);
    }
  }

  /**
   * Writes this key to a new file readable and writable by its owner only (rw-------), creating
   * its directory.
   *
   * @throws KeyException if the file exists already (a key is never overwritten) or cannot be
   *     written
   */
  public void save(Path file) {
    byte[] text = ("# Lepton master key: it wraps the keys that encrypt every organization's data.\n"
        + "# Back it up and keep it secret: without it the data cannot be read.\n"
        + "# The line below may be given in the environment variable " + ENVIRONMENT
        + " instead.\n" + toBase64() + "\n").getBytes(StandardCharsets.US_ASCII);
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
      if (posix) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      } else {
        Files.createFile(file);
      }
      try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE,
          StandardOpenOption.SYNC)) {
        out.write(text);
      } catch (IOException e) {
        Files.deleteIfExists(file);
        throw e;
      }
    } catch (java.nio.file.FileAlreadyExistsException e) {
      throw new KeyException("the master key file " + file + " exists already; a key file is"
          + " never overwritten", e);
    } catch (IOException e) {
      throw new KeyException("cannot write the master key file " + file + ": " + e, e);
    }
  }

  /** The key as one base64 line, the value {@value #ENVIRONMENT} takes. Secret. */
  public String toBase64() {
    try {
      return Base64.getEncoder().encodeToString(
          TinkProtoKeysetFormat.serializeKeyset(keyset, InsecureSecretKeyAccess.get()));
    } catch (GeneralSecurityException e) {
      throw new KeyException("cannot encode the master key: " + e.getMessage(), e);
    }
  }

  /**
   * What a person must be told when this key was generated just now ("master key generated at
   * ..., back it up: without it the data cannot be read"), to be printed by the command that
   * started the server; empty when the key was loaded.
   */
  public Optional<String> generatedNotice() {
    return Optional.ofNullable(generatedNotice);
  }

  /** Where this key came from: "the file ..." or "the environment variable ...". */
  public String source() {
    return source;
  }

  /** The id of the primary key in the keyset: not secret; stored next to what it wraps. */
  public long id() {
    return Integer.toUnsignedLong(keyset.getPrimary().getId());
  }

  Aead aead() {
    return aead;
  }

  @Override
  public String toString() {
    return "master key " + id() + " from " + source;
  }

  private static void warnIfOthersCanRead(Path file) {
    try {
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
        if (p.contains(PosixFilePermission.GROUP_READ)
            || p.contains(PosixFilePermission.OTHERS_READ)) {
          LOG.warn("the master key file {} can be read by other users; chmod 600 it", file);
        }
      }
    } catch (IOException | UnsupportedOperationException e) {
      // permissions are advisory here; reading the key already succeeded
    }
  }
}
