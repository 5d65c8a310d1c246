package dev.atelier.http;

import java.util.List;
import java.util.Map;

/**
 * Where work that Atelier runs on a user's behalf (training and processing jobs) is recorded as an
 * experiment run, with no code in the work itself. The experiments capability implements it; the
 * capability whose work is tracked is given one in {@code Main} and never sees how runs are stored.
 * Calls block (the database); a failure is a {@link RuntimeException} whose message says why, and
 * the tracked work goes on without its run.
 */
public interface RunTracker {
  /**
   * A run to start.
   *
   * @param experimentName the experiment, created when there is none of that name
   * @param runName null for a generated one
   * @param trialName the group of runs inside the experiment (SageMaker's TrialName), or null
   * @param owner the verified caller the run and its rows belong to
   * @param sourceType {@code TRAINING_JOB}, {@code PROCESSING_JOB} or {@code NOTEBOOK}
   * @param sourceName the job's name or the notebook's path
   * @param params parameters as sent
   * @param tags tags beyond the source tags, which the tracker sets itself
   */
  record Start(String experimentName, String runName, String trialName, String owner, String sourceType,
      String sourceName, long startMillis, Map<String, String> params, Map<String, String> tags,
      List<Input> inputs) {}

  /** A data set the run reads: its name (a channel) and where it is. */
  record Input(String name, String uri) {}

  /** One point of a metric series. */
  record Point(String key, double value, long timestampMillis, long step) {}

  /**
   * A started run.
   *
   * @param token a token that may log to this run (and read it) and nothing else
   */
  record Started(String runId, String experimentId, String token) {}

  Started start(Start start);

  /** The token of an existing run, as {@link #start} gave it (the same token again). */
  String token(String experimentId, String runId);

  void log(String runId, String owner, List<Point> points, Map<String, String> tags);

  /** Sets the status of a run that goes on: MLflow's {@code SCHEDULED} or {@code RUNNING}. */
  void status(String runId, String status);

  /**
   * Ends the run.
   *
   * @param status MLflow's {@code FINISHED}, {@code FAILED} or {@code KILLED}
   */
  void end(String runId, String status, long endMillis);
}
