package ai.lepton.cli;

import ai.lepton.api.CreateDeployment;
import ai.lepton.api.Deployment;
import ai.lepton.api.DeploymentLimits;
import ai.lepton.api.DeploymentList;
import ai.lepton.api.DeploymentToken;
import ai.lepton.api.DeploymentTokenCreated;
import ai.lepton.api.DeploymentTokenList;
import ai.lepton.api.DeploymentTraffic;
import ai.lepton.api.DeploymentVersion;
import ai.lepton.api.UpdateDeployment;
import ai.lepton.client.LeptonClient;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lepton deploy create|list|show|update|promote|rollback|delete|token|traffic}: model
 * versions served over the Open Inference Protocol at {@code /v2/models/NAME}, with a canary
 * split. A deployment pins the version its reference names when it is deployed; moving an alias
 * does not move it, {@code lepton deploy update} does.
 */
@Command(name = "deploy", mixinStandardHelpOptions = true,
    description = {"Deployments: registered model versions served over the Open Inference "
        + "Protocol (/v2/models/NAME/infer), with a canary split.",
        "MODEL@REF is a registry reference: churn@4, churn@production (resolved once: the "
            + "deployment pins that version), or churn (its newest version)."})
final class DeployCommand {
  @Mixin ClientOptions options;

  /** A deployment's request limits, each at most the server's; those not given stay as they are. */
  static final class Limits {
    @Option(names = "--rate", paramLabel = "PER_SECOND",
        description = "requests per second the deployment accepts (0.001 up to the server's)")
    Double rate;
    @Option(names = "--burst", paramLabel = "N",
        description = "requests accepted at once above the rate (1 up to the server's)")
    Integer burst;
    @Option(names = "--max-request-bytes", paramLabel = "BYTES",
        description = "the largest request body (1 up to the server's)")
    Long bytes;
    @Option(names = "--max-batch", paramLabel = "N",
        description = "the most samples one request may send (1 up to the server's)")
    Integer samples;

    static DeploymentLimits of(Limits given) {
      return given == null ? null : new DeploymentLimits(given.rate, given.burst, given.bytes,
          given.samples);
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Deploy a model version under NAME (loaded before it is recorded), "
          + "optionally with a canary taking --share percent of the requests.")
  int create(@Parameters(paramLabel = "NAME", description = "the deployment's name, which OIP "
          + "clients use as the model name") String name,
      @Option(names = "--model", required = true, paramLabel = "MODEL@REF") String model,
      @Option(names = "--canary", paramLabel = "MODEL@REF",
          description = "a second version beside it") String canary,
      @Option(names = "--share", paramLabel = "PERCENT",
          description = "the canary's percentage of the requests (default 10)") Integer share,
      @Option(names = "--max-batch-size", paramLabel = "N",
          description = "samples one forward pass coalesces, 1 to 1024 (default 1: no dynamic "
              + "batching)") Integer batch,
      @Option(names = "--max-delay-us", paramLabel = "MICROS",
          description = "how long a batch's first request waits for others (default 0)")
      Long delay,
      @ArgGroup(exclusive = false, heading = "Request limits (the server's when not given):%n")
      Limits limits) {
    if (share != null && canary == null) {
      throw new CommandException("--share is the canary's share: give --canary MODEL@REF too");
    }
    LeptonClient client = options.client();
    String org = options.org();
    Deployment d = client.createDeployment(org, new CreateDeployment(name, model, batch, delay,
        Limits.of(limits)));
    if (canary != null) {
      d = client.updateDeployment(org, d.name(), new UpdateDeployment(null, canary, share,
          null));
    }
    return options.print(d, "Deployed " + summary(d) + ".\nInfer: POST /v2/models/"
        + d.name() + "/infer (lepton predict " + d.name() + ").");
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "The organization's deployments, by name.")
  int list() {
    DeploymentList list = options.client().deployments(options.org());
    Table table = new Table("NAME", "SERVES", "CANARY", "SHARE", "BATCH", "UPDATED");
    for (Deployment d : list.deployments()) {
      table.row(d.name(), ref(d.primary()), d.canary() == null ? "" : ref(d.canary()),
          d.canary() == null ? "" : d.canaryPercent() + "%", d.maxBatchSize(), d.updatedAt());
    }
    return options.print(list, table);
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "A deployment: its versions, split and request limits.")
  int show(@Parameters(paramLabel = "NAME") String name) {
    Deployment d = options.client().deployment(options.org(), name);
    DeploymentLimits l = d.limits();
    return options.print(d, summary(d) + "\nid          " + d.id() + "\nbatching    up to "
        + d.maxBatchSize() + " samples, " + d.maxQueueDelayMicros() + " us delay\nrate        "
        + l.requestsPerSecond() + " requests/s, bursts of " + l.burst() + "\nrequests    up to "
        + l.maxRequestBytes() + " bytes, " + l.maxRequestSamples() + " samples\ncreated     "
        + d.createdAt() + " by " + d.createdBy() + "\nupdated     " + d.updatedAt());
  }

