package dev.atelier.runtime.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.runtime.InstanceRuntime;
import dev.atelier.runtime.InstanceSpec;
import dev.atelier.runtime.RuntimeContract;
import dev.atelier.runtime.ZmqLoop;
import dev.atelier.support.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The runtime contract on local processes, each instance in its own cgroup under this test's
 * parent (the host's cgroups, v1 or v2: the tests need write access to them, as root has). Plus
 * what only processes do: the cgroup goes with the instance, and a host that refuses it runs the
 * instance without limits, saying why.
 */
class ProcessRuntimeContractIT extends RuntimeContract {
  static final String OWNER = "atelier-contract-" + ProcessHandle.current().pid();

  @Override
  protected InstanceRuntime createRuntime(ZmqLoop loop) {
    Cgroups cgroups = Cgroups.open("", OWNER);
    assertThat(cgroups.status().enforced())
        .as("these tests need write access to the host's cgroups (run them as root): %s", cgroups.status())
        .isTrue();
    return new ProcessRuntime(TestServer.python(), loop, Duration.ofSeconds(60), cgroups);
  }

  @Override
  protected InstanceSpec spec(Path workDir, double cpus, long memoryBytes) {
    return new InstanceSpec("local", "", cpus, memoryBytes, workDir, Map.of());
  }

  @Test
  void theInstancesCgroupGoesWithIt() throws Exception {
    InstanceRuntime.Instance instance = start(0.5, 300L << 20);
    List<Path> dirs = Arrays.stream(instance.limits().where().split(", ")).map(Path::of).toList();
    assertThat(dirs).isNotEmpty().allSatisfy(d -> assertThat(d).isDirectory());
    long agentPid = Long.parseLong(instance.id().substring("pid-".length()));
    for (Path d : dirs) {
      assertThat(Files.readString(d.resolve("cgroup.procs"))).contains(Long.toString(agentPid));
    }
    instance.stop().get(60, TimeUnit.SECONDS);
    assertThat(dirs).allSatisfy(d -> assertThat(d).doesNotExist());
  }

  @Test
  void aCgroupParentTheHostRefusesRunsTheInstanceWithoutLimitsAndSaysWhy() throws Exception {
    // A control file is no directory: the host refuses to make cgroups below it, even for root.
    Cgroups refused = Cgroups.open("/cgroup.procs/atelier", OWNER + "-refused");
    assertThat(refused.status().enforced()).isFalse();
    assertThat(refused.status().problem()).contains("/cgroup.procs/atelier");
    try (ProcessRuntime other = new ProcessRuntime(TestServer.python(), loop, Duration.ofSeconds(60), refused)) {
      InstanceRuntime.Instance instance = other.start(spec(workDir, 1.0, 512L << 20)).get(120, TimeUnit.SECONDS);
      try {
        assertThat(instance.limits().enforced()).isFalse();
        assertThat(instance.limits().problem()).contains("/cgroup.procs/atelier");
        // it still works, only without limits
        JsonNode specs = instance.agent().request("kernelspecs", Map.of(), Duration.ofSeconds(30)).get(30, TimeUnit.SECONDS);
        assertThat(specs.path("kernelspecs").has("python3")).isTrue();
      } finally {
        instance.stop().get(60, TimeUnit.SECONDS);
      }
    }
  }
}
