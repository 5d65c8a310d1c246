package dev.atelier.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.config.AtelierConfig;
import dev.atelier.config.ConfigLoader;
import dev.atelier.storage.ObjectStore.S3Uri;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The object-store contract against the embedded S3 server in a fresh data directory, and its restarts. */
class EmbeddedObjectStoreIT extends ObjectStoreContract {
  private static Path dataDir;
  private static ObjectStore store;

  static AtelierConfig config(Path dataDir) {
    return ConfigLoader.load(null, Map.of(), Map.of(), Map.of("dataDir", dataDir.toString(), "token", "t"));
  }

  @BeforeAll
  static void start() throws Exception {
    dataDir = Files.createTempDirectory("atelier-s3-it");
    store = ObjectStores.open(config(dataDir));
  }

  @AfterAll
  static void stop() {
    store.close();
  }

  @Override
  protected ObjectStore store() {
    return store;
  }

  @Override
  protected String bucket() {
    return "atelier";
  }

  @Test
  void credentialsAndObjectsSurviveARestart() throws Exception {
    Path dir = Files.createTempDirectory("atelier-s3-restart");
    Path credentials = dir.resolve(ObjectStores.CREDENTIALS_FILE);
    S3Uri kept = S3Uri.parse("s3://atelier/kept/across restarts.txt");
    String before;
    try (ObjectStore first = ObjectStores.open(config(dir))) {
      first.put(kept, "still here".getBytes(StandardCharsets.UTF_8), "text/plain");
      before = Files.readString(credentials);
      assertThat(Files.getPosixFilePermissions(credentials)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertThat(before).contains("access_key").contains("secret_key");
      assertThat(first.endpoint()).startsWith("http://127.0.0.1:");
    }
    try (ObjectStore second = ObjectStores.open(config(dir))) {
      assertThat(Files.readString(credentials)).isEqualTo(before);
      assertThat(new String(second.get(kept).readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("still here");
      assertThat(second.problem()).isNull();
    }
    assertThat(dir.resolve("s3/atelier")).isDirectory();
  }

  @Test
  void requestsSignedWithAKeyItWasGivenAreAcceptedAndOthersRefused() throws Exception {
    S3Uri object = S3Uri.parse("s3://atelier/other-keys/by-issued-key.txt");
    try (ObjectStore issued = new MinioObjectStore(java.net.URI.create(store.endpoint()), "us-east-1",
        "AKATTESTKEY000000000", "issued-secret-of-forty-characters-000000", true, "atelier", KeyPolicy.FILESYSTEM,
        null)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> issued.put(object, new byte[] {1}, "text/plain"))
          .isInstanceOf(RuntimeException.class);
      assertThat(store.acceptKeys(id -> id.equals("AKATTESTKEY000000000")
          ? "issued-secret-of-forty-characters-000000" : null)).isTrue();
      try {
        issued.put(object, "signed by the issued key".getBytes(StandardCharsets.UTF_8), "text/plain");
        assertThat(new String(store.get(object).readAllBytes(), StandardCharsets.UTF_8))
            .isEqualTo("signed by the issued key");
      } finally {
        store.acceptKeys(null);
      }
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> issued.put(object, new byte[] {1}, "text/plain"))
          .isInstanceOf(RuntimeException.class);
    }
  }

  @Test
  void theDefaultBucketExistsAfterOpen() {
    assertThat(store.list(new S3Uri("atelier", ""), 1)).isNotNull();
    assertThat(store.problem()).isNull();
  }
}
