package ai.lepton.server.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

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
      options.setExperimentalOption("mobileEmulation", Map.of("deviceMetrics",
          Map.of("width", width, "height", height, "pixelRatio", 1)));
      // the console, so that tests can fail on script errors and Content Security Policy refusals
      options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
      ChromeDriverService service = new ChromeDriverService.Builder()
          .usingDriverExecutable(DRIVER.toFile())
          .usingAnyFreePort()
          .withEnvironment(Map.of("HOME", home.toString(),
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

  /**
   * Waits up to 15 seconds for {@code condition} to answer non-null and non-false, asking again
   * while the elements it needs are missing or were replaced (a page's script re-renders).
   */
  public <T> T await(Function<WebDriver, T> condition) {
    return new WebDriverWait(driver, Duration.ofSeconds(15))
        .ignoring(StaleElementReferenceException.class)
        .until(condition);
  }

  /**
   * The console's errors since the last call: script errors, failed requests and Content
   * Security Policy refusals.
   */
  public List<String> consoleErrors() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .toList();
  }

  /**
   * Saves a screenshot of the whole page, beyond the window when it is longer, as {@code
   * target/screenshots/<name>.png}.
   */
  public Path screenshot(String name) {
    try {
      Path dir = Files.createDirectories(Path.of("target", "screenshots"));
      Path file = dir.resolve(name + ".png");
      @SuppressWarnings("unchecked")
      Map<String, Object> size = (Map<String, Object>) driver.executeCdpCommand(
          "Page.getLayoutMetrics", Map.of()).get("cssContentSize");
      Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of(
          "format", "png", "captureBeyondViewport", true, "clip", Map.of("x", 0, "y", 0,
              "width", ((Number) size.get("width")).doubleValue(),
              "height", Math.min(((Number) size.get("height")).doubleValue(), 8000),
              "scale", 1)));
      Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
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
