package ai.lepton.server.registry;

import ai.lepton.api.CreateModel;
import ai.lepton.api.ErrorCode;
import ai.lepton.api.ModelVersion;
import ai.lepton.api.ModelVersionList;
import ai.lepton.api.RegisteredModel;
import ai.lepton.api.RegisteredModelList;
import ai.lepton.api.SetAlias;
import ai.lepton.api.SetTag;
import ai.lepton.server.http.Api;
import ai.lepton.server.http.ApiException;
import ai.lepton.server.http.Route;
import ai.lepton.server.tenancy.Principal;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry API under {@code /api/v1/orgs/{org}/models}: models, versions (uploaded as a raw
 * {@code PUT} body, streamed), downloads, aliases, tags and deletions. Refusals are
 * {@link ApiException}s documented on {@link RegistryService}.
 */
public final class RegistryRoutes {
  private static final String TAG = "models";
  private static final Logger LOG = LoggerFactory.getLogger(RegistryRoutes.class);
  /** Content types a raw upload may declare (or none); the {@code format} parameter decides. */
  private static final Set<String> RAW_TYPES = Set.of("application/octet-stream",
      "application/zip", "application/x-zip-compressed", "application/x-protobuf",
      "application/vnd.onnx");
  /** The header that may carry the file's SHA-256 instead of the {@code sha256} parameter. */
  static final String SHA256_HEADER = "X-Content-SHA256";

  private final RegistryService service;

  public RegistryRoutes(RegistryService service) {
    this.service = service;
  }

  public List<Route> routes() {
    String models = "/api/v1/orgs/{org}/models";
    String model = models + "/{model}";
    String versions = model + "/versions";
    String version = versions + "/{ref}";
    String alias = model + "/aliases/{alias}";
    String tag = version + "/tags/{key}";
    return List.of(
        Route.post(models).tag(TAG).summary("Register an empty model (members)")
            .reads(CreateModel.class).returns(RegisteredModel.class)
            .handle(ctx -> ctx.json(service.create(p(ctx), org(ctx),
                Api.body(ctx, CreateModel.class), ctx.ip()))),
        Route.get(models).tag(TAG).summary("List the organization's models by name")
            .returns(RegisteredModelList.class)
            .handle(ctx -> ctx.json(new RegisteredModelList(service.models(p(ctx), org(ctx))))),
        Route.get(model).tag(TAG).summary("Get a model, with its aliases")
            .returns(RegisteredModel.class)
            .handle(ctx -> ctx.json(service.model(p(ctx), org(ctx), name(ctx)))),
        Route.delete(model).tag(TAG)
            .summary("Delete a model with all its versions and their files (admins); refused "
                + "while a deployment serves one of them")
            .handle(ctx -> service.delete(p(ctx), org(ctx), name(ctx), ctx.ip())),
        Route.put(versions).tag(TAG)
            .summary("Push a new version: the model file as the raw body (streamed); query "
                + "format (lepton or onnx), optionally metrics (a JSON object of numbers) and "
                + "sha256 (or the X-Content-SHA256 header). Registers the model if missing.")
            .returns(ModelVersion.class)
            .handle(this::upload),
        Route.get(versions).tag(TAG).summary("List a model's versions, oldest first")
            .returns(ModelVersionList.class)
            .handle(ctx -> ctx.json(new ModelVersionList(service.versions(p(ctx), org(ctx),
                name(ctx))))),
        Route.get(version).tag(TAG)
            .summary("Get a version by number or alias: signature, lineage, metrics, "
                + "evaluation report, aliases, tags (a deleted one as its tombstone)")
            .returns(ModelVersion.class)
            .handle(ctx -> ctx.json(service.version(p(ctx), org(ctx), name(ctx),
                ctx.pathParam("ref")))),
        Route.delete(version).tag(TAG)
            .summary("Delete a version's file (admins; by number); it stays listed as a "
                + "tombstone and its number is never reused; refused while a deployment "
                + "serves it")
            .handle(ctx -> service.deleteVersion(p(ctx), org(ctx), name(ctx),
                ctx.pathParam("ref"), ctx.ip())),
        Route.get(version + "/content").tag(TAG)
            .summary("Download a version's file (an audited read); X-Content-SHA256 carries "
                + "its hash")
            .handle(this::download),
        Route.put(alias).tag(TAG)
            .summary("Point an alias (production, staging, ...) at a version, creating or "
                + "moving it (members)")
            .reads(SetAlias.class).returns(ModelVersion.class).status(200)
            .handle(ctx -> ctx.json(service.setAlias(p(ctx), org(ctx), name(ctx),
                ctx.pathParam("alias"), Api.body(ctx, SetAlias.class).version(), ctx.ip()))),
        Route.delete(alias).tag(TAG).summary("Remove an alias (members)")
            .handle(ctx -> service.deleteAlias(p(ctx), org(ctx), name(ctx),
                ctx.pathParam("alias"), ctx.ip())),
        Route.put(tag).tag(TAG).summary("Set a tag of a version (members)")
            .reads(SetTag.class).returns(ModelVersion.class).status(200)
            .handle(ctx -> ctx.json(service.setTag(p(ctx), org(ctx), name(ctx),
                ctx.pathParam("ref"), ctx.pathParam("key"), Api.body(ctx, SetTag.class).value(),
                ctx.ip()))),
        Route.delete(tag).tag(TAG).summary("Remove a tag of a version (members)")
            .handle(ctx -> service.deleteTag(p(ctx), org(ctx), name(ctx), ctx.pathParam("ref"),
                ctx.pathParam("key"), ctx.ip())));
  }

