package ai.lepton.server.datasets;

import ai.lepton.api.CreateDataset;
import ai.lepton.api.Dataset;
import ai.lepton.api.DatasetFormat;
import ai.lepton.api.DatasetList;
import ai.lepton.api.DatasetProfile;
import ai.lepton.api.DatasetVersion;
import ai.lepton.api.DatasetVersionList;
import ai.lepton.api.ErrorCode;
import ai.lepton.api.Recipe;
import ai.lepton.server.http.Api;
import ai.lepton.server.http.ApiException;
import ai.lepton.server.http.Route;
import ai.lepton.server.tenancy.Principal;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.commons.fileupload2.core.DiskFileItem;
import org.apache.commons.fileupload2.core.DiskFileItemFactory;
import org.apache.commons.fileupload2.core.FileItemInput;
import org.apache.commons.fileupload2.core.FileItemInputIterator;
import org.apache.commons.fileupload2.jakarta.servlet6.JakartaServletFileUpload;

/**
 * The datasets API under {@code /api/v1/orgs/{org}/datasets}: datasets, uploads (a raw {@code PUT}
 * body, or a multipart form from the browser), versions, profiles, downloads, derivations and
 * deletions.
 * Uploads are streamed, never read whole (the JSON body limit of {@link Api} does not apply to
 * them). Refusals are {@link ApiException}s documented on {@link DatasetService}.
 */
public final class DatasetRoutes {
  private static final String TAG = "datasets";
  /** Content types a raw upload may declare (or none); the {@code format} parameter decides. */
  private static final Set<String> RAW_TYPES = Set.of("application/octet-stream", "text/csv",
      "text/plain", "application/x-ndjson", "application/jsonl", "application/x-jsonlines",
      "application/json", "application/zip", "application/x-zip-compressed", "application/gzip",
      "application/x-gzip");
  /** The fields of a multipart upload besides its file part. */
  private static final Set<String> FIELDS = Set.of("format", "label", "sha256");
  private static final String FILE_PART = "file";
  /** The most parts of a multipart upload, and the longest field value in bytes. */
  private static final int MAX_PARTS = 8;
  private static final int MAX_FIELD = 1024;

  private final DatasetService service;

  public DatasetRoutes(DatasetService service) {
    this.service = service;
  }

  public List<Route> routes() {
    String datasets = "/api/v1/orgs/{org}/datasets";
    String dataset = datasets + "/{dataset}";
    String versions = dataset + "/versions";
    String version = versions + "/{number}";
    return List.of(
        Route.post(datasets).tag(TAG)
            .summary("Create an empty dataset (members; in a project when projectId is set)")
            .reads(CreateDataset.class).returns(Dataset.class)
            .handle(ctx -> ctx.json(service.create(p(ctx), org(ctx),
                Api.body(ctx, CreateDataset.class), ctx.ip()))),
        Route.get(datasets).tag(TAG)
            .summary("List the organization's datasets by name; query projectId for a project's")
            .returns(DatasetList.class)
            .handle(ctx -> ctx.json(new DatasetList(service.datasets(p(ctx), org(ctx),
                ctx.queryParam("projectId"))))),
        Route.get(dataset).tag(TAG).summary("Get a dataset").returns(Dataset.class)
            .handle(ctx -> ctx.json(service.dataset(p(ctx), org(ctx), ctx.pathParam("dataset")))),
        Route.delete(dataset).tag(TAG)
            .summary("Delete a dataset with all its versions and their content (admins)")
            .handle(ctx -> service.delete(p(ctx), org(ctx), ctx.pathParam("dataset"), ctx.ip())),
        Route.put(versions).tag(TAG)
            .summary("Upload a new version: the file as the raw body (streamed); query format, "
                + "fileName, and optionally label (a tabular file's label column) and sha256")
            .returns(DatasetVersion.class)
            .handle(ctx -> ctx.json(service.upload(p(ctx), org(ctx), ctx.pathParam("dataset"),
                ctx.ip(), into -> raw(ctx, into)))),
        Route.post(versions).tag(TAG)
            .summary("Upload a new version from a multipart/form-data form (the browser's "
                + "upload): the file part 'file' and the fields format, label, sha256")
            .returns(DatasetVersion.class)
            .handle(ctx -> ctx.json(service.upload(p(ctx), org(ctx), ctx.pathParam("dataset"),
                ctx.ip(), into -> multipart(ctx, into)))),
        Route.get(versions).tag(TAG).summary("List a dataset's versions, oldest first")
            .returns(DatasetVersionList.class)
            .handle(ctx -> ctx.json(new DatasetVersionList(service.versions(p(ctx), org(ctx),
                ctx.pathParam("dataset"))))),
        Route.get(version).tag(TAG)
            .summary("Get a dataset version (a deleted one as its tombstone, deletedAt set)")
            .returns(DatasetVersion.class)
            .handle(ctx -> ctx.json(service.version(p(ctx), org(ctx), ctx.pathParam("dataset"),
                number(ctx)))),
        Route.delete(version).tag(TAG)
            .summary("Delete a version's content and profile (admins); it stays listed as a "
                + "tombstone, its number is never reused, and its lineage stays")
            .handle(ctx -> service.deleteVersion(p(ctx), org(ctx), ctx.pathParam("dataset"),
                number(ctx), ctx.ip())),
        Route.get(version + "/profile").tag(TAG)
            .summary("A version's profile: schema, statistics, class balance and a preview "
                + "(an audited read)")
            .returns(DatasetProfile.class)
            .handle(ctx -> ctx.contentType("application/json").result(service.profile(p(ctx),
                org(ctx), ctx.pathParam("dataset"), number(ctx), ctx.ip()))),
        Route.get(version + "/content").tag(TAG)
            .summary("Download a version's file (an audited read); X-Content-SHA256 carries its "
                + "hash")
            .handle(this::download),
        Route.post(version + "/derive").tag(TAG)
            .summary("Derive new versions by a recipe (the body): one, or one per split part")
            .reads(Recipe.class).returns(DatasetVersionList.class)
            .handle(ctx -> ctx.json(new DatasetVersionList(service.derive(p(ctx), org(ctx),
                ctx.pathParam("dataset"), number(ctx), ctx.body(), ctx.ip())))));
  }

