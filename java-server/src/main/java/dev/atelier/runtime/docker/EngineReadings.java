package dev.atelier.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.BlkioStatEntry;
import com.github.dockerjava.api.model.BlkioStatsConfig;
import com.github.dockerjava.api.model.CpuStatsConfig;
import com.github.dockerjava.api.model.MemoryStatsConfig;
import com.github.dockerjava.api.model.StatisticNetworksConfig;
import com.github.dockerjava.api.model.Statistics;
import dev.atelier.runtime.BatchRuntime.Reading;
import java.io.Closeable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A job container's engine statistics as {@link Reading}s: the engine's stats stream (one reading
 * about a second), each reading carrying the CPU counters of the one before ({@code precpu_stats}),
 * so its CPU figures are its own interval's (the stream's first reading, with none before it, is
 * left out). Per-core CPU comes from {@code percpu_usage}, which
 * cgroup v1 engines give and cgroup v2 engines leave out (then the list is empty).
 */
final class EngineReadings {
  private EngineReadings() {}

  /** Follows the container's stats until it ends or the returned stream is closed. */
  static Closeable follow(DockerClient docker, String id, Consumer<Reading> sink) {
    ResultCallback.Adapter<Statistics> callback = new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Statistics s) {
        Reading r = reading(s, Instant.now());
        if (r != null) {
          sink.accept(r);
        }
      }

      /** A container that ended or was removed ends its stream; that is not an error here. */
      @Override
      public void onError(Throwable t) {
        try {
          close();
        } catch (java.io.IOException e) {
          // the stream is gone either way
        }
      }
    };
    return docker.statsCmd(id).withNoStream(false).exec(callback);
  }

  /**
   * One reading; null when the engine gave no memory figures (a container that has ended, whose
   * readings are all zero).
   *
   * @param fallback when the reading carries no time of its own
   */
  static Reading reading(Statistics s, Instant fallback) {
    MemoryStatsConfig m = s.getMemoryStats();
    if (m == null || m.getUsage() == null || m.getUsage() == 0) {
      return null;
    }
    CpuStatsConfig pre = s.getPreCpuStats();
    if (pre == null || pre.getSystemCpuUsage() == null || pre.getSystemCpuUsage() == 0) {
      // The stream's first reading has no earlier one to measure CPU against.
      return null;
    }
    Instant at = fallback;
    try {
      if (s.getRead() != null) {
        at = Instant.parse(s.getRead());
      }
    } catch (RuntimeException e) {
      // the engine's clock text is not ISO-8601: keep the time it arrived
    }
    long[] disk = disk(s.getBlkioStats());
    long rx = 0;
    long tx = 0;
    Map<String, StatisticNetworksConfig> nets = s.getNetworks();
    if (nets != null) {
      for (StatisticNetworksConfig n : nets.values()) {
        rx += orZero(n.getRxBytes());
        tx += orZero(n.getTxBytes());
      }
    }
    return new Reading(at, perCore(s.getCpuStats(), s.getPreCpuStats()), total(s.getCpuStats(), s.getPreCpuStats()),
        ContainerStats.memoryInUse(m), orZero(m.getLimit()), disk[0], disk[1], rx, tx);
  }

  /** Each core's busy percent over the interval: its usage delta over the system's per-core delta. */
  static List<Double> perCore(CpuStatsConfig now, CpuStatsConfig before) {
    List<Double> out = new ArrayList<>();
    if (now == null || before == null || now.getCpuUsage() == null || before.getCpuUsage() == null) {
      return out;
    }
    List<Long> a = now.getCpuUsage().getPercpuUsage();
    List<Long> b = before.getCpuUsage().getPercpuUsage();
    long system = orZero(now.getSystemCpuUsage()) - orZero(before.getSystemCpuUsage());
    if (a == null || a.isEmpty() || system <= 0) {
      return out;
    }
    // system_cpu_usage counts every core's time: one core's share of the interval is system / cores.
    double perCoreSystem = (double) system / a.size();
    for (int i = 0; i < a.size(); i++) {
      long d = orZero(a.get(i)) - (b != null && i < b.size() ? orZero(b.get(i)) : 0);
      out.add(clamp(d <= 0 ? 0 : d / perCoreSystem * 100.0));
    }
    return out;
  }

  /** The container's CPU as percent of all online cores (docker stats' figure divided by the cores). */
  static double total(CpuStatsConfig now, CpuStatsConfig before) {
    if (now == null || before == null || now.getCpuUsage() == null || before.getCpuUsage() == null) {
      return 0;
    }
    long cpus = now.getOnlineCpus() != null && now.getOnlineCpus() > 0 ? now.getOnlineCpus()
        : now.getCpuUsage().getPercpuUsage() != null && !now.getCpuUsage().getPercpuUsage().isEmpty()
            ? now.getCpuUsage().getPercpuUsage().size() : 1;
    return clamp(ContainerStats.cpuPercent(now, before) / cpus);
  }

  /** Bytes read and written: {@code Read}/{@code Write} on cgroup v1, {@code read}/{@code write} on v2. */
  static long[] disk(BlkioStatsConfig b) {
    long read = 0;
    long write = 0;
    if (b != null && b.getIoServiceBytesRecursive() != null) {
      for (BlkioStatEntry e : b.getIoServiceBytesRecursive()) {
        if ("read".equalsIgnoreCase(e.getOp())) {
          read += orZero(e.getValue());
        } else if ("write".equalsIgnoreCase(e.getOp())) {
          write += orZero(e.getValue());
        }
      }
    }
    return new long[] {read, write};
  }

  private static double clamp(double pct) {
    return Math.max(0, Math.min(100, pct));
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }
}
