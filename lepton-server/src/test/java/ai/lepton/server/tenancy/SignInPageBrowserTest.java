package ai.lepton.server.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import ai.lepton.server.web.Browser;
import ai.lepton.server.tenancy.Client.Cred;
import ai.lepton.server.tenancy.Client.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The first administrator opens the printed link in a real browser (headless Chromium), is signed
 * in, sets a password on the page (its script sends the CSRF token under the page's Content
 * Security Policy), and can then sign in with it.
 */
class SignInPageBrowserTest {
  @TempDir Path dir;
  private LeptonServer server;
  private Browser chromium;
  private WebDriver browser;

  @BeforeEach
  void start() {
    chromium = Browser.start(1280, 800);
    browser = chromium.driver;
    server = LeptonServer.start(ServerConfig.embedded(dir.resolve("data"), 0));
  }

  @AfterEach
  void stop() {
    if (chromium != null) {
      chromium.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theLinkSignsInAndThePageSetsAPassword() {
    browser.get(server.firstSignInLink().orElseThrow());
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    wait.until(ExpectedConditions.textToBe(By.id("status"),
        "Signed in as " + ServerConfig.DEFAULT_ADMIN_EMAIL + "."));
    assertTrue(browser.getCurrentUrl().endsWith("/signin"), "the code left the address bar");
    browser.findElement(By.id("new")).sendKeys("a password for the browser test");
    browser.findElement(By.tagName("button")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"),
        "Password set"));

    Response signIn = new Client(server.port()).post("/api/v1/session", Cred.NONE, Map.of(
        "email", ServerConfig.DEFAULT_ADMIN_EMAIL, "password", "a password for the browser test"));
    assertEquals(201, signIn.status(), signIn.body());
  }
}
