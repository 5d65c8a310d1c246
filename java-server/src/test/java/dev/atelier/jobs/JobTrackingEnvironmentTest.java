package dev.atelier.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import dev.atelier.storage.KeyPolicy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every job container gets what points the MLflow client at this server; the request's Environment still wins. */
class JobTrackingEnvironmentTest {
  private static final String API = "http://127.0.0.1:8890/atelier/api/";
  @TempDir Path dir;

  private JobContext context(Supplier<String> apiUrl) {
    return new JobContext(null, null, null, dir, "owner", "0:0", "us-east-1", Duration.ofSeconds(1),
        Duration.ofSeconds(1), Duration.ofSeconds(1), apiUrl, "secret");
  }

  private Job job(JobKind<?> kind, String name) {
    return new Job(kind, JobStoreTest.row(kind.name(), name, 1_000, "InProgress"), new JobLog(dir.resolve(name + ".log")),
        null, Clock.systemUTC(), j -> {});
  }

  private Map<String, String> training(ObjectNode body, Supplier<String> apiUrl) {
    TrainingJobSpec spec = TrainingJobSpec.parse(body, TrainingJobSpecTest.TYPES, dir, KeyPolicy.FILESYSTEM);
    return new TrainingRun(job(new TrainingKind(), spec.name()), context(apiUrl), spec).container().env();
  }

  @Test
  void aTrainingContainerGetsTheTrackingUriAndToken() throws Exception {
    Map<String, String> env = training(TrainingJobSpecTest.valid(), () -> API);
    assertThat(env).containsEntry("MLFLOW_TRACKING_URI", "http://127.0.0.1:8890/atelier/mlflow")
        .containsEntry("MLFLOW_TRACKING_TOKEN", "secret").containsEntry("MY_FLAG", "1");
  }

  @Test
  void theRequestsEnvironmentMayPointMlflowElsewhere() throws Exception {
    ObjectNode body = TrainingJobSpecTest.valid();
    ((ObjectNode) body.get("Environment")).put("MLFLOW_TRACKING_URI", "http://mlflow.example:5000");
    assertThat(training(body, () -> API)).containsEntry("MLFLOW_TRACKING_URI", "http://mlflow.example:5000");
  }

  @Test
  void beforeTheServerListensNoTrackingVariablesAreSet() throws Exception {
    assertThat(training(TrainingJobSpecTest.valid(), () -> null))
        .doesNotContainKeys("MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_TOKEN");
  }

  @Test
  void aProcessingContainerGetsTheTrackingUriAndToken() throws Exception {
    ObjectNode body = (ObjectNode) Json.mapper().readTree("""
        {"ProcessingJobName": "prep-1",
         "AppSpecification": {"ImageUri": "atelier/datascience:latest", "ContainerEntrypoint": ["python3", "-c", "pass"]},
         "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.t3.medium", "VolumeSizeInGB": 5}}}""");
    ProcessingJobSpec spec = ProcessingJobSpec.parse(body, TrainingJobSpecTest.TYPES, KeyPolicy.FILESYSTEM);
    Map<String, String> env = new ProcessingRun(job(new ProcessingKind(), "prep-1"), context(() -> API), spec, body)
        .container().env();
    assertThat(env).containsEntry("MLFLOW_TRACKING_URI", "http://127.0.0.1:8890/atelier/mlflow")
        .containsEntry("MLFLOW_TRACKING_TOKEN", "secret");
  }
}
