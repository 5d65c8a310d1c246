package dev.atelier.jobs;

import static dev.atelier.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.support.SharedServer;
import dev.atelier.support.TestServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each job is an experiment run, through the API of a real server and real Docker containers: the
 * run has the job's hyperparameters, the MetricDefinitions series parsed from its log, its source
 * and its end; and the container's token reaches that run only (checked from inside the container).
 */
@ExtendWith(VertxExtension.class)
@ExtendWith(SharedServer.class)
@Timeout(value = 300, timeUnit = TimeUnit.SECONDS)
class JobRunsIT {
  private static final String MLFLOW = "/atelier/mlflow/api/2.0/mlflow/";
  private static final String IMAGE = "atelier/base:latest";
  /** Runs script mode's {@code train} (the SageMaker training toolkit's contract). */
  private static final String SCRIPT_IMAGE = "atelier/datascience:latest";
  private static WebClient http;

  /** Calls routes from inside the container with its token; prints one CHECK line per call. */
  private static final String PROBE = """
      import json, os, urllib.request, urllib.error
      uri, tok = os.environ["MLFLOW_TRACKING_URI"], os.environ["MLFLOW_TRACKING_TOKEN"]
      run, exp, other = os.environ["MLFLOW_RUN_ID"], os.environ["MLFLOW_EXPERIMENT_ID"], os.environ["OTHER_RUN"]
      root = uri[:-len("atelier/mlflow")]
      m = uri + "/api/2.0/mlflow/"
      a = uri + "/api/2.0/mlflow-artifacts/artifacts/"
      def call(method, url, body=None, raw=None):
          data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
          req = urllib.request.Request(url, method=method, data=data,
                                       headers={"Authorization": "Bearer " + tok, "Content-Type": "application/json"})
          try:
              with urllib.request.urlopen(req, timeout=60) as r:
                  return r.status, "-"
          except urllib.error.HTTPError as e:
              try:
                  return e.code, json.loads(e.read() or b"{}").get("error_code") or "-"
              except ValueError:
                  return e.code, "-"
      point = lambda r: {"run_id": r, "key": "from_script", "value": 7, "timestamp": 1000, "step": 0}
      checks = [
          ("own-log", call("POST", m + "runs/log-metric", point(run))),
          ("own-get", call("GET", m + "runs/get?run_id=" + run)),
          ("own-experiment", call("GET", m + "experiments/get?experiment_id=" + exp)),
          ("own-artifact", call("PUT", a + exp + "/" + run + "/artifacts/note.txt", raw=b"hi")),
          ("other-log", call("POST", m + "runs/log-metric", point(other))),
          ("other-get", call("GET", m + "runs/get?run_id=" + other)),
          ("other-artifact", call("PUT", a + exp + "/" + other + "/artifacts/note.txt", raw=b"hi")),
          ("search", call("POST", m + "runs/search", {"experiment_ids": [exp]})),
          ("create-experiment", call("POST", m + "experiments/create", {"name": "not-mine"})),
          ("jobs-api", call("GET", root + "atelier/api/training-jobs")),
          ("health", call("GET", root + "atelier/api/health")),
          ("kernels", call("GET", root + "api/kernels")),
      ]
      for name, (status, code) in checks:
          print("CHECK", name, status, code, flush=True)
      for i, loss in enumerate([0.9, 0.5, 0.25]):
          print(f"epoch {i} loss={loss}", flush=True)
      """;

  @BeforeAll
  static void start(TestServer shared) {
    http = shared.http();
  }

  private static HttpRequest<Buffer> auth(HttpRequest<Buffer> r) {
    return r.putHeader("Authorization", "token " + TestServer.TOKEN);
  }

