package dev.atelier.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.kernels.ConnectionInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The runtime contract on a real Docker engine with the base instance image (built by
 * images/build.sh); fails, never skips, when the engine or the image is missing. Plus what only
 * containers do: the instance type's limits are what the kernel sees.
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

  @Test
  void theKernelSeesTheInstanceTypesLimits() throws Exception {
    InstanceRuntime.Instance instance = start(1.0, 512L << 20);
    try {
      String id = UUID.randomUUID().toString();
      JsonNode reply = instance.agent().request("start", Map.of("kernel_id", id, "kernelspec", "python3",
          "key", "limits-key", "env", Map.of(), "cwd", workDir.toString()), Duration.ofSeconds(60)).get(60, TimeUnit.SECONDS);
      String code = """
          import os
          def read(*paths):
              for p in paths:
                  if os.path.exists(p):
                      return open(p).read().strip()
              return 'missing'
          mem = read('/sys/fs/cgroup/memory/memory.limit_in_bytes', '/sys/fs/cgroup/memory.max')
          quota = read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us', '/sys/fs/cgroup/cpu.cfs_quota_us')
          period = read('/sys/fs/cgroup/cpu/cpu.cfs_period_us', '/sys/fs/cgroup/cpu.cfs_period_us')
          if quota == 'missing':
              quota, period = read('/sys/fs/cgroup/cpu.max').split()
          print(mem, int(quota) / int(period))
          """;
      String out = String.join("", run(ConnectionInfo.fromJson(reply.path("connection")), code)).trim();
      assertThat(out).isEqualTo((512L << 20) + " 1.0");
    } finally {
      instance.stop().get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void aMissingImageIsRefusedWithHowToBuildIt() {
    var failure = runtime.start(new InstanceSpec("ml.t3.medium", "atelier/no-such-image:latest", 0, 0, workDir, Map.of()));
    assertThat(failure).failsWithin(Duration.ofSeconds(30)).withThrowableThat()
        .withMessageContaining("atelier/no-such-image:latest").withMessageContaining("images/build.sh");
  }
}
