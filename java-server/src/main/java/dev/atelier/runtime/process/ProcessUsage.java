package dev.atelier.runtime.process;

import dev.atelier.runtime.ServiceRuntime.Usage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A local replica's CPU and memory from {@code /proc}, over its whole process tree (a gunicorn
 * master and its workers): CPU as the tree's {@code utime + stime} ({@code /proc/<pid>/stat})
 * between two samples over the wall time between them, memory as the sum of {@code VmRSS}
 * ({@code /proc/<pid>/status}). The previous sample is kept per replica, so a reading every few
 * seconds measures the CPU over that interval; the first one measures over {@link #FIRST_INTERVAL}.
 */
final class ProcessUsage {
  /** Linux's USER_HZ, the unit of the CPU times in /proc: 100 on every architecture Atelier runs on. */
  static final long TICKS_PER_SECOND = 100;
  static final Duration FIRST_INTERVAL = Duration.ofSeconds(1);
  private static final Path PROC = Path.of("/proc");

  /** One reading of a tree: its CPU ticks and resident bytes at {@code nanos} (System.nanoTime). */
  record Sample(long ticks, long rssBytes, long nanos) {}

  private final Map<String, Sample> last = new ConcurrentHashMap<>();
  private volatile long hostMemory = -1;

  /** The tree's usage, or null when the process has ended or /proc cannot be read. */
  Usage usage(String replicaId, ProcessHandle root, long memoryLimit) {
    Sample now = sample(root);
    if (now == null) {
      last.remove(replicaId);
      return null;
    }
    Sample before = last.put(replicaId, now);
    if (before == null) {
      try {
        Thread.sleep(FIRST_INTERVAL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
      before = now;
      now = sample(root);
      if (now == null) {
        last.remove(replicaId);
        return null;
      }
      last.put(replicaId, now);
    }
    long limit = memoryLimit > 0 ? memoryLimit : hostMemory();
    return new Usage(cpuPercent(before, now), now.rssBytes(), limit, Instant.now());
  }

  /** The replica has ended: its previous sample goes. */
  void forget(String replicaId) {
    last.remove(replicaId);
  }

  /** The tree's CPU over the interval between two samples, 100 being one core busy throughout. */
  static double cpuPercent(Sample before, Sample now) {
    long nanos = now.nanos() - before.nanos();
    long ticks = now.ticks() - before.ticks();
    if (nanos <= 0 || ticks <= 0) {
      return 0;
    }
    return ticks * 1e9 / TICKS_PER_SECOND / nanos * 100.0;
  }

  private static Sample sample(ProcessHandle root) {
    if (!root.isAlive()) {
      return null;
    }
    List<ProcessHandle> tree = Stream.concat(Stream.of(root), root.descendants()).toList();
    long ticks = 0;
    long rss = 0;
    boolean read = false;
    for (ProcessHandle h : tree) {
      try {
        Path dir = PROC.resolve(Long.toString(h.pid()));
        ticks += cpuTicks(Files.readString(dir.resolve("stat")));
        rss += rssBytes(Files.readString(dir.resolve("status")));
        read = true;
      } catch (IOException | RuntimeException e) {
        // a worker that ended between the listing and the read: it no longer counts
      }
    }
    return read ? new Sample(ticks, rss, System.nanoTime()) : null;
  }

  /**
   * {@code utime + stime} from a {@code /proc/<pid>/stat} line. The command name (field 2) is in
   * parentheses and may hold spaces and parentheses itself, so fields are counted after the last
   * {@code )}: state is the first there, utime the 12th, stime the 13th.
   */
  static long cpuTicks(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + stat);
    }
    String[] f = stat.substring(close + 1).trim().split("\\s+");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /** {@code VmRSS} from {@code /proc/<pid>/status}, in bytes; 0 for a process without one (a zombie). */
  static long rssBytes(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        String[] f = line.substring("VmRSS:".length()).trim().split("\\s+");
        long n = Long.parseLong(f[0]);
        return f.length > 1 && f[1].equalsIgnoreCase("kB") ? n * 1024 : n;
      }
    }
    return 0;
  }

  /** MemTotal of /proc/meminfo in bytes, read once; 0 when it cannot be read. */
  private long hostMemory() {
    if (hostMemory < 0) {
      long total = 0;
      try {
        for (String line : Files.readAllLines(PROC.resolve("meminfo"))) {
          if (line.startsWith("MemTotal:")) {
            total = rssBytes(line.replace("MemTotal:", "VmRSS:"));
          }
        }
      } catch (IOException e) {
        total = 0;
      }
      hostMemory = total;
    }
    return hostMemory;
  }
}
