package ai.lepton.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The web UI's journey in a real browser, as a new administrator walks it: the first-start link
 * and a password, sign-in, a second organization and the switch back, a token, members and a
 * department, a dataset with an uploaded CSV (the progress bar), its profile (rows, histograms,
 * class balance), a derived split and its lineage, and the audit log that recorded it all and
 * verifies intact. Every page is checked for console errors (scripts, Content Security Policy).
 */
class WebJourneyTest {
  static final String PASSWORD = "correct horse battery";

  @TempDir Path dir;

  @Test
  void fromTheSignInLinkToAProfiledSplitDatasetAndAnIntactAuditLog() throws Exception {
    try (LeptonServer server = LeptonServer.start(ServerConfig.embedded(dir, 0));
        Browser browser = Browser.start(1280, 900)) {
      Pages pages = Pages.firstAdmin(server, browser);
      signOutAndInAgain(pages);
      String defaultOrg = switchOrganizations(pages);
      tokens(pages, defaultOrg);
      members(pages, defaultOrg);
      String datasetPage = uploadAndProfile(pages, defaultOrg);
      deriveASplit(pages, datasetPage);
      deleteTheParentThenTheDataset(pages, datasetPage);
      audit(pages, defaultOrg);
    }
  }

  private static void signOutAndInAgain(Pages pages) {
    pages.open("/orgs");
    pages.header().findElement(By.cssSelector("[data-action=sign-out]")).click();
    pages.browser.await(d -> d.getCurrentUrl().contains("/signin"));
    pages.open("/orgs/nowhere/members"); // a page needing a session goes to sign-in, and back
    pages.browser.await(d -> d.getCurrentUrl().contains("/signin?next="));
    pages.find("#email").sendKeys(ServerConfig.DEFAULT_ADMIN_EMAIL);
    pages.find("#password").sendKeys(PASSWORD + "\n");
    pages.browser.await(d -> d.getCurrentUrl().endsWith("/orgs/nowhere/members"));
    WebElement problem = pages.browser.await(d -> d.findElement(By.cssSelector(".problem")));
    assertTrue(problem.getText().startsWith("Not found"), problem.getText());
    pages.open("/"); // signed in, the start page is the organizations
    pages.browser.await(d -> d.getCurrentUrl().endsWith("/orgs"));
  }

  /** Creates "research", lands in it, and switches back to the first organization. */
  private static String switchOrganizations(Pages pages) {
    pages.open("/orgs");
    pages.loaded();
    List<WebElement> rows = pages.findAll("[data-page=orgs] tbody tr");
    assertEquals(1, rows.size());
    assertTrue(rows.get(0).getText().startsWith(ServerConfig.DEFAULT_FIRST_ORGANIZATION + " owner"),
        rows.get(0).getText());
    pages.screenshot("orgs");
    pages.find("[data-form=create-org] input[name=name]").sendKeys("research\n");
    pages.browser.await(d -> d.getCurrentUrl().matches(".*/orgs/org_[^/]+/datasets"));
    pages.loaded();
    assertEquals("research", pages.text("[data-field=org-name]"));
    assertTrue(pages.text("[data-list=datasets]").contains("No datasets yet"));
    String research = pages.org();

    pages.find("[data-switch=org] summary").click();
    pages.screenshot("org-switcher");
    pages.header().findElement(By.linkText(ServerConfig.DEFAULT_FIRST_ORGANIZATION)).click();
    pages.browser.await(d -> !research.equals(pages.org()));
    pages.loaded();
    assertEquals(ServerConfig.DEFAULT_FIRST_ORGANIZATION, pages.text("[data-field=org-name]"));
    assertTrue(pages.path().endsWith("/datasets"), pages.path());
    return pages.org();
  }

