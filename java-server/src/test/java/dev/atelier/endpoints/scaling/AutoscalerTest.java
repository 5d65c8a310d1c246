package dev.atelier.endpoints.scaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.endpoints.router.VariantMetrics;
import dev.atelier.endpoints.scaling.Autoscaler.Decision;
import dev.atelier.endpoints.scaling.Autoscaler.History;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.support.HandClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The scaling policy's validation, the target-tracking decision and the scheduler, on a fake clock and fake metrics. */
class AutoscalerTest {
  private static final Instant T0 = Instant.parse("2026-12-03T12:00:30Z");
  private static final ScalingPolicy POLICY = new ScalingPolicy(1, 4, 100, 300, 300, false);

  static ScalingPolicy parse(String json) throws Exception {
    return ScalingPolicy.parse(Json.mapper().readTree(json));
  }

  @Test
  void aPolicyIsReadWithAwsDefaults() throws Exception {
    ScalingPolicy p = parse("{\"MinCapacity\": 1, \"MaxCapacity\": 3, \"TargetTrackingScalingPolicyConfiguration\":"
        + " {\"TargetValue\": 70.5, \"PredefinedMetricSpecification\": {\"PredefinedMetricType\":"
        + " \"SageMakerVariantInvocationsPerInstance\"}}}");
    assertThat(p).isEqualTo(new ScalingPolicy(1, 3, 70.5, 300, 300, false));
    assertThat(parse(p.toJson().toString())).isEqualTo(p);
  }

  @Test
  void badFieldsAreNamedByTheirPath() {
    String ok = "{\"MinCapacity\": 1, \"MaxCapacity\": 3, \"TargetTrackingScalingPolicyConfiguration\": {\"TargetValue\": 70}}";
    bad(ok.replace("\"MinCapacity\": 1, ", ""), "MinCapacity: is required");
    bad(ok.replace("\"MinCapacity\": 1", "\"MinCapacity\": 0"), "MinCapacity: must be a whole number from 1 to 100");
    bad(ok.replace("\"MaxCapacity\": 3", "\"MaxCapacity\": 1.5"), "MaxCapacity: must be a whole number");
    bad(ok.replace("\"MaxCapacity\": 3", "\"MaxCapacity\": 18446744073709551619"), "MaxCapacity: must be a whole number");
    bad(ok.replace("\"MinCapacity\": 1", "\"MinCapacity\": 5"), "MaxCapacity: 3 is below MinCapacity (5)");
    bad(ok.replace("70", "0"), "TargetTrackingScalingPolicyConfiguration.TargetValue: must be a number above 0");
    bad(ok.replace("70", "\"70\""), "TargetTrackingScalingPolicyConfiguration.TargetValue: must be a number");
    bad(ok.replace("70}", "70, \"ScaleInCooldown\": -1}"), "TargetTrackingScalingPolicyConfiguration.ScaleInCooldown:");
    bad(ok.replace("70}", "70, \"Cooldown\": 1}"), "TargetTrackingScalingPolicyConfiguration.Cooldown: is not a field");
    bad(ok.replace("70}", "70, \"PredefinedMetricSpecification\": {\"PredefinedMetricType\": \"CPUUtilization\"}}"),
        "TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType: must be");
    bad("{\"MinCapacity\": 1, \"MaxCapacity\": 3}", "TargetTrackingScalingPolicyConfiguration: is required");
    bad("[]", "the body must be an object");
  }

