package ai.lepton.server.crypto;

import ai.lepton.server.db.Database;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Every organization's data keys. Each organization has a Tink StreamingAead keyset
 * (AES256_GCM_HKDF_1MB), made on first use and kept in the database (table
 * {@code organization_keyset}) wrapped by the {@link MasterKey} with the organization id as
 * associated data, so a row copied to another organization does not unwrap. Keysets are read from
 * the database on every use (one indexed row), so a rotation on one server is seen by all.
 *
 * <p>Rotation: {@link #rotateOrganizationKey} adds a new primary key to an organization's keyset
 * (new blobs use it; old blobs still decrypt with the older keys, which stay); {@link
 * #rotateMasterKey} re-wraps every keyset under a new master key without touching any blob. Rotate
 * the master key with one server running: the others hold the old key until restarted with the
 * new one.
 */
public final class KeyService {
  /** The longest organization id. */
  public static final int MAX_ORGANIZATION_ID = 64;

  private final Jdbi jdbi;
  private final Clock clock;
  private final ReadWriteLock rotation = new ReentrantReadWriteLock();
  private volatile MasterKey master;

  /**
   * @throws KeyException if the database holds keys that {@code master} cannot unwrap: the server
   *     must not start with the wrong master key (new data would be written under keys that old
   *     servers, and old data, do not share)
   */
  public KeyService(Database database, MasterKey master, Clock clock) {
    this.jdbi = database.jdbi();
    this.master = Objects.requireNonNull(master, "master");
    this.clock = clock;
    checkMasterKeyOpensStoredKeys();
  }

  /** The master key now in use. */
  public MasterKey masterKey() {
    return master;
  }

  /** The organization's streaming cipher, its keyset made and stored on first use. */
  StreamingAead forWriting(String organizationId) {
    checkOrganization(organizationId);
    rotation.readLock().lock();
    try {
      Optional<KeysetHandle> keyset = load(organizationId);
      if (keyset.isEmpty()) {
        create(organizationId);
        keyset = load(organizationId);
      }
      return primitive(keyset.orElseThrow());
    } finally {
      rotation.readLock().unlock();
    }
  }

  /** The organization's streaming cipher, or empty when it has no keys yet (so no data). */
  Optional<StreamingAead> forReading(String organizationId) {
    checkOrganization(organizationId);
    rotation.readLock().lock();
    try {
      return load(organizationId).map(KeyService::primitive);
    } finally {
      rotation.readLock().unlock();
    }
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
                PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB).withRandomId()
                .makePrimary())
            .build();
        update(h, organizationId, wrap(organizationId, rotated, master), master);
      });
    } catch (GeneralSecurityException e) {
      throw new KeyException("cannot rotate the key of organization " + organizationId + ": "
          + e.getMessage(), e);
    } finally {
      rotation.readLock().unlock();
    }
  }

  /**
   * Re-wraps every organization's keyset under {@code next}, in one transaction, and uses
   * {@code next} from then on. Blobs are not touched: their keys do not change. Save {@code next}
   * (a key file, or {@value MasterKey#ENVIRONMENT}) before calling this, and start servers with it
   * afterwards: the old master key no longer opens the keys.
   *
   * @return the number of keysets re-wrapped
   * @throws KeyException if a keyset cannot be unwrapped with the current master key (nothing is
   *     changed then)
   */
  public int rotateMasterKey(MasterKey next) {
    Objects.requireNonNull(next, "next");
    rotation.writeLock().lock();
    try {
      MasterKey current = master;
      int count = jdbi.inTransaction(h -> {
        List<Row> rows = h.createQuery("SELECT organization_id, wrapped_keyset"
                + " FROM organization_keyset ORDER BY organization_id FOR UPDATE")
            .map((rs, ctx) -> new Row(rs.getString(1), rs.getBytes(2))).list();
        for (Row row : rows) {
          KeysetHandle keyset = unwrap(row.organizationId(), row.wrapped(), current);
          update(h, row.organizationId(), wrap(row.organizationId(), keyset, next), next);
        }
        return rows.size();
      });
      master = next;
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
    return jdbi.withHandle(h -> h.createQuery("SELECT wrapped_keyset FROM organization_keyset"
            + " WHERE organization_id = :org")
        .bind("org", organizationId).mapTo(byte[].class).findOne())
        .map(wrapped -> unwrap(organizationId, wrapped, master));
  }

  private void create(String organizationId) {
    try {
      KeysetHandle keyset = KeysetHandle.generateNew(
          PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB);
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
