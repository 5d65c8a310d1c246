package dev.atelier.endpoints.scaling;

import java.time.Instant;

/**
 * Target tracking on SageMakerVariantInvocationsPerInstance, as pure logic: the desired instance
 * count is {@code ceil(invocations per minute / TargetValue)}, clamped to MinCapacity ..
 * MaxCapacity. It scales out on the last full minute, once the ScaleOutCooldown since the last
 * scale-out is over; it scales in only when every one of the last {@link #SCALE_IN_MINUTES} minutes
 * asks for fewer instances (by its busiest minute), and only once the ScaleInCooldown since the
 * last scale-in and the ScaleOutCooldown since the last scale-out are over. A count outside the
 * bounds is brought inside at once.
 */
public final class Autoscaler {
  /** Minutes the metric must stay low before a scale-in (target tracking's scale-in alarm: 15 datapoints). */
  public static final int SCALE_IN_MINUTES = 15;

  /** When the variant last scaled out and in; null for never. */
  public record History(Instant lastScaleOut, Instant lastScaleIn) {
    public static final History NONE = new History(null, null);
  }

  /** The count the variant should have and why; {@code desired == current} when nothing changes. */
  public record Decision(int current, int desired, String reason) {
    public boolean changes() {
      return desired != current;
    }

    public boolean scalesOut() {
      return desired > current;
    }
  }

  private Autoscaler() {}

  /**
   * @param minutes the variant's invocations in each of its last full minutes, oldest first (the
   *     minute under way not included); fewer than {@link #SCALE_IN_MINUTES} never scale in
   * @param current the variant's instance count now
   */
  public static Decision decide(ScalingPolicy p, long[] minutes, int current, Instant now, History history) {
    History h = history == null ? History.NONE : history;
    if (current < p.minCapacity()) {
      return new Decision(current, p.minCapacity(), "the instance count " + current + " is below MinCapacity "
          + p.minCapacity());
    }
    if (current > p.maxCapacity()) {
      return new Decision(current, p.maxCapacity(), "the instance count " + current + " is above MaxCapacity "
          + p.maxCapacity());
    }
    if (minutes == null || minutes.length == 0) {
      return new Decision(current, current, "no full minute of invocations yet");
    }
    long last = minutes[minutes.length - 1];
    int out = clamp(p, last);
    if (out > current) {
      Instant until = h.lastScaleOut() == null ? null : h.lastScaleOut().plusSeconds(p.scaleOutCooldown());
      if (until != null && now.isBefore(until)) {
        return new Decision(current, current, "wants " + out + " instances, but the scale-out cooldown lasts until "
            + until);
      }
      return new Decision(current, out, last + " invocations in the last minute is " + perInstance(last, current)
          + " per instance, above the target " + fmt(p.targetValue()) + ": " + out + " instances");
    }
    if (p.disableScaleIn() || minutes.length < SCALE_IN_MINUTES) {
      return new Decision(current, current, "at or below target");
    }
    long peak = 0;
    for (int i = minutes.length - SCALE_IN_MINUTES; i < minutes.length; i++) {
      peak = Math.max(peak, minutes[i]);
    }
    int in = clamp(p, peak);
    if (in >= current) {
      return new Decision(current, current, "at target");
    }
    Instant inUntil = h.lastScaleIn() == null ? null : h.lastScaleIn().plusSeconds(p.scaleInCooldown());
    Instant outUntil = h.lastScaleOut() == null ? null : h.lastScaleOut().plusSeconds(p.scaleOutCooldown());
    Instant until = later(inUntil, outUntil);
    if (until != null && now.isBefore(until)) {
      return new Decision(current, current, "wants " + in + " instances, but the cooldown lasts until " + until);
    }
    return new Decision(current, in, "at most " + peak + " invocations a minute for " + SCALE_IN_MINUTES
        + " minutes is " + perInstance(peak, current) + " per instance, below the target " + fmt(p.targetValue())
        + ": " + in + " instances");
  }

  /** {@code ceil(invocations / target)} within the bounds. */
  static int clamp(ScalingPolicy p, long invocations) {
    double needed = Math.ceil(invocations / p.targetValue());
    return (int) Math.max(p.minCapacity(), Math.min(p.maxCapacity(), needed));
  }

  private static Instant later(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    return b == null || a.isAfter(b) ? a : b;
  }

  private static String perInstance(long invocations, int instances) {
    return fmt(instances <= 0 ? invocations : (double) invocations / instances);
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(java.util.Locale.ROOT, "%.1f", v);
  }
}
