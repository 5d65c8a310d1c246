package dev.atelier.runtime.docker;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.runtime.RuntimeFailure;
import dev.atelier.runtime.ServiceRuntime.ServiceSpec;
import dev.atelier.runtime.ServiceRuntime;
import dev.atelier.runtime.ServiceRuntimeContract;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The service contract on a real Docker engine, the replicas in the base instance image (built by
 * images/build.sh); fails, never skips, when the engine or the image is missing. Plus what only
 * containers do: a missing image is refused saying how to build it.
 */
class DockerServiceRuntimeContractIT extends ServiceRuntimeContract {
  static final String OWNER = "atelier-service-contract-" + ProcessHandle.current().pid();

  @Override
  protected ServiceRuntime createRuntime() {
    return new DockerServiceRuntime(DockerTestEngine.require(), OWNER, null);
  }

  @Override
  protected ServiceSpec spec(String name, int replicas, Map<String, String> env) {
    return new ServiceSpec(name, DockerTestEngine.IMAGE, List.of("python", "-c", SERVER), List.of(), env,
        Map.of(), Map.of(), replicas, 0.5, 256L << 20, "/ping", 0);
  }

  @Test
  void aMissingImageIsRefusedWithHowToBuildIt() {
    ServiceSpec spec = new ServiceSpec("missing-image", "atelier/no-such-image:latest", List.of(), List.of(),
        Map.of(), Map.of(), Map.of(), 1, 0, 0, "/ping", 0);
    assertThatThrownBy(() -> runtime.start(spec))
        .isInstanceOfSatisfying(RuntimeFailure.class,
            e -> org.assertj.core.api.Assertions.assertThat(e.kind()).isEqualTo(RuntimeFailure.Kind.IMAGE_MISSING))
        .hasMessageContaining("atelier/no-such-image:latest").hasMessageContaining("images/build.sh");
  }
}
