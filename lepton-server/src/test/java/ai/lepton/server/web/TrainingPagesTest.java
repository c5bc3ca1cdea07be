package ai.lepton.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The training pages in a real browser against a server with a real worker: a training of the
 * irises submitted from the New training page runs to the end while its charts fill from the job's
 * events, a long one is cancelled from its page, the two runs are compared, and the registered
 * version's page shows the confusion matrix of the trained model. Then every new page on a 390 px
 * screen. Screenshots land in {@code target/screenshots}.
 */
class TrainingPagesTest {
  @TempDir Path dir;

  @Test
  void trainCancelCompareAndReadTheEvaluation() throws Exception {
    try (LeptonServer server = LeptonServer.start(ServerConfig.embedded(dir, 0));
        Browser browser = Browser.start(1280, 900)) {
      Pages pages = Pages.firstAdmin(server, browser);
      String org = pages.enterFirstOrg();
      upload(pages, org, "irises", Pages.irisCsv());

      pages.section("Jobs");
      assertTrue(pages.text("[data-list=jobs]").contains("No jobs yet"));
      pages.find("[data-link=new-job]").click();
      pages.loaded();
      assertEquals("species", new Select(pages.find("[name=target]"))
          .getFirstSelectedOption().getAttribute("value"), "the label column is chosen");
      pages.screenshot("new-job");
      String trained = submit(pages, "40", "16", "0.01", "irises");
      pages.awaitLong(d -> pages.text("[data-field=state]").equals("succeeded"));
      assertTrue(pages.chartPoints("loss") > 0, "the loss chart shows points");
      assertTrue(pages.chartPoints("metrics") > 0, "the metrics chart shows points");
      assertTrue(pages.text("[data-field=epoch]").startsWith("40 / 40"),
          pages.text("[data-field=epoch]"));
      assertTrue(pages.text("[data-field=result]").contains("model irises"));
      assertTrue(pages.findAll("[data-action=cancel]").get(0).getAttribute("hidden") != null);
      // the final figures: the last epoch's speed, no ETA, how long it took; the run's report
      assertTrue(pages.text("[data-field=speed]").matches("\\d[\\d,.\\s]*"),
          pages.text("[data-field=speed]"));
      assertEquals("–", pages.text("[data-field=eta]"));
      assertTrue(pages.text("[data-field=took]").matches("[0-9]+ (s|min [0-9]+ s)"),
          pages.text("[data-field=took]"));
      pages.browser.await(d -> pages.findAll("table.confusion tbody td").size() == 9);
      confusionMatrix(pages);
      // opened again once finished: the same figures, from the replayed history and the run
      pages.open(pages.path());
      pages.loaded();
      pages.browser.await(d -> pages.chartPoints("loss") > 0
          && pages.findAll("table.confusion tbody td").size() == 9
          && pages.text("[data-field=epoch]").startsWith("40 / 40")
          && pages.text("[data-field=eta]").equals("–")); // after the replay, the state's end
      assertTrue(pages.text("[data-field=speed]").matches("\\d[\\d,.\\s]*"));
      assertTrue(pages.text("[data-field=took]").matches("[0-9]+ (s|min [0-9]+ s)"));
      pages.screenshot("job");

      // a long training: live points arrive while it runs, then Cancel stops it
      pages.open("/orgs/" + org + "/jobs/new");
      pages.loaded();
      String cancelled = submit(pages, "10000", "1", "0.001", null);
      pages.awaitLong(d -> pages.text("[data-field=state]").equals("running")
          && pages.chartPoints("loss") > 0);
      // while it runs: the batch speed and the ETA from the progress stream
      pages.awaitLong(d -> pages.text("[data-field=speed]").matches("\\d[\\d,.\\s]*")
          && pages.text("[data-field=eta]").matches("[0-9]+ (s|min [0-9]+ s)|[0-9]+ h [0-9]+ min"));
      assertEquals("–", pages.text("[data-field=took]"));
      assertTrue(pages.findAll("[data-field=report-section]").get(0).getAttribute("hidden")
          != null, "no report while it runs");
      pages.screenshot("job-running");
      pages.find("[data-action=cancel]").click();
      pages.find("dialog .danger").click();
      pages.awaitLong(d -> pages.text("[data-field=state]").equals("cancelled"));
      assertTrue(pages.text("[data-status=job]").startsWith("Cancel"),
          pages.text("[data-status=job]"));

      pages.section("Jobs");
      pages.rowContaining("[data-list=jobs]", trained);
      assertTrue(pages.rowContaining("[data-list=jobs]", cancelled).getText().contains("cancelled"));
      pages.screenshot("jobs");

      compare(pages);

      pages.section("Models");
      pages.rowContaining("[data-list=models]", "irises").findElement(By.linkText("irises")).click();
      pages.loaded();
      WebElement version = pages.rowContaining("[data-list=versions]", "v1");
      assertTrue(version.getText().contains("irises v1"), "lineage names the dataset version: "
          + version.getText());
      pages.screenshot("model");
      version.findElement(By.linkText("v1")).click();
      pages.loaded();
      confusionMatrix(pages);
      pages.screenshot("model-version");
      binaryAndRegression(pages, org);

      // class names are for labels that are numbers: on the irises' species the job fails,
      // and its page says why
      pages.open("/orgs/" + org + "/jobs/new");
      pages.loaded();
      pages.find("[name=classNames]").sendKeys("first, second,third");
      submit(pages, "1", "16", "0.01", null);
      pages.awaitLong(d -> pages.text("[data-field=state]").equals("failed"));
      pages.browser.await(d -> pages.text("[data-status=job]").contains("'classNames' names the "
          + "labels 0 to 2, but the data has the class"));
      pages.screenshot("job-failed");

      narrow(pages.base, org);
    }
  }

