package dev.atelier.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.CpuStatsConfig;
import com.github.dockerjava.api.model.MemoryStatsConfig;
import com.github.dockerjava.api.model.Statistics;
import com.github.dockerjava.api.model.StatsConfig;
import dev.atelier.runtime.RuntimeFailure;
import dev.atelier.runtime.ServiceRuntime.Usage;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A container's CPU and memory from the engine's stats, read once ({@code stream=false}: the
 * engine takes two readings about a second apart, so the CPU delta is its own), worked out as
 * {@code docker stats} does: CPU as the container's share of the host's CPU time over the interval
 * times the online CPUs (100 = one core), memory as usage less the inactive page cache.
 */
final class ContainerStats {
  private static final long WAIT_SECONDS = 5;

  private ContainerStats() {}

  /** The container's usage, or null when it is gone, has ended, or the engine did not answer in time. */
  static Usage read(DockerClient docker, String id) {
    AtomicReference<Statistics> got = new AtomicReference<>();
    AtomicReference<Throwable> failed = new AtomicReference<>();
    ResultCallback.Adapter<Statistics> callback = new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Statistics s) {
        got.compareAndSet(null, s);
      }

      /** Kept for the caller, not logged: a container removed between two samples is not an error. */
      @Override
      public void onError(Throwable t) {
        failed.compareAndSet(null, t);
        try {
          close();
        } catch (java.io.IOException e) {
          // closing ends the wait; nothing is left to release
        }
      }
    };
    try (var c = docker.statsCmd(id).withNoStream(true).exec(callback)) {
      c.awaitCompletion(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (NotFoundException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (java.io.IOException e) {
      // closing the stream after it ended: what it gave is still good
    }
    Throwable t = failed.get();
    if (t instanceof NotFoundException) {
      return null;
    }
    if (t != null) {
      throw RuntimeFailure.failed("the engine gave no stats for container " + id.substring(0, Math.min(12, id.length()))
          + ": " + RuntimeFailure.rootMessage(t), t);
    }
    Statistics s = got.get();
    return s == null ? null : usage(s, Instant.now());
  }

  /** The usage in one stats reading; null when it holds no memory figures (a container that ended). */
  static Usage usage(Statistics s, Instant at) {
    MemoryStatsConfig m = s.getMemoryStats();
    if (m == null || m.getUsage() == null || m.getUsage() == 0) {
      return null;
    }
    return new Usage(cpuPercent(s.getCpuStats(), s.getPreCpuStats()), memoryInUse(m),
        m.getLimit() == null ? 0 : m.getLimit(), at);
  }

  /** {@code docker stats}' CPU %: the container's CPU delta over the system's, times the online CPUs. */
  static double cpuPercent(CpuStatsConfig now, CpuStatsConfig before) {
    if (now == null || before == null || now.getCpuUsage() == null || before.getCpuUsage() == null) {
      return 0;
    }
    long cpus = now.getOnlineCpus() != null && now.getOnlineCpus() > 0 ? now.getOnlineCpus()
        : now.getCpuUsage().getPercpuUsage() != null ? now.getCpuUsage().getPercpuUsage().size() : 1;
    return cpuPercent(orZero(now.getCpuUsage().getTotalUsage()) - orZero(before.getCpuUsage().getTotalUsage()),
        orZero(now.getSystemCpuUsage()) - orZero(before.getSystemCpuUsage()), cpus);
  }

  /** The share {@code cpuDelta / systemDelta} of {@code cpus} cores, in percent of one core. */
  static double cpuPercent(long cpuDelta, long systemDelta, long cpus) {
    if (cpuDelta <= 0 || systemDelta <= 0) {
      return 0;
    }
    return (double) cpuDelta / systemDelta * cpus * 100.0;
  }

  /** Usage less the inactive file cache: {@code total_inactive_file} on cgroup v1, {@code inactive_file} on v2. */
  static long memoryInUse(MemoryStatsConfig m) {
    long usage = m.getUsage();
    StatsConfig st = m.getStats();
    if (st == null) {
      return usage;
    }
    Long cache = st.getTotalInactiveFile() != null ? st.getTotalInactiveFile() : st.getInactiveFile();
    return cache != null && cache < usage ? usage - cache : usage;
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }
}
