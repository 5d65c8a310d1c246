package dev.atelier.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import dev.atelier.http.RunTracker;
import dev.atelier.storage.KeyPolicy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job container with a run gets what points the MLflow client at this server and at that run,
 * with the run's own token; the request's Environment still wins; a job without a run gets none.
 */
class JobTrackingEnvironmentTest {
  private static final String API = "http://127.0.0.1:8890/atelier/api/";
  @TempDir Path dir;

  /** Only what the environment asks of a tracker: the token of a run. */
  private static final RunTracker TOKENS = new RunTracker() {
    @Override
    public Started start(Start start) {
      throw new UnsupportedOperationException();
    }

    @Override
    public String token(String experimentId, String runId) {
      return "token-of-" + experimentId + "-" + runId;
    }

    @Override
    public void log(String runId, String owner, List<Point> points, Map<String, String> tags) {}

    @Override
    public void status(String runId, String status) {}

    @Override
    public void end(String runId, String status, long endMillis) {}
  };

  private JobContext context(Supplier<String> apiUrl) {
    JobTracking tracking = new JobTracking();
    tracking.use(TOKENS);
    return new JobContext(null, null, null, dir, "owner", "0:0", "us-east-1", Duration.ofSeconds(1),
        Duration.ofSeconds(1), Duration.ofSeconds(1), apiUrl, tracking,
        new java.util.concurrent.atomic.AtomicReference<>());
  }

  private Job job(JobKind<?> kind, String name, boolean withRun) {
    JobStore.Row row = JobStoreTest.row(kind.name(), name, 1_000, "InProgress");
    if (withRun) {
      row.description().put("RunId", "r1").put("ExperimentId", "7");
    }
    return new Job(kind, row, new JobLog(dir.resolve(name + ".log")), null, Clock.systemUTC(), j -> {});
  }

  private Map<String, String> training(ObjectNode body, Supplier<String> apiUrl, boolean withRun) {
    TrainingJobSpec spec = TrainingJobSpec.parse(body, TrainingJobSpecTest.TYPES, dir, KeyPolicy.FILESYSTEM);
    return new TrainingRun(job(new TrainingKind(), spec.name(), withRun), context(apiUrl), spec, body)
        .container().env();
  }

  @Test
  void aTrainingContainerGetsTheTrackingUriItsRunAndTheRunsToken() throws Exception {
    Map<String, String> env = training(TrainingJobSpecTest.valid(), () -> API, true);
    assertThat(env).containsEntry("MLFLOW_TRACKING_URI", "http://127.0.0.1:8890/atelier/mlflow")
        .containsEntry("MLFLOW_TRACKING_TOKEN", "token-of-7-r1").containsEntry("MLFLOW_RUN_ID", "r1")
        .containsEntry("MLFLOW_EXPERIMENT_ID", "7").containsEntry("MY_FLAG", "1")
        .containsEntry("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true");
  }

  @Test
  void theRequestsEnvironmentMayPointMlflowElsewhere() throws Exception {
    ObjectNode body = TrainingJobSpecTest.valid();
    ((ObjectNode) body.get("Environment")).put("MLFLOW_TRACKING_URI", "http://mlflow.example:5000");
    assertThat(training(body, () -> API, true)).containsEntry("MLFLOW_TRACKING_URI", "http://mlflow.example:5000");
  }

  @Test
  void beforeTheServerListensNoTrackingVariablesAreSet() throws Exception {
    assertThat(training(TrainingJobSpecTest.valid(), () -> null, true))
        .doesNotContainKeys("MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_TOKEN", "MLFLOW_RUN_ID");
  }

  @Test
  void aJobWhoseRunCouldNotBeCreatedGetsNoTrackingVariables() throws Exception {
    assertThat(training(TrainingJobSpecTest.valid(), () -> API, false))
        .doesNotContainKeys("MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_TOKEN", "MLFLOW_RUN_ID", "MLFLOW_EXPERIMENT_ID");
  }

  @Test
  void aProcessingContainerGetsTheTrackingUriItsRunAndTheRunsToken() throws Exception {
    ObjectNode body = (ObjectNode) Json.mapper().readTree("""
        {"ProcessingJobName": "prep-1",
         "AppSpecification": {"ImageUri": "atelier/datascience:latest", "ContainerEntrypoint": ["python3", "-c", "pass"]},
         "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.t3.medium", "VolumeSizeInGB": 5}}}""");
    ProcessingJobSpec spec = ProcessingJobSpec.parse(body, TrainingJobSpecTest.TYPES, KeyPolicy.FILESYSTEM);
    Map<String, String> env = new ProcessingRun(job(new ProcessingKind(), "prep-1", true), context(() -> API), spec,
        body).container().env();
    assertThat(env).containsEntry("MLFLOW_TRACKING_URI", "http://127.0.0.1:8890/atelier/mlflow")
        .containsEntry("MLFLOW_TRACKING_TOKEN", "token-of-7-r1").containsEntry("MLFLOW_RUN_ID", "r1");
  }
}