  private static void tokens(Pages pages, String org) {
    pages.section("Tokens");
    assertEquals("/orgs/" + org + "/tokens", pages.path());
    pages.find("[data-form=create-token] [name=name]").sendKeys("ci-pipeline");
    new Select(pages.find("[data-form=create-token] [name=scope]")).selectByValue("read");
    pages.find("[data-form=create-token] [type=submit]").click();
    WebElement secret = pages.browser.await(d -> {
      WebElement s = d.findElement(By.cssSelector("[data-secret=token]"));
      return s.isDisplayed() ? s : null;
    });
    String token = secret.findElement(By.cssSelector("[data-field=secret]")).getAttribute("value");
    assertTrue(token.startsWith("lpt_"), token);
    assertTrue(secret.getText().contains("shown only this once"), secret.getText());
    secret.findElement(By.cssSelector("[data-action=copy]")).click();
    WebElement copied = secret.findElement(By.cssSelector("[data-status=copy]"));
    pages.browser.await(d -> !copied.getText().isEmpty());
    assertTrue(copied.getText().startsWith("Copied") || copied.getText().startsWith("Selected"),
        copied.getText());
    WebElement row = pages.rowContaining("[data-list=tokens]", "ci-pipeline");
    assertTrue(row.getText().contains("you") && row.getText().contains("read"), row.getText());
    pages.screenshot("tokens");

    // a second token, revoked through the confirmation dialog
    pages.find("[data-form=create-token] [name=name]").sendKeys("old-laptop\n");
    pages.rowContaining("[data-list=tokens]", "old-laptop")
        .findElement(By.cssSelector("button[aria-label='Revoke the token old-laptop']")).click();
    WebElement dialog = pages.browser.await(d -> d.findElement(By.cssSelector("dialog[open]")));
    assertTrue(dialog.getText().contains("Revoke the token old-laptop?"), dialog.getText());
    pages.screenshot("tokens-revoke");
    dialog.findElement(By.xpath(".//button[text()='Revoke']")).click();
    pages.browser.await(d -> pages.rowContaining("[data-list=tokens]", "old-laptop").getText()
        .contains("revoked"));
    assertTrue(pages.rowContaining("[data-list=tokens]", "ci-pipeline").getText()
        .contains("Revoke"));
  }

  private static void members(Pages pages, String org) {
    pages.section("Members");
    assertEquals("/orgs/" + org + "/members", pages.path());
    pages.find("[data-form=create-department] [name=name]").sendKeys("Research\n");
    pages.browser.await(d -> pages.text("[data-tree=departments]").contains("Research"));
    pages.find("[data-form=create-user] [name=email]").sendKeys("ada@example.org\n");
    WebElement link = pages.browser.await(d -> {
      WebElement s = d.findElement(By.cssSelector("[data-secret=link]"));
      return s.isDisplayed() ? s : null;
    });
    assertTrue(link.findElement(By.cssSelector("[data-field=secret]")).getAttribute("value")
        .contains("/signin/"));
    // the create-user form filled the add form's email
    new Select(pages.find("[data-form=add-member] [name=role]")).selectByValue("viewer");
    new Select(pages.find("[data-form=add-member] [name=departmentId]"))
        .selectByVisibleText("Research");
    pages.find("[data-form=add-member] [type=submit]").click();
    WebElement ada = pages.rowContaining("[data-list=members]", "ada@example.org");
    assertTrue(ada.getText().contains("Research"), ada.getText());
    new Select(ada.findElement(By.cssSelector("select[aria-label='Role of ada@example.org']")))
        .selectByValue("member");
    ada.findElement(By.cssSelector("button[aria-label='Change the role of ada@example.org']"))
        .click();
    pages.browser.await(d -> pages.text("[data-status=members]")
        .equals("ada@example.org is now member."));
    assertEquals("member", new Select(pages.find("select[aria-label='Role of ada@example.org']"))
        .getFirstSelectedOption().getAttribute("value"));
    pages.screenshot("members");

    // the department switcher filters the members to Research's
    pages.find("[data-switch=dept] summary").click();
    pages.header().findElement(By.linkText("Research")).click();
    pages.browser.await(d -> d.getCurrentUrl().contains("?dept="));
    pages.loaded();
    assertEquals("Research", pages.text("[data-field=dept-name]"));
    List<WebElement> rows = pages.findAll("[data-list=members] tbody tr");
    assertEquals(1, rows.size());
    assertTrue(rows.get(0).getText().startsWith("ada@example.org"), rows.get(0).getText());
    assertTrue(pages.find("a[data-section][href$='/datasets?dept=" + pages.query("dept") + "']")
        .isDisplayed());
  }

