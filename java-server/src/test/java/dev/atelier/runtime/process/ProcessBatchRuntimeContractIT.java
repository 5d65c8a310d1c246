package dev.atelier.runtime.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.runtime.BatchRuntime;
import dev.atelier.runtime.BatchRuntimeContract;
import dev.atelier.runtime.RuntimeFailure;
import dev.atelier.support.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The batch contract on local processes, each job in its own cgroup under this test's parent
 * (the tests need write access to the host's cgroups, as root has), its record in a folder that a
 * restarted runtime reads again. Plus what only processes do: a job sees the host's files, so a
 * mount elsewhere, or a container image, is refused saying why.
 */
class ProcessBatchRuntimeContractIT extends BatchRuntimeContract {
  static final String OWNER = "atelier-batch-contract-" + ProcessHandle.current().pid();
  private Path state;

  @Override
  protected BatchRuntime createRuntime() {
    try {
      if (state == null) {
        state = Files.createTempDirectory("atelier-batch-state");
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    // Keeping: the restarted runtime must not take the running jobs' cgroups for leftovers.
    Cgroups cgroups = Cgroups.openKeeping("", OWNER);
    assertThat(cgroups.status().enforced())
        .as("these tests need write access to the host's cgroups (run them as root): %s", cgroups.status())
        .isTrue();
    return new ProcessBatchRuntime(state, TestServer.python(), cgroups);
  }

  @Override
  protected String image() {
    return ProcessBatchRuntime.LOCAL;
  }

  @Override
  protected List<String> python() {
    return List.of(TestServer.python());
  }

  @Override
  protected String mountPoint(Path host) {
    return host.toString();
  }

  @Test
  void aMountElsewhereOrAContainerImageIsRefusedSayingWhy() {
    assertThatThrownBy(() -> runtime.create(new BatchRuntime.Spec("elsewhere", image(), python(), List.of(), Map.of(),
        Map.of(), Map.of("/tmp", "/opt/ml/input"), 0, 0, null)))
        .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessageContaining("/opt/ml/input");
    assertThatThrownBy(() -> runtime.requireImage("atelier/base:latest"))
        .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessageContaining("needs a container runtime");
  }
}
