package dev.atelier.endpoints.router;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * SageMaker's per-variant invocation metrics, kept per minute: Invocations, Invocation4XXErrors,
 * Invocation5XXErrors, ModelLatency (the time the container took, from sending it the request to
 * the last byte of its answer) and OverheadLatency (the rest of the time the router took), in
 * microseconds, as the mean and p99 of each minute. Recording is lock-free (adders and atomic
 * histogram buckets; a lock is taken once a minute per variant to close the minute); a closed
 * minute is kept as a few numbers for the retention period (24 hours by default), in a ring of one
 * slot a minute, so that memory stays bounded. A variant that saw no invocation for the whole
 * retention period is dropped.
 *
 * <p>An invocation counts as a 4XX error when the model answered 4xx or the caller's request was
 * refused after the variant was chosen (a body over 6 MB), as a 5XX error when the model answered
 * 5xx, did not answer in time, could not be reached or broke off its answer (reset its connection
 * mid-answer). A caller that leaves first (mid-answer or before it) counts in Invocations and in
 * InvocationsAbandoned, in neither error count.
 */
public final class VariantMetrics {
  /**
   * How one invocation ended, for the error counts. ABANDONED: the caller went away (closed or
   * reset its connection) before it had the whole answer, as nginx's 499: not the model's fault,
   * so not a 5XX error, but counted apart so that callers giving up show.
   */
  public enum Outcome { OK, CLIENT_ERROR, SERVER_ERROR, ABANDONED }

  private final ConcurrentHashMap<String, ConcurrentHashMap<String, VariantSeries>> endpoints = new ConcurrentHashMap<>();
  private final LongSupplier clock;
  private final int retentionMinutes;
  /** A minute's length: 60 s, shorter only for tests and benchmarks ({@code endpointMinuteSeconds}). */
  private final long minuteMillis;

  /** 24 hours of minutes, on the system clock. */
  public VariantMetrics() {
    this(Duration.ofHours(24), System::currentTimeMillis);
  }

  /** @param clock milliseconds since the epoch */
  public VariantMetrics(Duration retention, LongSupplier clock) {
    this(retention, Duration.ofMinutes(1), clock);
  }

  /**
   * @param minute the length of a "minute" (the Period of the points): 60 s, or shorter so that a
   *     test or a benchmark sees a scaling cycle in seconds
   */
  public VariantMetrics(Duration retention, Duration minute, LongSupplier clock) {
    this.minuteMillis = Math.max(1000, minute.toMillis());
    this.retentionMinutes = (int) Math.max(2, Math.min(retention.toMillis() / minuteMillis, 31L * 24 * 60));
    this.clock = clock;
  }

  /** The length of a minute here, in seconds (60 but in tests and benchmarks). */
  public int periodSeconds() {
    return (int) (minuteMillis / 1000);
  }

  /**
   * Records one invocation of {@code variant}.
   *
   * @param modelMicros the time the container took, or -1 when it gave no answer (no latency then)
   * @param overheadMicros the rest of the invocation's time
   */
  public void record(String endpoint, String variant, Outcome outcome, long modelMicros, long overheadMicros) {
    long minute = Math.floorDiv(clock.getAsLong(), minuteMillis);
    VariantSeries series = endpoints.computeIfAbsent(endpoint, e -> new ConcurrentHashMap<>())
        .computeIfAbsent(variant, v -> new VariantSeries(retentionMinutes));
    series.record(minute, outcome, modelMicros, overheadMicros);
  }

  /**
   * The endpoint's last {@code minutes} minutes, oldest first, for every variant it recorded:
   * {@code {Period: 60, Variants: {<variant>: [{Timestamp, Invocations, Invocation4XXErrors,
   * Invocation5XXErrors, InvocationsAbandoned, ModelLatency, ModelLatencyP99, OverheadLatency, OverheadLatencyP99}]}}}.
   * Every minute is listed; the latencies are null in a minute without an answer from the model.
   * {@code minutes} is clamped to 1 .. the retention period.
   */
  public ObjectNode minutes(String endpoint, int minutes) {
    long now = Math.floorDiv(clock.getAsLong(), minuteMillis);
    sweep(now);
    int n = Math.max(1, Math.min(minutes, retentionMinutes));
    ObjectNode out = Json.mapper().createObjectNode().put("Period", periodSeconds());
    ObjectNode variants = out.putObject("Variants");
    Map<String, VariantSeries> series = endpoints.get(endpoint);
    if (series == null) {
      return out;
    }
    for (Map.Entry<String, VariantSeries> e : new TreeMap<>(series).entrySet()) {
      ArrayNode points = variants.putArray(e.getKey());
      for (MinuteSummary s : e.getValue().window(now - n + 1, now)) {
        ObjectNode p = points.addObject();
        p.put("Timestamp", Instant.ofEpochMilli(s.minute() * minuteMillis).toString());
        p.put("Invocations", s.invocations());
        p.put("Invocation4XXErrors", s.clientErrors());
        p.put("Invocation5XXErrors", s.serverErrors());
        p.put("InvocationsAbandoned", s.abandoned());
        putMicros(p, "ModelLatency", s.modelMean());
        putMicros(p, "ModelLatencyP99", s.modelP99());
        putMicros(p, "OverheadLatency", s.overheadMean());
        putMicros(p, "OverheadLatencyP99", s.overheadP99());
      }
    }
    return out;
  }

