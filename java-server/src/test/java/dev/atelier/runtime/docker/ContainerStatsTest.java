package dev.atelier.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.Statistics;
import dev.atelier.runtime.ServiceRuntime.Usage;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A container's usage from one stats reading, worked out as {@code docker stats} does. */
class ContainerStatsTest {
  /** A trimmed answer of GET /containers/{id}/stats?stream=false from a cgroup v2 engine. */
  private static final String V2 = """
      {"read": "2026-12-03T16:00:01Z", "preread": "2026-12-03T16:00:00Z",
       "cpu_stats": {"cpu_usage": {"total_usage": 3500000000}, "system_cpu_usage": 102000000000, "online_cpus": 2},
       "precpu_stats": {"cpu_usage": {"total_usage": 3000000000}, "system_cpu_usage": 100000000000, "online_cpus": 2},
       "memory_stats": {"usage": 150000000, "limit": 4294967296,
         "stats": {"inactive_file": 50000000, "active_file": 1000, "anon": 90000000}}}
      """;

  private static Statistics parse(String json) throws Exception {
    // As docker-java's own reader: the engine's answers carry fields its model does not know.
    return new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
        .readValue(json, Statistics.class);
  }

  @Test
  void cpuIsTheContainersShareOfTheHostsTimeTimesItsCpus() {
    // 0.5 s of the container's CPU over 2 s of the system's (both cores' time): a quarter of it, half a core.
    assertThat(ContainerStats.cpuPercent(500_000_000L, 2_000_000_000L, 2)).isCloseTo(50.0, within(1e-9));
    assertThat(ContainerStats.cpuPercent(0, 2_000_000_000L, 2)).isZero();
    assertThat(ContainerStats.cpuPercent(10, 0, 2)).as("no system delta: the first reading").isZero();
  }

  @Test
  void aReadingGivesCpuMemoryWithoutTheInactiveCacheAndTheLimit() throws Exception {
    Instant at = Instant.parse("2026-12-03T16:00:01Z");
    Usage u = ContainerStats.usage(parse(V2), at);
    assertThat(u.cpuPercent()).isCloseTo(50.0, within(1e-9));
    assertThat(u.memoryBytes()).isEqualTo(100_000_000L);
    assertThat(u.memoryLimitBytes()).isEqualTo(4294967296L);
    assertThat(u.at()).isEqualTo(at);
  }

  @Test
  void cgroupV1SubtractsTotalInactiveFileAndAnEndedContainerHasNoUsage() throws Exception {
    Usage u = ContainerStats.usage(parse("""
        {"cpu_stats": {"cpu_usage": {"total_usage": 10, "percpu_usage": [5, 5]}, "system_cpu_usage": 100},
         "precpu_stats": {"cpu_usage": {"total_usage": 0}, "system_cpu_usage": 0},
         "memory_stats": {"usage": 3000, "limit": 10000, "stats": {"total_inactive_file": 1000, "cache": 2500}}}
        """), Instant.EPOCH);
    assertThat(u.memoryBytes()).isEqualTo(2000);
    assertThat(u.cpuPercent()).as("two CPUs from percpu_usage").isCloseTo(20.0, within(1e-9));
    assertThat(ContainerStats.usage(parse("{\"memory_stats\": {}}"), Instant.EPOCH)).isNull();
  }
}
