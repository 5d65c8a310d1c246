package dev.atelier.storage;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The object-store contract against an external S3 or MinIO, when one is configured through
 * {@code ATELIER_TEST_S3_ENDPOINT}, {@code ATELIER_TEST_S3_ACCESS_KEY},
 * {@code ATELIER_TEST_S3_SECRET_KEY} (optionally {@code ATELIER_TEST_S3_REGION},
 * {@code ATELIER_TEST_S3_BUCKET}); skipped otherwise. Objects are written below a random prefix
 * of the bucket.
 */
class ExternalObjectStoreIT extends ObjectStoreContract {
  private static ObjectStore store;
  private static String bucket;

  @BeforeAll
  static void connect() {
    String endpoint = System.getenv("ATELIER_TEST_S3_ENDPOINT");
    String access = System.getenv("ATELIER_TEST_S3_ACCESS_KEY");
    String secret = System.getenv("ATELIER_TEST_S3_SECRET_KEY");
    assumeTrue(endpoint != null && !endpoint.isBlank() && access != null && secret != null,
        "no external S3 configured: set ATELIER_TEST_S3_ENDPOINT, ATELIER_TEST_S3_ACCESS_KEY and"
            + " ATELIER_TEST_S3_SECRET_KEY (optionally ATELIER_TEST_S3_REGION, ATELIER_TEST_S3_BUCKET) to run the"
            + " object-store contract against it");
    String region = Objects.requireNonNullElse(System.getenv("ATELIER_TEST_S3_REGION"), "us-east-1");
    bucket = Objects.requireNonNullElse(System.getenv("ATELIER_TEST_S3_BUCKET"), "atelier-contract");
    store = new MinioObjectStore(URI.create(endpoint), region, access, secret,
        !"false".equals(System.getenv("ATELIER_TEST_S3_PATH_STYLE")), bucket, KeyPolicy.ANY_S3, null);
  }

  @AfterAll
  static void close() {
    if (store != null) {
      store.close();
    }
  }

  @Override
  protected ObjectStore store() {
    return store;
  }

  @Override
  protected String bucket() {
    return bucket;
  }
}
