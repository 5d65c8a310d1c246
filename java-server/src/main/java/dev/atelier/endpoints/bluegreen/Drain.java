package dev.atelier.endpoints.bluegreen;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * The wait between a fleet leaving the routing and its instances stopping: until the router has no
 * request in flight to it (the invocations sent to it before the swap have their answers), or at
 * most a limit, so that a stuck request does not hold an update up forever.
 */
public final class Drain {
  /** At most this long; SageMaker's own wait before it stops a fleet is of the same order. */
  public static final Duration LIMIT = Duration.ofSeconds(30);
  /** How often the requests in flight are counted. */
  public static final Duration POLL = Duration.ofMillis(50);

  /** Waits a while; the real one is {@link Thread#sleep(Duration)}. */
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final Clock clock;
  private final Sleeper sleeper;
  private final Duration limit;
  private final Duration poll;

  public Drain(Clock clock, Sleeper sleeper, Duration limit, Duration poll) {
    if (limit.isNegative() || !poll.isPositive()) {
      throw new IllegalArgumentException("limit must be 0 or more and poll above 0: " + limit + ", " + poll);
    }
    this.clock = clock;
    this.sleeper = sleeper;
    this.limit = limit;
    this.poll = poll;
  }

  /** On the system clock, {@link #LIMIT} and {@link #POLL}. */
  public static Drain standard() {
    return new Drain(Clock.systemUTC(), Thread::sleep, LIMIT, POLL);
  }

  /**
   * Counts {@code inFlight} until it reads 0, the limit has passed, or {@code giveUp} says to stop
   * waiting (the endpoint is being deleted). The requests still in flight when it returns: 0 once
   * the fleet is drained.
   */
  public int await(IntSupplier inFlight, BooleanSupplier giveUp) {
    Instant deadline = clock.instant().plus(limit);
    int left = inFlight.getAsInt();
    while (left > 0 && !giveUp.getAsBoolean()) {
      Duration remaining = Duration.between(clock.instant(), deadline);
      if (!remaining.isPositive()) {
        return left;
      }
      try {
        sleeper.sleep(remaining.compareTo(poll) < 0 ? remaining : poll);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return left;
      }
      left = inFlight.getAsInt();
    }
    return left;
  }

  public Duration limit() {
    return limit;
  }
}
