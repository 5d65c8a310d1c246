package dev.atelier.endpoints.bluegreen;

import dev.atelier.endpoints.router.FleetWindow;
import dev.atelier.jobs.Fields;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A built-in alarm on the new fleet of a blue/green update. boto3 sends only an AlarmName, so the
 * name is the alarm: {@code "<Metric> > <Threshold>"}, the metric one of {@code
 * Invocation5XXErrorRate} (percent of the new fleet's invocations in the last 60 s that failed on
 * the server's side) and {@code ModelLatencyP99} (microseconds, the new fleet's p99 model latency
 * over the last 60 s). It has data once the fleet had {@value #MIN_INVOCATIONS} invocations in the
 * window.
 */
public record Alarm(String name, Metric metric, double threshold) {
  public static final int MIN_INVOCATIONS = 10;
  static final String FORMS = "'Invocation5XXErrorRate > <percent>' or 'ModelLatencyP99 > <microseconds>'";
  private static final Pattern FORM = Pattern.compile(
      " *(Invocation5XXErrorRate|ModelLatencyP99) *> *([0-9]+(?:\\.[0-9]+)?) *");

  public enum Metric { Invocation5XXErrorRate, ModelLatencyP99 }

  public enum State { OK, ALARM, INSUFFICIENT_DATA }

  /** What an evaluation saw: {@code value} null without enough data (or without a latency). */
  public record Reading(State state, Double value) {}

  static Alarm parse(String name, String path) {
    Matcher m = FORM.matcher(name);
    if (!m.matches()) {
      throw Fields.bad(path, "'" + (name.length() > 80 ? name.substring(0, 77) + "..." : name)
          + "' is not a built-in alarm; the accepted forms are " + FORMS);
    }
    double threshold = Double.parseDouble(m.group(2));
    if (m.group(1).equals("Invocation5XXErrorRate") && threshold >= 100) {
      throw Fields.bad(path, "an error rate threshold must be below 100 (percent), not " + m.group(2));
    }
    return new Alarm(name, Metric.valueOf(m.group(1)), threshold);
  }

  /** The alarm's state on the window's counts. */
  public Reading evaluate(FleetWindow.Snapshot window) {
    if (window.invocations() < MIN_INVOCATIONS) {
      return new Reading(State.INSUFFICIENT_DATA, null);
    }
    double value = metric == Metric.Invocation5XXErrorRate ? window.errorPercent() : window.p99Micros();
    if (Double.isNaN(value)) {
      return new Reading(State.INSUFFICIENT_DATA, null);
    }
    return new Reading(value > threshold ? State.ALARM : State.OK, value);
  }

  /** What a firing alarm saw, for the FailureReason. */
  public String saw(Reading r, FleetWindow.Snapshot window) {
    return switch (metric) {
      case Invocation5XXErrorRate -> String.format(java.util.Locale.ROOT,
          "%.1f%% of the new fleet's %d invocations in the last %d s failed (%d)", r.value(),
          window.invocations(), FleetWindow.SECONDS, window.errors());
      case ModelLatencyP99 -> String.format(java.util.Locale.ROOT,
          "the new fleet's p99 model latency over the last %d s was %.0f us (%d invocations)",
          FleetWindow.SECONDS, r.value(), window.invocations());
    };
  }
}