  /** Creates "iris", uploads a CSV through the form and reads its profile; the dataset's page. */
  private String uploadAndProfile(Pages pages, String org) throws Exception {
    pages.open("/orgs/" + org + "/datasets");
    pages.loaded();
    pages.find("[data-form=create-dataset] [name=name]").sendKeys("iris");
    pages.find("[data-form=create-dataset] [name=description]").sendKeys("Fisher's irises");
    pages.find("[data-form=create-dataset] [type=submit]").click();
    pages.browser.await(d -> d.getCurrentUrl().matches(".*/datasets/[^/]+$"));
    pages.loaded();
    assertEquals("iris", pages.text("h1"));
    assertTrue(pages.text("[data-list=versions]").contains("No versions yet"));
    String datasetPage = pages.path();

    Path csv = Files.writeString(dir.resolve("iris.csv"), Pages.irisCsv());
    pages.find("[data-form=upload] [name=file]").sendKeys(csv.toString());
    assertEquals("CSV", new Select(pages.find("[data-form=upload] [name=format]"))
        .getFirstSelectedOption().getAttribute("value"), "the format follows the file's name");
    pages.find("[data-form=upload] [name=label]").sendKeys("species");
    pages.find("[data-form=upload] [type=submit]").click();
    WebElement status = pages.find("[data-form=upload] [role=status]");
    pages.browser.await(d -> status.getText().startsWith("Version 1"));
    assertEquals("Version 1: 150 rows of CSV.", status.getText());
    WebElement progress = pages.find("[data-form=upload] progress");
    assertTrue(progress.isDisplayed());
    assertEquals("100", progress.getAttribute("value"), "the upload's progress events arrived");
    pages.screenshot("dataset-uploaded");

    pages.rowContaining("[data-list=versions]", "iris.csv").findElement(By.linkText("v1")).click();
    pages.loaded();
    assertEquals("iris · v1", pages.text("h1"));
    assertTrue(pages.text("[data-facts=version]").contains("Rows\n150"),
        pages.text("[data-facts=version]"));
    // a histogram per numeric column, whose bars hold every present value
    List<WebElement> charts = pages.findAll("[data-field=histograms] figure");
    assertEquals(List.of("sepal_length", "petal_width", "petals"),
        charts.stream().map(c -> c.getAttribute("data-column")).toList());
    for (WebElement chart : charts) {
      List<WebElement> bars = chart.findElements(By.cssSelector("rect.bar"));
      assertTrue(bars.size() >= 2, bars.size() + " bars");
      long total = 0;
      for (WebElement bar : bars) {
        Matcher m = Pattern.compile(": ([0-9,]+)$").matcher(
            bar.findElement(By.tagName("title")).getAttribute("textContent"));
        assertTrue(m.find());
        total += Long.parseLong(m.group(1).replace(",", ""));
      }
      long missing = chart.getAttribute("data-column").equals("petal_width") ? 3 : 0;
      assertEquals(150 - missing, total, chart.getAttribute("data-column"));
    }
    assertTrue(pages.text("[data-list=columns]").contains("petal_width number 147 3"),
        pages.text("[data-list=columns]"));
    List<WebElement> classes = pages.findAll("[data-list=balance] tbody tr");
    assertEquals(3, classes.size());
    for (WebElement c : classes) {
      String text = c.getText().replaceAll("\\s+", " ");
      assertTrue(text.matches("(setosa|versicolor|virginica) 50 33\\.3%"), text);
    }
    assertEquals(List.of("sepal_length", "petal_width", "petals", "species"),
        pages.findAll("[data-list=preview] thead th").stream().map(WebElement::getText).toList());
    assertFalse(pages.findAll("[data-list=preview] tbody tr").isEmpty());
    String download = pages.find("[data-link=content]").getAttribute("href");
    assertTrue(download.endsWith("/versions/1/content"), download);
    pages.screenshot("version-profile");
    return datasetPage;
  }

  private static void deriveASplit(Pages pages, String datasetPage) {
    pages.open(datasetPage);
    pages.loaded();
    new Select(pages.find("[data-form=derive] [name=op]")).selectByValue("split");
    WebElement train = pages.find("[data-form=derive] [name=train]");
    train.clear();
    train.sendKeys("0.8");
    WebElement test = pages.find("[data-form=derive] [name=test]");
    test.clear();
    test.sendKeys("0.2");
    pages.find("[data-form=derive] [type=submit]").click();
    WebElement status = pages.find("[data-form=derive] [role=status]");
    pages.browser.await(d -> status.getText().startsWith("Derived"));
    Matcher parts = Pattern.compile(
        "Derived v2 \\(train, (\\d+) rows\\), v3 \\(test, (\\d+) rows\\)\\.")
        .matcher(status.getText());
    assertTrue(parts.matches(), status.getText());
    assertEquals(150, Integer.parseInt(parts.group(1)) + Integer.parseInt(parts.group(2)));
    // the lineage tree holds both parts under the upload
    List<WebElement> children = pages.findAll("[data-tree=lineage] > li > ul > li");
    assertEquals(2, children.size());
    assertTrue(children.get(0).getText().contains("split") && children.get(0).getText()
        .contains("of v1, train part"), children.get(0).getText());
    assertTrue(pages.rowContaining("[data-list=versions]", "v3").getText().contains("test part"));
    pages.screenshot("dataset-lineage");

    pages.rowContaining("[data-list=versions]", "v2").findElement(By.linkText("v2")).click();
    pages.loaded();
    assertTrue(pages.text("[data-field=lineage]").startsWith("Derived from v1 by split: the train"
        + " part."), pages.text("[data-field=lineage]"));
    assertTrue(pages.text("[data-field=recipe]").contains("\"seed\":42"));
  }

