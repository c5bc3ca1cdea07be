package ai.lepton.server.blobs;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where an S3 blob store lives, parsed from {@code s3://bucket[/prefix]?endpoint=...&region=...
 * &accessKey=...&secretKey=...}.
 *
 * @param bucket the bucket name
 * @param prefix a key prefix inside the bucket ("" or ending in '/')
 * @param endpoint the S3-compatible server (MinIO, Ceph, S3Proxy...), or null for AWS
 * @param region the signing region
 * @param accessKey the access key, or null to take credentials from the AWS environment
 * @param secretKey the secret key, or null with {@code accessKey}
 */
record S3Location(String bucket, String prefix, URI endpoint, String region, String accessKey,
    String secretKey) {
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Set<String> PARAMETERS = Set.of("endpoint", "region", "accessKey",
      "secretKey");
  private static final String FORM = "s3://bucket[/prefix]?endpoint=http://host:port"
      + "&region=us-east-1[&accessKey=...&secretKey=...]";

  /**
   * Parses a blobs URL.
   *
   * @param env the environment ({@code AWS_REGION} gives the region when the URL does not)
   * @throws IllegalArgumentException saying what is wrong and the expected form
   */
  static S3Location parse(String url, Map<String, String> env) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw invalid("it is not a URL (" + e.getReason() + ")");
    }
    if (!"s3".equals(uri.getScheme())) {
      throw invalid("the scheme must be s3://");
    }
    String bucket = uri.getHost() != null ? uri.getHost() : uri.getRawAuthority();
    if (bucket == null || !BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
      throw invalid("the bucket name must be 3-63 lower-case letters, digits, '.' or '-'");
    }
    if (uri.getPort() != -1 || uri.getUserInfo() != null) {
      throw invalid("put the server in endpoint=, not in the bucket part");
    }
    String prefix = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+", "");
    if (!prefix.isEmpty()) {
      if (!prefix.endsWith("/")) {
        prefix += "/";
      }
      try {
        BlobKeys.validatePrefix(prefix);
      } catch (IllegalArgumentException e) {
        throw invalid("the prefix after the bucket may hold only a-z, 0-9, '_', '-', '/'");
      }
    }
    if (uri.getRawFragment() != null) {
      throw invalid("remove the '#' part");
    }
    Map<String, String> params = parameters(uri.getRawQuery());
    URI endpoint = null;
    if (params.containsKey("endpoint")) {
      try {
        endpoint = new URI(params.get("endpoint"));
      } catch (URISyntaxException e) {
        throw invalid("endpoint is not a URL (" + e.getReason() + ")");
      }
      if (!("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme()))
          || endpoint.getHost() == null) {
        throw invalid("endpoint must be an http:// or https:// URL with a host, received "
            + params.get("endpoint"));
      }
    }
    String region = params.get("region");
    if (region == null) {
      region = env.get("AWS_REGION");
    }
    if (region == null) {
      if (endpoint == null) {
        throw invalid("give region= (or set AWS_REGION)");
      }
      region = "us-east-1";
    }
    if (!region.matches("[a-z0-9-]{1,40}")) {
      throw invalid("region must look like us-east-1, received " + region);
    }
    String accessKey = params.get("accessKey");
    String secretKey = params.get("secretKey");
    if ((accessKey == null) != (secretKey == null)) {
      throw invalid("give both accessKey= and secretKey=, or neither (then the AWS environment"
          + " variables are used)");
    }
    return new S3Location(bucket, prefix, endpoint, region, accessKey, secretKey);
  }

  private static Map<String, String> parameters(String rawQuery) {
    Map<String, String> params = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return params;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      if (!PARAMETERS.contains(name)) {
        throw invalid("unknown parameter '" + name + "'; known: endpoint, region, accessKey,"
            + " secretKey");
      }
      if (eq < 0 || eq == pair.length() - 1) {
        throw invalid("parameter " + name + " has no value");
      }
      // Percent-decoding only: '+' stays '+', as secret keys often hold it.
      String value = URLDecoder.decode(pair.substring(eq + 1).replace("+", "%2B"),
          StandardCharsets.UTF_8);
      if (params.put(name, value) != null) {
        throw invalid("parameter " + name + " is given twice");
      }
    }
    return params;
  }

  private static IllegalArgumentException invalid(String what) {
    return new IllegalArgumentException("invalid blobs URL: " + what + "; expected " + FORM);
  }

  /** Without the secret key, for messages and logs. */
  @Override
  public String toString() {
    return "s3://" + bucket + "/" + prefix + (endpoint == null ? "" : " at " + endpoint)
        + " (region " + region + ")";
  }
}
