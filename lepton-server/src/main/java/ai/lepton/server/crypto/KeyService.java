package ai.lepton.server.crypto;

import ai.lepton.server.db.Database;
import ai.lepton.server.db.ReadCache;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingParameters;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Every organization's data keys. Each organization has a Tink StreamingAead keyset
 * (AES256-GCM-HKDF with {@value #SEGMENT_BYTES}-byte segments; a keyset made before they were
 * chosen holds keys with 64 KiB or 1 MiB segments, which keep working, until a rotation adds one
 * of these),
 * made on first use and kept in the database (table
 * {@code organization_keyset}) wrapped by the {@link MasterKey} with the organization id as
 * associated data, so a row copied to another organization does not unwrap. Reads use the
 * organization's cipher kept in memory (a {@link ReadCache}: unwrapping and parsing a keyset costs
 * far more than reading it, and reading the row costs as much as the rest of a small download);
 * a rotation here, or the organization's deletion, empties it when its transaction commits.
 * Writes read the row each time, so a new blob is encrypted with the newest key even when another
 * server rotated it; reads assume one server per database (docs/tenancy.md).
 *
 * <p>Rotation: {@link #rotateOrganizationKey} adds a new primary key to an organization's keyset
 * (new blobs use it; old blobs still decrypt with the older keys, which stay); {@link
 * #rotateMasterKey} re-wraps every keyset (and the embedded database's file password) under a new
 * master key without touching any blob. Rotate the master key with one server running: the
 * others hold the old key until restarted with the new one.
 */
public final class KeyService {
  /** The longest organization id. */
  public static final int MAX_ORGANIZATION_ID = 64;
  /**
   * The ciphertext segment of new keys (Tink's AES256_GCM_HKDF_4KB). A reader allocates two
   * segments whatever the blob's size, so the segment is what a read of a small blob pays before
   * it decrypts a byte: 4 KiB instead of 64 KiB took the read of a 50-row CSV from 128 KiB of
   * buffers to 8 KiB (docs/benchmarks.md, "Reads with the lookups kept in memory"). A 16-byte tag
   * per segment adds 1/255 to the ciphertext; uploads pay one GCM initialization per 4 KiB.
   */
  static final int SEGMENT_BYTES = 4 * 1024;
  private static final AesGcmHkdfStreamingParameters PARAMETERS = parameters();
  /** The most organizations whose unwrapped cipher is kept; past it the memory starts over. */
  static final int MAX_UNWRAPPED = 10_000;

  private final Database database;
  private final Jdbi jdbi;
  /** The embedded database's wrapped file password, re-wrapped with the keysets; or null. */
  private final DatabaseFileKey fileKey;
  private final Clock clock;
  private final ReadWriteLock rotation = new ReentrantReadWriteLock();
  private volatile MasterKey master;
  private final ReadCache<String, Unwrapped> unwrapped;

  /**
   * An organization's row as read, and its cipher. Unwrapped by the master key of the moment: a
   * master key rotation empties the cache while no reader holds the rotation lock.
   */
  private record Unwrapped(byte[] wrapped, StreamingAead cipher) {}

  /**
   * The keys of a database that has no file password of its own (PostgreSQL, whose storage
   * encryption is the operator's; H2 in memory).
   *
   * @throws KeyException if the database holds keys that {@code master} cannot unwrap: the server
   *     must not start with the wrong master key (new data would be written under keys that old
   *     servers, and old data, do not share)
   */
  public KeyService(Database database, MasterKey master, Clock clock) {
    this(database, master, null, clock);
  }

  /**
   * The keys of the embedded database opened with {@code fileKey}'s password (unwrapped by
   * {@code master}), which {@link #rotateMasterKey} re-wraps with the keysets. When a rotation
   * was interrupted, the key file still holds the other master key's wrapping: once the keysets
   * are known to open with {@code master}, it is dropped.
   *
   * @throws KeyException if the database holds keys that {@code master} cannot unwrap
   */
  public KeyService(Database database, MasterKey master, DatabaseFileKey fileKey, Clock clock) {
    this.database = database;
    this.jdbi = database.jdbi();
    this.unwrapped = database.cache(MAX_UNWRAPPED);
    this.master = Objects.requireNonNull(master, "master");
    this.fileKey = fileKey;
    this.clock = clock;
    checkMasterKeyOpensStoredKeys();
    if (fileKey != null) {
      fileKey.keepOnly(master);
    }
  }

  /** The master key now in use. */
  public MasterKey masterKey() {
    return master;
  }

  /**
   * The organization's streaming cipher from its row as it is now (its keyset made and stored on
   * first use): the kept one while the row is unchanged, else the row unwrapped again.
   */
  StreamingAead forWriting(String organizationId) {
    checkOrganization(organizationId);
    rotation.readLock().lock();
    try {
      Optional<byte[]> row = wrapped(organizationId);
      if (row.isEmpty()) {
        create(organizationId);
        row = Optional.of(wrapped(organizationId).orElseThrow());
      }
      Unwrapped known = kept(organizationId).orElse(null);
      if (known == null || !Arrays.equals(known.wrapped(), row.get())) {
        unwrapped.forget(organizationId); // rotated by another server since it was kept
        known = kept(organizationId).orElseThrow(() -> new KeyException("the keys of"
            + " organization " + organizationId + " were deleted while a blob was being written"
            + " (the organization was deleted); nothing was stored"));
      }
      return known.cipher();
    } finally {
      rotation.readLock().unlock();
    }
  }

  /**
   * The organization's streaming cipher, the one kept in memory if any, or empty when it has no
   * keys yet (so no data).
   */
  Optional<StreamingAead> forReading(String organizationId) {
    checkOrganization(organizationId);
    rotation.readLock().lock();
    try {
      return kept(organizationId).map(Unwrapped::cipher);
    } finally {
      rotation.readLock().unlock();
    }
  }

  /**
   * The kept cipher of the organization, or its row read and unwrapped now (and kept: the row is
   * read inside the cache's load, so a rotation committed meanwhile voids keeping it).
   */
  private Optional<Unwrapped> kept(String organizationId) {
    return unwrapped.get(organizationId, () -> wrapped(organizationId)
        .map(row -> unwrap(organizationId, row)));
  }

  private Unwrapped unwrap(String organizationId, byte[] row) {
    return new Unwrapped(row, primitive(unwrap(organizationId, row, master)));
  }

  /**
   * Adds a new primary key to the organization's keyset: blobs written from now on use it, blobs
   * written before still decrypt. Makes the keyset if the organization has none.
   */
  public void rotateOrganizationKey(String organizationId) {
    checkOrganization(organizationId);
    rotation.readLock().lock();
    try {
      if (load(organizationId).isEmpty()) {
        create(organizationId);
      }
      jdbi.useTransaction(h -> {
        byte[] wrapped = h.createQuery("SELECT wrapped_keyset FROM organization_keyset"
                + " WHERE organization_id = :org FOR UPDATE")
            .bind("org", organizationId).mapTo(byte[].class).one();
        KeysetHandle current = unwrap(organizationId, wrapped, master);
        KeysetHandle rotated = KeysetHandle.newBuilder(current)
            .addEntry(KeysetHandle.generateEntryFromParameters(
                PARAMETERS).withRandomId()
                .makePrimary())
            .build();
        update(h, organizationId, wrap(organizationId, rotated, master), master);
        database.invalidateCaches(h); // the cipher kept in memory lacks the new key
      });
    } catch (GeneralSecurityException e) {
      throw new KeyException("cannot rotate the key of organization " + organizationId + ": "
          + e.getMessage(), e);
    } finally {
      rotation.readLock().unlock();
    }
  }

  /**
   * Re-wraps every organization's keyset under {@code next}, in one transaction, and the embedded
   * database's file password (if any), and uses {@code next} from then on. Blobs and the database
   * file are not touched: their keys do not change. Save {@code next} (a key file, or {@value
   * MasterKey#ENVIRONMENT}) before calling this, and start servers with it afterwards: the old
   * master key no longer opens the keys.
   *
   * <p>All or nothing: the file password is first wrapped by both keys (written to a new file,
   * synced, moved over the old one), then the transaction commits, then the old key's wrapping is
   * dropped the same way. A crash at any point leaves an installation that starts with the master
   * key of the keysets as they are in the database: the old one before the commit, the new one
   * after.
   *
   * @return the number of keysets re-wrapped
   * @throws KeyException if a keyset cannot be unwrapped with the current master key or the key
   *     file cannot be written (nothing is changed then), or if the old key's wrapping could not
   *     be dropped after the commit (the message says so; the next start drops it)
   */
  public int rotateMasterKey(MasterKey next) {
    Objects.requireNonNull(next, "next");
    rotation.writeLock().lock();
    try {
      MasterKey current = master;
      if (fileKey != null) {
        fileKey.addWrapping(next);
      }
      int count;
      try {
        count = jdbi.inTransaction(h -> {
          List<Row> rows = h.createQuery("SELECT organization_id, wrapped_keyset"
                  + " FROM organization_keyset ORDER BY organization_id FOR UPDATE")
              .map((rs, ctx) -> new Row(rs.getString(1), rs.getBytes(2))).list();
          for (Row row : rows) {
            KeysetHandle keyset = unwrap(row.organizationId(), row.wrapped(), current);
            update(h, row.organizationId(), wrap(row.organizationId(), keyset, next), next);
          }
          return rows.size();
        });
      } catch (RuntimeException e) {
        if (fileKey != null) {
          try {
            fileKey.keepOnly(current);
          } catch (RuntimeException undo) {
            e.addSuppressed(undo); // the next start with the current key drops it
          }
        }
        throw e;
      }
      master = next;
      database.invalidateCaches(); // the ciphers kept were unwrapped by the old master key
      if (fileKey != null) {
        try {
          fileKey.keepOnly(next);
        } catch (KeyException e) {
          throw new KeyException("the master key is rotated to " + next.id() + " (use it from"
              + " now on), but the old key's wrapping of the database password could not be"
              + " dropped: " + e.getMessage() + "; the next start with the new key drops it", e);
        }
      }
      return count;
    } finally {
      rotation.writeLock().unlock();
    }
  }

  /** How many keys the organization's keyset holds (0 without one): 1 plus its rotations. */
  public int keyCount(String organizationId) {
    checkOrganization(organizationId);
    return load(organizationId).map(KeysetHandle::size).orElse(0);
  }

  private record Row(String organizationId, byte[] wrapped) {}

  private void checkMasterKeyOpensStoredKeys() {
    // One keyset per master key id found: enough to tell whether this master key is the one.
    record Sample(String organizationId, byte[] wrapped, long masterKeyId) {}
    List<Sample> samples = jdbi.withHandle(h -> h.createQuery("SELECT organization_id,"
            + " wrapped_keyset, master_key_id FROM organization_keyset WHERE organization_id IN"
            + " (SELECT MIN(organization_id) FROM organization_keyset GROUP BY master_key_id)")
        .map((rs, ctx) -> new Sample(rs.getString(1), rs.getBytes(2), rs.getLong(3))).list());
    for (Sample s : samples) {
      try {
        unwrap(s.organizationId(), s.wrapped(), master);
      } catch (KeyException e) {
        throw new KeyException("refusing to start: the database holds organization keys wrapped"
            + " by master key " + s.masterKeyId() + ", which the master key from "
            + master.source() + " (id " + master.id() + ") cannot unwrap; start with the master"
            + " key that was in use when they were written (its key file, or "
            + MasterKey.ENVIRONMENT + ")", e.getCause());
      }
    }
  }

  private Optional<KeysetHandle> load(String organizationId) {
    return wrapped(organizationId).map(wrapped -> unwrap(organizationId, wrapped, master));
  }

  private Optional<byte[]> wrapped(String organizationId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT wrapped_keyset FROM organization_keyset"
            + " WHERE organization_id = :org")
        .bind("org", organizationId).mapTo(byte[].class).findOne());
  }

  private void create(String organizationId) {
    try {
      KeysetHandle keyset = KeysetHandle.generateNew(PARAMETERS);
      byte[] wrapped = wrap(organizationId, keyset, master);
      // Two servers may race to make the first keyset: one row wins, both then read it.
      jdbi.useHandle(h -> h.createUpdate("INSERT INTO organization_keyset (organization_id,"
              + " wrapped_keyset, master_key_id, created_at) VALUES (:org, :wrapped, :master,"
              + " :now) ON CONFLICT DO NOTHING")
          .bind("org", organizationId).bind("wrapped", wrapped).bind("master", master.id())
          .bind("now", now()).execute());
    } catch (GeneralSecurityException e) {
      throw new KeyException("cannot make the keys of organization " + organizationId + ": "
          + e.getMessage(), e);
    }
  }

  private void update(Handle h, String organizationId, byte[] wrapped, MasterKey by) {
    h.createUpdate("UPDATE organization_keyset SET wrapped_keyset = :wrapped, master_key_id ="
            + " :master, rotated_at = :now WHERE organization_id = :org")
        .bind("org", organizationId).bind("wrapped", wrapped).bind("master", by.id())
        .bind("now", now()).execute();
  }

  private OffsetDateTime now() {
    return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
  }

  private static byte[] wrap(String organizationId, KeysetHandle keyset, MasterKey by) {
    try {
      return TinkProtoKeysetFormat.serializeEncryptedKeyset(keyset, by.aead(),
          organizationId.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new KeyException("cannot wrap the keys of organization " + organizationId + ": "
          + e.getMessage(), e);
    }
  }

  private static KeysetHandle unwrap(String organizationId, byte[] wrapped, MasterKey by) {
    try {
      return TinkProtoKeysetFormat.parseEncryptedKeyset(wrapped, by.aead(),
          organizationId.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new KeyException("the master key from " + by.source() + " (id " + by.id() + ")"
          + " cannot unwrap the keys of organization " + organizationId + " stored in the"
          + " database: start with the master key that was in use when they were written (its"
          + " key file, or " + MasterKey.ENVIRONMENT + ")", e);
    }
  }

  private static AesGcmHkdfStreamingParameters parameters() {
    try {
      return AesGcmHkdfStreamingParameters.builder().setKeySizeBytes(32)
          .setDerivedAesGcmKeySizeBytes(32)
          .setHkdfHashType(AesGcmHkdfStreamingParameters.HashType.SHA256)
          .setCiphertextSegmentSizeBytes(SEGMENT_BYTES).build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Tink refuses AES256-GCM-HKDF with " + SEGMENT_BYTES
          + "-byte segments", e);
    }
  }

  private static StreamingAead primitive(KeysetHandle keyset) {
    try {
      return keyset.getPrimitive(RegistryConfiguration.get(), StreamingAead.class);
    } catch (GeneralSecurityException e) {
      throw new KeyException("an organization keyset is not a streaming AEAD keyset", e);
    }
  }

  private static void checkOrganization(String organizationId) {
    if (organizationId == null || organizationId.isEmpty()
        || organizationId.length() > MAX_ORGANIZATION_ID || organizationId.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("an organization id must be 1-" + MAX_ORGANIZATION_ID
          + " characters, received " + (organizationId == null ? "null"
              : organizationId.length() + " characters"));
    }
  }
}
