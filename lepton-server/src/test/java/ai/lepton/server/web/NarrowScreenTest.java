package ai.lepton.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * Every page on a 390 px phone screen: nothing scrolls sideways, every control has a name, the
 * console stays clean, and the folded menu opens, is walked and closes again by keyboard. The
 * screenshots (target/screenshots/*-390.png) are for people to look at.
 */
class NarrowScreenTest {
  @TempDir Path dir;

  @Test
  void everyPageFitsA390PxScreenAndItsMenuWorksByKeyboard() throws Exception {
    try (LeptonServer server = LeptonServer.start(ServerConfig.embedded(dir, 0));
        Browser browser = Browser.start(390, 844)) {
      Pages pages = Pages.firstAdmin(server, browser);
      String org = pages.enterFirstOrg();
      List<String> paths = new ArrayList<>(List.of("/orgs", "/orgs/" + org + "/members",
          "/orgs/" + org + "/tokens", "/orgs/" + org + "/audit",
          "/orgs/" + org + "/datasets"));
      paths.addAll(datasetPages(pages, org));

      pages.open("/orgs/" + org + "/members");
      pages.loaded();
      menuByKeyboard(pages);

      for (String path : paths) {
        pages.open(path);
        pages.loaded(); // which fails a page wider than the screen
        pages.screenshot(name(path));
      }
      pages.open("/orgs/" + org + "/members");
      pages.loaded();
      pages.find(".menu-toggle").click();
      pages.screenshot("menu-open");

      // the API page: Swagger UI lists the operations and fits too
      pages.open("/api-docs");
      browser.await(d -> d.findElements(By.cssSelector("#swagger:not([aria-busy]) .opblock"))
          .size() > 30);
      assertFalse(pages.scrollsSideways(), "/api-docs scrolls sideways on a 390 px screen");
      assertEquals(List.of(), browser.consoleErrors(), "console errors on /api-docs");
      pages.screenshot("api-docs");
    }
  }

  /** Creates a dataset and uploads the irises on the narrow screen; the pages it made. */
  private List<String> datasetPages(Pages pages, String org) throws Exception {
    pages.open("/orgs/" + org + "/datasets");
    pages.loaded();
    pages.find("[data-form=create-dataset] [name=name]").sendKeys("irises-with-a-long-name\n");
    pages.browser.await(d -> d.getCurrentUrl().matches(".*/datasets/[^/]+$"));
    pages.loaded();
    String dataset = pages.path();
    Path csv = Files.writeString(dir.resolve("irises.csv"), Pages.irisCsv());
    pages.find("[data-form=upload] [name=file]").sendKeys(csv.toString());
    pages.find("[data-form=upload] [type=submit]").click();
    pages.browser.await(d -> pages.text("[data-form=upload] [role=status]")
        .startsWith("Version 1"));
    pages.find("[data-form=derive] [type=submit]").click();
    pages.browser.await(d -> pages.text("[data-form=derive] [role=status]")
        .startsWith("Derived"));
    return List.of(dataset, dataset + "/versions/1", dataset + "/versions/2");
  }

  /** Tab reaches the menu button, Enter opens the menu and focuses it, Escape closes it. */
  private static void menuByKeyboard(Pages pages) {
    WebElement toggle = pages.find(".menu-toggle");
    WebElement menu = pages.find("#menu");
    assertFalse(menu.isDisplayed(), "the menu is folded on a narrow screen");
    Actions keys = new Actions(pages.browser.driver);
    for (int i = 0; i < 5 && !toggle.equals(pages.browser.driver.switchTo().activeElement());
        i++) {
      keys.sendKeys(Keys.TAB).perform();
    }
    assertEquals(toggle, pages.browser.driver.switchTo().activeElement(),
        "Tab reaches the menu button after the skip link and the name");
    assertEquals("Menu", toggle.getAccessibleName());
    keys.sendKeys(Keys.ENTER).perform();
    assertTrue(menu.isDisplayed());
    assertEquals("true", toggle.getAttribute("aria-expanded"));
    WebElement focused = pages.browser.driver.switchTo().activeElement();
    assertTrue(focused.getText().startsWith("Organization"), focused.getText());
    // Tab walks the menu down to the sections; Enter on the organization list opens it
    keys.sendKeys(Keys.ENTER).perform();
    assertTrue(pages.find("[data-switch=org] ul").isDisplayed());
    keys.sendKeys(Keys.ENTER).perform();
    for (int i = 0; i < 10 && !"Tokens".equals(
        pages.browser.driver.switchTo().activeElement().getText()); i++) {
      keys.sendKeys(Keys.TAB).perform();
    }
    assertEquals("Tokens", pages.browser.driver.switchTo().activeElement().getText());
    pages.screenshot("menu-keyboard");
    keys.sendKeys(Keys.ESCAPE).perform();
    assertFalse(menu.isDisplayed());
    assertEquals(toggle, pages.browser.driver.switchTo().activeElement());
  }

  /** "members" for /orgs/x/members, "version" for /orgs/x/datasets/y/versions/1... */
  private static String name(String path) {
    String[] parts = path.split("/");
    if (path.contains("/versions/")) {
      return "version-" + parts[parts.length - 1];
    }
    if (parts.length == 5 && parts[3].equals("datasets")) {
      return "dataset";
    }
    return parts[parts.length - 1];
  }
}
