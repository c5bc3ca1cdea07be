package ai.lepton.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI as the browser tests use it: pages opened on the server's public address, waits for a
 * page's script to finish loading (and no script or Content Security Policy error on the
 * console), the navigation, and screenshots named by page and screen width.
 */
final class Pages {
  final Browser browser;
  final String base;

  /** @param firstLink the first administrator's one-time sign-in link, on the public address */
  Pages(Browser browser, String firstLink) {
    this.browser = browser;
    this.base = firstLink.substring(0, firstLink.indexOf("/signin/"));
  }

  /** Opens the one-time link, sets {@code password} and continues to the organizations. */
  void firstSignIn(String firstLink, String password) {
    browser.driver.get(firstLink);
    WebElement form = browser.await(d -> {
      WebElement f = d.findElement(By.id("password"));
      return f.isDisplayed() ? f : null;
    });
    assertTrue(find("#status").getText().startsWith("Signed in as "), find("#status").getText());
    find("#new").sendKeys(password + "\n");
    browser.await(d -> d.findElement(By.cssSelector("#next")).isDisplayed());
    assertTrue(find("#status").getText().startsWith("Password set"));
    assertTrue(!form.isDisplayed());
    find("#next a").click();
    browser.await(d -> d.getCurrentUrl().endsWith("/orgs"));
    loaded();
  }

  /**
   * The first administrator signed in on {@code browser} through {@code server}'s one-time link,
   * with the password {@link WebJourneyTest#PASSWORD}, on the organizations page.
   */
  static Pages firstAdmin(LeptonServer server, Browser browser) {
    String link = server.firstSignInLink().orElseThrow();
    Pages pages = new Pages(browser, link);
    pages.firstSignIn(link, WebJourneyTest.PASSWORD);
    return pages;
  }

  /**
   * Signs the first administrator in on {@code browser} with the password that {@link
   * #firstSignIn} set to {@link WebJourneyTest#PASSWORD}, at the server's public address {@code
   * base}, as a second screen on the same server.
   */
  static Pages signIn(Browser browser, String base) {
    browser.driver.get(base + "/signin");
    browser.await(d -> d.findElement(By.id("email"))).sendKeys(ServerConfig.DEFAULT_ADMIN_EMAIL);
    browser.driver.findElement(By.id("password")).sendKeys(WebJourneyTest.PASSWORD + "\n");
    browser.await(d -> d.getCurrentUrl().endsWith("/orgs"));
    return new Pages(browser, base + "/signin/");
  }

  /**
   * Follows the first organization listed on the organizations page to its datasets, and answers
   * its id.
   */
  String enterFirstOrg() {
    find("[data-page=orgs] tbody a").click();
    loaded();
    return org();
  }

  /**
   * Runs {@code body}, the body of an async function that may use {@code lepton.api} with the
   * page's session (the page must have loaded), and answers its result.
   *
   * @throws AssertionError when it throws, with its message
   */
  Object api(String body) {
    Object result = browser.driver.executeAsyncScript("const done = arguments[0];"
        + " (async () => { " + body + " })().then(r => done({ok: r === undefined ? null : r}),"
        + " e => done({error: e.message}));");
    @SuppressWarnings("unchecked")
    java.util.Map<String, Object> answer = (java.util.Map<String, Object>) result;
    if (answer.containsKey("error")) {
      throw new AssertionError("the page's API call failed: " + answer.get("error"));
    }
    return answer.get("ok");
  }

  void open(String path) {
    browser.driver.get(base + path);
  }

  /** Waits until the page's script has loaded its data, and checks the console. */
  void loaded() {
    browser.await(d -> d.findElement(By.cssSelector("[data-page]:not([aria-busy])")));
    List<String> errors = browser.consoleErrors().stream()
        .filter(e -> !e.contains("Failed to load resource")) // refusals the page shows itself
        .toList();
    assertEquals(List.of(), errors, "console errors on " + path());
    assertEquals(List.of(), browser.driver.executeScript(UNLABELLED),
        "controls without an accessible name on " + path());
    assertFalse(scrollsSideways(), path() + " is wider than the screen");
  }

  /** The controls of the page that a screen reader could not name. */
  private static final String UNLABELLED = """
      return Array.from(document.querySelectorAll(
          'input:not([type=hidden]), select, textarea, button, summary, a[href]')).filter(el => {
        const by = el.getAttribute('aria-labelledby');
        const name = el.getAttribute('aria-label')
            || (by && document.getElementById(by) && document.getElementById(by).textContent)
            || (el.labels && el.labels.length && el.labels[0].textContent)
            || (['BUTTON', 'SUMMARY', 'A'].includes(el.tagName) && el.textContent);
        return !name || !name.trim();
      }).map(el => el.outerHTML.substring(0, 160));""";

