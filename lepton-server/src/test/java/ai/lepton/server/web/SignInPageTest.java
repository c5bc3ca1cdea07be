package ai.lepton.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The sign-in page in a real browser: labelled, keyboard-usable, readable on a phone. */
class SignInPageTest {
  @TempDir Path dir;

  @Test
  void everyFieldHasALabelAndTheStartPageLeadsThere() {
    try (LeptonServer server = LeptonServer.start(ServerConfig.embedded(dir, 0));
        Browser browser = Browser.start(390, 844)) {
      browser.driver.get("http://127.0.0.1:" + server.port() + "/");
      assertEquals("Sign in · Lepton", browser.driver.getTitle());
      assertTrue(browser.driver.getCurrentUrl().endsWith("/signin"));
      List<WebElement> inputs = browser.driver.findElements(By.cssSelector("form input"));
      assertEquals(2, inputs.size());
      for (WebElement input : inputs) {
        String id = input.getAttribute("id");
        assertFalse(browser.driver.findElements(By.cssSelector("label[for='" + id + "']"))
            .isEmpty(), "a label for #" + id);
      }
      // the stylesheet from the webjar loaded: Pico sets the body's font
      String font = (String) browser.driver.executeScript(
          "return getComputedStyle(document.body).fontFamily");
      assertTrue(font.contains("system-ui") || font.contains("sans-serif"), font);
      // narrow screen: the form fits without horizontal scrolling
      long viewport = (Long) browser.driver.executeScript("return window.innerWidth");
      long scrollWidth = (Long) browser.driver.executeScript(
          "return document.documentElement.scrollWidth");
      assertEquals(390, viewport);
      assertTrue(scrollWidth <= viewport, "page is " + scrollWidth + " px wide on a " + viewport
          + " px screen");
      browser.screenshot("signin-narrow");
    }
  }

  @Test
  void aRefusedSignInShowsTheServersMessageBesideTheForm() {
    try (LeptonServer server = LeptonServer.start(ServerConfig.embedded(dir, 0));
        Browser browser = Browser.start(1280, 800)) {
      browser.driver.get("http://127.0.0.1:" + server.port() + "/signin");
      browser.driver.findElement(By.id("email")).sendKeys("nobody@example.org");
      browser.driver.findElement(By.id("password")).sendKeys("not the password\n");
      WebElement status = browser.driver.findElement(By.cssSelector("[role=status]"));
      new WebDriverWait(browser.driver, Duration.ofSeconds(10))
          .until(d -> !status.getText().isBlank());
      assertTrue(status.getAttribute("class").contains("error"), status.getAttribute("class"));
      browser.screenshot("signin-refused");
    }
  }
}
