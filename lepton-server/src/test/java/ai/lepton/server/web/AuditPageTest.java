package ai.lepton.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The audit page for the two kinds of member: an admin pages back through older events and
 * verifies the chain; a viewer reads the organization's pages without the controls that change it,
 * and is told the audit log is for admins.
 */
class AuditPageTest {
  @TempDir Path dir;

  @Test
  void anAdminPagesBackToTheFirstEventAndTheChainVerifies() {
    try (LeptonServer server = LeptonServer.start(ServerConfig.embedded(dir, 0));
        Browser browser = Browser.start(1280, 900)) {
      Pages pages = Pages.firstAdmin(server, browser);
      String org = pages.enterFirstOrg();
      pages.open("/orgs/" + org + "/members");
      pages.loaded();
      pages.api("for (let i = 0; i < 60; i++) await lepton.api('POST', '/api/v1/orgs/" + org
          + "/departments', {name: 'team-' + i});");

      pages.section("Audit");
      List<WebElement> rows = pages.findAll("[data-list=audit] tbody tr");
      assertEquals(50, rows.size(), "the newest 50 first");
      long newest = Long.parseLong(rows.get(0).getText().split(" ")[0]);
      assertTrue(newest > 60, "60 departments and the sign-ins: " + newest);
      WebElement older = pages.find("[data-action=older]");
      while (older.isDisplayed()) {
        older.click();
        int shown = rows.size();
        pages.browser.await(d -> pages.findAll("[data-list=audit] tbody tr").size() > shown);
        rows = pages.findAll("[data-list=audit] tbody tr");
      }
      assertEquals(newest, rows.size(), "every event once, down to the first");
      assertTrue(rows.get(rows.size() - 1).getText().startsWith("1 "));
      pages.find("[data-action=verify]").click();
      pages.browser.await(d -> pages.text("[data-status=verify]")
          .equals("Intact (" + newest + " events)."));
    }
  }

  @Test
  void aViewerReadsThePagesWithoutTheirControlsAndNotTheAuditLog() {
    try (LeptonServer server = LeptonServer.start(ServerConfig.embedded(dir, 0));
        Browser browser = Browser.start(1280, 900)) {
      Pages pages = Pages.firstAdmin(server, browser);
      String org = pages.enterFirstOrg();
      pages.open("/orgs/" + org + "/members");
      pages.loaded();
      String viewerLink = (String) pages.api("const u = await lepton.api('POST', '/api/v1/users',"
          + " {email: 'vic@example.org'}); await lepton.api('POST', '/api/v1/orgs/" + org
          + "/members', {email: 'vic@example.org', role: 'viewer'}); return u.signInLink;");
      pages.header().findElement(By.cssSelector("[data-action=sign-out]"))
          .click();
      pages.browser.await(d -> d.getCurrentUrl().contains("/signin"));
      pages.firstSignIn(viewerLink, "viewer's own password");

      pages.open("/orgs/" + org + "/members");
      pages.loaded();
      assertTrue(pages.text("[data-list=members]").contains(ServerConfig.DEFAULT_ADMIN_EMAIL));
      assertTrue(pages.findAll("[data-list=members] select").isEmpty(), "no role to change");
      for (WebElement admin : pages.findAll("[data-admin], [data-installation-admin]")) {
        assertFalse(admin.isDisplayed(), admin.getAttribute("outerHTML"));
      }
      pages.section("Datasets");
      assertFalse(pages.find("[data-writer]").isDisplayed(), "a viewer creates no dataset");
      pages.section("Audit");
      assertEquals("Only the organization's admins read its audit log.",
          pages.text("[data-status=audit]"));
      assertFalse(pages.find("[data-action=verify]").isDisplayed());
      pages.screenshot("audit-viewer");
    }
  }
}