  private static void putMicros(ObjectNode p, String field, double micros) {
    if (Double.isNaN(micros)) {
      p.putNull(field);
    } else {
      p.put(field, Math.round(micros));
    }
  }

  /**
   * Every variant's totals since this server started, in Prometheus' text exposition format
   * (version 0.0.4): {@code atelier_endpoint_invocations_total}, {@code
   * atelier_endpoint_invocation_4xx_errors_total}, {@code atelier_endpoint_invocation_5xx_errors_total},
   * {@code atelier_endpoint_invocations_abandoned_total} (counters), {@code
   * atelier_endpoint_model_latency_seconds} and {@code
   * atelier_endpoint_overhead_latency_seconds} (summaries: sum and count since the start, the 0.5 and
   * 0.99 quantiles of the last full minute), each labelled {@code endpoint} and {@code variant}.
   */
  public String prometheus() {
    long now = Math.floorDiv(clock.getAsLong(), minuteMillis);
    sweep(now);
    Map<String, VariantSeries> all = new TreeMap<>();
    endpoints.forEach((endpoint, variants) -> variants.forEach((variant, s) ->
        all.put(labels(endpoint, variant), s)));
    StringBuilder out = new StringBuilder(256 + all.size() * 600);
    counter(out, "atelier_endpoint_invocations_total", "Invocations sent to an endpoint's variant.",
        all, s -> s.totals().invocations());
    counter(out, "atelier_endpoint_invocation_4xx_errors_total",
        "Invocations the model answered with a 4xx status, or refused as too large.", all, s -> s.totals().clientErrors());
    counter(out, "atelier_endpoint_invocation_5xx_errors_total",
        "Invocations the model answered with a 5xx status, did not answer in time, or could not be reached.",
        all, s -> s.totals().serverErrors());
    counter(out, "atelier_endpoint_invocations_abandoned_total",
        "Invocations whose caller went away before the whole answer (not an error of the model).", all,
        s -> s.totals().abandoned());
    summary(out, "atelier_endpoint_model_latency_seconds",
        "The time the model's container took to answer (SageMaker's ModelLatency).", all, now, true);
    summary(out, "atelier_endpoint_overhead_latency_seconds",
        "The time the router added to the model's (SageMaker's OverheadLatency).", all, now, false);
    return out.toString();
  }

  private interface Count {
    long of(VariantSeries s);
  }

  private static void counter(StringBuilder out, String name, String help, Map<String, VariantSeries> all, Count count) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" counter\n");
    all.forEach((labels, s) -> out.append(name).append('{').append(labels).append("} ").append(count.of(s)).append('\n'));
  }

  private static void summary(StringBuilder out, String name, String help, Map<String, VariantSeries> all,
      long now, boolean model) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" summary\n");
    all.forEach((labels, s) -> {
      MinuteSummary last = s.closed(now - 1);
      if (last != null) {
        double p50 = model ? last.modelP50() : last.overheadP50();
        double p99 = model ? last.modelP99() : last.overheadP99();
        if (!Double.isNaN(p50)) {
          out.append(name).append('{').append(labels).append(",quantile=\"0.5\"} ").append(seconds(p50)).append('\n');
          out.append(name).append('{').append(labels).append(",quantile=\"0.99\"} ").append(seconds(p99)).append('\n');
        }
      }
      VariantSeries.Totals t = s.totals();
      out.append(name).append("_sum{").append(labels).append("} ")
          .append(seconds(model ? t.modelSum() : t.overheadSum())).append('\n');
      out.append(name).append("_count{").append(labels).append("} ")
          .append(model ? t.modelCount() : t.overheadCount()).append('\n');
    });
  }

  private static String seconds(double micros) {
    return Double.toString(micros / 1e6);
  }

  static String labels(String endpoint, String variant) {
    return "endpoint=\"" + escape(endpoint) + "\",variant=\"" + escape(variant) + "\"";
  }

  /** A label value as the exposition format has it: backslash, double quote and line feed escaped. */
  static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  /** Drops what is kept about the endpoint (on its deletion). */
  public void forget(String endpoint) {
    endpoints.remove(endpoint);
  }

  /** Drops variants that saw nothing for the whole retention period. */
  private void sweep(long now) {
    endpoints.forEach((endpoint, variants) -> {
      variants.values().removeIf(s -> s.lastMinute() < now - retentionMinutes);
      if (variants.isEmpty()) {
        endpoints.remove(endpoint, variants);
      }
    });
  }
}
