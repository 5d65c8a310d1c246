package dev.atelier.runtime.process;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.runtime.RuntimeFailure;
import dev.atelier.runtime.ServiceRuntime.ServiceSpec;
import dev.atelier.runtime.ServiceRuntime;
import dev.atelier.runtime.ServiceRuntimeContract;
import dev.atelier.support.TestServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service contract on local processes (the {@code local} image), their records in a folder
 * that a restarted runtime reads again. Plus what only processes do: a mount, which needs a
 * container, is refused.
 */
class ProcessServiceRuntimeContractIT extends ServiceRuntimeContract {
  @TempDir static Path state;

  @Override
  protected ServiceRuntime createRuntime() {
    return new ProcessServiceRuntime(state);
  }

  @Override
  protected ServiceSpec spec(String name, int replicas, Map<String, String> env) {
    return new ServiceSpec(name, "local", List.of(TestServer.python(), "-c", SERVER), List.of(), env, Map.of(),
        Map.of(), replicas, 0, 0, "/ping", 0);
  }

  @Test
  void aMountIsRefusedSayingItNeedsAContainerImage() {
    ServiceSpec spec = new ServiceSpec("mounts", "local", List.of(TestServer.python(), "-c", SERVER), List.of(),
        Map.of(), Map.of(), Map.of("/tmp", "/data"), 1, 0, 0, "/ping", 0);
    assertThatThrownBy(() -> runtime.start(spec)).isInstanceOf(RuntimeFailure.class)
        .hasMessageContaining("container image");
  }
}
