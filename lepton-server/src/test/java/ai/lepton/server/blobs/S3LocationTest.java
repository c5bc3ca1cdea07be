package ai.lepton.server.blobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Blobs URLs: what they configure, and the errors for the ways they go wrong. */
class S3LocationTest {
  @Test
  void readsBucketPrefixEndpointRegionAndKeys() {
    S3Location l = S3Location.parse("s3://lepton-data/node-a/blobs?endpoint=http://minio:9000"
        + "&region=eu-west-1&accessKey=AK&secretKey=a+b%2Fc%3D", Map.of());
    assertEquals(new S3Location("lepton-data", "node-a/blobs/", URI.create("http://minio:9000"),
        "eu-west-1", "AK", "a+b/c="), l);
    assertFalse(l.toString().contains("a+b"), l.toString());
  }

  @Test
  void defaultsTheRegionForOtherStoresAndTakesItFromTheEnvironmentForAws() {
    S3Location minio = S3Location.parse("s3://bucket?endpoint=https://s3.example.org", Map.of());
    assertEquals("us-east-1", minio.region());
    assertEquals("", minio.prefix());
    assertNull(minio.accessKey());
    S3Location aws = S3Location.parse("s3://bucket", Map.of("AWS_REGION", "eu-central-1"));
    assertEquals("eu-central-1", aws.region());
    assertNull(aws.endpoint());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "http://bucket?endpoint=http://x | the scheme must be s3://",
      "s3://B?endpoint=http://x | the bucket name",
      "s3://ab?endpoint=http://x | the bucket name",
      "s3://bucket:9000?endpoint=http://x | put the server in endpoint=",
      "s3://bucket?endpoint=ftp://x | endpoint must be an http:// or https:// URL",
      "s3://bucket?endpoint=http://x&region=Mars 1 | it is not a URL",
      "s3://bucket?endpoint=http://x&region=MARS | region must look like us-east-1",
      "s3://bucket?endpoint=http://x&acessKey=a | unknown parameter 'acessKey'",
      "s3://bucket?endpoint=http://x&accessKey=a | give both accessKey= and secretKey=",
      "s3://bucket?endpoint=http://x&endpoint=http://y | endpoint is given twice",
      "s3://bucket?endpoint= | parameter endpoint has no value",
      "s3://bucket | give region=",
      "s3://bucket/../x?endpoint=http://x | the prefix after the bucket",
  })
  void rejectsAMalformedUrlSayingWhatToFix(String url, String fragment) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> S3Location.parse(url, Map.of()));
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
    assertTrue(e.getMessage().contains("expected s3://bucket"), e.getMessage());
  }

  @Test
  void theServerConfigChoosesTheStoreByUrl() {
    try (BlobStore dir = BlobStore.fromUrl(null, Path.of("target", "blobs-config-test"))) {
      assertTrue(dir instanceof DirectoryBlobStore);
    }
    try (BlobStore s3 = BlobStore.fromUrl(
        "s3://bucket?endpoint=http://127.0.0.1:1&accessKey=a&secretKey=b", null)) {
      assertTrue(s3 instanceof S3BlobStore);
      assertFalse(s3.ping()); // nothing listens there
    }
  }
}
