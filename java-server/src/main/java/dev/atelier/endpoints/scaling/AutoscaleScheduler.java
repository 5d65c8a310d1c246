package dev.atelier.endpoints.scaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.endpoints.router.VariantMetrics;
import dev.atelier.endpoints.scaling.Autoscaler.Decision;
import dev.atelier.endpoints.scaling.Autoscaler.History;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntBiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link Autoscaler} for every variant with a {@link ScalingPolicy}, every 15 to 60
 * seconds, and hands each change to {@link Capacity}. Only the minutes since a policy was put count
 * (so that a restart or a new policy does not read a quiet past it never saw as "low").
 */
public final class AutoscaleScheduler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AutoscaleScheduler.class);
  public static final Duration MIN_PERIOD = Duration.ofSeconds(15);
  public static final Duration MAX_PERIOD = Duration.ofSeconds(60);

  /** A variant's invocations in its last full minutes, oldest first, the minute under way left out. */
  @FunctionalInterface
  public interface InvocationCounts {
    long[] lastMinutes(String endpoint, String variant, int minutes);

    /** Read from the router's metrics (a minute without invocations counts 0). */
    static InvocationCounts of(VariantMetrics metrics) {
      return (endpoint, variant, minutes) -> {
        JsonNode points = metrics.minutes(endpoint, minutes + 1).path("Variants").path(variant);
        long[] out = new long[minutes];
        int n = points.size() - 1; // the last is the minute under way
        for (int i = 0; i < minutes; i++) {
          int at = n - minutes + i;
          out[i] = at >= 0 && at < n ? points.get(at).path("Invocations").asLong() : 0;
        }
        return out;
      };
    }
  }

  /** The last change the autoscaler made to a variant. */
  public record Activity(Instant time, int from, int to, String reason) {}

  private record Tracked(ScalingPolicy policy, Instant since, History history, Activity last) {}

  private final Map<String, Tracked> variants = new ConcurrentHashMap<>();
  private final InvocationCounts counts;
  private final ToIntBiFunction<String, String> currentCount;
  private final Capacity capacity;
  private final Clock clock;
  /** The metrics' minute: 60 s, shorter only for tests and benchmarks ({@code endpointMinuteSeconds}). */
  private final Duration minute;
  private ScheduledExecutorService timer;

  /**
   * @param currentCount the variant's desired instance count now, or -1 when the endpoint cannot be
   *     scaled now (unknown, or not InService)
   */
  public AutoscaleScheduler(InvocationCounts counts, ToIntBiFunction<String, String> currentCount, Capacity capacity,
      Clock clock) {
    this(counts, currentCount, capacity, clock, Duration.ofMinutes(1));
  }

  /** @param minute the metrics' minute, which the counts are per and which cooldowns do not scale with */
  public AutoscaleScheduler(InvocationCounts counts, ToIntBiFunction<String, String> currentCount, Capacity capacity,
      Clock clock, Duration minute) {
    this.counts = counts;
    this.currentCount = currentCount;
    this.capacity = capacity;
    this.clock = clock;
    this.minute = minute;
  }

  /**
   * Runs {@link #tick} every {@code period}, held to a quarter of a minute .. a minute (15 .. 60 s;
   * with a shorter minute for tests, a period of that minute's proportion).
   */
  public synchronized AutoscaleScheduler start(Duration period) {
    double scale = minute.toMillis() / 60_000.0;
    Duration min = Duration.ofMillis(Math.round(MIN_PERIOD.toMillis() * scale));
    Duration max = Duration.ofMillis(Math.round(MAX_PERIOD.toMillis() * scale));
    Duration scaled = Duration.ofMillis(Math.round(period.toMillis() * scale));
    Duration p = scaled.compareTo(min) < 0 ? min : scaled.compareTo(max) > 0 ? max : scaled;
    if (timer == null) {
      timer = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("autoscaler").factory());
      timer.scheduleWithFixedDelay(this::tickSafely, p.toMillis(), p.toMillis(), TimeUnit.MILLISECONDS);
    }
    return this;
  }

  /** Puts (or replaces) the variant's policy; a replaced one keeps its history and its minutes. */
  public void put(String endpoint, String variant, ScalingPolicy policy) {
    variants.compute(key(endpoint, variant), (k, old) -> old == null
        ? new Tracked(policy, clock.instant(), History.NONE, null)
        : new Tracked(policy, old.since(), old.history(), old.last()));
  }

  /** The variant's policy, or null. */
  public ScalingPolicy policy(String endpoint, String variant) {
    Tracked t = variants.get(key(endpoint, variant));
    return t == null ? null : t.policy();
  }

  /** Removes the variant's policy (its count stays as it is); false when it had none. */
  public boolean remove(String endpoint, String variant) {
    return variants.remove(key(endpoint, variant)) != null;
  }

  /** The endpoint is gone: its variants' policies go. */
  public void forget(String endpoint) {
    variants.keySet().removeIf(k -> k.startsWith(endpoint + "\n"));
  }

  /**
   * The variant's policy as {@link ScalingPolicy#toJson} plus {@code LastScalingActivity: {Time,
   * From, To, Reason}} (null before the first), or null without a policy.
   */
  public ObjectNode describe(String endpoint, String variant) {
    Tracked t = variants.get(key(endpoint, variant));
    if (t == null) {
      return null;
    }
    ObjectNode n = t.policy().toJson();
    n.put("EndpointName", endpoint).put("VariantName", variant);
    if (t.last() == null) {
      n.putNull("LastScalingActivity");
    } else {
      n.putObject("LastScalingActivity").put("Time", t.last().time().toString()).put("From", t.last().from())
          .put("To", t.last().to()).put("Reason", t.last().reason());
    }
    return n;
  }

  /** One pass over every variant with a policy. */
  public void tick() {
    Instant now = clock.instant();
    for (Map.Entry<String, Tracked> e : variants.entrySet()) {
      String[] parts = e.getKey().split("\n", 2);
      Tracked t = e.getValue();
      int current = currentCount.applyAsInt(parts[0], parts[1]);
      if (current < 0) {
        continue;
      }
      // full minutes since the policy was put, at most the window the autoscaler reads
      long m = minute.toMillis();
      long full = Math.floorDiv(now.toEpochMilli(), m) - Math.floorDiv(t.since().toEpochMilli(), m) - 1;
      int window = (int) Math.max(0, Math.min(Autoscaler.SCALE_IN_MINUTES, full));
      long[] minutes = window == 0 ? new long[0] : counts.lastMinutes(parts[0], parts[1], window);
      Decision d = Autoscaler.decide(t.policy(), minutes, current, now, t.history());
      if (!d.changes()) {
        continue;
      }
      try {
        capacity.setInstanceCount(parts[0], parts[1], d.desired(), d.reason());
      } catch (RuntimeException ex) {
        LOG.warn("autoscaling {}/{} to {}: {}", parts[0], parts[1], d.desired(), ex.getMessage());
        continue;
      }
      LOG.info("autoscaling {}/{}: {} -> {} instances ({})", parts[0], parts[1], current, d.desired(), d.reason());
      History h = d.scalesOut() ? new History(now, t.history().lastScaleIn()) : new History(t.history().lastScaleOut(), now);
      Activity a = new Activity(now, current, d.desired(), d.reason());
      variants.computeIfPresent(e.getKey(), (k, old) -> new Tracked(old.policy(), old.since(), h, a));
    }
  }

  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException e) {
      LOG.warn("autoscaling pass failed: {}", e.toString());
    }
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
    }
  }

  private static String key(String endpoint, String variant) {
    return endpoint + "\n" + variant;
  }
}
