package dev.atelier.endpoints.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.endpoints.router.VariantMetrics.Outcome;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A fleet's last minute of invocations, on a clock the test moves. */
class FleetWindowTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final FleetWindow window = new FleetWindow(now::get);

  @Test
  void countsInvocationsAndServerErrorsOfTheLastMinute() {
    for (int i = 0; i < 8; i++) {
      window.record(Outcome.OK, 1000);
    }
    window.record(Outcome.SERVER_ERROR, -1);
    window.record(Outcome.CLIENT_ERROR, 500);
    FleetWindow.Snapshot s = window.snapshot();
    assertThat(s.invocations()).isEqualTo(10);
    assertThat(s.errors()).isEqualTo(1);
    assertThat(s.errorPercent()).isEqualTo(10.0);
  }

  @Test
  void theP99IsOverEverySecondOfTheWindow() {
    for (int second = 0; second < 50; second++) {
      for (int i = 0; i < 2; i++) {
        window.record(Outcome.OK, 1000);
      }
      now.addAndGet(1000);
    }
    window.record(Outcome.OK, 900_000);
    window.record(Outcome.OK, 900_000);
    FleetWindow.Snapshot s = window.snapshot();
    assertThat(s.invocations()).isEqualTo(102);
    assertThat(s.p99Micros()).isCloseTo(900_000, org.assertj.core.data.Percentage.withPercentage(4));
    window.record(Outcome.OK, 1000);
    assertThat(new FleetWindow(now::get).snapshot().p99Micros()).isNaN();
  }

  @Test
  void secondsOlderThanAMinuteLeaveTheWindow() {
    window.record(Outcome.SERVER_ERROR, -1);
    now.addAndGet(59_000);
    window.record(Outcome.OK, 10);
    assertThat(window.snapshot().invocations()).isEqualTo(2);
    now.addAndGet(1_000);
    assertThat(window.snapshot().invocations()).isEqualTo(1);
    assertThat(window.snapshot().errors()).isZero();
    now.addAndGet(60_000);
    window.record(Outcome.OK, 10); // the same slot as a minute ago: counted afresh
    assertThat(window.snapshot().invocations()).isEqualTo(1);
  }
}