  /**
   * A binary task (setosa or versicolor) shows its ROC curve and AUC; a regression (the sepal
   * length from the rest) its regression metrics and no confusion matrix.
   */
  private void binaryAndRegression(Pages pages, String org) throws Exception {
    String twoSpecies = Pages.irisCsv().lines().limit(101).reduce("", (a, l) -> a + l + "\n");
    upload(pages, org, "pairs", twoSpecies);
    String measures = Pages.irisCsv().lines().map(l -> l.substring(0, l.lastIndexOf(',')))
        .reduce("", (a, l) -> a + l + "\n");
    upload(pages, org, "measures", measures);
    pages.open("/orgs/" + org + "/jobs");
    pages.loaded();
    for (String spec : List.of(
        "{dataset: 'pairs', model: {template: 'mlp'}, target: 'species',"
            + " hyperparameters: {epochs: 5}, registerAs: 'pairs'}",
        "{dataset: 'measures', model: {template: 'linear-regression'}, target: 'sepal_length',"
            + " hyperparameters: {epochs: 5, learningRate: 0.01}, registerAs: 'lengths'}")) {
      String job = (String) pages.api("return (await lepton.api('POST', '/api/v1/orgs/" + org
          + "/jobs', " + spec + ")).id;");
      pages.open("/orgs/" + org + "/jobs/" + job);
      pages.loaded();
      pages.awaitLong(d -> List.of("succeeded", "failed", "cancelled")
          .contains(pages.text("[data-field=state]")));
      assertEquals("succeeded", pages.text("[data-field=state]"), pages.text("[data-status=job]"));
      if (spec.contains("pairs")) { // the job's page shows its run's ROC curve too
        pages.browser.await(d -> pages.text("[data-field=auc]").contains("AUC"));
        assertTrue(pages.chartPoints("roc") > 2, "the ROC curve has points");
        assertEquals(4, pages.findAll("table.confusion tbody td").size());
        pages.screenshot("job-binary");
      }
    }
    pages.open("/orgs/" + org + "/models/pairs/versions/1");
    pages.loaded();
    assertTrue(pages.text("[data-field=auc]").contains("AUC"), pages.text("[data-field=auc]"));
    assertTrue(pages.chartPoints("roc") > 2, "the ROC curve has points");
    assertEquals(4, pages.findAll("table.confusion tbody td").size());
    pages.screenshot("model-version-binary");
    pages.open("/orgs/" + org + "/models/lengths/versions/1");
    pages.loaded();
    assertTrue(pages.text("[data-field=regression]").contains("Mean absolute error"),
        pages.text("[data-field=regression]"));
    assertTrue(pages.findAll("table.confusion tbody td").isEmpty());
    pages.screenshot("model-version-regression");
  }

  /** Creates the dataset {@code name} and uploads {@code content} as its version 1. */
  private void upload(Pages pages, String org, String name, String content) throws Exception {
    pages.open("/orgs/" + org + "/datasets");
    pages.loaded();
    pages.find("[data-form=create-dataset] [name=name]").sendKeys(name + "\n");
    pages.browser.await(d -> d.getCurrentUrl().matches(".*/datasets/[^/]+$"));
    pages.loaded();
    Path csv = Files.writeString(dir.resolve(name + ".csv"), content);
    pages.find("[data-form=upload] [name=file]").sendKeys(csv.toString());
    pages.find("[data-form=upload] [type=submit]").click();
    pages.browser.await(d -> pages.text("[data-form=upload] [role=status]")
        .startsWith("Version 1"));
  }

