package ai.lepton.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import ai.lepton.server.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The deployment pages in a real browser against a server with real trainings: irises trained
 * twice and deployed from the model version's "Deploy this version"; the try-it form answers
 * with the class names; the traffic charts draw the requests and a refused one; a canary is
 * started, its share changed, rolled back and promoted from the page; quality and drift show
 * predictions logged with feedback; a viewer sees no control that changes the deployment. A
 * second test trains on Fashion-MNIST images and predicts from a PNG through the image input,
 * scaled exactly as training scaled its pixels, then a text model's topic from a typed text.
 * Screenshots land in {@code target/screenshots}.
 */
class DeploymentPagesTest {
  private static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  @Test
  void deployTryWatchCanaryPromoteRollBackAndLookAsAViewer() throws Exception {
    Path data = dir.resolve("data");
    try (LeptonServer server = LeptonServer.start(ServerConfig.embedded(data, 0));
        Browser browser = Browser.start(1280, 1000)) {
      Pages pages = Pages.firstAdmin(server, browser);
      String org = pages.enterFirstOrg();
      String base = "/api/v1/orgs/" + org;
      createDataset(pages, org, "irises", Pages.irisCsv().getBytes(), "CSV", "irises.csv",
          "species");
      for (int i = 0; i < 2; i++) {
        train(pages, org, "{dataset: 'irises', model: {template: 'mlp'}, target: 'species',"
            + " hyperparameters: {epochs: 30, learningRate: 0.05, seed: " + (i + 1) + "},"
            + " registerAs: 'irises'}");
      }

      pages.section("Deployments");
      assertTrue(pages.text("[data-list=deployments]").contains("No deployments yet"));
      pages.open("/orgs/" + org + "/models/irises/versions/1");
      pages.loaded();
      pages.find("[data-link=deploy]").click();
      pages.browser.await(d -> d.getCurrentUrl().contains("/deployments?model=irises%401"));
      pages.loaded();
      assertEquals("irises@1", pages.find("[name=model]").getAttribute("value"));
      WebElement name = pages.find("[data-form=create-deployment] [name=name]");
      name.clear();
      name.sendKeys("iris-api");
      pages.find("[data-form=create-deployment] [type=submit]").click();
      pages.browser.await(d -> d.getCurrentUrl().endsWith("/deployments/iris-api"));
      pages.loaded();
      assertTrue(pages.text("[data-field=facts]").contains("irises v1"));

      // try it: a row of the table, answered with the class names
      assertTrue(pages.find("[data-try=rows]").isDisplayed());
      assertFalse(pages.find("[data-try=text]").isDisplayed());
      type(pages, "col:sepal_length", "five");
      pages.find("[data-form=try] [type=submit]").click();
      pages.browser.await(d -> pages.text("[data-form=try] [role=status]")
          .equals("sepal_length must be a number; received 'five'"));
      type(pages, "col:sepal_length", "5.0");
      type(pages, "col:petal_width", "0.2");
      type(pages, "col:petals", "4");
      predict(pages);
      List<WebElement> rows = pages.findAll("[data-list=answer] tbody tr");
      assertEquals(3, rows.size());
      assertTrue(rows.get(0).getText().startsWith("setosa"), rows.get(0).getText());
      assertTrue(pages.text("[data-field=answer-note]").matches(
          "Predicted setosa · version 1 · prediction id prd_[0-9a-f]{32}"),
          pages.text("[data-field=answer-note]"));
      // a refused request counts as an error
      pages.api("try { await lepton.api('POST', '" + base + "/deployments/iris-api/infer',"
          + " {inputs: [{name: 'x', shape: [1], datatype: 'FP32', data: [1]}]}); }"
          + " catch (e) { return e.message; } throw new Error('not refused');");
      pages.awaitLong(d -> pages.chartLargest("requests") > 0
          && pages.chartLargest("errors") > 0 && pages.chartLargest("latency") > 0);
      assertTrue(pages.text("[data-field=traffic-now]").contains("Answered\n1"),
          pages.text("[data-field=traffic-now]"));
      arithmetic(pages);
      oneRedrawPerReading(pages, base);

      // the canary: started, its share changed, rolled back, started again and promoted
      type(pages, "canary", "irises@2");
      WebElement share = pages.find("[data-form=canary] [name=share]");
      share.clear();
      share.sendKeys("50");
      pages.find("[data-form=canary] [type=submit]").click();
      pages.browser.await(d -> pages.find("[data-field=split]").isDisplayed());
      assertEquals("v1 · 50%\nv2 · 50%", pages.text("[data-field=split-bar]"));
      WebElement newShare = pages.find("[data-form=share] [name=share]");
      newShare.clear();
      newShare.sendKeys("25");
      pages.find("[data-form=share] [type=submit]").click();
      pages.browser.await(d -> pages.text("[data-form=share] [role=status]")
          .equals("The canary now takes 25% of the requests."));
      assertEquals("v1 · 75%\nv2 · 25%", pages.text("[data-field=split-bar]"));
      pages.screenshot("deployment-canary");
      pages.find("[data-action=rollback]").click();
      pages.find("dialog .danger").click();
      pages.browser.await(d -> pages.text("[data-status=canary]").startsWith("Rolled back"));
      assertFalse(pages.find("[data-field=split]").isDisplayed());
      assertTrue(pages.text("[data-field=facts]").contains("Canary\nnone"));
      type(pages, "canary", "irises@2");
      pages.find("[data-form=canary] [type=submit]").click();
      pages.browser.await(d -> pages.find("[data-action=promote]").isDisplayed());
      pages.find("[data-action=promote]").click();
      pages.find("dialog .danger").click();
      pages.browser.await(d -> pages.text("[data-status=canary]").startsWith("Promoted"));
      assertTrue(pages.text("[data-field=facts]").contains("Serves\nirises v2"),
          pages.text("[data-field=facts]"));

      // quality and drift: 40 predictions through the deployment (sepal lengths shifted up from
      // the training data's), then feedback from the page, every fourth answer marked wrong
      Object predicted = pages.api("var items = [], counts = {};"
          + " for (var i = 0; i < 40; i++) {"
          + "  var r = await lepton.api('POST', '" + base + "/deployments/iris-api/infer',"
          + "   {inputs: [{name: 'input', shape: [1], datatype: 'BYTES',"
          + "    data: ['[' + (8.0 + (i % 10) / 10) + ', 0.2, ' + (3 + i % 4) + ']']}]});"
          + "  var label = r.outputs.find(function (o) { return o.name === 'label'; }).data[0];"
          + "  counts[label] = (counts[label] || 0) + 1;"
          + "  items.push({predictionId: r.parameters.prediction_id, groundTruth: i % 4 !== 0"
          + "   ? label : label === 'virginica' ? 'setosa' : 'virginica'}); }"
          + " var sent = await lepton.api('POST', '" + base + "/deployments/iris-api/feedback',"
          + "  {items: items});"
          + " if (sent.accepted !== 40) throw new Error('feedback accepted: ' + sent.accepted);"
          + " return Object.keys(counts).sort(function (a, b) { return counts[b] - counts[a]; })[0];");
      pages.open("/orgs/" + org + "/deployments/iris-api");
      pages.loaded();
      assertTrue(pages.text("[data-field=quality]").contains("With feedback\n40"),
          pages.text("[data-field=quality]"));
      assertTrue(pages.text("[data-field=quality]").contains("Accuracy\n0.75"),
          pages.text("[data-field=quality]"));
      WebElement sepal = pages.rowContaining("[data-list=drift]", "sepal_length");
      assertTrue(sepal.getText().contains("major"), sepal.getText());
      assertTrue(pages.rowContaining("[data-list=classes]", (String) predicted).getText()
          .matches(predicted + " [1-9][0-9]+ [0-9]+"), "the class predicted most, and in training");
      // live traffic on the reloaded page: a request each time the test looks, until the
      // charts have drawn a few readings of it
      pages.awaitLong(d -> {
        pages.api("await lepton.api('POST', '" + base + "/deployments/iris-api/infer', {inputs:"
            + " [{name: 'input', shape: [1], datatype: 'BYTES', data: ['[6.0, 1.3, 4]']}]});");
        return pages.chartPoints("requests") >= 4 && pages.chartLargest("requests") > 0;
      });
      pages.screenshot("deployment");
      pages.section("Deployments");
      assertTrue(pages.rowContaining("[data-list=deployments]", "iris-api").getText()
          .contains("irises v2"));
      pages.screenshot("deployments");

      narrow(pages.base, org);
      viewer(pages, org, base);
    }
  }

