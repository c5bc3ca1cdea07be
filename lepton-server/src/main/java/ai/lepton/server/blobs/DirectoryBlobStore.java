package ai.lepton.server.blobs;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Blobs as files under a root directory, the key being the relative path. A write goes to a temp
 * file under {@code root/.tmp} (no key can start with a dot), is synced, then renamed into place
 * atomically, so a reader sees the whole blob or none. Temp files a crash left behind are removed
 * at the next start once a day old.
 */
final class DirectoryBlobStore implements BlobStore {
  private static final String TMP = ".tmp";
  private static final Duration STALE = Duration.ofDays(1);

  private final Path root;
  private final Path tmp;

  DirectoryBlobStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
    this.tmp = this.root.resolve(TMP);
    try {
      Files.createDirectories(tmp);
      removeStaleTempFiles();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the blob directory " + this.root, e);
    }
  }

  @Override
  public long put(String key, InputStream in, long maxBytes) {
    Path target = path(key);
    Path part = null;
    try {
      part = Files.createTempFile(tmp, "put-", ".part");
      MeasuredInputStream measured = MeasuredInputStream.counting(in, maxBytes);
      try (FileOutputStream out = new FileOutputStream(part.toFile())) {
        measured.transferTo(out);
        out.getFD().sync();
      }
      Files.createDirectories(target.getParent());
      Files.move(part, target, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      part = null;
      return measured.count();
    } catch (IOException e) {
      throw new BlobException("cannot store blob " + key + ": " + e, e);
    } finally {
      if (part != null) {
        try {
          Files.deleteIfExists(part);
        } catch (IOException e) {
          // left for the clean-up at the next start; the write itself already failed
        }
      }
    }
  }

  @Override
  public InputStream open(String key) {
    try {
      return Files.newInputStream(path(key));
    } catch (NoSuchFileException e) {
      throw new BlobNotFoundException(key);
    } catch (IOException e) {
      throw new BlobException("cannot open blob " + key + ": " + e, e);
    }
  }

  @Override
  public boolean exists(String key) {
    return Files.isRegularFile(path(key));
  }

  @Override
  public void delete(String key) {
    try {
      Files.deleteIfExists(path(key));
    } catch (IOException e) {
      throw new BlobException("cannot delete blob " + key + ": " + e, e);
    }
  }

  @Override
  public List<String> list(String prefix) {
    BlobKeys.validatePrefix(prefix);
    // Walk only the deepest directory the prefix names.
    int slash = prefix.lastIndexOf('/');
    Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
    if (!Files.isDirectory(start)) {
      return List.of();
    }
    List<String> keys = new ArrayList<>();
    try (Stream<Path> files = Files.walk(start)) {
      files.filter(p -> !p.startsWith(tmp) && Files.isRegularFile(p))
          .map(p -> root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/"))
          .filter(k -> k.startsWith(prefix))
          .forEach(keys::add);
    } catch (IOException | UncheckedIOException e) {
      throw new BlobException("cannot list blobs under " + prefix + ": " + e, e);
    }
    keys.sort(null);
    return keys;
  }

  @Override
  public boolean ping() {
    return Files.isDirectory(tmp) && Files.isWritable(tmp);
  }

  @Override
  public String toString() {
    return "directory " + root;
  }

  private Path path(String key) {
    Path p = root.resolve(BlobKeys.validate(key)).normalize();
    if (!p.startsWith(root) || p.startsWith(tmp)) {
      // unreachable for valid keys; kept as the last line of defence
      throw new IllegalArgumentException("blob key " + key + " leaves the store");
    }
    return p;
  }

  private void removeStaleTempFiles() throws IOException {
    Instant cutoff = Instant.now().minus(STALE);
    try (Stream<Path> parts = Files.list(tmp)) {
      for (Path p : (Iterable<Path>) parts::iterator) {
        if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