  /** Fills the New training form (mlp on the irises' species) and lands on the job's page. */
  private static String submit(Pages pages, String epochs, String batch, String rate,
      String registerAs) {
    new Select(pages.find("[name=template]")).selectByValue("mlp");
    for (String[] f : new String[][] {{"epochs", epochs}, {"batchSize", batch},
        {"learningRate", rate}}) {
      WebElement input = pages.find("[name=" + f[0] + "]");
      input.clear();
      input.sendKeys(f[1]);
    }
    if (registerAs != null) {
      pages.find("[name=registerAs]").sendKeys(registerAs);
    }
    pages.find("[data-form=new-job] [type=submit]").click();
    pages.browser.await(d -> d.getCurrentUrl().matches(".*/jobs/job_[^/]+$")
        || d.findElements(By.cssSelector("[data-form=new-job] .error")).size() > 0);
    assertTrue(pages.browser.driver.getCurrentUrl().matches(".*/jobs/job_[^/]+$"),
        () -> "not submitted: " + pages.text("[data-form=new-job] [role=status]"));
    pages.loaded();
    return pages.path().substring(pages.path().lastIndexOf('/') + 1);
  }

  /** Picks both runs, compares them: two columns, each history chart overlays both. */
  private static void compare(Pages pages) {
    pages.section("Runs");
    List<WebElement> boxes = pages.findAll("[data-list=runs] input[type=checkbox]");
    assertEquals(2, boxes.size());
    pages.find("[data-form=compare] [type=submit]").click();
    assertEquals("choose at least two runs to compare",
        pages.text("[data-form=compare] [role=status]"));
    boxes.forEach(WebElement::click);
    assertEquals("", pages.text("[data-form=compare] [role=status]"), "the refusal went");
    pages.screenshot("runs");
    pages.find("[data-form=compare] [type=submit]").click();
    pages.browser.await(d -> d.getCurrentUrl().contains("/runs/compare?ids="));
    pages.loaded();
    assertEquals(3, pages.findAll("[data-list=metrics] thead th").size(), "a column per run");
    List<WebElement> charts = pages.findAll("[data-field=histories] figure");
    assertTrue(charts.size() >= 2, "loss and accuracy at least: " + charts.size());
    for (WebElement chart : charts) {
      Object series = pages.browser.driver.executeScript("return Chart.getChart(arguments[0]"
          + ".querySelector('canvas')).data.datasets.filter(d => d.data.length > 0).length",
          chart);
      assertEquals(2L, series, "both runs drawn on " + chart.getText());
    }
    assertTrue(pages.text("[data-list=parameters]").contains("epochs"));
    pages.screenshot("compare");
  }

  /** 3 by 3 counts over the 30 held-out irises, shaded; per-class rows for the 3 species. */
  private static void confusionMatrix(Pages pages) {
    List<WebElement> cells = pages.findAll("table.confusion tbody td");
    assertEquals(9, cells.size());
    long total = 0;
    for (WebElement cell : cells) {
      total += Long.parseLong(cell.getText());
      assertTrue(cell.getCssValue("background-color").startsWith("rgba("),
          "a shaded cell: " + cell.getCssValue("background-color"));
    }
    assertEquals(30, total, "every held-out sample counted once");
    assertEquals(List.of("setosa", "versicolor", "virginica"), pages.findAll(
        "table.confusion tbody th").stream().map(WebElement::getText).toList());
    assertEquals(3, pages.findAll("[data-field=per-class] tbody tr").size());
    assertTrue(pages.text("[data-field=headline]").contains("accuracy"));
  }

  /** Every new page on a 390 px screen: no page wider than the screen, no console error. */
  private static void narrow(String base, String org) {
    try (Browser phone = Browser.start(390, 844)) {
      Pages pages = Pages.signIn(phone, base);
      List<String> paths = new ArrayList<>(List.of("jobs", "jobs/new", "runs", "models",
          "models/irises", "models/irises/versions/1"));
      pages.open("/orgs/" + org + "/jobs");
      pages.loaded();
      paths.add(pages.find("[data-list=jobs] tbody a").getAttribute("href")
          .replaceFirst(".*/orgs/[^/]+/", ""));
      for (String path : paths) {
        pages.open("/orgs/" + org + "/" + path);
        pages.loaded();
        pages.screenshot("narrow-" + path.replace('/', '-').replaceAll("job_.*", "job"));
      }
    }
  }
}