  private static Principal p(Context ctx) {
    return Principal.of(ctx);
  }

  private static String org(Context ctx) {
    return ctx.pathParam("org");
  }

  private static String name(Context ctx) {
    return ctx.pathParam("model");
  }

  private void upload(Context ctx) {
    String type = ctx.header("Content-Type");
    String media = type == null || type.isBlank() ? null
        : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    if (media != null && !RAW_TYPES.contains(media)) {
      throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "a model is pushed as the raw "
          + "body of a PUT, with Content-Type application/octet-stream (or none); received "
          + RegistryService.shorten(media));
    }
    String sha256 = ctx.queryParam("sha256") != null ? ctx.queryParam("sha256")
        : ctx.header(SHA256_HEADER);
    RegistryService.Declared declared = new RegistryService.Declared(ctx.queryParam("format"),
        ctx.queryParam("metrics"), sha256);
    ctx.json(service.upload(p(ctx), org(ctx), name(ctx), ctx.ip(), declared,
        ctx.req().getContentLengthLong(), () -> {
          try {
            return ctx.req().getInputStream();
          } catch (IOException e) {
            throw ApiException.invalid("the upload's body cannot be read (" + e.getMessage()
                + "); send it again");
          }
        }));
  }

  private void download(Context ctx) throws IOException {
    RegistryService.Content c = service.content(p(ctx), org(ctx), name(ctx),
        ctx.pathParam("ref"), ctx.ip());
    // Written to the servlet response directly, as stored (no compression). The hash is checked
    // as the bytes go out, the last chunk held back until it matches: a blob that does not match
    // its version ends the response short of its Content-Length, which every client notices.
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    try (InputStream in = new DigestInputStream(c.stream(), digest)) {
      HttpServletResponse res = ctx.res();
      res.setStatus(200);
      res.setContentType("application/octet-stream");
      res.setContentLengthLong(c.size());
      res.setHeader("Content-Disposition", "attachment; filename=\"" + c.fileName() + "\"");
      res.setHeader(SHA256_HEADER, c.sha256());
      res.setHeader("Cache-Control", "private, no-store");
      OutputStream out = res.getOutputStream();
      byte[] held = new byte[1 << 16];
      byte[] next = new byte[1 << 16];
      int heldLength = in.readNBytes(held, 0, held.length);
      while (true) {
        int n = in.readNBytes(next, 0, next.length);
        if (n == 0) {
          break;
        }
        out.write(held, 0, heldLength);
        byte[] swap = held;
        held = next;
        next = swap;
        heldLength = n;
      }
      String actual = HexFormat.of().formatHex(digest.digest());
      if (!actual.equals(c.sha256())) {
        LOG.error("model file {} does not match its recorded SHA-256 {} (read {}); the "
            + "download was cut", c.fileName(), c.sha256(), actual);
        throw new UncheckedIOException(new IOException("the stored file does not match its "
            + "recorded hash"));
      }
      out.write(held, 0, heldLength);
    }
  }
}