  /** The two pages on a 390 px screen: no page wider than the screen, no console error. */
  private static void narrow(String base, String org) {
    try (Browser phone = Browser.start(390, 844)) {
      Pages pages = Pages.signIn(phone, base);
      for (String path : List.of("deployments", "deployments/iris-api")) {
        pages.open("/orgs/" + org + "/" + path);
        pages.loaded();
        pages.screenshot("narrow-" + path.replace('/', '-'));
      }
    }
  }

  @Test
  void anImageIsScaledAsTrainingScaledItsPixelsAndATextIsSentRaw() throws Exception {
    try (LeptonServer server = LeptonServer.start(ServerConfig.embedded(dir.resolve("data"), 0));
        Browser browser = Browser.start(1280, 1000)) {
      Pages pages = Pages.firstAdmin(server, browser);
      String org = pages.enterFirstOrg();
      String base = "/api/v1/orgs/" + org;
      byte[] images = idx("t10k-images-idx3-ubyte.gz", 300, 28 * 28);
      createDataset(pages, org, "images", images, "IDX", "images-idx3-ubyte", null);
      createDataset(pages, org, "labels", idx("t10k-labels-idx1-ubyte.gz", 300, 1), "IDX",
          "labels-idx1-ubyte", null);
      train(pages, org, "{dataset: 'images', model: {template: 'mlp'}, target: 'labels',"
          + " hyperparameters: {epochs: 2}, registerAs: 'fashion'}");
      deploy(pages, org, "fashion", "fashion@1");
      assertTrue(pages.find("[data-try=image]").isDisplayed());
      assertFalse(pages.find("[data-try=rows]").isDisplayed());

      // the first test image as an 8-bit gray PNG
      BufferedImage png = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
      float[] scaled = new float[28 * 28];
      int header = 16; // magic, count, rows, columns
      for (int i = 0; i < 28 * 28; i++) {
        int v = images[header + i] & 0xff;
        png.getRaster().setSample(i % 28, i / 28, 0, v);
        scaled[i] = v * (1f / 255f); // as Training.transform scales an IDX image
      }
      Path file = dir.resolve("shirt.png");
      ImageIO.write(png, "png", file.toFile());
      pages.find("[data-form=try] [name=image]").sendKeys(file.toString());
      predict(pages);
      pages.screenshot("deployment-image");

      // the same pixels sent by this test, scaled in Java as training did: the same scores
      JsonNode expected = inferAsSession(pages, base + "/deployments/fashion/infer",
          Map.of("inputs", List.of(Map.of("name", "input", "shape", List.of(1, 28 * 28),
              "datatype", "FP32", "data", scaled))));
      JsonNode scores = expected.at("/outputs/0/data");
      int best = 0;
      for (int i = 1; i < scores.size(); i++) {
        best = scores.get(i).asDouble() > scores.get(best).asDouble() ? i : best;
      }
      WebElement top = pages.findAll("[data-list=answer] tbody tr").get(0);
      assertEquals(scores.get(best).asDouble(), Double.parseDouble(top.findElement(
          By.cssSelector("[data-score]")).getAttribute("data-score")), 1e-6,
          "the page sent exactly the pixels training would have seen");
      List<?> classes = (List<?>) pages.api("return (await lepton.api('GET', '" + base
          + "/models/fashion/versions/1')).evaluationReport.classes;");
      String predicted = String.valueOf(classes.get(best));
      assertTrue(top.getText().startsWith(predicted + " ")
          || top.getText().startsWith(predicted + "\n"), top.getText() + " is not " + predicted);

      // a text model: the try-it form is a text box, sent raw for the saved tokenizer
      StringBuilder texts = new StringBuilder();
      String[] pets = {"the cat sat on the mat", "a dog barked at the cat", "my cat sleeps all day",
          "the puppy chased the ball"};
      String[] money = {"stock prices fell sharply", "the bank raised interest rates",
          "markets rallied on earnings", "bond yields climbed again"};
      for (int i = 0; i < 40; i++) {
        texts.append("{\"text\": \"").append(pets[i % 4]).append("\", \"topic\": \"pets\"}\n")
            .append("{\"text\": \"").append(money[i % 4]).append("\", \"topic\": \"money\"}\n");
      }
      createDataset(pages, org, "topics", texts.toString().getBytes(), "JSONL", "topics.jsonl",
          "topic");
      train(pages, org, "{dataset: 'topics', model: {template: 'text-lstm'}, target: 'topic',"
          + " hyperparameters: {epochs: 3}, registerAs: 'topics'}");
      deploy(pages, org, "topics", "topics");
      assertTrue(pages.find("[data-try=text]").isDisplayed());
      assertFalse(pages.find("[data-try=image]").isDisplayed());
      type(pages, "text", "the cat chased a dog");
      predict(pages);
      List<String> answered = pages.findAll("[data-list=answer] tbody tr").stream()
          .map(r -> r.findElement(By.tagName("td")).getText()).sorted().toList();
      assertEquals(List.of("money", "pets"), answered, "both topics, by name");
      pages.screenshot("deployment-text");
    }
  }

