package dev.atelier.debugger;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.http.Json;
import dev.atelier.runtime.BatchRuntime.Reading;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The profiler's JSON lines, one per sample at the profiling interval, in hourly files. */
class ProfilerSamplerTest {
  @TempDir Path dir;

  static Reading reading(String at, double cpu) {
    return new Reading(Instant.parse(at), List.of(cpu, 0.0), cpu / 2, 1000, 4000, 10, 20, 0, 0);
  }

  @Test
  void aSampleIsTheInterfacesLine() throws Exception {
    JsonNode n = Json.mapper().readTree(ProfilerSampler.line(new Reading(Instant.parse("2026-12-07T15:00:01.25Z"),
        List.of(80.123, 10.0), 45.0, 100, 4000, 4096, 8192, 1, 2)));
    assertThat(n.path("ts").asDouble()).isEqualTo(Instant.parse("2026-12-07T15:00:01Z").getEpochSecond() + 0.25);
    assertThat(n.path("cpu").get(0).asDouble()).isEqualTo(80.12);
    assertThat(n.path("cpu").size()).isEqualTo(2);
    assertThat(n.path("cpu_total").asDouble()).isEqualTo(45.0);
    assertThat(n.path("memory_bytes").asLong()).isEqualTo(100);
    assertThat(n.path("memory_limit_bytes").asLong()).isEqualTo(4000);
    assertThat(n.path("disk_read_bytes").asLong()).isEqualTo(4096);
    assertThat(n.path("disk_write_bytes").asLong()).isEqualTo(8192);
    assertThat(n.path("net_rx_bytes").asLong()).isEqualTo(1);
    assertThat(n.path("net_tx_bytes").asLong()).isEqualTo(2);
    assertThat(n.path("gpu").isArray()).isTrue();
  }

  @Test
  void readingsCloserThanTheIntervalAreSkippedAndEachHourHasItsFile() throws Exception {
    ProfilerSampler s = new ProfilerSampler(dir.resolve("system"), 5000);
    s.take(reading("2026-12-07T15:59:50Z", 10));
    s.take(reading("2026-12-07T15:59:51Z", 20));
    s.take(reading("2026-12-07T15:59:55Z", 30));
    s.take(reading("2026-12-07T15:59:55Z", 31));
    s.take(reading("2026-12-07T16:00:01Z", 40));
    assertThat(s.written()).isEqualTo(3);
    List<String> first = Files.readAllLines(dir.resolve("system/2026120715.jsonl"));
    assertThat(first).hasSize(2);
    assertThat(Json.mapper().readTree(first.get(1)).path("cpu").get(0).asDouble()).isEqualTo(30);
    assertThat(Files.readAllLines(dir.resolve("system/2026120716.jsonl"))).hasSize(1);
    s.close();
    s.take(reading("2026-12-07T16:00:10Z", 50));
    assertThat(s.written()).as("nothing after close").isEqualTo(3);
  }
}