  private static void bad(String json, String message) {
    assertThatThrownBy(() -> parse(json)).isInstanceOfSatisfying(ApiException.class, e -> {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.getMessage()).startsWith(message);
    });
  }

  private static long[] minutes(long... m) {
    return m;
  }

  private static long[] flat(int n, long value) {
    long[] m = new long[n];
    Arrays.fill(m, value);
    return m;
  }

  @Test
  void scalesOutOnTheLastMinuteClampedToMax() {
    Decision d = Autoscaler.decide(POLICY, minutes(50, 250), 1, T0, History.NONE);
    assertThat(d.desired()).isEqualTo(3); // ceil(250 / 100)
    assertThat(d.reason()).contains("250 invocations").contains("target 100");
    assertThat(Autoscaler.decide(POLICY, minutes(10_000), 2, T0, History.NONE).desired()).isEqualTo(4);
    assertThat(Autoscaler.decide(POLICY, minutes(100), 1, T0, History.NONE).changes()).isFalse(); // exactly at target
  }

  @Test
  void scaleOutWaitsForItsCooldown() {
    History justOut = new History(T0.minusSeconds(100), null);
    Decision d = Autoscaler.decide(POLICY, minutes(400), 2, T0, justOut);
    assertThat(d.changes()).isFalse();
    assertThat(d.reason()).contains("scale-out cooldown");
    assertThat(Autoscaler.decide(POLICY, minutes(400), 2, T0.plusSeconds(200), justOut).desired()).isEqualTo(4);
  }

  @Test
  void scalesInOnlyAfterFifteenLowMinutesAndTheCooldowns() {
    // low, but not for long enough
    assertThat(Autoscaler.decide(POLICY, flat(14, 50), 3, T0, History.NONE).changes()).isFalse();
    // one busy minute in the window holds the count
    long[] spiky = flat(15, 50);
    spiky[3] = 290;
    assertThat(Autoscaler.decide(POLICY, spiky, 3, T0, History.NONE).changes()).isFalse();
    // every minute low: in to ceil(peak / target)
    long[] low = flat(20, 50);
    low[10] = 180;
    Decision d = Autoscaler.decide(POLICY, low, 4, T0, History.NONE);
    assertThat(d.desired()).isEqualTo(2);
    assertThat(d.reason()).contains("15 minutes");
    // not within the scale-in cooldown, nor the scale-out cooldown
    assertThat(Autoscaler.decide(POLICY, low, 4, T0, new History(null, T0.minusSeconds(299))).changes()).isFalse();
    assertThat(Autoscaler.decide(POLICY, low, 4, T0, new History(T0.minusSeconds(10), null)).changes()).isFalse();
    assertThat(Autoscaler.decide(POLICY, low, 4, T0, new History(T0.minusSeconds(301), T0.minusSeconds(300)))
        .desired()).isEqualTo(2);
    // never below MinCapacity, and not at all with DisableScaleIn
    assertThat(Autoscaler.decide(POLICY, flat(15, 0), 4, T0, History.NONE).desired()).isEqualTo(1);
    ScalingPolicy noIn = new ScalingPolicy(1, 4, 100, 300, 300, true);
    assertThat(Autoscaler.decide(noIn, flat(15, 0), 4, T0, History.NONE).changes()).isFalse();
  }

  @Test
  void aCountOutsideTheBoundsIsBroughtInside() {
    assertThat(Autoscaler.decide(new ScalingPolicy(2, 4, 100, 300, 300, false), new long[0], 1, T0, History.NONE)
        .desired()).isEqualTo(2);
    assertThat(Autoscaler.decide(POLICY, new long[0], 6, T0, History.NONE).desired()).isEqualTo(4);
    assertThat(Autoscaler.decide(POLICY, new long[0], 2, T0, History.NONE).changes()).isFalse();
  }

  /** A clock the test moves. */

  @Test
  void theSchedulerScalesAVariantOutThenInThroughCapacity() {
    HandClock clock = new HandClock(T0);
    // invocations a minute from the minute they start at, as the router's metrics would keep them
    java.util.TreeMap<Long, Long> rates = new java.util.TreeMap<>(Map.of(0L, 0L));
    java.util.function.LongSupplier minute = () -> Math.floorDiv(clock.millis(), 60_000L);
    Map<String, Integer> counts = new HashMap<>(Map.of("ep\nv", 1));
    List<String> calls = new ArrayList<>();
    AutoscaleScheduler.InvocationCounts metrics = (e, v, n) -> {
      long[] out = new long[n];
      for (int i = 0; i < n; i++) {
        out[i] = rates.floorEntry(minute.getAsLong() - n + i).getValue();
      }
      return out;
    };
    AutoscaleScheduler s = new AutoscaleScheduler(metrics, (e, v) -> counts.getOrDefault(e + "\n" + v, -1),
        (e, v, n, why) -> {
          calls.add(e + "/" + v + "=" + n);
          counts.put(e + "\n" + v, n);
        }, clock);
    s.put("ep", "v", POLICY);
    s.tick();
    assertThat(calls).isEmpty(); // no full minute yet
    rates.put(minute.getAsLong() + 1, 320L);
    clock.advance(Duration.ofMinutes(2));
    s.tick();
    assertThat(calls).containsExactly("ep/v=4");
    assertThat(s.describe("ep", "v").at("/LastScalingActivity/To").asInt()).isEqualTo(4);
    assertThat(s.describe("ep", "v").at("/LastScalingActivity/Reason").asText()).contains("320 invocations");
    rates.put(minute.getAsLong(), 10L);
    for (int i = 0; i < 14; i++) { // 15 low minutes are needed since the policy was put
      clock.advance(Duration.ofMinutes(1));
      s.tick();
    }
    assertThat(calls).containsExactly("ep/v=4");
    clock.advance(Duration.ofMinutes(1));
    s.tick();
    assertThat(calls).containsExactly("ep/v=4", "ep/v=1");
    // a variant that cannot be scaled now is left alone; a removed policy no longer acts
    s.put("gone", "v", POLICY);
    clock.advance(Duration.ofMinutes(20));
    s.tick();
    assertThat(calls).hasSize(2);
    s.forget("ep");
    assertThat(s.policy("ep", "v")).isNull();
    assertThat(s.describe("ep", "v")).isNull();
  }

  @Test
  void aShorterMinuteForTestsMakesMetricsAndTheSchedulerCountInIt() {
    HandClock clock = new HandClock(T0);
    VariantMetrics m = new VariantMetrics(Duration.ofHours(1), Duration.ofSeconds(2), clock::millis);
    assertThat(m.minutes("ep", 1).get("Period").asInt()).isEqualTo(2);
    AutoscaleScheduler.InvocationCounts counts = AutoscaleScheduler.InvocationCounts.of(m);
    Map<String, Integer> current = new HashMap<>(Map.of("ep\nv", 1));
    List<String> calls = new ArrayList<>();
    AutoscaleScheduler s = new AutoscaleScheduler(counts, (e, v) -> current.getOrDefault(e + "\n" + v, -1),
        (e, v, n, why) -> {
          calls.add(e + "/" + v + "=" + n);
          current.put(e + "\n" + v, n);
        }, clock, Duration.ofSeconds(2));
    s.put("ep", "v", new ScalingPolicy(1, 4, 10, 0, 0, false));
    for (int minute = 0; minute < 2; minute++) {
      for (int i = 0; i < 30; i++) {
        m.record("ep", "v", VariantMetrics.Outcome.OK, 10, 1);
      }
      clock.advance(Duration.ofSeconds(2));
      if (minute == 0) {
        s.tick();
        assertThat(calls).as("no full 2-second minute since the policy was put yet").isEmpty();
      }
    }
    assertThat(counts.lastMinutes("ep", "v", 2)).containsExactly(30, 30);
    s.tick();
    assertThat(calls).as("30 in the last 2-second minute, a target of 10 per instance").containsExactly("ep/v=3");
  }

  @Test
  void theRoutersMetricsGiveFullMinutesOnly() {
    AtomicLong now = new AtomicLong(T0.toEpochMilli());
    VariantMetrics m = new VariantMetrics(Duration.ofHours(1), now::get);
    for (int i = 0; i < 7; i++) {
      m.record("ep", "v", VariantMetrics.Outcome.OK, 10, 1);
    }
    now.addAndGet(60_000);
    m.record("ep", "v", VariantMetrics.Outcome.OK, 10, 1); // the minute under way
    AutoscaleScheduler.InvocationCounts counts = AutoscaleScheduler.InvocationCounts.of(m);
    assertThat(counts.lastMinutes("ep", "v", 3)).containsExactly(0, 0, 7);
    assertThat(counts.lastMinutes("ep", "other", 2)).containsExactly(0, 0);
  }
}
