package dev.atelier.runtime.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.runtime.ServiceRuntime;
import dev.atelier.runtime.ServiceRuntime.Limits;
import dev.atelier.runtime.ServiceRuntime.Replica;
import dev.atelier.runtime.ServiceRuntime.Service;
import dev.atelier.runtime.ServiceRuntime.ServiceSpec;
import dev.atelier.support.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local service replica (an endpoint's local instance) under its instance type's limits, as
 * process instances are: in a cgroup of its own whose memory limit is the spec's, it and the
 * process it forks inside from the start, the cgroup gone with the replica, also for a replica a
 * restarted runtime adopted; and on a host that refuses cgroups, the replica runs and its limits
 * say why they are not applied.
 */
class ProcessServiceLimitsIT {
  private static final String OWNER = "atelier-service-limits-" + ProcessHandle.current().pid();
  /** Forks a child (as gunicorn forks its workers) and prints both pids; then waits. */
  private static final String FORKS = String.join("\n",
      "import os, subprocess, sys, time",
      "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])",
      "print('pids', os.getpid(), child.pid, flush=True)",
      "time.sleep(600)");
  private static final long MEMORY = 300L << 20;

  @TempDir Path state;

  private static ServiceSpec spec(String name) {
    return new ServiceSpec(name, "local", List.of(TestServer.python(), "-c", FORKS), List.of(), Map.of(), Map.of(),
        Map.of(), 1, 0.5, MEMORY, "/ping", 0);
  }

  @Test
  void aReplicaAndWhatItForksRunInACgroupWithTheTypesMemoryLimitThatGoesWithIt() throws Exception {
    Cgroups cgroups = Cgroups.openKeeping("", OWNER);
    assertThat(cgroups.status().enforced())
        .as("these tests need write access to the host's cgroups (run them as root): %s", cgroups.status()).isTrue();
    ProcessServiceRuntime runtime = new ProcessServiceRuntime(state, cgroups);
    Service service = runtime.start(spec("limited"));
    Replica replica = service.replica(0);
    Limits limits = runtime.limits(replica);
    assertThat(limits.enforced()).as("%s", limits).isTrue();
    List<Path> dirs = Arrays.stream(limits.where().split(", ")).map(Path::of).toList();
    assertThat(dirs).isNotEmpty().allSatisfy(d -> assertThat(d).isDirectory());
    long[] pids = pids(state.resolve("limited").resolve("replica-0.log"));
    assertThat(pids[0]).as("the model server is the replica's process itself").isEqualTo(pid(replica));
    for (Path d : dirs) {
      String procs = Files.readString(d.resolve("cgroup.procs"));
      assertThat(procs).as("in %s", d).contains(Long.toString(pids[0])).contains(Long.toString(pids[1]));
    }
    assertThat(memoryLimit(dirs)).isEqualTo(MEMORY);

    // A restarted runtime adopts the replica with its limits, and removes its cgroup when it ends.
    ProcessServiceRuntime restarted = new ProcessServiceRuntime(state, Cgroups.openKeeping("", OWNER));
    Service adopted = restarted.adopt(spec("limited"));
    assertThat(adopted.replicas()).extracting(Replica::id).containsExactly(replica.id());
    assertThat(restarted.limits(adopted.replica(0))).isEqualTo(limits);
    restarted.stop(adopted, Duration.ofSeconds(5));
    assertThat(dirs).allSatisfy(d -> assertThat(d).doesNotExist());
    Instant deadline = Instant.now().plusSeconds(30);
    while (running(pids[1])) { // killed with its cgroup; gone once reaped
      assertThat(Instant.now()).as("the forked child %d ended", pids[1]).isBefore(deadline);
      Thread.sleep(50);
    }
  }

  @Test
  void aHostThatRefusesCgroupsRunsTheReplicaWithoutLimitsAndSaysWhy() throws Exception {
    // A control file is no directory: the host refuses to make cgroups below it, even for root.
    Cgroups refused = Cgroups.openKeeping("/cgroup.procs/atelier", OWNER + "-refused");
    ProcessServiceRuntime runtime = new ProcessServiceRuntime(state, refused);
    Service service = runtime.start(spec("unlimited"));
    try {
      Limits limits = runtime.limits(service.replica(0));
      assertThat(limits.enforced()).isFalse();
      assertThat(limits.problem()).contains("/cgroup.procs/atelier");
      assertThat(pids(state.resolve("unlimited").resolve("replica-0.log"))[0]).as("it still runs")
          .isEqualTo(pid(service.replica(0)));
    } finally {
      runtime.stop(service, Duration.ofSeconds(5));
    }
  }

  /** Alive and not a zombie waiting to be reaped. */
  private static boolean running(long pid) throws Exception {
    Path stat = Path.of("/proc/" + pid + "/stat");
    if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) || !Files.exists(stat)) {
      return false;
    }
    try {
      String s = Files.readString(stat);
      return s.charAt(s.lastIndexOf(')') + 2) != 'Z';
    } catch (java.io.IOException gone) {
      return false;
    }
  }

  private static long pid(Replica r) {
    return Long.parseLong(r.id().substring("pid-".length()));
  }

  /** The pids the program printed, once it has. */
  private static long[] pids(Path log) throws Exception {
    Instant deadline = Instant.now().plusSeconds(60);
    while (true) {
      String text = Files.exists(log) ? Files.readString(log) : "";
      for (String line : text.split("\n")) {
        if (line.startsWith("pids ")) {
          String[] f = line.trim().split(" ");
          return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])};
        }
      }
      assertThat(Instant.now()).as("the replica's pids in its log: %s", text).isBefore(deadline);
      Thread.sleep(100);
    }
  }

  /** memory.max (v2) or memory.limit_in_bytes (v1), from whichever directory has it. */
  private static long memoryLimit(List<Path> dirs) throws Exception {
    for (Path d : dirs) {
      for (String f : new String[] {"memory.max", "memory.limit_in_bytes"}) {
        if (Files.exists(d.resolve(f))) {
          return Long.parseLong(Files.readString(d.resolve(f)).trim());
        }
      }
    }
    throw new AssertionError("no memory limit file in " + dirs);
  }
}
