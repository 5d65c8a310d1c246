package dev.atelier.runtime.process;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** How a local workload is stopped: SIGTERM, then SIGKILL to it and what it started once the grace period has passed. */
final class Termination {
  /** How long a process has to go once it has been sent SIGKILL. */
  private static final Duration AFTER_KILL = Duration.ofSeconds(10);

  private Termination() {}

  /**
   * Sends {@code process} SIGTERM and waits up to {@code grace} (at least a millisecond) for it to
   * end; past that, SIGKILL to {@code started} (what it started, looked up before, since its
   * children are no longer its descendants once it is gone) and to it.
   *
   * @return whether it has ended; false when not even SIGKILL ended it in time
   */
  static boolean end(ProcessHandle process, List<ProcessHandle> started, Duration grace) {
    process.destroy();
    if (ended(process, Duration.ofMillis(Math.max(1, grace.toMillis())))) {
      return true;
    }
    started.forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    return ended(process, AFTER_KILL);
  }

  private static boolean ended(ProcessHandle process, Duration within) {
    try {
      process.onExit().get(within.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    } catch (ExecutionException | TimeoutException e) {
      return !process.isAlive();
    }
  }
}
