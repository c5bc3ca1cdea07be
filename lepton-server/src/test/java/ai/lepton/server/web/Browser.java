package ai.lepton.server.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real headless Chromium for the web UI tests: Debian's chromium and its matched chromedriver,
 * given by path so nothing is downloaded, with a fresh profile and no background networking.
 */
public final class Browser implements AutoCloseable {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  public final ChromeDriver driver;
  private final Path home;

  private Browser(ChromeDriver driver, Path home) {
    this.driver = driver;
    this.home = home;
  }

  /** Starts Chromium with a window of {@code width} x {@code height} CSS pixels. */
  public static Browser start(int width, int height) {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
        "the web UI tests need Debian's chromium and chromium-driver (.ci/run installs them)");
    try {
      Path home = Files.createTempDirectory("lepton-browser");
      ChromeOptions options = new ChromeOptions();
      options.setBinary(CHROMIUM.toFile());
      options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
          "--no-first-run", "--disable-background-networking", "--disable-component-update",
          "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + home.resolve("profile"));
      // a device's viewport rather than a window size: headless windows are at least 500 px wide
      options.setExperimentalOption("mobileEmulation", java.util.Map.of("deviceMetrics",
          java.util.Map.of("width", width, "height", height, "pixelRatio", 1)));
      ChromeDriverService service = new ChromeDriverService.Builder()
          .usingDriverExecutable(DRIVER.toFile())
          .usingAnyFreePort()
          .withEnvironment(java.util.Map.of("HOME", home.toString(),
              "XDG_CONFIG_HOME", home.resolve("config").toString(),
              "XDG_CACHE_HOME", home.resolve("cache").toString()))
          .build();
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().implicitlyWait(Duration.ZERO);
      return new Browser(driver, home);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Saves a screenshot of the page as {@code target/screenshots/<name>.png}. */
  public Path screenshot(String name) {
    try {
      Path dir = Files.createDirectories(Path.of("target", "screenshots"));
      Path file = dir.resolve(name + ".png");
      Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), file,
          StandardCopyOption.REPLACE_EXISTING);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    driver.quit();
  }
}
