package dev.atelier.endpoints.router;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Latencies in microseconds for one minute, lock-free: fixed log-linear buckets (exact below 16 us,
 * then 16 buckets per power of two, so a quantile is within about 3% of the true value), the exact
 * sum, count and maximum. Values above about 134 s land in the last bucket (the maximum stays exact).
 */
final class LatencyHistogram {
  private static final int SUB_BITS = 4;
  private static final int SUB = 1 << SUB_BITS;
  /** 2^27 us, about 134 s: twice the invocation timeout. */
  private static final int MAX_EXPONENT = 27;
  static final int BUCKETS = SUB + (MAX_EXPONENT - SUB_BITS) * SUB;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
  private final LongAdder sum = new LongAdder();
  private final LongAdder count = new LongAdder();
  private final AtomicLong max = new AtomicLong();

  void record(long micros) {
    long v = Math.max(0, micros);
    counts.incrementAndGet(bucket(v));
    sum.add(v);
    count.increment();
    max.accumulateAndGet(v, Math::max);
  }

  long count() {
    return count.sum();
  }

  /** The mean, or NaN without a value. */
  double mean() {
    long n = count.sum();
    return n == 0 ? Double.NaN : (double) sum.sum() / n;
  }

  long sum() {
    return sum.sum();
  }

  /**
   * The value below which a fraction {@code q} of the values lie (the middle of the bucket that holds
   * the nearest-rank value, at most the maximum), or NaN without a value.
   */
  double quantile(double q) {
    long n = count.sum();
    if (n == 0) {
      return Double.NaN;
    }
    long rank = Math.max(1, (long) Math.ceil(q * n));
    long seen = 0;
    for (int b = 0; b < BUCKETS; b++) {
      seen += counts.get(b);
      if (seen >= rank) {
        return Math.min(middle(b), max.get());
      }
    }
    return max.get(); // counts raced ahead of count: the answer is the top
  }

  /** Adds this histogram's bucket counts into {@code into}; the number of values added. */
  long addTo(long[] into) {
    long n = 0;
    for (int b = 0; b < BUCKETS; b++) {
      long c = counts.get(b);
      into[b] += c;
      n += c;
    }
    return n;
  }

  long max() {
    return max.get();
  }

  /** The quantile {@code q} of bucket counts merged from several histograms, or NaN without a value. */
  static double quantile(long[] counts, long n, long max, double q) {
    if (n == 0) {
      return Double.NaN;
    }
    long rank = Math.max(1, (long) Math.ceil(q * n));
    long seen = 0;
    for (int b = 0; b < BUCKETS; b++) {
      seen += counts[b];
      if (seen >= rank) {
        return Math.min(middle(b), max);
      }
    }
    return max;
  }

  static int bucket(long v) {
    if (v < SUB) {
      return (int) v;
    }
    int exponent = 63 - Long.numberOfLeadingZeros(v);
    if (exponent >= MAX_EXPONENT) {
      return BUCKETS - 1;
    }
    int sub = (int) (v >>> (exponent - SUB_BITS)) & (SUB - 1);
    return SUB + (exponent - SUB_BITS) * SUB + sub;
  }

  /** The lowest value of a bucket. */
  static long low(int b) {
    if (b < SUB) {
      return b;
    }
    int exponent = (b - SUB) / SUB + SUB_BITS;
    int sub = (b - SUB) % SUB;
    return (1L << exponent) + ((long) sub << (exponent - SUB_BITS));
  }

  static double middle(int b) {
    if (b < SUB) {
      return b;
    }
    int exponent = (b - SUB) / SUB + SUB_BITS;
    long width = 1L << (exponent - SUB_BITS);
    return low(b) + (width - 1) / 2.0;
  }
}
