package ai.lepton.server.crypto;

import ai.lepton.server.blobs.BlobException;
import ai.lepton.server.blobs.BlobKeys;
import ai.lepton.server.blobs.BlobNotFoundException;
import ai.lepton.server.blobs.BlobStore;
import ai.lepton.server.blobs.MeasuredInputStream;
import ai.lepton.server.blobs.StoredBlob;
import com.google.crypto.tink.StreamingAead;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Organizations' blobs, encrypted at rest: what features use to store datasets, models and
 * checkpoints. Every call takes the organization; its blobs live under {@code orgs/<org>/} of the
 * underlying {@link BlobStore}, encrypted with the organization's streaming AEAD keys ({@link
 * KeyService}) with the organization id and the key as associated data, so ciphertext copied to
 * another key or another organization does not decrypt. Writes and reads stream (about one
 * segment in memory: 4 KiB, 64 KiB or 1 MiB for keys made before); the size and SHA-256 reported
 * are of the plaintext.
 *
 * <p>Organization ids must be usable as a key segment: lower-case letters, digits, '_' and '-',
 * at most {@value KeyService#MAX_ORGANIZATION_ID} characters.
 */
public final class EncryptedBlobStore {
  private static final Pattern ORGANIZATION = Pattern.compile("[a-z0-9_-]{1,64}");
  private static final String ROOT = "orgs/";

  private final BlobStore store;
  private final KeyService keys;

  public EncryptedBlobStore(BlobStore store, KeyService keys) {
    this.store = store;
    this.keys = keys;
  }

  /**
   * Encrypts {@code plaintext} into the blob {@code key} of the organization, all-or-nothing.
   *
   * @param maxBytes the most plaintext bytes accepted
   * @return the key, size and SHA-256 of the plaintext
   * @throws ai.lepton.server.blobs.BlobTooLargeException if {@code plaintext} is longer than
   *     {@code maxBytes} (nothing is stored)
   * @throws BlobException if reading {@code plaintext} or storing fails (nothing is stored)
   * @throws IllegalArgumentException if the organization id or key is not valid
   */
  public StoredBlob put(String organizationId, String key, InputStream plaintext, long maxBytes) {
    String stored = storageKey(organizationId, key);
    StreamingAead cipher = keys.forWriting(organizationId);
    MeasuredInputStream measured = MeasuredInputStream.hashing(plaintext, maxBytes);
    try {
      store.put(stored, new EncryptingInputStream(measured, cipher,
          associatedData(organizationId, key)), ciphertextLimit(maxBytes));
    } catch (IOException | GeneralSecurityException e) {
      throw new BlobException("cannot encrypt blob " + key + ": " + e.getMessage(), e);
    }
    return new StoredBlob(key, measured.count(), measured.sha256Hex());
  }

  /**
   * The plaintext of the organization's blob {@code key}, decrypted as it is read; the caller
   * closes it. A read throws {@link BlobException} when the ciphertext does not authenticate: it
   * was altered, truncated, or copied from another key or organization.
   *
   * @throws BlobNotFoundException if the organization has no blob at {@code key}
   */
  public InputStream open(String organizationId, String key) {
    String stored = storageKey(organizationId, key);
    Optional<StreamingAead> cipher = keys.forReading(organizationId);
    if (cipher.isEmpty()) {
      // No keys means nothing was ever written for this organization.
      throw store.exists(stored) ? undecryptable(organizationId, key, null)
          : new BlobNotFoundException(key);
    }
    TrackingInputStream ciphertext;
    try {
      ciphertext = new TrackingInputStream(store.open(stored));
    } catch (BlobNotFoundException e) {
      throw new BlobNotFoundException(key); // named as the caller knows it
    }
    try {
      InputStream plaintext = cipher.get().newDecryptingStream(ciphertext,
          associatedData(organizationId, key));
      return new DecryptedInputStream(plaintext, ciphertext, organizationId, key);
    } catch (IOException | GeneralSecurityException e) {
      closeQuietly(ciphertext);
      throw undecryptable(organizationId, key, e);
    }
  }

  /** Whether the organization has a blob at {@code key}. */
  public boolean exists(String organizationId, String key) {
    return store.exists(storageKey(organizationId, key));
  }

  /** Deletes the organization's blob at {@code key}, if any. */
  public void delete(String organizationId, String key) {
    store.delete(storageKey(organizationId, key));
  }

  /** The organization's keys starting with {@code prefix}, sorted (for operators' checks). */
  public List<String> list(String organizationId, String prefix) {
    String root = ROOT + checkOrganization(organizationId) + "/";
    return store.list(root + BlobKeys.validatePrefix(prefix)).stream()
        .map(k -> k.substring(root.length())).toList();
  }

  /**
   * The ids of the organizations that have blobs, sorted (for the start-up sweep, which deletes
   * the blobs of organizations that no longer exist). Lists every blob's key, in memory.
   */
  public List<String> organizations() {
    return store.list(ROOT).stream().map(k -> k.substring(ROOT.length(), k.indexOf('/',
        ROOT.length()))).distinct().toList();
  }

  /**
   * Deletes every blob of the organization, once it is deleted: its keyset went with it, so they
   * could not be decrypted any more, and this removes their ciphertext too.
   *
   * @return how many blobs were deleted
   * @throws BlobException if the store fails (what is left, the next start's sweep deletes)
   */
  public int deleteOrganization(String organizationId) {
    List<String> keys = store.list(ROOT + checkOrganization(organizationId) + "/");
    for (String key : keys) {
      store.delete(key);
    }
    return keys.size();
  }

  /** Where the organization's blob {@code key} sits in the underlying store. */
  static String storageKey(String organizationId, String key) {
    return BlobKeys.validate(ROOT + checkOrganization(organizationId) + "/"
        + BlobKeys.validate(key));
  }

  // Binds the ciphertext to its organization and key; the zero bytes separate the parts, which
  // cannot hold them.
  private static byte[] associatedData(String organizationId, String key) {
    return ("lepton-blob-v1\0" + organizationId + "\0" + key).getBytes(StandardCharsets.UTF_8);
  }

  // Streaming AEAD adds a header and a 16-byte tag per segment (4 KiB, or 64 KiB and 1 MiB for
  // older keys): under 1/255 + 4 KiB.
  private static long ciphertextLimit(long plaintextLimit) {
    long extra = plaintextLimit / 255 + 4096;
    return plaintextLimit > Long.MAX_VALUE - extra ? Long.MAX_VALUE : plaintextLimit + extra;
  }

  private static String checkOrganization(String organizationId) {
    if (organizationId == null || !ORGANIZATION.matcher(organizationId).matches()) {
      throw new IllegalArgumentException("an organization id in blob keys must be 1-64 lower-case"
          + " letters, digits, '_' or '-'");
    }
    return organizationId;
  }

  private static BlobException undecryptable(String organizationId, String key, Exception e) {
    return new BlobException("blob " + key + " of organization " + organizationId + " cannot be"
        + " decrypted: it was altered, truncated, or copied from another blob or organization"
        + (e == null ? "" : " (" + e.getMessage() + ")"), e);
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // already failing; the decryption error is the one to report
    }
  }

  /** Remembers whether the store's stream failed, to tell a read error from bad ciphertext. */
  private static final class TrackingInputStream extends FilterInputStream {
    boolean failed;

    TrackingInputStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (IOException | RuntimeException e) {
        failed = true;
        throw e;
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return in.read(b, off, len);
      } catch (IOException | RuntimeException e) {
        failed = true;
        throw e;
      }
    }
  }

  /** Turns Tink's authentication failures into a {@link BlobException} that names the blob. */
  private static final class DecryptedInputStream extends FilterInputStream {
    private final TrackingInputStream ciphertext;
    private final String organizationId;
    private final String key;

    DecryptedInputStream(InputStream plaintext, TrackingInputStream ciphertext,
        String organizationId, String key) {
      super(plaintext);
      this.ciphertext = ciphertext;
      this.organizationId = organizationId;
      this.key = key;
    }

    @Override
    public int read() throws IOException {
      try {
        return in.read();
      } catch (IOException e) {
        throw translate(e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return in.read(b, off, len);
      } catch (IOException e) {
        throw translate(e);
      }
    }

    private IOException translate(IOException e) {
      if (ciphertext.failed) {
        return e; // the store failed, not the ciphertext
      }
      throw undecryptable(organizationId, key, e);
    }

    @Override
    public void close() throws IOException {
      ciphertext.close();
    }
  }
}
