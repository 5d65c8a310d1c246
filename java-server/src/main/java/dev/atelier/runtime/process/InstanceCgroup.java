package dev.atelier.runtime.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One process instance's cgroup: a directory per hierarchy (one on cgroup v2, the memory and the
 * cpu hierarchy on v1), the memory one first. The agent joins them before it starts anything, so
 * it and every kernel it starts share the instance type's limits.
 */
public final class InstanceCgroup {
  private static final Logger LOG = LoggerFactory.getLogger(InstanceCgroup.class);
  private final List<Path> dirs;
  private final boolean memoryV2;

  InstanceCgroup(List<Path> dirs, boolean memoryV2) {
    this.dirs = List.copyOf(dirs);
    this.memoryV2 = memoryV2;
  }

  /** Whether the memory controller is cgroup v2's (to find the cgroup again from its directories). */
  boolean memoryV2() {
    return memoryV2;
  }

  /** The cgroup directories, for the agent's {@code --cgroup} options. */
  public List<Path> dirs() {
    return dirs;
  }

  /**
   * How many processes the memory limit has killed ({@code oom_kill} in v2's {@code memory.events}
   * or v1's {@code memory.oom_control}, else v1's {@code memory.failcnt}), or -1 when unknown.
   */
  public long oomKills() {
    if (dirs.isEmpty()) {
      return -1;
    }
    Path mem = dirs.get(0);
    String counters = CgroupFiles.read(mem.resolve(memoryV2 ? "memory.events" : "memory.oom_control"));
    for (String line : counters.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 2 && f[0].equals("oom_kill")) {
        return Long.parseLong(f[1]);
      }
    }
    String failcnt = memoryV2 ? "" : CgroupFiles.read(mem.resolve("memory.failcnt")).trim();
    return failcnt.isEmpty() ? -1 : Long.parseLong(failcnt);
  }

  private List<Long> pids() {
    List<Long> pids = new ArrayList<>();
    for (Path d : dirs) {
      for (String line : CgroupFiles.read(d.resolve("cgroup.procs")).split("\n")) {
        if (!line.isBlank()) {
          pids.add(Long.parseLong(line.trim()));
        }
      }
    }
    return pids;
  }

  /**
   * Kills whatever is still in the cgroup (the agent stops its kernels first; this catches what
   * they left behind) and removes it; waits up to 5 s for the processes to go.
   */
  public void remove() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    List<Long> left = pids();
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      left.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
      pause();
      left = pids();
    }
    for (Path d : dirs) {
      while (true) {
        try {
          Files.deleteIfExists(d); // rmdir: a cgroup directory goes with its control files
          break;
        } catch (NoSuchFileException e) {
          break;
        } catch (IOException e) {
          if (System.nanoTime() >= deadline) {
            LOG.warn("cannot remove the instance cgroup {}: {}", d, CgroupFiles.why(e));
            break;
          }
          pause(); // busy until the last killed process has been reaped
        }
      }
    }
  }

  private static void pause() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return String.join(", ", dirs.stream().map(Path::toString).toList());
  }
}
