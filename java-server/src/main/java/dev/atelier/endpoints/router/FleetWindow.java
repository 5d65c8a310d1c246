package dev.atelier.endpoints.router;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * One fleet's invocations over the last minute, second by second, lock-free: how many, how many
 * failed on the server's side (5xx, timed out, unreachable) and their model latencies. The router
 * records into it on every invocation of the fleet (a new second's slot is the only allocation, once
 * a second); a blue/green update reads it every second for its alarms. A count that lands while its
 * slot turns over to a new second may be lost: the window is for alarms, not for billing.
 */
public final class FleetWindow {
  /** Seconds in the window. */
  public static final int SECONDS = 60;

  /** One second's counts. */
  private record Slot(long second, LongAdder invocations, LongAdder errors, LatencyHistogram latency) {
    Slot(long second) {
      this(second, new LongAdder(), new LongAdder(), new LatencyHistogram());
    }
  }

  /** What the window holds now; {@code p99Micros} NaN without a latency. */
  public record Snapshot(long invocations, long errors, double p99Micros) {
    /** The percent of invocations that failed, or NaN without one. */
    public double errorPercent() {
      return invocations == 0 ? Double.NaN : 100.0 * errors / invocations;
    }
  }

  private final AtomicReferenceArray<Slot> slots = new AtomicReferenceArray<>(SECONDS);
  private final LongSupplier millis;

  public FleetWindow(LongSupplier millis) {
    this.millis = millis;
  }

  public FleetWindow() {
    this(System::currentTimeMillis);
  }

  /** One invocation of the fleet: {@code modelMicros} -1 when the model gave no answer. */
  void record(VariantMetrics.Outcome outcome, long modelMicros) {
    Slot slot = slot(millis.getAsLong() / 1000);
    slot.invocations.increment();
    if (outcome == VariantMetrics.Outcome.SERVER_ERROR) {
      slot.errors.increment();
    }
    if (modelMicros >= 0) {
      slot.latency.record(modelMicros);
    }
  }

  private Slot slot(long second) {
    int i = (int) (second % SECONDS);
    Slot s = slots.get(i);
    while (s == null || s.second < second) {
      Slot fresh = new Slot(second);
      if (slots.compareAndSet(i, s, fresh)) {
        return fresh;
      }
      s = slots.get(i);
    }
    return s;
  }

  /** The last {@value #SECONDS} seconds, this one included. */
  public Snapshot snapshot() {
    long now = millis.getAsLong() / 1000;
    long invocations = 0;
    long errors = 0;
    long[] counts = new long[LatencyHistogram.BUCKETS];
    long latencies = 0;
    long max = 0;
    for (int i = 0; i < SECONDS; i++) {
      Slot s = slots.get(i);
      if (s == null || s.second <= now - SECONDS || s.second > now) {
        continue;
      }
      invocations += s.invocations.sum();
      errors += s.errors.sum();
      latencies += s.latency.addTo(counts);
      max = Math.max(max, s.latency.max());
    }
    return new Snapshot(invocations, errors, LatencyHistogram.quantile(counts, latencies, max, 0.99));
  }
}
