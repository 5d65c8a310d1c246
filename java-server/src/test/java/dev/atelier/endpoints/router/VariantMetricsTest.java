package dev.atelier.endpoints.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.endpoints.router.VariantMetrics.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Per-minute variant metrics: counts, latencies, retention, and the Prometheus text. */
class VariantMetricsTest {
  private static final long T0 = Instant.parse("2026-12-03T10:00:00Z").toEpochMilli();
  private final AtomicLong now = new AtomicLong(T0 + 5_000);
  private final VariantMetrics metrics = new VariantMetrics(Duration.ofMinutes(30), now::get);

  private void minutesLater(int n) {
    now.addAndGet(n * 60_000L);
  }

  @Test
  void aMinuteCountsInvocationsAndErrorsWithMeanAndP99Latencies() {
    for (int i = 1; i <= 100; i++) {
      metrics.record("ep", "blue", Outcome.OK, i * 1000L, 100);
    }
    metrics.record("ep", "blue", Outcome.CLIENT_ERROR, 2000, 300);
    metrics.record("ep", "blue", Outcome.SERVER_ERROR, -1, 0); // no answer from the model: no latency
    ObjectNode m = metrics.minutes("ep", 1);
    assertThat(m.get("Period").asInt()).isEqualTo(60);
    JsonNode p = m.get("Variants").get("blue").get(0);
    assertThat(p.get("Timestamp").asText()).isEqualTo("2026-12-03T10:00:00Z");
    assertThat(p.get("Invocations").asLong()).isEqualTo(102);
    assertThat(p.get("Invocation4XXErrors").asLong()).isEqualTo(1);
    assertThat(p.get("Invocation5XXErrors").asLong()).isEqualTo(1);
    assertThat(p.get("InvocationsAbandoned").asLong()).isZero();
    // Mean of 1..100 ms and one 2 ms: (5050 + 2) / 101 ms.
    assertThat(p.get("ModelLatency").asLong()).isEqualTo(Math.round(5_052_000 / 101.0));
    assertThat(p.get("ModelLatencyP99").asDouble()).isCloseTo(99_000, org.assertj.core.data.Percentage.withPercentage(3));
    assertThat(p.get("OverheadLatency").asLong()).isEqualTo(Math.round((100 * 100 + 300) / 101.0));
  }

  @Test
  void everyMinuteOfTheWindowIsListedOldestFirstAndEmptyOnesHaveNoLatency() {
    metrics.record("ep", "blue", Outcome.OK, 500, 50);
    minutesLater(2);
    metrics.record("ep", "blue", Outcome.OK, 700, 70);
    metrics.record("ep", "green", Outcome.OK, 900, 90);
    JsonNode blue = metrics.minutes("ep", 4).get("Variants").get("blue");
    assertThat(blue).hasSize(4);
    List<String> times = new ArrayList<>();
    blue.forEach(p -> times.add(p.get("Timestamp").asText()));
    assertThat(times).containsExactly("2026-12-03T09:59:00Z", "2026-12-03T10:00:00Z", "2026-12-03T10:01:00Z",
        "2026-12-03T10:02:00Z");
    assertThat(blue.get(1).get("ModelLatency").asLong()).isEqualTo(500);
    assertThat(blue.get(2).get("Invocations").asLong()).isZero();
    assertThat(blue.get(2).get("ModelLatency").isNull()).isTrue();
    assertThat(blue.get(3).get("ModelLatency").asLong()).isEqualTo(700);
    assertThat(metrics.minutes("ep", 4).get("Variants").get("green").get(3).get("Invocations").asLong()).isEqualTo(1);
  }

  @Test
  void closedMinutesAreKeptForTheRetentionPeriodOnly() {
    for (int minute = 0; minute < 40; minute++) {
      metrics.record("ep", "blue", Outcome.OK, 1000 + minute, 10);
      minutesLater(1);
    }
    // Now minute 40 (nothing recorded yet); the window asks for more than the 30 kept.
    JsonNode blue = metrics.minutes("ep", 1000).get("Variants").get("blue");
    assertThat(blue).hasSize(30);
    assertThat(blue.get(0).get("Timestamp").asText()).isEqualTo("2026-12-03T10:11:00Z");
    assertThat(blue.get(0).get("ModelLatency").asLong()).isEqualTo(1011);
    assertThat(blue.get(28).get("ModelLatency").asLong()).isEqualTo(1039);
    assertThat(blue.get(29).get("Invocations").asLong()).isZero();
    // Thirty minutes with nothing: the variant is dropped.
    minutesLater(31);
    assertThat(metrics.minutes("ep", 60).get("Variants").size()).isZero();
  }