  /**
   * Deletes v1 (the parent of the split) through the confirmation dialog: it stays listed as
   * deleted, its page says so without content, and v2's lineage still names it; then deletes the
   * dataset.
   */
  private static void deleteTheParentThenTheDataset(Pages pages, String datasetPage) {
    pages.open(datasetPage + "/versions/1");
    pages.loaded();
    pages.find("[data-action=delete-version]").click();
    WebElement dialog = pages.browser.await(d -> d.findElement(By.cssSelector("dialog[open]")));
    assertTrue(dialog.getText().contains("Delete v1 (iris.csv) of iris?"), dialog.getText());
    pages.screenshot("version-delete");
    dialog.findElement(By.xpath(".//button[text()='Delete version']")).click();
    pages.browser.await(d -> d.getCurrentUrl().endsWith(datasetPage));
    pages.loaded();
    pages.browser.await(d -> pages.rowContaining("[data-list=versions]", "v1").getText()
        .contains("(deleted)"));
    assertTrue(pages.text("[data-tree=lineage]").contains("deleted"),
        pages.text("[data-tree=lineage]"));
    List<String> from = new Select(pages.find("[data-form=derive] [name=version]")).getOptions()
        .stream().map(WebElement::getText).toList();
    assertEquals(2, from.size(), from.toString());
    assertTrue(from.get(0).startsWith("v3 · test.csv") && from.get(1).startsWith("v2 · train.csv"),
        "a deleted version cannot be derived from: " + from);
    pages.screenshot("dataset-deleted-version");

    pages.open(datasetPage + "/versions/1");
    pages.loaded();
    assertTrue(pages.text("[data-field=deleted]").startsWith("This version was deleted"),
        pages.text("[data-field=deleted]"));
    assertFalse(pages.find("[data-link=content]").isDisplayed(), "no content to download");
    assertFalse(pages.find("[data-action=delete-version]").isDisplayed());
    assertTrue(pages.findAll("[data-list=preview] tbody tr").isEmpty(), "no profile");
    pages.screenshot("version-deleted");
    pages.open(datasetPage + "/versions/2");
    pages.loaded();
    assertTrue(pages.text("[data-field=lineage]").startsWith("Derived from v1 (since deleted) by "
        + "split: the train part."), pages.text("[data-field=lineage]"));

    pages.open(datasetPage);
    pages.loaded();
    pages.find("[data-action=delete-dataset]").click();
    WebElement sure = pages.browser.await(d -> d.findElement(By.cssSelector("dialog[open]")));
    assertTrue(sure.getText().contains("Delete the dataset iris with all its versions?"),
        sure.getText());
    sure.findElement(By.xpath(".//button[text()='Delete dataset']")).click();
    pages.browser.await(d -> d.getCurrentUrl().endsWith("/datasets"));
    pages.loaded();
    assertFalse(pages.text("[data-list=datasets]").contains("iris"),
        pages.text("[data-list=datasets]"));
  }

  private static void audit(Pages pages, String org) {
    pages.section("Audit");
    assertEquals("/orgs/" + org + "/audit", pages.path());
    String events = pages.text("[data-list=audit]");
    for (String action : new String[] {"session.create", "session.delete", "token.create",
        "token.revoke", "department.create", "member.add", "member.update", "dataset.create",
        "dataset.upload", "dataset.derive", "dataset.profile.read", "dataset.version.delete",
        "dataset.delete"}) {
      assertTrue(events.contains(action), action + " in " + events);
    }
    WebElement upload = pages.rowContaining("[data-list=audit]", "dataset.upload");
    assertTrue(upload.getText().contains(ServerConfig.DEFAULT_ADMIN_EMAIL)
        && upload.getText().contains("success"), upload.getText());
    pages.find("[data-action=verify]").click();
    WebElement status = pages.find("[data-status=verify]");
    pages.browser.await(d -> !status.getText().isEmpty());
    assertTrue(status.getText().matches("Intact \\(\\d+ events\\)\\."), status.getText());
    pages.screenshot("audit");
  }
}