  // ---------------------------------------------------------------- steps

  /**
   * Creates dataset {@code name} and uploads {@code content} as its first version, with the
   * page's session and CSRF token.
   */
  private static void createDataset(Pages pages, String org, String name, byte[] content,
      String format, String fileName, String label) throws Exception {
    String id = (String) pages.api("return (await lepton.api('POST', '/api/v1/orgs/" + org
        + "/datasets', {name: '" + name + "'})).id;");
    HttpResponse<String> r = HTTP.send(session(pages, "/api/v1/orgs/" + org + "/datasets/" + id
        + "/versions?format=" + format + "&fileName=" + fileName
        + (label == null ? "" : "&label=" + label))
        .header("Content-Type", "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(content)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(201, r.statusCode(), r.body());
  }

  private static HttpRequest.Builder session(Pages pages, String path) {
    String cookie = pages.browser.driver.manage().getCookieNamed("lepton_session").getValue();
    String csrf = (String) pages.browser.driver.executeScript("return lepton.csrf();");
    return HttpRequest.newBuilder(URI.create(pages.base + path)).timeout(Duration.ofMinutes(1))
        .header("Cookie", "lepton_session=" + cookie).header("X-CSRF-Token", csrf);
  }

  private static JsonNode inferAsSession(Pages pages, String path, Object body)
      throws Exception {
    HttpResponse<String> r = HTTP.send(session(pages, path)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.mapper().writeValueAsString(body)))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return Json.mapper().readTree(r.body());
  }

  /** Submits {@code spec} (a JavaScript object) and waits for the job to succeed. */
  private static void train(Pages pages, String org, String spec) {
    String jobs = "/api/v1/orgs/" + org + "/jobs";
    String job = (String) pages.api("return (await lepton.api('POST', '" + jobs + "', " + spec
        + ")).id;");
    String state = pages.awaitLong(d -> {
      String s = (String) pages.api("var j = await lepton.api('GET', '" + jobs + "/" + job
          + "'); return j.state === 'failed' ? 'failed: ' + j.error : j.state;");
      return s.equals("succeeded") || s.startsWith("failed") ? s : null;
    });
    assertEquals("succeeded", state);
  }

  /** Deploys {@code model} as {@code name} with the page's session and opens its page. */
  private static void deploy(Pages pages, String org, String name, String model) {
    pages.api("await lepton.api('POST', '/api/v1/orgs/" + org + "/deployments', {name: '" + name
        + "', model: '" + model + "'});");
    pages.open("/orgs/" + org + "/deployments/" + name);
    pages.loaded();
  }

  /** Sends the try-it form and waits for the answer. */
  private static void predict(Pages pages) {
    pages.find("[data-form=try] [type=submit]").click();
    pages.browser.await(d -> pages.find("[data-field=answer]").isDisplayed());
  }

  private static void type(Pages pages, String field, String value) {
    WebElement input = pages.find("[name='" + field + "']");
    input.clear();
    input.sendKeys(value);
  }

  /**
   * The page's traffic and try-it arithmetic on fixed readings: rates from two readings, a
   * quantile inside its bucket, a restart as a gap, and the inputs and answers it builds.
   */
  private static void arithmetic(Pages pages) {
    Object result = pages.browser.driver.executeScript("""
        const d = lepton.deployments;
        const before = {requests: {ok: 10, invalid: 1, error: 0}, latencyBuckets: [
          {le: 0.001, count: 5}, {le: 0.002, count: 10}, {le: 0.004, count: 11}]};
        const after = {requests: {ok: 30, invalid: 3, error: 1}, latencyBuckets: [
          {le: 0.001, count: 5}, {le: 0.002, count: 20}, {le: 0.004, count: 31}]};
        const s = d.step(before, after, 2);
        const restarted = d.step(after, before, 2);
        const fresh = d.step(null, after, 2);
        const image = d.inputKind({inputs: [{name: 'input', shape: [-1, 784]}]}, true,
            {task: 'classification', inputShape: '[784]'});
        const rgb = d.inputKind({inputs: [{name: 'input', shape: [-1, 48]}]}, true,
            {task: 'classification', inputShape: '[48]'});
        const text = d.inputKind({inputs: [{name: 'input', shape: [-1, 20]}]}, true,
            {sequenceLength: '20'});
        const uploaded = d.inputKind({inputs: [{name: 'x', shape: [-1, 4]}]}, false, null);
        return JSON.stringify({ok: s.ok, errors: s.errors, p50: s.p50, p99: s.p99,
          restarted: restarted, fresh: fresh.ok,
          image: [image.kind, image.width, image.channels], rgb: [rgb.kind, rgb.width, rgb.channels],
          text: text.kind, uploaded: [uploaded.kind, uploaded.size],
          pixels: d.pixels([255, 255, 255, 255, 0, 0, 0, 255], 2, 1, 1, false),
          inverted: d.pixels([255, 255, 255, 255], 1, 1, 1, true),
          row: d.request({kind: 'rows', input: 'in', columns: ['a', 'b']}, {a: '1.5', b: ''}),
          textRequest: d.request(text, 'hello'),
          numbers: d.request(uploaded, '1, 2 3;4'),
          answer: d.answer({outputs: [{name: 'dense', datatype: 'FP32', data: [0.1, 0.7, 0.2]}]},
            ['a', 'b', 'c']),
          labelled: d.answer({outputs: [{name: 'dense', datatype: 'FP32', data: [0.1, 0.9]},
            {name: 'label', datatype: 'BYTES', data: ['yes']}]}, null)});""");
    JsonNode r;
    try {
      r = Json.mapper().readTree((String) result);
    } catch (IOException e) {
      throw new AssertionError(String.valueOf(result), e);
    }
    assertEquals(10.0, r.get("ok").asDouble(), "20 more answered in 2 s");
    assertEquals(1.5, r.get("errors").asDouble(), "2 refused and 1 failed in 2 s");
    // 23 requests between the readings: none took at most 1 ms, 10 at most 2 ms, 20 at most
    // 4 ms. The median (the 11.5th) lies in (2, 4] ms: 2 + 2 * (11.5 - 10) / (20 - 10) = 2.3 ms
    // (the same arithmetic as Prometheus' histogram_quantile); the 99th is past the last bound
    assertEquals(0.0023, r.get("p50").asDouble(), 1e-12);
    assertEquals(0.004, r.get("p99").asDouble(), 1e-12, "slower than the last bound: at least it");
    assertTrue(r.get("restarted").isNull(), "counters that went back leave a gap");
    assertEquals(15.0, r.get("fresh").asDouble(), "a version first served: counted from zero");
    assertEquals("[\"image\",28,1]", r.get("image").toString());
    assertEquals("[\"image\",4,3]", r.get("rgb").toString());
    assertEquals("text", r.get("text").asText());
    assertEquals("[\"numbers\",4]", r.get("uploaded").toString());
    assertEquals(1.0, r.at("/pixels/0").asDouble());
    assertEquals(0.0, r.at("/pixels/1").asDouble());
    assertEquals(0.0, r.at("/inverted/0").asDouble());
    assertEquals("{\"a\":1.5,\"b\":null}", r.at("/row/inputs/0/data/0").asText());
    assertEquals("BYTES", r.at("/row/inputs/0/datatype").asText());
    assertEquals("[1]", r.at("/textRequest/inputs/0/shape").toString());
    assertEquals("[1,4]", r.at("/numbers/inputs/0/shape").toString());
    assertEquals("[1,2,3,4]", r.at("/numbers/inputs/0/data").toString());
    assertEquals("b", r.at("/answer/label").asText());
    assertEquals("b", r.at("/answer/rows/0/label").asText());
    assertEquals("a", r.at("/answer/rows/2/label").asText());
    assertEquals("yes", r.at("/labelled/label").asText(), "the server's label wins");
    assertEquals("class 1", r.at("/labelled/rows/0/label").asText());
  }

  /**
   * No redraw storm: 300 requests, 20 at a time, while the page reads its counters; each chart
   * redraws once per reading (a reading already under way when counting starts may add one).
   */
  private static void oneRedrawPerReading(Pages pages, String base) {
    pages.browser.driver.executeScript("""
        window.readings = 0; window.redraws = 0;
        const fetched = window.fetch;
        window.fetch = function (url) {
          if (String(url).endsWith('/traffic')) window.readings++;
          return fetched.apply(this, arguments);
        };
        const chart = Chart.getChart(document.querySelector('[data-chart=requests]'));
        const update = chart.update.bind(chart);
        chart.update = function (mode) { window.redraws++; return update(mode); };""");
    pages.api("const body = {inputs: [{name: 'input', shape: [1], datatype: 'BYTES',"
        + " data: ['[5.0, 0.2, 4]']}]};"
        + " for (let i = 0; i < 15; i++) await Promise.all(Array.from({length: 20}, () =>"
        + " lepton.api('POST', '" + base + "/deployments/iris-api/infer', body)));");
    long start = (Long) pages.browser.driver.executeScript("return window.readings;");
    pages.awaitLong(d -> (Long) pages.browser.driver.executeScript("return window.readings;")
        >= start + 2);
    long readings = (Long) pages.browser.driver.executeScript("return window.readings;");
    long redraws = (Long) pages.browser.driver.executeScript("return window.redraws;");
    assertTrue(redraws <= readings + 1, redraws + " redraws for " + readings + " readings");
    assertTrue(redraws >= readings - 1, redraws + " redraws for " + readings + " readings");
  }

  /** A viewer of the organization: the pages show what is served and hide every change. */
  private static void viewer(Pages pages, String org, String base) {
    String viewerLink = (String) pages.api("const u = await lepton.api('POST', '/api/v1/users',"
        + " {email: 'viewer@x.org'}); await lepton.api('POST', '" + base + "/members',"
        + " {email: 'viewer@x.org', role: 'viewer'}); return u.signInLink;");
    pages.find("[data-action=sign-out]").click();
    pages.browser.await(d -> d.getCurrentUrl().endsWith("/signin"));
    pages.firstSignIn(viewerLink, WebJourneyTest.PASSWORD);
    pages.open("/orgs/" + org + "/deployments");
    pages.loaded();
    assertFalse(pages.find("[data-form=create-deployment]").isDisplayed());
    pages.open("/orgs/" + org + "/deployments/iris-api");
    pages.loaded();
    List<String> changes = pages.findAll("button, input, textarea").stream()
        .filter(WebElement::isDisplayed)
        .map(e -> e.getAttribute("outerHTML").substring(0, Math.min(80,
            e.getAttribute("outerHTML").length())))
        .filter(html -> !html.contains("col:") && !html.contains("Predict")
            && !html.contains("menu-toggle") && !html.contains("sign-out"))
        .toList();
    assertEquals(List.of(), changes, "a viewer sees only the try-it form");
    assertTrue(pages.text("[data-status=canary]").startsWith("No canary"));
    type(pages, "col:sepal_length", "6.6");
    type(pages, "col:petal_width", "2.0");
    type(pages, "col:petals", "3");
    predict(pages);
    assertTrue(pages.text("[data-field=answer-note]").contains("version 2"));
    pages.screenshot("deployment-viewer");
  }

  /** The first {@code n} samples of a gzipped Fashion-MNIST IDX file, as an IDX file. */
  private static byte[] idx(String file, int n, int perSample) throws IOException {
    try (DataInputStream in = new DataInputStream(new GZIPInputStream(
        Files.newInputStream(FASHION.resolve(file))))) {
      int magic = in.readInt();
      int dims = magic & 0xff;
      in.readInt();
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      java.io.DataOutputStream o = new java.io.DataOutputStream(out);
      o.writeInt(magic);
      o.writeInt(n);
      for (int i = 1; i < dims; i++) {
        o.writeInt(in.readInt());
      }
      o.write(in.readNBytes(n * perSample));
      return out.toByteArray();
    }
  }
}
