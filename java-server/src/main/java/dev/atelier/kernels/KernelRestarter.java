package dev.atelier.kernels;

import java.time.Duration;
import java.time.Instant;

/**
 * Decides whether a kernel that died is started again, by jupyter_client's {@code KernelRestarter}
 * rules: a death counts as consecutive to the one before while the kernel has not yet run
 * {@link #STABLE_START} since that death; up to {@code limit} consecutive deaths are restarted,
 * the next one leaves the kernel dead for good (and the count starts again). A kernel that ran
 * stably in between starts counting from one. Pure logic: times are given, nothing is scheduled.
 * Not thread safe: the owner serialises calls.
 */
public final class KernelRestarter {
  /** jupyter_client's {@code stable_start_time}: alive this long after a death means the restart held. */
  public static final Duration STABLE_START = Duration.ofSeconds(10);

  /** What to do about one death. */
  public record Decision(boolean restart, int attempt, int limit) {}

  private final int limit;
  private int count;
  private Instant lastDeath;

  /** @param limit consecutive restarts allowed ({@code restart_limit}, 5 in jupyter_client); 0 never restarts */
  public KernelRestarter(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("restart limit must be 0 or more, not " + limit);
    }
    this.limit = limit;
  }

  public int limit() {
    return limit;
  }

  /** Consecutive automatic restarts so far (the count the limit applies to). */
  public int count() {
    return count;
  }

  /** The kernel died at {@code at}: restart it (the how-manieth attempt), or give up. */
  public Decision onDeath(Instant at) {
    boolean consecutive = lastDeath != null && count > 0 && Duration.between(lastDeath, at).compareTo(STABLE_START) < 0;
    lastDeath = at;
    int attempt = consecutive ? count + 1 : 1;
    if (attempt > limit) {
      // As jupyter_client: dead for good, and the count starts again for a later manual restart.
      count = 0;
      return new Decision(false, attempt, limit);
    }
    count = attempt;
    return new Decision(true, attempt, limit);
  }

  /** A restart the user asked for: what came before no longer counts. */
  public void reset() {
    count = 0;
    lastDeath = null;
  }
}
