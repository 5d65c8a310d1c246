package dev.atelier.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a kernel start asks of the agent: Atelier's own variables win over the client's. */
class StartRequestTest {
  @TempDir
  Path root;

  private static final Duration CONFIGURED = Duration.ofSeconds(60);

  @Test
  void atelierSetsTheApiAddressTokenAndNotebookItselfWhateverTheClientSent() {
    StartRequest r = StartRequest.of("k1", Map.of("ATELIER_API_URL", "http://evil/", "ATELIER_TOKEN", "stolen",
        "KERNEL_ID", "other", "FOO", "bar"), "sub/a.ipynb", "ml.m5.large", "http://127.0.0.1:1/atelier/api/",
        "secret", root, CONFIGURED, new SecureRandom());
    assertThat(r.env()).containsEntry("ATELIER_API_URL", "http://127.0.0.1:1/atelier/api/")
        .containsEntry("ATELIER_TOKEN", "secret").containsEntry("KERNEL_ID", "k1").containsEntry("FOO", "bar")
        .containsEntry("ATELIER_ROOT_DIR", root.toString())
        .containsEntry("ATELIER_DEFAULT_INSTANCE_TYPE", "ml.m5.large")
        .containsEntry("ATELIER_NOTEBOOK_PATH", "sub/a.ipynb");
    assertThat(r.key()).matches("[0-9a-f]{64}");
    assertThat(r.agentRequest("k1", "python3")).containsEntry("kernel_id", "k1").containsEntry("kernelspec", "python3")
        .containsEntry("key", r.key()).containsEntry("cwd", root.toString()).containsEntry("env", r.env());
  }

  @Test
  void beforeTheServerListensKernelsGetNoApiAddressOrToken() {
    StartRequest r = StartRequest.of("k1", Map.of(), null, "ml.t3.medium", null, "secret", root, CONFIGURED,
        new SecureRandom());
    assertThat(r.env()).doesNotContainKeys("ATELIER_API_URL", "ATELIER_TOKEN", "ATELIER_NOTEBOOK_PATH");
  }

  @Test
  void everyKernelGetsTheMlflowTrackingUriAndTokenOfThisServer() {
    StartRequest r = StartRequest.of("k1", Map.of("MLFLOW_TRACKING_URI", "http://elsewhere:5000"), null, "ml.t3.medium",
        "http://127.0.0.1:8890/atelier/api/", "secret", root, CONFIGURED, new SecureRandom());
    assertThat(r.env()).containsEntry("MLFLOW_TRACKING_URI", "http://127.0.0.1:8890/atelier/mlflow")
        .containsEntry("MLFLOW_TRACKING_TOKEN", "secret");
    StartRequest before = StartRequest.of("k1", Map.of(), null, "ml.t3.medium", null, "secret", root, CONFIGURED,
        new SecureRandom());
    assertThat(before.env()).doesNotContainKeys("MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_TOKEN");
  }

  @Test
  void eachStartGetsItsOwnKey() {
    SecureRandom random = new SecureRandom();
    assertThat(StartRequest.of("a", Map.of(), null, "t", null, "s", root, CONFIGURED, random).key())
        .isNotEqualTo(StartRequest.of("b", Map.of(), null, "t", null, "s", root, CONFIGURED, random).key());
  }

  @Test
  void theClientsLaunchTimeoutCountsOnlyWithinBounds() {
    assertThat(StartRequest.launchTimeout(Map.of("KERNEL_LAUNCH_TIMEOUT", "2.5"), CONFIGURED)).isEqualTo(Duration.ofMillis(2500));
    assertThat(StartRequest.launchTimeout(Map.of("KERNEL_LAUNCH_TIMEOUT", "0.5"), CONFIGURED)).isEqualTo(CONFIGURED);
    assertThat(StartRequest.launchTimeout(Map.of("KERNEL_LAUNCH_TIMEOUT", "3601"), CONFIGURED)).isEqualTo(CONFIGURED);
    assertThat(StartRequest.launchTimeout(Map.of("KERNEL_LAUNCH_TIMEOUT", "soon"), CONFIGURED)).isEqualTo(CONFIGURED);
    assertThat(StartRequest.launchTimeout(Map.of("KERNEL_LAUNCH_TIMEOUT", "NaN"), CONFIGURED)).isEqualTo(CONFIGURED);
    assertThat(StartRequest.launchTimeout(Map.of(), CONFIGURED)).isEqualTo(CONFIGURED);
  }

  @Test
  void theWorkingDirectoryIsTheRequestedOneOnlyWhenItIsADirectoryUnderTheRoot() throws Exception {
    Files.createDirectories(root.resolve("sub"));
    Files.writeString(root.resolve("file.txt"), "x");
    assertThat(StartRequest.workingDir(root + "/sub", root)).isEqualTo(root.resolve("sub"));
    assertThat(StartRequest.workingDir(root + "/sub/../..", root)).isEqualTo(root);
    assertThat(StartRequest.workingDir(root + "/file.txt", root)).isEqualTo(root);
    assertThat(StartRequest.workingDir(root + "/missing", root)).isEqualTo(root);
    assertThat(StartRequest.workingDir("", root)).isEqualTo(root);
    assertThat(StartRequest.workingDir(null, root)).isEqualTo(root);
  }
}
