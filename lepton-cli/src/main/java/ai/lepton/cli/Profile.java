package ai.lepton.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Where {@code lepton login} keeps the server and token for later commands: a JSON file readable
 * by its owner only ({@code $LEPTON_CONFIG} or the system property {@code lepton.config}, else
 * {@code ~/.config/lepton/config.json}).
 *
 * @param server the server's address
 * @param token the API token ({@code lpt_...})
 * @param organization the organization commands use when none is given
 */
record Profile(String server, String token, String organization) {
  static Path file() {
    String env = System.getProperty("lepton.config", System.getenv("LEPTON_CONFIG"));
    return env != null ? Path.of(env)
        : Path.of(System.getProperty("user.home"), ".config", "lepton", "config.json");
  }

  /** The saved profile, or null when there is none. */
  static Profile load(Path file) {
    if (!Files.exists(file)) {
      return null;
    }
    try {
      return new ObjectMapper().readValue(file.toFile(), Profile.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + " (" + e.getMessage()
          + "); delete it and run 'lepton login' again", e);
    }
  }

  /** Writes the profile atomically, readable by its owner only. */
  void save(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".config", ".tmp");
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException notPosix) {
        // a file system without POSIX permissions (Windows): its default ACL applies
      }
      new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), this);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  URI serverUri() {
    return URI.create(server);
  }
}
