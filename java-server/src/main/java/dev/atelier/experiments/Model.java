package dev.atelier.experiments;

import java.util.List;
import java.util.Map;

/** The experiment store's documents, shaped as MLflow's entities (field names as its REST API has them). */
public final class Model {
  private Model() {}

  public static final String ACTIVE = "active";
  public static final String DELETED = "deleted";
  /** The tag MLflow keeps a run's name in, beside {@code run_name}. */
  public static final String RUN_NAME_TAG = "mlflow.runName";

  public record Experiment(long id, String name, String artifactLocation, String lifecycleStage, String owner,
      long creationTime, long lastUpdateTime, Map<String, String> tags) {}

  public record RunInfo(long pk, String runId, long experimentId, String name, String status, Long startTime,
      Long endTime, String lifecycleStage, String userId, String owner, String source, String trialName,
      String artifactUri) {}

  /** One point of a metric's series; NaN and the infinities are values like any other. */
  public record Point(String key, double value, long timestamp, long step) {}

  /**
   * A metric's summary over its points: the latest (greatest step, then timestamp, then value, as
   * MLflow picks it) and min, max, count, sum and sum of squares of the points that are not NaN.
   */
  public record Summary(String key, double last, long lastStep, long lastTimestamp, Double min, Double max,
      long count, Double sum, Double sumSquares) {
    /** This summary with {@code p} added. */
    public Summary plus(Point p) {
      boolean later = p.step() > lastStep || (p.step() == lastStep && (p.timestamp() > lastTimestamp
          || (p.timestamp() == lastTimestamp && Double.compare(p.value(), last) > 0)));
      double v = p.value();
      boolean nan = Double.isNaN(v);
      return new Summary(key, later ? v : last, later ? p.step() : lastStep, later ? p.timestamp() : lastTimestamp,
          nan ? min : min == null ? v : Math.min(min, v), nan ? max : max == null ? v : Math.max(max, v),
          count + (nan ? 0 : 1), nan ? sum : (sum == null ? 0 : sum) + v,
          nan ? sumSquares : (sumSquares == null ? 0 : sumSquares) + v * v);
    }

    /** Only the latest point, as a search reads it: count is -1 and the aggregates null (not read). */
    public static Summary latest(String key, double last, long step, long timestamp) {
      return new Summary(key, last, step, timestamp, null, null, -1, null, null);
    }

    /** The summary of one point. */
    public static Summary of(Point p) {
      boolean nan = Double.isNaN(p.value());
      return new Summary(p.key(), p.value(), p.step(), p.timestamp(), nan ? null : p.value(), nan ? null : p.value(),
          nan ? 0 : 1, nan ? null : p.value(), nan ? null : p.value() * p.value());
    }
  }

  /**
   * A metric's summary as the panel and SageMaker report it: the latest point, and min, max,
   * count, mean and population standard deviation of the points that are not NaN (the mean and
   * deviation null when there are none, or when infinities make them undefined). The database
   * computes the mean and deviation from the stored sums ({@link MetricSummaries}).
   */
  public record MetricStats(String key, double last, long lastStep, long lastTimestamp, Double min, Double max,
      long count, Double avg, Double stddev) {}

  /** A dataset a run used, with the input's tags ({@code mlflow.data.context}, ...). */
  public record DatasetInput(String name, String digest, String sourceType, String source, String schema,
      String profile, Map<String, String> tags) {}

  /** A run with its data: params, tags, metric summaries (their latest values are MLflow's metrics) and inputs. */
  public record Run(RunInfo info, Map<String, String> params, Map<String, String> tags, List<Summary> metrics,
      List<DatasetInput> inputs) {}
}
