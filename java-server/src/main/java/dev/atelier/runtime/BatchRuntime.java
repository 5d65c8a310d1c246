package dev.atelier.runtime;

import java.io.Closeable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where jobs run: containers that run to completion, created with CPU and memory limits, mounts
 * and environment, their output followed line by line, waited for (with whether they ran out of
 * memory), stopped with a grace period, and found again by their labels after a server restart so
 * a job can be picked up where it was. Failures are {@link RuntimeFailure}s. Calls block: run
 * them on virtual threads. {@link dev.atelier.runtime.docker.JobContainers} is the Docker implementation,
 * {@link dev.atelier.runtime.process.ProcessBatchRuntime} the local one.
 */
public interface BatchRuntime extends AutoCloseable {
  /**
   * A container to create.
   *
   * @param entrypoint replaces the image's entrypoint (null or empty: the image's)
   * @param command replaces the image's command (null or empty: the image's)
   * @param binds host folder to the path it is mounted at inside; a path ending in {@code :ro} is
   *     mounted read-only (at the path without the suffix)
   * @param cpus CPU limit in cores (0: none)
   * @param memoryBytes memory limit (0: none); reaching it ends the container as out of memory
   * @param user {@code uid:gid} to run as (null: the image's)
   */
  record Spec(
      String name,
      String image,
      List<String> entrypoint,
      List<String> command,
      Map<String, String> env,
      Map<String, String> labels,
      Map<String, String> binds,
      double cpus,
      long memoryBytes,
      String user) {}

  /** A container found by its labels. */
  record Found(String id, boolean running, Map<String, String> labels) {}

  /**
   * How a container ended.
   *
   * @param error the engine's own explanation when it could not run the container, or null
   */
  record Exit(long code, boolean oomKilled, String error) {}

  /**
   * One reading of a running container's engine statistics. CPU figures are over the interval the
   * engine measured this reading against; byte counters are cumulative since the container started.
   *
   * @param cpuPerCore percent of each host core (0-100 each); empty when the engine gives no per-core figures
   * @param cpuTotal percent of all online cores together (100 = every core busy)
   * @param netRxBytes received bytes, 0 on the host's network (a container there has no interfaces of its own)
   */
  record Reading(java.time.Instant at, List<Double> cpuPerCore, double cpuTotal, long memoryBytes,
      long memoryLimitBytes, long diskReadBytes, long diskWriteBytes, long netRxBytes, long netTxBytes) {}

  /** Told each whole line of output with the engine's timestamp (RFC 3339 with nanoseconds). */
  @FunctionalInterface
  interface LineSink {
    void line(String timestamp, boolean stderr, String text);
  }

  /** Output being followed; closing it stops following (the container goes on). */
  interface Follow extends Closeable {
    /** Blocks until every line up to the container's end has been delivered, or {@code max} has passed. */
    void awaitEnd(Duration max) throws InterruptedException;

    @Override
    void close();
  }

  /** This runtime's name, such as {@code docker}. */
  String name();

  /** Fails with a missing image ({@link RuntimeFailure.Kind#IMAGE_MISSING}) when it is not here. */
  void requireImage(String image);

  /** Creates (not starts) the container; returns its id. */
  String create(Spec spec);

  void start(String id);

  /** Containers carrying {@code label=value}, running or not: what a restarted server adopts. */
  List<Found> find(String label, String value);

  /** Whether the container is running; empty when it does not exist. */
  Optional<Boolean> running(String id);

  /**
   * Follows stdout and stderr from after {@code sinceTimestamp} (a timestamp this runtime gave a
   * line, or null for the start) until the container ends or the follow is closed; an adopted
   * container's output is followed on from the last line already seen.
   */
  Follow follow(String id, String sinceTimestamp, LineSink sink);

  /** Waits for the container to end. */
  Exit await(String id);

  /** SIGTERM, then SIGKILL after {@code grace}; returns once it has ended. Gone already is fine. */
  void stop(String id, Duration grace);

  /** Removes the container and what it wrote outside its mounts. Gone already is fine. */
  void remove(String id);

  /**
   * Streams the engine's statistics of a running container to {@code sink}, one reading each time
   * the engine takes one (about once a second on Docker), until the container ends or the stream
   * is closed. A runtime without engine statistics returns a stream that never reads.
   */
  default Closeable stats(String id, java.util.function.Consumer<Reading> sink) {
    return () -> {};
  }

  /** Releases the runtime; containers keep running for the next server to adopt. */
  @Override
  void close();
}
