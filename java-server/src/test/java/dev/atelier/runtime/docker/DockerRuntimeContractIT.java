package dev.atelier.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.runtime.AgentException;
import dev.atelier.runtime.InstanceRuntime;
import dev.atelier.runtime.InstanceSpec;
import dev.atelier.runtime.RuntimeContract;
import dev.atelier.runtime.RuntimeFailure;
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
  static final String IMAGE = System.getProperty("atelier.testImage", "atelier/base:latest");
  static final String DOCKER_HOST = dockerHost();

  @Override
  protected InstanceRuntime createRuntime(ZmqLoop loop) {
    DockerRuntime docker = new DockerRuntime(DOCKER_HOST, loop, Duration.ofSeconds(90), "atelier-tests");
    // Set before the checks, so that the contract's tear-down closes it when they fail.
    runtime = docker;
    try {
      docker.engineVersion();
    } catch (AgentException e) {
      throw new AssertionError("these tests need a Docker engine at " + DOCKER_HOST + " and the image " + IMAGE
          + ": start dockerd, then run 'bash images/build.sh' (" + e.getMessage() + ")", e);
    }
    try {
      docker.requireImage(IMAGE);
    } catch (RuntimeFailure e) {
      throw new AssertionError("these tests need the image " + IMAGE + ": " + e.getMessage(), e);
    }
    return docker;
  }

  /** DOCKER_HOST when it names a Unix socket, as the docker command would use; else the default socket. */
  private static String dockerHost() {
    String host = System.getenv("DOCKER_HOST");
    return host != null && host.startsWith("unix://") ? host : "unix:///var/run/docker.sock";
  }

  @Override
  protected InstanceSpec spec(Path workDir, double cpus, long memoryBytes) {
    return new InstanceSpec("ml.t3.medium", IMAGE, cpus, memoryBytes, workDir, Map.of());
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