  @Command(name = "update", mixinStandardHelpOptions = true,
      description = "Serve another version alone (--model), add a canary (--canary, --share), "
          + "or change the canary's share (--share); and/or change request limits (--rate, "
          + "--burst, --max-request-bytes, --max-batch: in force for the next request). The new "
          + "version loads before traffic moves; one that does not load changes nothing.")
  int update(@Parameters(paramLabel = "NAME") String name,
      @Option(names = "--model", paramLabel = "MODEL@REF") String model,
      @Option(names = "--canary", paramLabel = "MODEL@REF") String canary,
      @Option(names = "--share", paramLabel = "PERCENT") Integer share,
      @ArgGroup(exclusive = false, heading = "Request limits (those not given stay):%n")
      Limits limits) {
    Deployment d = options.client().updateDeployment(options.org(), name,
        new UpdateDeployment(model, canary, share, Limits.of(limits)));
    return options.print(d, "Updated: " + summary(d) + ".");
  }

  @Command(name = "promote", mixinStandardHelpOptions = true,
      description = "Make the canary the only version.")
  int promote(@Parameters(paramLabel = "NAME") String name) {
    Deployment d = options.client().promoteDeployment(options.org(), name);
    return options.print(d, "Promoted: " + summary(d) + ".");
  }

  @Command(name = "rollback", mixinStandardHelpOptions = true,
      description = "Drop the canary at once: the primary answers every request.")
  int rollback(@Parameters(paramLabel = "NAME") String name) {
    Deployment d = options.client().rollbackDeployment(options.org(), name);
    return options.print(d, "Rolled back: " + summary(d) + ".");
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Stop serving a deployment and delete it (admins).")
  int delete(@Parameters(paramLabel = "NAME") String name) {
    options.client().deleteDeployment(options.org(), name);
    return options.print(java.util.Map.of("deleted", name), "Deleted deployment "
        + Table.plain(name) + ".");
  }

  @Command(name = "token", mixinStandardHelpOptions = true,
      description = "Tokens that reach one deployment's inference only (for an application): "
          + "'token NAME --create LABEL' (shown once), 'token NAME' lists them, "
          + "'token NAME --revoke ID'.")
  int token(@Parameters(paramLabel = "NAME") String name,
      @Option(names = "--create", paramLabel = "LABEL", description = "what it is for")
      String create,
      @Option(names = "--revoke", paramLabel = "ID") String revoke) {
    LeptonClient client = options.client();
    String org = options.org();
    if (create != null) {
      DeploymentTokenCreated t = client.createDeploymentToken(org, name, create);
      return options.print(t, "Token " + t.info().id() + " for deployment " + Table.plain(name)
          + " (shown once; it reaches /v2/models/" + Table.plain(name) + " only):\n"
          + t.token());
    }
    if (revoke != null) {
      client.revokeDeploymentToken(org, name, revoke);
      return options.print(java.util.Map.of("revoked", revoke), "Revoked " + revoke + ".");
    }
    DeploymentTokenList list = client.deploymentTokens(org, name);
    Table table = new Table("ID", "NAME", "CREATED", "REVOKED");
    for (DeploymentToken t : list.tokens()) {
      table.row(t.id(), t.name(), t.createdAt(), t.revokedAt() == null ? "" : t.revokedAt());
    }
    return options.print(list, table);
  }

  @Command(name = "traffic", mixinStandardHelpOptions = true,
      description = "Requests per version by outcome, in flight, and the mean latency, counted "
          + "by the server since it started (two readings apart give rates; the web page "
          + "charts them).")
  int traffic(@Parameters(paramLabel = "NAME") String name) {
    DeploymentTraffic t = options.client().deploymentTraffic(options.org(), name);
    Table table = new Table("VERSION", "OK", "INVALID", "TOO_LARGE", "RATE_LIMITED", "ERROR",
        "IN_FLIGHT", "MEAN_MS");
    for (DeploymentTraffic.Version v : t.versions()) {
      long total = v.requests().values().stream().mapToLong(Long::longValue).sum();
      table.row(v.version(), count(v, "ok"), count(v, "invalid"), count(v, "too_large"),
          count(v, "rate_limited"), count(v, "error"), v.inFlight(), total == 0 ? ""
              : String.format(java.util.Locale.ROOT, "%.2f", 1000 * v.latencySeconds() / total));
    }
    return options.print(t, table);
  }

  private static long count(DeploymentTraffic.Version v, String outcome) {
    return v.requests().getOrDefault(outcome, 0L);
  }

  private static String summary(Deployment d) {
    String s = Table.plain(d.name()) + " serves " + ref(d.primary());
    return d.canary() == null ? s : s + ", canary " + ref(d.canary()) + " at "
        + d.canaryPercent() + "%";
  }

  private static String ref(DeploymentVersion v) {
    return Table.plain(v.model()) + "@" + v.number();
  }
}
