package dev.atelier.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.RunTracker;
import dev.atelier.http.TrackingEnvironment;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each job as an experiment run, with no code in the job: the run is started when the job is
 * created (its id and experiment kept in the description as {@code RunId} and {@code ExperimentId}),
 * metrics parsed from the log are logged as they come, and the run ends with the job. The job's
 * container gets the run's id and a token scoped to it. Tracking never stops a job: a failure is
 * logged, noted in the job's log and shown as {@code TrackingFailureReason}.
 */
final class JobTracking {
  private static final Logger LOG = LoggerFactory.getLogger(JobTracking.class);
  static final String RUN_ID = "RunId";
  static final String EXPERIMENT_ID = "ExperimentId";
  static final String FAILURE = "TrackingFailureReason";

  /** What a kind records of a job: where it comes from, its default experiment, params, inputs and tags. */
  record Plan(String sourceType, String defaultExperiment, Map<String, String> params,
      List<RunTracker.Input> inputs, Map<String, String> tags) {}

  private volatile RunTracker tracker;
  private final Set<String> ended = ConcurrentHashMap.newKeySet();
  private final Set<String> running = ConcurrentHashMap.newKeySet();

  void use(RunTracker tracker) {
    this.tracker = tracker;
  }

  /** Starts the job's run; on failure the job goes on without one. */
  void start(Job job, Plan plan, ExperimentConfig config) {
    RunTracker t = tracker;
    if (t == null) {
      return;
    }
    try {
      RunTracker.Started s = t.start(new RunTracker.Start(
          config.experimentName() != null ? config.experimentName() : plan.defaultExperiment(),
          config.runName() != null ? config.runName() : job.name(), config.trialName(), job.createdBy(),
          plan.sourceType(), job.name(), job.createdAt(), plan.params(), plan.tags(), plan.inputs()));
      // Until its container starts, the job's run is scheduled.
      t.status(s.runId(), "SCHEDULED");
      job.edit(d -> d.put(RUN_ID, s.runId()).put(EXPERIMENT_ID, s.experimentId()));
      job.log().note("tracked as run " + s.runId() + " of experiment " + s.experimentId());
    } catch (RuntimeException e) {
      failed(job, "the job's run could not be created", e);
    }
  }

  /**
   * The MLflow client's variables for the job's container: the server, the run and a token scoped
   * to it; none when the job has no run or the server does not listen yet.
   */
  Map<String, String> environment(Job job, String apiUrl) {
    ObjectNode d = job.describe();
    RunTracker t = tracker;
    String runId = d.path(RUN_ID).asText(null);
    String experimentId = d.path(EXPERIMENT_ID).asText(null);
    Map<String, String> env = new LinkedHashMap<>();
    if (t == null || runId == null || experimentId == null || apiUrl == null) {
      return env;
    }
    env.putAll(TrackingEnvironment.of(apiUrl, t.token(experimentId, runId)));
    env.put("MLFLOW_RUN_ID", runId);
    env.put("MLFLOW_EXPERIMENT_ID", experimentId);
    return env;
  }

  /** Logs metric points parsed from the job's log; a failure loses these points, not the job. */
  void metrics(Job job, List<RunTracker.Point> points) {
    String runId = runId(job);
    RunTracker t = tracker;
    if (t == null || runId == null || points.isEmpty()) {
      return;
    }
    try {
      t.log(runId, job.createdBy(), points, Map.of());
    } catch (RuntimeException e) {
      failed(job, points.size() + " metric point(s) could not be logged to the run", e);
    }
  }

  /**
   * The run is RUNNING once the job's container has started; it ends once the job has ended:
   * Completed is FINISHED, Failed FAILED, Stopped KILLED.
   */
  void changed(Job job, JobKind<?> kind) {
    if ("InProgress".equals(job.status()) && job.startedAt() != null) {
      started(job);
      return;
    }
    String status = switch (job.status()) {
      case "Completed" -> "FINISHED";
      case "Failed" -> "FAILED";
      case "Stopped" -> "KILLED";
      default -> null;
    };
    String runId = runId(job);
    RunTracker t = tracker;
    if (status == null || runId == null || t == null || !ended.add(runId)) {
      return;
    }
    ObjectNode d = job.describe();
    String end = d.path(kind.endField()).asText(null);
    Map<String, String> tags = new LinkedHashMap<>();
    String model = d.path("ModelArtifacts").path("S3ModelArtifacts").asText(null);
    String output = d.path("OutputArtifacts").path("S3OutputArtifacts").asText(null);
    if (model != null) {
      tags.put("atelier.output.model", model);
    }
    if (output != null) {
      tags.put("atelier.output.output", output);
    }
    try {
      if (!tags.isEmpty()) {
        t.log(runId, job.createdBy(), List.of(), tags);
      }
      t.end(runId, status, end != null ? Instant.parse(end).toEpochMilli() : job.now().toEpochMilli());
    } catch (RuntimeException e) {
      failed(job, "the job's run could not be ended as " + status, e);
    }
  }

  private void started(Job job) {
    String runId = runId(job);
    RunTracker t = tracker;
    if (runId == null || t == null || !running.add(runId)) {
      return;
    }
    try {
      t.status(runId, "RUNNING");
    } catch (RuntimeException e) {
      failed(job, "the job's run could not be set RUNNING", e);
    }
  }

  private static String runId(Job job) {
    return job.describe().path(RUN_ID).asText(null);
  }

  private static void failed(Job job, String what, RuntimeException e) {
    String reason = what + ": " + (e.getMessage() == null ? e.toString() : e.getMessage());
    LOG.warn("job {}: {}", job.name(), reason);
    job.log().note("experiment tracking: " + reason);
    try {
      job.edit(d -> d.put(FAILURE, reason.length() > 1024 ? reason.substring(0, 1024) : reason));
    } catch (RuntimeException again) {
      LOG.warn("job {}: the tracking failure could not be recorded: {}", job.name(), again.toString());
    }
  }
}
