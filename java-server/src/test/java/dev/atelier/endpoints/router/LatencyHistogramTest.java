package dev.atelier.endpoints.router;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

/** The fixed-bucket latency histogram: buckets in order, quantiles within 3%. */
class LatencyHistogramTest {
  @Test
  void bucketsCoverEveryValueInOrder() {
    int previous = -1;
    for (long v = 0; v < (1L << 28); v = v < 64 ? v + 1 : v + v / 37) {
      int b = LatencyHistogram.bucket(v);
      assertThat(b).isBetween(previous, LatencyHistogram.BUCKETS - 1);
      assertThat(LatencyHistogram.low(b)).isLessThanOrEqualTo(Math.min(v, LatencyHistogram.low(LatencyHistogram.BUCKETS - 1)));
      previous = b;
    }
    assertThat(LatencyHistogram.bucket(Long.MAX_VALUE)).isEqualTo(LatencyHistogram.BUCKETS - 1);
    for (int b = 1; b < LatencyHistogram.BUCKETS; b++) {
      assertThat(LatencyHistogram.bucket(LatencyHistogram.low(b))).isEqualTo(b);
      assertThat(LatencyHistogram.bucket(LatencyHistogram.low(b) - 1)).isEqualTo(b - 1);
    }
  }

  @Test
  void quantilesAreWithinThreePercentAndMeanIsExact() {
    LatencyHistogram h = new LatencyHistogram();
    for (long v = 1; v <= 100_000; v++) {
      h.record(v);
    }
    assertThat(h.count()).isEqualTo(100_000);
    assertThat(h.mean()).isEqualTo(50_000.5);
    assertThat(h.quantile(0.5)).isCloseTo(50_000, Percentage.withPercentage(3));
    assertThat(h.quantile(0.99)).isCloseTo(99_000, Percentage.withPercentage(3));
    assertThat(h.quantile(1.0)).isLessThanOrEqualTo(100_000);
  }

  @Test
  void smallValuesAreExactAndAnEmptyHistogramHasNoQuantile() {
    LatencyHistogram h = new LatencyHistogram();
    assertThat(h.quantile(0.99)).isNaN();
    assertThat(h.mean()).isNaN();
    h.record(7);
    h.record(-5); // a clock step back: counted as 0
    assertThat(h.quantile(0.99)).isEqualTo(7);
    assertThat(h.quantile(0.5)).isEqualTo(0);
  }
}
