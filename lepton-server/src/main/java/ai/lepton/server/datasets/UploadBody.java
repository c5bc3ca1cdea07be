package ai.lepton.server.datasets;

/**
 * How an upload's bytes and declarations arrive: a raw body with query parameters, or a multipart
 * form. {@link DatasetService#upload} calls it once the caller is authorized, so nothing is read
 * before.
 */
@FunctionalInterface
interface UploadBody {
  /**
   * Checks the request's declarations and content type, and streams the file into {@code into}.
   *
   * @throws ai.lepton.server.http.ApiException INVALID_ARGUMENT, UNSUPPORTED_MEDIA_TYPE or
   *     PAYLOAD_TOO_LARGE for a request to refuse
   */
  UploadRequest read(Incoming into);
}
