package ai.lepton.cli;

import ai.lepton.server.ServerConfig;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where {@code lepton server} takes an option's value when the command line does not give it: the
 * environment ({@code LEPTON_DATA_DIR} for {@code --data-dir}), then the config file
 * ({@code data-dir=...} in the properties file of {@code --config}), then the built-in default.
 */
final class ServerDefaults implements IDefaultValueProvider {
  private static final Map<String, String> BUILT_IN = Map.of(
      "port", "8080",
      "host", "127.0.0.1",
      "data-dir", "lepton-data",
      "max-upload-bytes", Long.toString(ServerConfig.DEFAULT_MAX_UPLOAD_BYTES),
      "max-model-bytes", Long.toString(ServerConfig.DEFAULT_MAX_MODEL_BYTES));

  private final Properties file = new Properties();
  private final Map<String, String> env;

  ServerDefaults(Path configFile, Map<String, String> env) {
    this.env = env;
    if (configFile != null) {
      try (Reader r = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
        file.load(r);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the config file " + configFile + ": "
            + e.getMessage(), e);
      }
      for (String key : file.stringPropertyNames()) {
        if (!ServerCommand.CONFIGURABLE.contains(key)) {
          throw new IllegalArgumentException("the config file " + configFile + " sets '" + key
              + "', which is not an option of lepton server; use one of "
              + ServerCommand.CONFIGURABLE);
        }
      }
    }
  }

  /** The name of the variable that sets {@code --name}: {@code LEPTON_NAME}, dashes as "_". */
  static String variable(String option) {
    return "LEPTON_" + option.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option) || !option.longestName().startsWith("--")) {
      return null;
    }
    String name = option.longestName().substring(2);
    if (!ServerCommand.CONFIGURABLE.contains(name)) {
      return null;
    }
    String fromEnv = env.get(variable(name));
    if (fromEnv != null) {
      return fromEnv;
    }
    String fromFile = file.getProperty(name);
    return fromFile != null ? fromFile : BUILT_IN.get(name);
  }
}
