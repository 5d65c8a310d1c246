package dev.atelier.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.Statistics;
import dev.atelier.runtime.BatchRuntime.Reading;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The profiler's readings from the engine's stats: per-core CPU, memory, block I/O, network. */
class EngineReadingsTest {
  /** A trimmed reading of the stats stream from a cgroup v1 engine (two cores). */
  private static final String V1 = """
      {"read": "2026-12-07T15:00:01.500000000Z", "preread": "2026-12-07T15:00:00.500000000Z",
       "cpu_stats": {"cpu_usage": {"total_usage": 1900000000, "percpu_usage": [1000000000, 900000000]},
         "system_cpu_usage": 102000000000, "online_cpus": 2},
       "precpu_stats": {"cpu_usage": {"total_usage": 1000000000, "percpu_usage": [200000000, 800000000]},
         "system_cpu_usage": 100000000000, "online_cpus": 2},
       "memory_stats": {"usage": 150000000, "limit": 4294967296, "stats": {"total_inactive_file": 50000000}},
       "blkio_stats": {"io_service_bytes_recursive": [
         {"major": 8, "minor": 0, "op": "Read", "value": 4096}, {"major": 8, "minor": 0, "op": "Write", "value": 8192},
         {"major": 8, "minor": 0, "op": "Sync", "value": 12288}, {"major": 8, "minor": 0, "op": "Total", "value": 12288}]},
       "networks": {"eth0": {"rx_bytes": 1000, "tx_bytes": 200}, "eth1": {"rx_bytes": 10, "tx_bytes": 2}}}
      """;
  /** The same from a cgroup v2 engine: no per-core figures, lower-case I/O ops, no networks (host network). */
  private static final String V2 = """
      {"read": "2026-12-07T15:00:01Z",
       "cpu_stats": {"cpu_usage": {"total_usage": 2000000000}, "system_cpu_usage": 102000000000, "online_cpus": 2},
       "precpu_stats": {"cpu_usage": {"total_usage": 1000000000}, "system_cpu_usage": 100000000000, "online_cpus": 2},
       "memory_stats": {"usage": 100, "limit": 1000, "stats": {"inactive_file": 40}},
       "blkio_stats": {"io_service_bytes_recursive": [{"major": 8, "minor": 0, "op": "read", "value": 7},
         {"major": 8, "minor": 0, "op": "write", "value": 9}]}}
      """;

  private static Statistics parse(String json) throws Exception {
    return new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
        .readValue(json, Statistics.class);
  }

  @Test
  void aCgroupV1ReadingHasEachCoresShare() throws Exception {
    Reading r = EngineReadings.reading(parse(V1), Instant.EPOCH);
    assertThat(r.at()).isEqualTo(Instant.parse("2026-12-07T15:00:01.5Z"));
    // 2 s of system time over two cores: 1 s per core; core 0 was busy 0.8 s of it, core 1 0.1 s.
    assertThat(r.cpuPerCore()).hasSize(2);
    assertThat(r.cpuPerCore().get(0)).isCloseTo(80.0, within(1e-9));
    assertThat(r.cpuPerCore().get(1)).isCloseTo(10.0, within(1e-9));
    // 0.9 s of 2 s of both cores' time: 45 % of the machine.
    assertThat(r.cpuTotal()).isCloseTo(45.0, within(1e-9));
    assertThat(r.memoryBytes()).isEqualTo(100_000_000L);
    assertThat(r.memoryLimitBytes()).isEqualTo(4_294_967_296L);
    assertThat(r.diskReadBytes()).isEqualTo(4096);
    assertThat(r.diskWriteBytes()).isEqualTo(8192);
    assertThat(r.netRxBytes()).isEqualTo(1010);
    assertThat(r.netTxBytes()).isEqualTo(202);
  }

  @Test
  void aCgroupV2ReadingHasNoPerCoreFiguresAndNoNetworkOnTheHostsNetwork() throws Exception {
    Reading r = EngineReadings.reading(parse(V2), Instant.EPOCH);
    assertThat(r.cpuPerCore()).isEmpty();
    assertThat(r.cpuTotal()).isCloseTo(50.0, within(1e-9));
    assertThat(r.memoryBytes()).isEqualTo(60);
    assertThat(r.diskReadBytes()).isEqualTo(7);
    assertThat(r.diskWriteBytes()).isEqualTo(9);
    assertThat(r.netRxBytes()).isZero();
  }

  @Test
  void theStreamsFirstReadingWithNothingBeforeItIsNone() throws Exception {
    String first = V2.replace("\"system_cpu_usage\": 100000000000", "\"system_cpu_usage\": 0");
    assertThat(first).isNotEqualTo(V2);
    assertThat(EngineReadings.reading(parse(first), Instant.EPOCH)).isNull();
  }

  @Test
  void aReadingOfAnEndedContainerIsNone() throws Exception {
    assertThat(EngineReadings.reading(parse("{\"read\": \"0001-01-01T00:00:00Z\", \"memory_stats\": {}}"),
        Instant.EPOCH)).isNull();
  }
}
