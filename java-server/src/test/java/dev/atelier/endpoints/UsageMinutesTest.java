package dev.atelier.endpoints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** A variant's instance usage per minute: the mean of the minute's samples over its instances. */
class UsageMinutesTest {
  @Test
  void aMinutesMeanIsOverEverySampleOfEveryInstanceInIt() {
    UsageMinutes m = new UsageMinutes(60);
    m.add(1000, 10, 20);
    m.add(1000, 30, 40);
    m.add(1000, 50, Double.NaN);
    m.add(1001, 5, 6);
    UsageMinutes.Means first = m.mean(1000);
    assertThat(first.cpuPercent()).isCloseTo(30.0, within(1e-9));
    assertThat(first.memoryPercent()).as("the sample without a memory share is left out").isCloseTo(30.0, within(1e-9));
    assertThat(m.mean(1001).cpuPercent()).isCloseTo(5.0, within(1e-9));
    assertThat(m.mean(999)).as("a minute without samples").isNull();
    assertThat(m.lastMinute()).isEqualTo(1001);
  }

  @Test
  void aMinuteOlderThanTheRingIsForgottenWhenItsSlotIsReused() {
    UsageMinutes m = new UsageMinutes(2);
    m.add(10, 1, 1);
    m.add(12, 3, 3);
    assertThat(m.mean(10)).isNull();
    assertThat(m.mean(12).cpuPercent()).isEqualTo(3.0);
    m.add(14, 8, Double.NaN);
    assertThat(m.mean(14).memoryPercent()).isNaN();
  }

  @Test
  void memoryIsAShareOfTheInstanceTypeElseOfTheLimit() {
    assertThat(InstanceUsage.memoryPercent(1L << 30, 4L << 30, 8L << 30)).isCloseTo(25.0, within(1e-9));
    assertThat(InstanceUsage.memoryPercent(1L << 30, 0, 8L << 30)).isCloseTo(12.5, within(1e-9));
    assertThat(InstanceUsage.memoryPercent(1L << 30, 0, 0)).isNaN();
  }
}
