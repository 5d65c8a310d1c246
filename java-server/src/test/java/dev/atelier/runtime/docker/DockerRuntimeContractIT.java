package dev.atelier.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.runtime.InstanceRuntime;
import dev.atelier.runtime.InstanceSpec;
import dev.atelier.runtime.RuntimeContract;
import dev.atelier.runtime.ZmqLoop;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The runtime contract on a real Docker engine with the base instance image (built by
 * images/build.sh); fails, never skips, when the engine or the image is missing. Plus what only
 * containers do: a missing image is refused saying how to build it.
 */
class DockerRuntimeContractIT extends RuntimeContract {
  @Override
  protected InstanceRuntime createRuntime(ZmqLoop loop) {
    return new DockerRuntime(DockerTestEngine.require(), loop, Duration.ofSeconds(90), "atelier-tests");
  }

  @Override
  protected InstanceSpec spec(Path workDir, double cpus, long memoryBytes) {
    return new InstanceSpec("ml.t3.medium", DockerTestEngine.IMAGE, cpus, memoryBytes, workDir, Map.of());
  }

  @Override
  protected void keepInstancesOnClose(InstanceRuntime runtime) {
    ((DockerRuntime) runtime).keepContainersOnClose(true);
  }

  @Test
  void aMissingImageIsRefusedWithHowToBuildIt() {
    var failure = runtime.start(new InstanceSpec("ml.t3.medium", "atelier/no-such-image:latest", 0, 0, workDir, Map.of()));
    assertThat(failure).failsWithin(Duration.ofSeconds(30)).withThrowableThat()
        .withMessageContaining("atelier/no-such-image:latest").withMessageContaining("images/build.sh");
  }
}
