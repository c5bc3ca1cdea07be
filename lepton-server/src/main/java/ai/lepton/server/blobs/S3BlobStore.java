package ai.lepton.server.blobs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Blobs as objects in an S3-compatible bucket (AWS SDK v2, path-style addressing for non-AWS
 * endpoints). S3 makes an object visible only when its upload completes, which gives the
 * all-or-nothing write: a blob that fits one part is one PUT; a larger one is a multipart upload
 * read one part at a time through a single part-sized buffer (the only memory a write holds), and
 * aborted on any failure, so its parts are dropped.
 */
final class S3BlobStore implements BlobStore {
  /** Bytes per upload part; S3 wants at least 5 MiB for every part but the last. */
  static final int PART_SIZE = 8 << 20;
  /** S3's limit on parts per upload. */
  private static final int MAX_PARTS = 10_000;

  private final S3Client s3;
  private final S3Location location;
  private final int partSize;

  S3BlobStore(S3Location location, int partSize) {
    this.location = location;
    this.partSize = partSize;
    AwsCredentialsProvider credentials = location.accessKey() != null
        ? StaticCredentialsProvider.create(AwsBasicCredentials.create(location.accessKey(),
            location.secretKey()))
        : DefaultCredentialsProvider.builder().build();
    S3ClientBuilder builder = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .region(Region.of(location.region()))
        .credentialsProvider(credentials);
    if (location.endpoint() != null) {
      // Non-AWS stores: bucket in the path, and no checksum headers they may not know.
      builder.endpointOverride(location.endpoint())
          .forcePathStyle(true)
          .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
          .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    }
    this.s3 = builder.build();
  }

  @Override
  public long put(String key, InputStream in, long maxBytes) {
    String object = object(key);
    MeasuredInputStream measured = MeasuredInputStream.counting(in, maxBytes);
    // One part-sized buffer; a smaller one when the limit is smaller (one byte over the limit is
    // read to notice it).
    byte[] buffer = new byte[maxBytes >= partSize ? partSize : (int) maxBytes + 1];
    try {
      int n = measured.readNBytes(buffer, 0, buffer.length);
      if (n < buffer.length) {
        // The whole blob fits the buffer: one PUT.
        s3.putObject(b -> b.bucket(location.bucket()).key(object).contentLength((long) n),
            body(buffer, n));
      } else {
        multipartUpload(object, measured, buffer, n);
      }
      return measured.count();
    } catch (IOException e) {
      throw new BlobException("cannot store blob " + key + ": reading its content failed: " + e,
          e);
    } catch (SdkException e) {
      throw new BlobException("cannot store blob " + key + " in " + location + ": "
          + e.getMessage(), e);
    }
  }

  private void multipartUpload(String object, MeasuredInputStream in, byte[] buffer, int first)
      throws IOException {
    String uploadId = s3.createMultipartUpload(b -> b.bucket(location.bucket()).key(object))
        .uploadId();
    try {
      List<CompletedPart> parts = new ArrayList<>();
      int n = first;
      while (n > 0) {
        if (parts.size() == MAX_PARTS) {
          throw new BlobException("blob " + object + " is larger than this store takes ("
              + MAX_PARTS + " parts of " + partSize + " bytes)");
        }
        int partNumber = parts.size() + 1;
        int length = n;
        String etag = s3.uploadPart(b -> b.bucket(location.bucket()).key(object)
                .uploadId(uploadId).partNumber(partNumber).contentLength((long) length),
            body(buffer, length)).eTag();
        parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
        n = in.readNBytes(buffer, 0, buffer.length);
      }
      s3.completeMultipartUpload(b -> b.bucket(location.bucket()).key(object)
          .uploadId(uploadId).multipartUpload(u -> u.parts(parts)));
    } catch (IOException | RuntimeException e) {
      try {
        s3.abortMultipartUpload(b -> b.bucket(location.bucket()).key(object).uploadId(uploadId));
      } catch (SdkException abort) {
        e.addSuppressed(abort); // the store drops abandoned uploads by its own lifecycle rules
      }
      throw e;
    }
  }

  // The buffer as a request body without a copy; the SDK may read it twice (signing, retries).
  private static RequestBody body(byte[] buffer, int length) {
    return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length),
        length, "application/octet-stream");
  }

  @Override
  public InputStream open(String key) {
    try {
      return s3.getObject(b -> b.bucket(location.bucket()).key(object(key)));
    } catch (NoSuchKeyException e) {
      throw new BlobNotFoundException(key);
    } catch (SdkException e) {
      throw new BlobException("cannot open blob " + key + " in " + location + ": "
          + e.getMessage(), e);
    }
  }

  @Override
  public boolean exists(String key) {
    try {
      s3.headObject(b -> b.bucket(location.bucket()).key(object(key)));
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw new BlobException("cannot look up blob " + key + " in " + location + ": "
          + e.getMessage(), e);
    } catch (SdkException e) {
      throw new BlobException("cannot look up blob " + key + " in " + location + ": "
          + e.getMessage(), e);
    }
  }

  @Override
  public void delete(String key) {
    try {
      s3.deleteObject(b -> b.bucket(location.bucket()).key(object(key)));
    } catch (SdkException e) {
      throw new BlobException("cannot delete blob " + key + " in " + location + ": "
          + e.getMessage(), e);
    }
  }

  @Override
  public List<String> list(String prefix) {
    BlobKeys.validatePrefix(prefix);
    List<String> keys = new ArrayList<>();
    try {
      for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(location.bucket())
          .prefix(location.prefix() + prefix)).contents()) {
        keys.add(o.key().substring(location.prefix().length()));
      }
    } catch (SdkException e) {
      throw new BlobException("cannot list blobs under " + prefix + " in " + location + ": "
          + e.getMessage(), e);
    }
    keys.sort(null);
    return keys;
  }

  @Override
  public boolean ping() {
    try {
      s3.headBucket(b -> b.bucket(location.bucket()));
      return true;
    } catch (SdkException e) {
      return false;
    }
  }

  @Override
  public void close() {
    s3.close();
  }

  @Override
  public String toString() {
    return location.toString();
  }

  private String object(String key) {
    return location.prefix() + BlobKeys.validate(key);
  }
}