  private static Principal p(Context ctx) {
    return Principal.of(ctx);
  }

  private static String org(Context ctx) {
    return ctx.pathParam("org");
  }

  private static int number(Context ctx) {
    String n = ctx.pathParam("number");
    if (!n.matches("[1-9][0-9]{0,8}")) {
      throw ApiException.invalid("the version number must be a positive integer such as 1; "
          + "received '" + Profiler.shorten(UploadRequest.printable(n)) + "'");
    }
    return Integer.parseInt(n);
  }

  /** The media type of the request's body, lower case without parameters, or null. */
  private static String mediaType(Context ctx) {
    String type = ctx.header("Content-Type");
    if (type == null || type.isBlank()) {
      return null;
    }
    int semicolon = type.indexOf(';');
    return (semicolon < 0 ? type : type.substring(0, semicolon)).strip()
        .toLowerCase(Locale.ROOT);
  }

  private static UploadRequest raw(Context ctx, Incoming into) {
    String type = mediaType(ctx);
    if (type != null && !RAW_TYPES.contains(type)) {
      throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "a PUT upload sends the file "
          + "itself as the body, with Content-Type application/octet-stream (or none); received "
          + Profiler.shorten(UploadRequest.printable(type)) + (type.startsWith("multipart/")
              ? ": POST a multipart form to the same path instead" : ""));
    }
    UploadRequest request = UploadRequest.of(ctx.queryParam("format"),
        ctx.queryParam("fileName"), ctx.queryParam("label"), ctx.queryParam("sha256"));
    long length = ctx.req().getContentLengthLong();
    into.checkDeclared(length); // before the body is opened, which invites a waiting client
    InputStream body;
    try {
      body = ctx.req().getInputStream();
    } catch (IOException e) {
      throw ApiException.invalid("the upload's body cannot be read (" + e.getMessage()
          + "); send it again");
    }
    into.receive(body, length);
    return request;
  }

  /**
   * Reads a multipart form part by part as it streams in (commons-fileupload's streaming
   * iterator): the small fields into memory, the file part straight into {@code into}.
   */
  private static UploadRequest multipart(Context ctx, Incoming into) {
    String type = mediaType(ctx);
    if (!"multipart/form-data".equals(type)) {
      throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "a POST upload is a "
          + "multipart/form-data form with the file part 'file'; received "
          + (type == null ? "no Content-Type" : Profiler.shorten(UploadRequest.printable(type)))
          + (type == null || type.startsWith("multipart/") ? ""
              : ": PUT the file as the raw body instead"));
    }
    Map<String, String> fields = new HashMap<>();
    String fileName = null;
    int parts = 0;
    try {
      FileItemInputIterator all = new JakartaServletFileUpload<DiskFileItem,
          DiskFileItemFactory>().getItemIterator(ctx.req());
      while (all.hasNext()) {
        FileItemInput part = all.next();
        if (++parts > MAX_PARTS) {
          throw ApiException.invalid("the form has more than " + MAX_PARTS + " parts; send the "
              + "file part 'file' and the fields " + FIELDS + " only");
        }
        String name = String.valueOf(part.getFieldName());
        if (part.isFormField() && !name.equals(FILE_PART)) {
          if (!FIELDS.contains(name) || fields.containsKey(name)) {
            throw ApiException.invalid("the form field '" + Profiler.shorten(
                UploadRequest.printable(name)) + "' is " + (fields.containsKey(name)
                ? "repeated" : "unknown") + "; send the file part 'file' and the fields "
                + FIELDS + " (each at most once)");
          }
          byte[] value = part.getInputStream().readNBytes(MAX_FIELD + 1);
          if (value.length > MAX_FIELD) {
            throw ApiException.invalid("the form field '" + name + "' is longer than "
                + MAX_FIELD + " bytes");
          }
          fields.put(name, new String(value, StandardCharsets.UTF_8));
        } else if (!name.equals(FILE_PART) || part.getName() == null) {
          throw ApiException.invalid(name.equals(FILE_PART) ? "the part 'file' has no file "
              + "name: send it as a file (Content-Disposition: form-data; name=\"file\"; "
              + "filename=\"iris.csv\")" : "the file part is named '" + Profiler.shorten(
                  UploadRequest.printable(name)) + "'; name it 'file'");
        } else {
          fileName = UploadRequest.fileName(part.getName());
          if (fields.containsKey("format")) {
            UploadRequest.format(fields.get("format")); // refused before the file is read
          }
          into.receive(part.getInputStream(), -1);
        }
      }
    } catch (IOException e) {
      throw ApiException.invalid("the multipart form cannot be read (" + e.getMessage() + "); "
          + "send a multipart/form-data form with the file part 'file'");
    }
    if (fileName == null) {
      throw ApiException.invalid("the form has no file part 'file'; add the file as the part "
          + "'file'");
    }
    return UploadRequest.of(fields.get("format"), fileName, fields.get("label"),
        fields.get("sha256"));
  }

  private void download(Context ctx) throws IOException {
    DatasetService.Content c = service.content(p(ctx), org(ctx), ctx.pathParam("dataset"),
        number(ctx), ctx.ip());
    // Written to the servlet response directly: its length is known, and the bytes go out as
    // stored (no compression), so the client can check them against X-Content-SHA256.
    try (InputStream in = c.stream()) {
      HttpServletResponse res = ctx.res();
      res.setStatus(200);
      res.setContentType(contentType(c.format()));
      res.setContentLengthLong(c.size());
      res.setHeader("Content-Disposition", disposition(c.fileName()));
      res.setHeader("X-Content-SHA256", c.sha256());
      res.setHeader("Cache-Control", "private, no-store");
      in.transferTo(res.getOutputStream());
    }
  }

  private static String contentType(DatasetFormat format) {
    return switch (format) {
      case CSV -> "text/csv; charset=utf-8";
      case JSONL -> "application/x-ndjson; charset=utf-8";
      case TEXT -> "text/plain; charset=utf-8";
      case IMAGE_ZIP -> "application/zip";
      case IDX -> "application/octet-stream";
    };
  }

  /**
   * {@code attachment} with the file name twice: as ASCII (anything else, quotes and backslashes
   * as '_') for old clients, and exactly, percent-encoded (RFC 6266 and 8187).
   */
  static String disposition(String fileName) {
    StringBuilder ascii = new StringBuilder();
    for (char c : fileName.toCharArray()) {
      ascii.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '_');
    }
    String exact = URLEncoder.encode(fileName, StandardCharsets.UTF_8).replace("+", "%20")
        .replace("*", "%2A");
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + exact;
  }
}