  private static JsonObject get(String path) throws Exception {
    HttpResponse<Buffer> r = await(auth(http.get(path)).send());
    assertThat(r.statusCode()).as("GET %s: %s", path, r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  private static JsonObject post(String path, JsonObject body, int expect) throws Exception {
    HttpResponse<Buffer> r = await(auth(http.post(path)).sendJsonObject(body));
    assertThat(r.statusCode()).as("POST %s: %s", path, r.bodyAsString()).isEqualTo(expect);
    return r.bodyAsJsonObject();
  }

  /** Polls the description until the job has ended (the job's own MaxRuntime bounds it). */
  private static JsonObject waitFor(String kind, String name, String statusField) throws Exception {
    while (true) {
      JsonObject d = get("/atelier/api/" + kind + "/" + name);
      String s = d.getString(statusField);
      if (!"InProgress".equals(s) && !"Stopping".equals(s)) {
        return d;
      }
      Thread.sleep(500);
    }
  }

  private static String log(String kind, String name) throws Exception {
    StringBuilder b = new StringBuilder();
    for (Object e : get("/atelier/api/" + kind + "/" + name + "/logs?limit=10000").getJsonArray("events")) {
      b.append(((JsonObject) e).getString("message")).append('\n');
    }
    return b.toString();
  }

  private static Map<String, String> pairs(JsonArray kv) {
    Map<String, String> out = new HashMap<>();
    if (kv != null) {
      kv.forEach(o -> out.put(((JsonObject) o).getString("key"), ((JsonObject) o).getString("value")));
    }
    return out;
  }

  @Test
  void aTrainingJobIsARunWithItsParamsAndMetricSeriesAndItsTokenReachesThatRunOnly() throws Exception {
    String name = "runs-it-" + Long.toHexString(System.nanoTime());
    JsonObject other = post(MLFLOW + "runs/create", new JsonObject().put("experiment_id", "0"), 200);
    String otherRun = other.getJsonObject("run").getJsonObject("info").getString("run_id");
    JsonObject body = new JsonObject()
        .put("TrainingJobName", name)
        .put("AlgorithmSpecification", new JsonObject().put("TrainingImage", SCRIPT_IMAGE)
            .put("TrainingInputMode", "File")
            .put("MetricDefinitions", new JsonArray().add(new JsonObject().put("Name", "loss")
                .put("Regex", "loss=([0-9.]+)"))))
        .put("ScriptMode", new JsonObject().put("EntryPoint", "probe.py")
            .put("Files", new JsonObject().put("probe.py", PROBE)))
        .put("HyperParameters", new JsonObject().put("epochs", "3").put("lr", "0.1"))
        .put("OutputDataConfig", new JsonObject().put("S3OutputPath", "s3://atelier/jobs-it"))
        .put("ResourceConfig", new JsonObject().put("InstanceType", "ml.m5.large").put("InstanceCount", 1)
            .put("VolumeSizeInGB", 1))
        .put("StoppingCondition", new JsonObject().put("MaxRuntimeInSeconds", 240))
        .put("Environment", new JsonObject().put("OTHER_RUN", otherRun))
        .put("ExperimentConfig", new JsonObject().put("ExperimentName", name + "-exp").put("TrialName", "trial-a")
            .put("RunName", "first"));
    post("/atelier/api/training-jobs", body, 201);

    JsonObject d = waitFor("training-jobs", name, "TrainingJobStatus");
    String log = log("training-jobs", name);
    assertThat(d.getString("TrainingJobStatus")).as("%s\n%s", d.encode(), log).isEqualTo("Completed");
    assertThat(d.getJsonObject("ExperimentConfig")).isEqualTo(body.getJsonObject("ExperimentConfig"));
    String runId = d.getString("RunId");
    assertThat(runId).as(d.encode()).isNotBlank();

    // From inside the container: its own run and experiment, nothing else.
    Map<String, String> checks = new HashMap<>();
    log.lines().filter(l -> l.startsWith("CHECK ")).forEach(l -> {
      String[] p = l.split(" ");
      checks.put(p[1], p[2] + " " + p[3]);
    });
    assertThat(checks).as(log).containsEntry("own-log", "200 -").containsEntry("own-get", "200 -")
        .containsEntry("own-experiment", "200 -").containsEntry("own-artifact", "200 -");
    for (String refused : List.of("other-log", "other-get", "other-artifact", "search", "create-experiment",
        "jobs-api", "health", "kernels")) {
      assertThat(checks).as(log).containsEntry(refused, "403 PERMISSION_DENIED");
    }

    JsonObject run = get(MLFLOW + "runs/get?run_id=" + runId).getJsonObject("run");
    JsonObject info = run.getJsonObject("info");
    assertThat(info.getString("status")).isEqualTo("FINISHED");
    assertThat(info.getString("run_name")).isEqualTo("first");
    assertThat(info.getLong("end_time")).isNotNull();
    JsonObject exp = get(MLFLOW + "experiments/get-by-name?experiment_name=" + name + "-exp").getJsonObject("experiment");
    assertThat(info.getString("experiment_id")).isEqualTo(exp.getString("experiment_id"));
    assertThat(d.getString("ExperimentId")).isEqualTo(exp.getString("experiment_id"));
    assertThat(pairs(run.getJsonObject("data").getJsonArray("params")))
        .containsEntry("epochs", "3").containsEntry("lr", "0.1");
    assertThat(pairs(run.getJsonObject("data").getJsonArray("tags")))
        .containsEntry("atelier.source.type", "TRAINING_JOB").containsEntry("atelier.source.name", name)
        .containsEntry("mlflow.source.type", "JOB").containsEntry("mlflow.source.name", name);
    assertThat(pairs(run.getJsonObject("data").getJsonArray("metrics"))).containsKeys("loss", "from_script");

    JsonArray history = get(MLFLOW + "metrics/get-history?run_id=" + runId + "&metric_key=loss")
        .getJsonArray("metrics");
    assertThat(history.stream().map(o -> ((JsonObject) o).getLong("step") + "=" + ((JsonObject) o).getDouble("value"))
        .toList()).containsExactly("0=0.9", "1=0.5", "2=0.25");
    assertThat(history.getJsonObject(0).getLong("timestamp")).isGreaterThanOrEqualTo(info.getLong("start_time"));

    // The run the container was refused is untouched; the summary links the job to its run.
    JsonObject untouched = get(MLFLOW + "runs/get?run_id=" + otherRun).getJsonObject("run");
    assertThat(untouched.getJsonObject("data").getJsonArray("metrics", new JsonArray())).isEmpty();
    JsonObject summary = get("/atelier/api/training-jobs?name_contains=" + name).getJsonArray("TrainingJobSummaries")
        .getJsonObject(0);
    assertThat(summary.getString("RunId")).isEqualTo(runId);
    assertThat(summary.getJsonObject("ExperimentConfig").getString("TrialName")).isEqualTo("trial-a");
    JsonObject found = post(MLFLOW + "runs/search", new JsonObject()
        .put("experiment_ids", new JsonArray().add(exp.getString("experiment_id")))
        .put("filter", "params.epochs = '3' and metrics.loss < 0.3"), 200);
    assertThat(found.getJsonArray("runs")).hasSize(1);
  }

  @Test
  void aProcessingJobWithoutExperimentConfigIsARunOfTheDefaultExperimentAndAFailedJobAFailedRun() throws Exception {
    String name = "runs-it-p-" + Long.toHexString(System.nanoTime());
    JsonObject body = new JsonObject()
        .put("ProcessingJobName", name)
        .put("AppSpecification", new JsonObject().put("ImageUri", IMAGE)
            .put("ContainerEntrypoint", new JsonArray().add("python3").add("-c").add("import sys; sys.exit(3)")))
        .put("ProcessingResources", new JsonObject().put("ClusterConfig", new JsonObject()
            .put("InstanceCount", 1).put("InstanceType", "ml.t3.medium").put("VolumeSizeInGB", 1)));
    post("/atelier/api/processing-jobs", body, 201);
    JsonObject d = waitFor("processing-jobs", name, "ProcessingJobStatus");
    assertThat(d.getString("ProcessingJobStatus")).as(d.encode()).isEqualTo("Failed");
    JsonObject run = get(MLFLOW + "runs/get?run_id=" + d.getString("RunId")).getJsonObject("run");
    assertThat(run.getJsonObject("info").getString("status")).isEqualTo("FAILED");
    assertThat(run.getJsonObject("info").getString("run_name")).isEqualTo(name);
    JsonObject exp = get(MLFLOW + "experiments/get?experiment_id=" + run.getJsonObject("info").getString("experiment_id"))
        .getJsonObject("experiment");
    assertThat(exp.getString("name")).isEqualTo("processing-jobs");
    assertThat(pairs(run.getJsonObject("data").getJsonArray("tags")))
        .containsEntry("atelier.source.type", "PROCESSING_JOB").containsEntry("atelier.source.name", name);
  }
}
