package dev.atelier.runtime.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.atelier.runtime.ServiceRuntime.Usage;
import org.junit.jupiter.api.Test;

/** A local replica's usage from /proc: the parsing of stat and status, and CPU from two samples. */
class ProcessUsageTest {
  /** A gunicorn worker's stat line as Linux writes it; its command name holds a space and parentheses. */
  private static final String STAT = "4242 (gunicorn: (worker) x) S 4240 4240 4240 0 -1 4194560 12000 0 3 0 "
      + "1234 567 0 0 20 0 1 0 98765 212344832 25000 18446744073709551615 1 1 0 0 0 0 0 16781312 16386 0 0 0 17"
      + " 1 0 0 0 0 0";
  private static final String STATUS = """
      Name:\tgunicorn
      Umask:\t0022
      State:\tS (sleeping)
      VmPeak:\t  207364 kB
      VmSize:\t  207364 kB
      VmRSS:\t   98304 kB
      RssAnon:\t   61440 kB
      Threads:\t1
      """;

  @Test
  void cpuTicksAreUtimePlusStimeCountedAfterTheCommandName() {
    assertThat(ProcessUsage.cpuTicks(STAT)).isEqualTo(1234 + 567);
  }

  @Test
  void residentMemoryIsVmRssInBytesAndZeroForAProcessWithoutOne() {
    assertThat(ProcessUsage.rssBytes(STATUS)).isEqualTo(98304L * 1024);
    assertThat(ProcessUsage.rssBytes("Name:\tzombie\nState:\tZ (zombie)\n")).isZero();
  }

  @Test
  void cpuPercentIsTicksOverWallTimeWithOneCoreAtAHundred() {
    var before = new ProcessUsage.Sample(1000, 0, 0);
    // 150 ticks (1.5 s of CPU) over 2 s of wall time: three quarters of one core.
    assertThat(ProcessUsage.cpuPercent(before, new ProcessUsage.Sample(1150, 0, 2_000_000_000L)))
        .isCloseTo(75.0, within(1e-9));
    // Two workers busy the whole second: two cores.
    assertThat(ProcessUsage.cpuPercent(before, new ProcessUsage.Sample(1200, 0, 1_000_000_000L)))
        .isCloseTo(200.0, within(1e-9));
    // A worker that ended takes its ticks with it: never a negative share.
    assertThat(ProcessUsage.cpuPercent(before, new ProcessUsage.Sample(900, 0, 1_000_000_000L))).isZero();
  }

  @Test
  void theRunningTestProcessHasMemoryAndAnEndedOneHasNoUsage() throws Exception {
    ProcessUsage usage = new ProcessUsage();
    Usage u = usage.usage("self", ProcessHandle.current(), 0);
    assertThat(u).isNotNull();
    assertThat(u.memoryBytes()).isPositive();
    assertThat(u.memoryLimitBytes()).as("the host's memory without a limit").isGreaterThan(u.memoryBytes());
    assertThat(u.cpuPercent()).isNotNegative();
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    assertThat(usage.usage("ended", p.toHandle(), 0)).isNull();
  }
}