  @Test
  void forgetDropsTheEndpointAndAnUnknownOneHasNoVariants() {
    metrics.record("ep", "blue", Outcome.OK, 1000, 10);
    metrics.record("other", "blue", Outcome.OK, 1000, 10);
    metrics.forget("ep");
    assertThat(metrics.minutes("ep", 5).get("Variants").size()).isZero();
    assertThat(metrics.minutes("other", 5).get("Variants").size()).isEqualTo(1);
    assertThat(metrics.prometheus()).doesNotContain("endpoint=\"ep\"").contains("endpoint=\"other\"");
  }

  @Test
  void concurrentRecordingLosesNothing() throws Exception {
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(Thread.ofPlatform().start(() -> {
        for (int i = 0; i < 25_000; i++) {
          metrics.record("ep", "blue", i % 10 == 0 ? Outcome.SERVER_ERROR : Outcome.OK, 100, 10);
        }
      }));
    }
    for (Thread t : threads) {
      t.join();
    }
    JsonNode p = metrics.minutes("ep", 1).get("Variants").get("blue").get(0);
    assertThat(p.get("Invocations").asLong()).isEqualTo(100_000);
    assertThat(p.get("Invocation5XXErrors").asLong()).isEqualTo(10_000);
    assertThat(p.get("ModelLatency").asLong()).isEqualTo(100);
  }

  @Test
  void aCallerThatLeftCountsAsAbandonedInvocationNotAsAnError() {
    metrics.record("ep", "blue", Outcome.OK, 1000, 10);
    metrics.record("ep", "blue", Outcome.ABANDONED, -1, 0);
    JsonNode p = metrics.minutes("ep", 1).get("Variants").get("blue").get(0);
    assertThat(p.get("Invocations").asLong()).isEqualTo(2);
    assertThat(p.get("InvocationsAbandoned").asLong()).isEqualTo(1);
    assertThat(p.get("Invocation4XXErrors").asLong()).isZero();
    assertThat(p.get("Invocation5XXErrors").asLong()).isZero();
    assertThat(p.get("ModelLatency").asLong()).as("only the answered one's").isEqualTo(1000);
    assertThat(metrics.prometheus())
        .contains("atelier_endpoint_invocations_abandoned_total{endpoint=\"ep\",variant=\"blue\"} 1\n")
        .contains("atelier_endpoint_invocation_5xx_errors_total{endpoint=\"ep\",variant=\"blue\"} 0\n");
  }

  @Test
  void prometheusTextHasEachFamilyOnceWithTotalsAndLastMinuteQuantiles() {
    metrics.record("ep", "blue", Outcome.OK, 2_000, 500);
    metrics.record("ep", "blue", Outcome.CLIENT_ERROR, 4_000, 500);
    metrics.record("ep", "green", Outcome.SERVER_ERROR, -1, 0);
    minutesLater(1);
    String text = metrics.prometheus();
    assertThat(text).contains(
        "# TYPE atelier_endpoint_invocations_total counter\n"
            + "atelier_endpoint_invocations_total{endpoint=\"ep\",variant=\"blue\"} 2\n"
            + "atelier_endpoint_invocations_total{endpoint=\"ep\",variant=\"green\"} 1\n",
        "atelier_endpoint_invocation_4xx_errors_total{endpoint=\"ep\",variant=\"blue\"} 1\n",
        "atelier_endpoint_invocation_5xx_errors_total{endpoint=\"ep\",variant=\"green\"} 1\n",
        "# TYPE atelier_endpoint_model_latency_seconds summary\n",
        "atelier_endpoint_model_latency_seconds{endpoint=\"ep\",variant=\"blue\",quantile=\"0.99\"} 0.004",
        "atelier_endpoint_model_latency_seconds_sum{endpoint=\"ep\",variant=\"blue\"} 0.006\n",
        "atelier_endpoint_model_latency_seconds_count{endpoint=\"ep\",variant=\"blue\"} 2\n",
        "atelier_endpoint_model_latency_seconds_count{endpoint=\"ep\",variant=\"green\"} 0\n",
        "atelier_endpoint_overhead_latency_seconds_sum{endpoint=\"ep\",variant=\"blue\"} 0.001\n");
    assertThat(text).doesNotContain("variant=\"green\",quantile");
    // Every line is a comment or "name{labels} number".
    for (String line : text.split("\n")) {
      assertThat(line).matches("# (HELP|TYPE) .*|[a-z_0-9]+\\{[^}]*\\} -?[0-9.E-]+");
    }
  }

  @Test
  void labelValuesAreEscapedAsTheExpositionFormatSays() {
    assertThat(VariantMetrics.labels("a\"b", "c\\d\ne")).isEqualTo("endpoint=\"a\\\"b\",variant=\"c\\\\d\\ne\"");
  }
}
