package dev.atelier.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class KernelRestarterTest {
  private static final Instant T0 = Instant.parse("2026-12-02T08:00:00Z");

  private static Instant at(double seconds) {
    return T0.plusMillis((long) (seconds * 1000));
  }

  @Test
  void restartsUpToTheLimitOfConsecutiveDeathsThenGivesUp() {
    KernelRestarter r = new KernelRestarter(5);
    for (int i = 1; i <= 5; i++) {
      var d = r.onDeath(at(i * 2));
      assertThat(d.restart()).as("death %d", i).isTrue();
      assertThat(d.attempt()).isEqualTo(i);
      assertThat(d.limit()).isEqualTo(5);
    }
    var sixth = r.onDeath(at(12));
    assertThat(sixth.restart()).isFalse();
    assertThat(sixth.attempt()).isEqualTo(6);
  }

  @Test
  void aKernelThatRanStablyCountsFromOneAgain() {
    KernelRestarter r = new KernelRestarter(2);
    assertThat(r.onDeath(at(0)).attempt()).isEqualTo(1);
    assertThat(r.onDeath(at(3)).attempt()).isEqualTo(2);
    // ran for the whole stable start time since the last death: the restart held
    var later = r.onDeath(at(3).plus(KernelRestarter.STABLE_START));
    assertThat(later.restart()).isTrue();
    assertThat(later.attempt()).isEqualTo(1);
  }

  @Test
  void deathsJustInsideTheWindowAreConsecutive() {
    KernelRestarter r = new KernelRestarter(1);
    assertThat(r.onDeath(at(0)).restart()).isTrue();
    var d = r.onDeath(at(0).plus(KernelRestarter.STABLE_START).minus(Duration.ofMillis(1)));
    assertThat(d.restart()).isFalse();
  }

  @Test
  void afterGivingUpTheCountStartsAgain() {
    KernelRestarter r = new KernelRestarter(1);
    r.onDeath(at(0));
    assertThat(r.onDeath(at(1)).restart()).isFalse();
    assertThat(r.count()).isZero();
    var next = r.onDeath(at(2));
    assertThat(next.restart()).isTrue();
    assertThat(next.attempt()).isEqualTo(1);
  }

  @Test
  void aRestartAskedForForgetsEarlierDeaths() {
    KernelRestarter r = new KernelRestarter(2);
    r.onDeath(at(0));
    r.onDeath(at(1));
    r.reset();
    var d = r.onDeath(at(2));
    assertThat(d.restart()).isTrue();
    assertThat(d.attempt()).isEqualTo(1);
  }

  @Test
  void aLimitOfZeroNeverRestarts() {
    KernelRestarter r = new KernelRestarter(0);
    assertThat(r.onDeath(at(0)).restart()).isFalse();
    assertThat(r.onDeath(at(60)).restart()).isFalse();
  }

  @Test
  void aNegativeLimitIsRefused() {
    assertThatThrownBy(() -> new KernelRestarter(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