  /**
   * Whether the page is wider than the screen (it scrolls sideways). Not the window: a phone
   * widens its layout to fit content that overflows.
   */
  boolean scrollsSideways() {
    return (Boolean) browser.driver.executeScript(
        "return document.documentElement.scrollWidth > screen.width");
  }

  WebElement header() {
    return browser.driver.findElement(By.tagName("header"));
  }

  WebElement find(String css) {
    return browser.await(d -> d.findElement(By.cssSelector(css)));
  }

  List<WebElement> findAll(String css) {
    return browser.driver.findElements(By.cssSelector(css));
  }

  String text(String css) {
    return find(css).getText();
  }

  /** The first row of {@code table} whose text contains {@code text}, once there is one. */
  WebElement rowContaining(String table, String text) {
    return browser.await(d -> d.findElements(By.cssSelector(table + " tbody tr")).stream()
        .filter(r -> r.getText().contains(text)).findFirst().orElse(null));
  }

  String path() {
    return URI.create(browser.driver.getCurrentUrl()).getPath();
  }

  /** A query parameter of the current address, or null. */
  String query(String name) {
    String q = URI.create(browser.driver.getCurrentUrl()).getQuery();
    if (q == null) {
      return null;
    }
    for (String pair : q.split("&")) {
      if (pair.startsWith(name + "=")) {
        return pair.substring(name.length() + 1);
      }
    }
    return null;
  }

  /** The organization id in the current address ({@code /orgs/<id>/...}). */
  String org() {
    String[] parts = path().split("/");
    return parts.length > 2 && parts[1].equals("orgs") ? parts[2] : null;
  }

  /** Follows a section link of the navigation, opening the narrow screen's menu first. */
  void section(String label) {
    WebElement toggle = find(".menu-toggle");
    if (toggle.isDisplayed() && !"true".equals(toggle.getAttribute("aria-expanded"))) {
      toggle.click();
    }
    header().findElement(By.linkText(label)).click();
    browser.await(d -> path().endsWith("/" + label.toLowerCase(Locale.ROOT)));
    loaded();
  }

  /** The points of every series of the chart on {@code canvas[data-chart=name]}. */
  long chartPoints(String name) {
    return (Long) browser.driver.executeScript("const c = Chart.getChart("
        + "document.querySelector('[data-chart=" + name + "]'));"
        + " return c.data.datasets.reduce((n, d) => n + d.data.length, 0);");
  }

  /** The largest value of any series of the chart on {@code canvas[data-chart=name]}. */
  double chartLargest(String name) {
    return ((Number) browser.driver.executeScript("const c = Chart.getChart("
        + "document.querySelector('[data-chart=" + name + "]'));"
        + " return c.data.datasets.reduce((m, d) => d.data.reduce((n, p) =>"
        + " p.y === null ? n : Math.max(n, p.y), m), 0);")).doubleValue();
  }

  /**
   * Waits up to two minutes, for a training or live traffic on a machine shared with other
   * builds.
   */
  <T> T awaitLong(Function<WebDriver, T> condition) {
    return new WebDriverWait(browser.driver, Duration.ofMinutes(2))
        .ignoring(StaleElementReferenceException.class).until(condition);
  }

  /** Saves {@code target/screenshots/<name>-<width>.png}, once the page fits the screen. */
  void screenshot(String name) {
    assertFalse(scrollsSideways(), path() + " is wider than the screen");
    long width = (Long) browser.driver.executeScript("return screen.width");
    browser.screenshot(name + "-" + width);
  }

  /**
   * 150 irises, 50 of each species, with 3 missing petal widths: two numeric columns, an integer
   * one, and the label.
   */
  static String irisCsv() {
    String[] species = {"setosa", "versicolor", "virginica"};
    double[] sepal = {5.0, 5.9, 6.6};
    double[] petal = {0.2, 1.3, 2.0};
    StringBuilder csv = new StringBuilder("sepal_length,petal_width,petals,species\n");
    for (int i = 0; i < 150; i++) {
      int s = i / 50;
      String width = i % 50 == 10 ? "" : String.format(Locale.ROOT, "%.1f",
          petal[s] + (i * 3 % 5) / 10.0);
      csv.append(String.format(Locale.ROOT, "%.1f", sepal[s] + (i * 7 % 10 - 5) / 10.0))
          .append(',').append(width).append(',').append(3 + i % 4).append(',')
          .append(species[s]).append('\n');
    }
    return csv.toString();
  }
}
