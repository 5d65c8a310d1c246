package dev.atelier.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  private static Map<String, String> cli(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void laterLayersWinInOrderFileSyspropEnvCli() throws Exception {
    Path file = dir.resolve("atelier.json");
    Files.writeString(file, "{\"port\": 9001, \"cullIdleTimeoutSeconds\": 60, \"token\": \"t\", \"rootDir\": \"" + dir + "\"}");
    Map<Object, Object> props = new HashMap<>(Map.of("atelier.port", "9002"));
    Map<String, String> env = Map.of("ATELIER_PORT", "9003", "ATELIER_CULL_BUSY", "true");
    AtelierConfig c = ConfigLoader.load(file, env, props, cli());
    assertThat(c.port()).isEqualTo(9003);
    assertThat(c.cullIdleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.cullBusy()).isTrue();
    assertThat(ConfigLoader.load(file, env, props, cli("port", "9004")).port()).isEqualTo(9004);
  }

  @Test
  void serverTimingsAreSettingsWithTheirSystemPropertyNames() {
    AtelierConfig d = ConfigLoader.load(null, Map.of(), Map.of(), cli());
    assertThat(d.idleCheckInterval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(d.jobStopGrace()).isEqualTo(Duration.ofSeconds(120));
    assertThat(d.jobDownloadRetry()).isEqualTo(Duration.ofSeconds(120));
    assertThat(d.jobUploadRetry()).isEqualTo(Duration.ofSeconds(600));
    Map<Object, Object> props = Map.of("atelier.idleCheckMillis", "200", "atelier.jobStopGraceSeconds", "5",
        "atelier.jobDownloadRetrySeconds", "3", "atelier.jobUploadRetrySeconds", "4");
    AtelierConfig c = ConfigLoader.load(null, Map.of(), props, cli());
    assertThat(c.idleCheckInterval()).isEqualTo(Duration.ofMillis(200));
    assertThat(c.jobStopGrace()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.jobDownloadRetry()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.jobUploadRetry()).isEqualTo(Duration.ofSeconds(4));
    assertThat(ConfigLoader.load(null, Map.of("ATELIER_JOB_UPLOAD_RETRY_SECONDS", "7"), Map.of(), cli())
        .jobUploadRetry()).isEqualTo(Duration.ofSeconds(7));
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("atelier.idleCheckMillis", "0"), cli()))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("idleCheckMillis:");
  }

  @Test
  void aSlowClientsDrainTimeoutIsFiveSecondsUnlessSet() {
    assertThat(ConfigLoader.load(null, Map.of(), Map.of(), cli()).clientDrainTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(ConfigLoader.load(null, Map.of("ATELIER_CLIENT_DRAIN_SECONDS", "1"), Map.of(), cli())
        .clientDrainTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of(), cli("clientDrainSeconds", "0")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("clientDrainSeconds:");
  }

  @Test
  void badValuesNameTheirKey() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("ATELIER_PORT", "eighty"), Map.of(), cli()))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("port:");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of(), cli("cullBusy", "maybe")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("cullBusy:");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of(), cli("rootDir", dir.resolve("nope").toString())))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("rootDir:");
  }

  @Test
  void unknownKeysInTheFileAreRefused() throws Exception {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"prot\": 1}");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of(), cli()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("unknown key 'prot'");
  }

  @Test
  void tokenComesFromFileOrIsGenerated() throws Exception {
    Path tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, "secret\n");
    assertThat(ConfigLoader.load(null, Map.of(), Map.of(), cli("tokenFile", tokenFile.toString())).token())
        .isEqualTo("secret");
    assertThat(ConfigLoader.load(null, Map.of(), Map.of(), cli()).token()).hasSizeGreaterThanOrEqualTo(32);
    assertThat(ConfigLoader.envName("cullIdleTimeoutSeconds")).isEqualTo("ATELIER_CULL_IDLE_TIMEOUT_SECONDS");
    assertThat(ConfigLoader.envName("s3Endpoint")).isEqualTo("ATELIER_S3_ENDPOINT");
    assertThat(ConfigLoader.envName("s3PathStyle")).isEqualTo("ATELIER_S3_PATH_STYLE");
  }
}
