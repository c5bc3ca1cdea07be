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

  @Test
  void theFirstAdministratorSignsInWithAPasswordAndSeesTheirOrganization() throws Exception {
    try (LeptonServer server = LeptonServer.start(ServerConfig.embedded(dir, 0));
        Browser browser = Browser.start(1280, 800)) {
      String base = "http://127.0.0.1:" + server.port();
      setPassword(base, server.firstSignInLink().orElseThrow(), "correct horse battery");
      browser.driver.get(base + "/orgs");
      new WebDriverWait(browser.driver, Duration.ofSeconds(10))
          .until(d -> d.getCurrentUrl().endsWith("/signin?next=%2Forgs")); // no session yet
      browser.driver.findElement(By.id("email")).sendKeys(ServerConfig.DEFAULT_ADMIN_EMAIL);
      browser.driver.findElement(By.id("password")).sendKeys("correct horse battery\n");
      WebElement section = new WebDriverWait(browser.driver, Duration.ofSeconds(10))
          .until(d -> d.findElements(By.cssSelector("[data-page=orgs]:not([aria-busy])")).stream()
              .findFirst().orElse(null));
      assertTrue(section.getText().contains("Signed in as " + ServerConfig.DEFAULT_ADMIN_EMAIL),
          section.getText());
      List<WebElement> rows = section.findElements(By.cssSelector("tbody tr"));
      assertEquals(1, rows.size());
      assertTrue(rows.get(0).getText().startsWith(ServerConfig.DEFAULT_FIRST_ORGANIZATION),
          rows.get(0).getText());
      browser.screenshot("orgs");
      browser.driver.findElement(By.cssSelector("header [data-action=sign-out]")).click();
      new WebDriverWait(browser.driver, Duration.ofSeconds(10))
          .until(d -> d.getCurrentUrl().endsWith("/signin"));
    }
  }

  /** Signs in with the one-time link's code over HTTP and sets a password, as the link page does. */
  private static void setPassword(String base, String link, String password) throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    String code = link.substring(link.lastIndexOf('/') + 1);
    var signIn = http.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(base + "/api/v1/session/link"))
        .header("Content-Type", "application/json")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"code\":\"" + code + "\"}"))
        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(201, signIn.statusCode(), signIn.body());
    String cookie = signIn.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
    String csrf = new com.fasterxml.jackson.databind.ObjectMapper().readTree(signIn.body())
        .get("csrfToken").asText();
    var change = http.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(base + "/api/v1/me/password"))
        .header("Content-Type", "application/json").header("Cookie", cookie)
        .header("X-CSRF-Token", csrf)
        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(
            "{\"currentPassword\":null,\"newPassword\":\"" + password + "\"}"))
        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(204, change.statusCode(), change.body());
  }
}
