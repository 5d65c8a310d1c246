package dev.atelier.endpoints.bluegreen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.support.HandClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/** The wait for a fleet's requests in flight, on a clock that moves only when the drain sleeps. */
class DrainTest {
  private final List<Duration> sleeps = new ArrayList<>();
  private final HandClock clock = new HandClock("2026-01-01T00:00:00Z");
  private final Drain drain = new Drain(clock, d -> {
    sleeps.add(d);
    clock.advance(d);
  }, Duration.ofSeconds(30), Duration.ofMillis(50));

  /** Reads the counts in order, the last one for ever after. */
  private static IntSupplier counts(Integer... values) {
    Deque<Integer> left = new ArrayDeque<>(List.of(values));
    return () -> left.size() > 1 ? left.poll() : left.peek();
  }

  @Test
  void aFleetWithNothingInFlightStopsAtOnce() {
    assertThat(drain.await(counts(0), () -> false)).isZero();
    assertThat(sleeps).isEmpty();
  }

  @Test
  void itWaitsUntilTheLastRequestInFlightHasItsAnswer() {
    assertThat(drain.await(counts(3, 2, 2, 1, 0), () -> false)).isZero();
    assertThat(sleeps).hasSize(4).allMatch(d -> d.equals(Duration.ofMillis(50)));
  }

  @Test
  void aRequestThatNeverEndsHoldsTheFleetOnlyUntilTheLimit() {
    Instant start = clock.instant();
    assertThat(drain.await(counts(2), () -> false)).isEqualTo(2);
    assertThat(Duration.between(start, clock.instant())).isEqualTo(Duration.ofSeconds(30));
    assertThat(sleeps).hasSize(600);
  }

  @Test
  void theLastSleepEndsAtTheLimitNotAfterIt() {
    Drain odd = new Drain(clock, d -> {
      sleeps.add(d);
      clock.advance(d);
    }, Duration.ofMillis(120), Duration.ofMillis(50));
    Instant start = clock.instant();
    assertThat(odd.await(counts(1), () -> false)).isEqualTo(1);
    assertThat(sleeps).containsExactly(Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofMillis(20));
    assertThat(Duration.between(start, clock.instant())).isEqualTo(Duration.ofMillis(120));
  }

  @Test
  void aDeleteEndsTheWait() {
    int[] looks = {0};
    assertThat(drain.await(counts(4), () -> ++looks[0] > 2)).isEqualTo(4);
    assertThat(sleeps).hasSize(2);
  }

  @Test
  void aNegativeLimitOrAZeroPollIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Drain(clock, d -> {}, Duration.ofSeconds(-1),
        Duration.ofMillis(50))).isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Drain(clock, d -> {}, Duration.ofSeconds(1),
        Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }
}
