package dev.atelier.endpoints.router;

import dev.atelier.endpoints.router.VariantMetrics.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * One variant's minutes: the current minute and the one before it live (a request that started in
 * the previous minute may still record into it), older ones closed into a {@link MinuteSummary} in a
 * ring of one slot per minute of the retention period. Recording takes no lock except once a minute,
 * to move to a new minute; reading takes the lock, so that it sees every minute in one place.
 */
final class VariantSeries {
  /** Totals since the start, for Prometheus' counters. */
  record Totals(long invocations, long clientErrors, long serverErrors, long abandoned, long modelSum,
      long modelCount, long overheadSum, long overheadCount) {}

  private final MinuteSummary[] ring;
  private volatile LiveMinute current;
  private volatile LiveMinute previous;
  private volatile long lastMinute;
  private final LongAdder invocations = new LongAdder();
  private final LongAdder clientErrors = new LongAdder();
  private final LongAdder serverErrors = new LongAdder();
  private final LongAdder abandoned = new LongAdder();
  private final LongAdder modelSum = new LongAdder();
  private final LongAdder modelCount = new LongAdder();
  private final LongAdder overheadSum = new LongAdder();
  private final LongAdder overheadCount = new LongAdder();

  VariantSeries(int retentionMinutes) {
    this.ring = new MinuteSummary[retentionMinutes];
  }

  void record(long minute, Outcome outcome, long modelMicros, long overheadMicros) {
    LiveMinute live = current;
    if (live == null || live.minute != minute) {
      live = roll(minute);
    }
    live.invocations.increment();
    invocations.increment();
    if (outcome == Outcome.CLIENT_ERROR) {
      live.clientErrors.increment();
      clientErrors.increment();
    } else if (outcome == Outcome.SERVER_ERROR) {
      live.serverErrors.increment();
      serverErrors.increment();
    } else if (outcome == Outcome.ABANDONED) {
      live.abandoned.increment();
      abandoned.increment();
    }
    if (modelMicros >= 0) {
      live.model.record(modelMicros);
      modelSum.add(modelMicros);
      modelCount.increment();
      long overhead = Math.max(0, overheadMicros);
      live.overhead.record(overhead);
      overheadSum.add(overhead);
      overheadCount.increment();
    }
  }

  /** The live minute for {@code minute}: a new one, or the current one if the clock went back. */
  private synchronized LiveMinute roll(long minute) {
    LiveMinute live = current;
    if (live != null && live.minute >= minute) {
      return live;
    }
    LiveMinute before = previous;
    if (before != null) {
      ring[slot(before.minute)] = before.summary();
    }
    previous = live;
    current = new LiveMinute(minute);
    lastMinute = minute;
    return current;
  }

  /** Minutes {@code from} .. {@code to}, each one (an empty minute has zero counts). */
  synchronized List<MinuteSummary> window(long from, long to) {
    List<MinuteSummary> out = new ArrayList<>((int) Math.max(0, to - from + 1));
    for (long m = from; m <= to; m++) {
      MinuteSummary s = find(m);
      out.add(s != null ? s : MinuteSummary.empty(m));
    }
    return out;
  }

  /** The minute, or null when nothing was recorded in it. */
  synchronized MinuteSummary closed(long minute) {
    return find(minute);
  }

  private MinuteSummary find(long minute) {
    LiveMinute c = current;
    if (c != null && c.minute == minute) {
      return c.summary();
    }
    LiveMinute p = previous;
    if (p != null && p.minute == minute) {
      return p.summary();
    }
    MinuteSummary s = ring[slot(minute)];
    return s != null && s.minute() == minute ? s : null;
  }

  private int slot(long minute) {
    return (int) Math.floorMod(minute, (long) ring.length);
  }

  long lastMinute() {
    return lastMinute;
  }

  Totals totals() {
    return new Totals(invocations.sum(), clientErrors.sum(), serverErrors.sum(), abandoned.sum(), modelSum.sum(),
        modelCount.sum(),
        overheadSum.sum(), overheadCount.sum());
  }

  /** A minute still recording. */
  private static final class LiveMinute {
    final long minute;
    final LongAdder invocations = new LongAdder();
    final LongAdder clientErrors = new LongAdder();
    final LongAdder serverErrors = new LongAdder();
    final LongAdder abandoned = new LongAdder();
    final LatencyHistogram model = new LatencyHistogram();
    final LatencyHistogram overhead = new LatencyHistogram();

    LiveMinute(long minute) {
      this.minute = minute;
    }

    MinuteSummary summary() {
      return new MinuteSummary(minute, invocations.sum(), clientErrors.sum(), serverErrors.sum(), abandoned.sum(),
          model.mean(), model.quantile(0.5), model.quantile(0.99),
          overhead.mean(), overhead.quantile(0.5), overhead.quantile(0.99));
    }
  }
}
