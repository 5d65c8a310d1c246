package dev.atelier.debugger;

import static dev.atelier.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.runtime.docker.TestImages;
import dev.atelier.support.SharedServer;
import dev.atelier.support.TestServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rules and the profiler beside real training containers on the real server: a rule container
 * that reports IssuesFound with StopTraining stops the job, which ends Stopped naming the rule; a
 * crashing rule is an Error and the job completes; the profiler's samples of a CPU-bound job are
 * there and plausible; the tensors the job wrote reach S3 while it runs, and the Debugger view's
 * routes read them from there. The rule runner here is a small script speaking the rule status
 * protocol, in an image built on atelier/base, run by the server as a custom rule image.
 */
@ExtendWith(VertxExtension.class)
@ExtendWith(SharedServer.class)
@Timeout(value = 600, timeUnit = TimeUnit.SECONDS)
class DebuggerIT {
  private static final String RULE_IMAGE = "atelier/debugger-it-rule:latest";
  /** Runs script mode's {@code train} (the SageMaker training toolkit's contract). */
  private static final String TRAIN_IMAGE = "atelier/datascience:latest";
  private static WebClient http;

  /** Saves a tensor file and its index entry every half second of busy CPU, as the hook's layout has them. */
  private static final String TRAIN = """
      import json, os, time
      cfg = json.load(open("/opt/ml/input/config/debughookconfig.json"))
      root = cfg["LocalPath"]
      def save(step):
          s = "%012d" % step
          for sub, name, data in (("events", s + "_worker_0.atd", b"\\0" * 64),
                                  ("index", s + "_worker_0.json", json.dumps({"step": step,
                                   "tensors": [{"name": "gradients/dense/kernel", "mode": "TRAIN"}]}).encode())):
              d = os.path.join(root, sub, s)
              os.makedirs(d, exist_ok=True)
              tmp = os.path.join(d, "." + name + ".tmp")
              with open(tmp, "wb") as f:
                  f.write(data)
              os.replace(tmp, os.path.join(d, name))
      deadline = time.time() + float(os.environ["SECONDS_TO_RUN"])
      step = 0
      while time.time() < deadline:
          until = time.time() + 0.5
          x = 0
          while time.time() < until:
              x += 1
          save(step)
          print("step", step, flush=True)
          step += 1
      """;

  /** What the rule does is in its RuleParameters: fire at a step, crash, or report on the profiler's samples. */
  private static final String RULE = """
      import glob, json, os, time
      cfg = json.loads(os.environ["ATELIER_RULE_CONFIG"])
      p = cfg["RuleParameters"]
      def status(s, details, **kw):
          print("ATELIER_RULE_STATUS " + json.dumps(dict(status=s, details=details, **kw)), flush=True)
      status("InProgress", "started " + cfg["RuleConfigurationName"])
      ended = lambda: os.path.exists(os.path.join(cfg["TensorsPath"], "training_job_end.ts"))
      if p["behaviour"] == "crash":
          print("about to divide", flush=True)
          1 / 0
      if p["behaviour"] == "profile":
          while not glob.glob(cfg["ProfilerPath"] + "/system/*.jsonl"):
              time.sleep(0.2)
          status("NoIssuesFound", "samples seen in " + cfg["ProfilerPath"])
          raise SystemExit(0)
      step = int(p["step"])
      while not os.path.isdir(os.path.join(cfg["TensorsPath"], "index", "%012d" % step)):
          if ended():
              status("NoIssuesFound", "the job ended before step %d" % step)
              raise SystemExit(0)
          time.sleep(0.2)
      status("IssuesFound", "gradients vanished at step %d" % step, step=step, tensor="gradients/dense/kernel",
             mode="TRAIN", action="StopTraining")
      while not ended():
          time.sleep(0.2)
      """;

  private static TestServer server;

  @BeforeAll
  static void start(TestServer shared) throws Exception {
    server = shared;
    http = shared.http();
    TestImages.build(RULE_IMAGE, Map.of("rule.py", RULE, "Dockerfile",
        "FROM atelier/base:latest\nCOPY rule.py /opt/rule.py\nENTRYPOINT [\"python\", \"/opt/rule.py\"]\nCMD []\n"));
  }

  private static HttpRequest<Buffer> auth(HttpRequest<Buffer> r) {
    return r.putHeader("Authorization", "token " + TestServer.TOKEN);
  }

  private static JsonObject get(String path) throws Exception {
    HttpResponse<Buffer> r = await(auth(http.get(path)).send());
    assertThat(r.statusCode()).as("GET %s: %s", path, r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  private static HttpResponse<Buffer> create(JsonObject body) throws Exception {
    return await(auth(http.post("/atelier/api/training-jobs")).sendJsonObject(body));
  }

  private static JsonObject job(String name, int seconds) {
    return new JsonObject()
        .put("TrainingJobName", name)
        .put("AlgorithmSpecification", new JsonObject().put("TrainingImage", TRAIN_IMAGE)
            .put("TrainingInputMode", "File"))
        .put("ScriptMode", new JsonObject().put("EntryPoint", "train.py")
            .put("Files", new JsonObject().put("train.py", TRAIN)))
        .put("OutputDataConfig", new JsonObject().put("S3OutputPath", "s3://atelier/debugger-it"))
        .put("ResourceConfig", new JsonObject().put("InstanceType", "ml.m5.large").put("InstanceCount", 1))
        .put("StoppingCondition", new JsonObject().put("MaxRuntimeInSeconds", 300))
        .put("Environment", new JsonObject().put("SECONDS_TO_RUN", Integer.toString(seconds)))
        .put("DebugHookConfig", new JsonObject().put("S3OutputPath", "s3://atelier/debugger-it/" + name + "/tensors")
            .put("HookParameters", new JsonObject().put("save_interval", "1")));
  }

  private static JsonObject rule(String name, Map<String, String> params) {
    JsonObject p = new JsonObject();
    params.forEach(p::put);
    return new JsonObject().put("RuleConfigurationName", name).put("RuleEvaluatorImage", RULE_IMAGE)
        .put("InstanceType", "ml.t3.medium").put("RuleParameters", p);
  }

  /** Polls until the job has ended and every rule has a final status (the job's MaxRuntime and the grace bound it). */
  private static JsonObject settled(String name) throws Exception {
    while (true) {
      JsonObject d = get("/atelier/api/training-jobs/" + name);
      String s = d.getString("TrainingJobStatus");
      boolean rulesDone = statuses(d).values().stream().noneMatch(v -> v.equals("InProgress") || v.equals("Stopping"));
      if (!s.equals("InProgress") && !s.equals("Stopping") && rulesDone) {
        return d;
      }
      Thread.sleep(500);
    }
  }

  private static Map<String, String> statuses(JsonObject d) {
    JsonArray all = new JsonArray();
    all.addAll(d.getJsonArray("DebugRuleEvaluationStatuses", new JsonArray()));
    all.addAll(d.getJsonArray("ProfilerRuleEvaluationStatuses", new JsonArray()));
    return all.stream().map(o -> (JsonObject) o).collect(Collectors.toMap(
        o -> o.getString("RuleConfigurationName"), o -> o.getString("RuleEvaluationStatus")));
  }

  private static JsonObject status(JsonObject d, String list, String rule) {
    return d.getJsonArray(list).stream().map(o -> (JsonObject) o)
        .filter(o -> o.getString("RuleConfigurationName").equals(rule)).findFirst().orElseThrow();
  }

  private static String log(String name) throws Exception {
    StringBuilder b = new StringBuilder();
    for (Object e : get("/atelier/api/training-jobs/" + name + "/logs?limit=10000").getJsonArray("events")) {
      b.append(((JsonObject) e).getString("message")).append('\n');
    }
    return b.toString();
  }

  @Test
  void aRuleThatFindsIssuesWithStopTrainingStopsTheJobNamingTheRule() throws Exception {
    String name = "dbg-it-stop-" + Long.toHexString(System.nanoTime());
    JsonObject body = job(name, 240).put("DebugRuleConfigurations", new JsonArray()
        .add(rule("GradientWatch", Map.of("behaviour", "fire", "step", "4"))));
    BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    WebSocket events = await(server.clientVertx().createWebSocketClient().connect(new WebSocketConnectOptions()
        .setHost("127.0.0.1").setPort(server.port()).setURI("/atelier/api/events")
        .addHeader("Authorization", "token " + TestServer.TOKEN)).onSuccess(ws -> ws.textMessageHandler(frames::add)));
    HttpResponse<Buffer> created = create(body);
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    JsonObject first = get("/atelier/api/training-jobs/" + name);
    assertThat(statuses(first)).containsEntry("GradientWatch", "InProgress");

    JsonObject d = settled(name);
    String log = log(name);
    assertThat(d.getString("TrainingJobStatus")).as("%s\n%s", d.encode(), log).isEqualTo("Stopped");
    assertThat(d.getString("FailureReason")).contains("GradientWatch").contains("StopTraining");
    JsonArray transitions = d.getJsonArray("SecondaryStatusTransitions");
    assertThat(transitions.getJsonObject(transitions.size() - 1).getString("StatusMessage")).contains("GradientWatch");
    JsonObject s = status(d, "DebugRuleEvaluationStatuses", "GradientWatch");
    assertThat(s.getString("RuleEvaluationStatus")).as(d.encode()).isEqualTo("IssuesFound");
    assertThat(s.getString("StatusDetails")).isEqualTo("gradients vanished at step 4");
    assertThat(s.getLong("Step")).isEqualTo(4);
    assertThat(s.getString("TensorName")).isEqualTo("gradients/dense/kernel");
    assertThat(s.getString("RuleEvaluationJobArn")).contains(":processing-job/");

    // The tensors reached S3 (the last pass after the container exited included), with the end marker.
    JsonObject steps = get("/atelier/api/training-jobs/" + name + "/debugger/steps");
    assertThat(steps.getJsonArray("steps").size()).as(steps.encode()).isGreaterThanOrEqualTo(5);
    assertThat(steps.getBoolean("ended")).isTrue();
    JsonObject step4 = get("/atelier/api/training-jobs/" + name + "/debugger/steps/4");
    assertThat(step4.getJsonArray("index").getJsonObject(0).getJsonObject("entry").getLong("step")).isEqualTo(4);
    JsonObject overview = get("/atelier/api/training-jobs/" + name + "/debugger");
    assertThat(overview.getString("TensorsS3Uri")).as("SageMaker's <S3OutputPath>/<job>/debug-output")
        .isEqualTo("s3://atelier/debugger-it/" + name + "/tensors/" + name + "/debug-output");
    assertThat(overview.getJsonArray("DebugRuleEvaluationStatuses").getJsonObject(0).getString("RuleEvaluationStatus"))
        .isEqualTo("IssuesFound");

    // The statuses went out live, as debugger frames of this job.
    boolean issuesFrame = false;
    while (!issuesFrame) {
      JsonObject f = new JsonObject(frames.take());
      issuesFrame = "debugger".equals(f.getString("type")) && name.equals(f.getString("TrainingJobName"))
          && f.getJsonArray("DebugRuleEvaluationStatuses").getJsonObject(0).getString("RuleEvaluationStatus")
              .equals("IssuesFound");
    }
    await(events.close());
    // The rule's container is removed once its outputs are uploaded.
    while (TestImages.containersLabelled("dev.atelier.rule-of", "training/" + name) > 0) {
      Thread.sleep(500);
    }
  }

  @Test
  void aCrashingRuleIsAnErrorWhileTheJobCompletesAndTheProfilerRecordsTheContainer() throws Exception {
    String name = "dbg-it-crash-" + Long.toHexString(System.nanoTime());
    JsonObject body = job(name, 8)
        .put("DebugRuleConfigurations", new JsonArray().add(rule("Crashes", Map.of("behaviour", "crash"))))
        .put("ProfilerConfig", new JsonObject().put("ProfilingIntervalInMilliseconds", 500))
        .put("ProfilerRuleConfigurations", new JsonArray().add(rule("SeesSamples", Map.of("behaviour", "profile"))));
    HttpResponse<Buffer> created = create(body);
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);

    JsonObject d = settled(name);
    assertThat(d.getString("TrainingJobStatus")).as("%s\n%s", d.encode(), log(name)).isEqualTo("Completed");
    assertThat(d.getString("ProfilingStatus")).isEqualTo("Enabled");
    JsonObject crash = status(d, "DebugRuleEvaluationStatuses", "Crashes");
    assertThat(crash.getString("RuleEvaluationStatus")).isEqualTo("Error");
    assertThat(crash.getString("StatusDetails")).contains("exited with code").contains("ZeroDivisionError");
    assertThat(status(d, "ProfilerRuleEvaluationStatuses", "SeesSamples").getString("RuleEvaluationStatus"))
        .as(d.encode()).isEqualTo("NoIssuesFound");

    JsonArray samples = get("/atelier/api/training-jobs/" + name + "/debugger/profiler").getJsonArray("samples");
    assertThat(samples.size()).as(samples.encode()).isGreaterThanOrEqualTo(2);
    double busiest = 0;
    double lastTs = 0;
    for (Object o : samples) {
      JsonObject s = (JsonObject) o;
      assertThat(s.getDouble("ts")).isGreaterThan(lastTs);
      lastTs = s.getDouble("ts");
      assertThat(s.getLong("memory_bytes")).isPositive();
      assertThat(s.getLong("memory_limit_bytes")).isGreaterThanOrEqualTo(s.getLong("memory_bytes"));
      assertThat(s.getDouble("cpu_total")).isBetween(0.0, 100.0);
      JsonArray cores = s.getJsonArray("cpu");
      double sum = 0;
      for (Object c : cores) {
        assertThat(((Number) c).doubleValue()).isBetween(0.0, 100.0);
        sum += ((Number) c).doubleValue();
      }
      if (!cores.isEmpty()) {
        // The total (the engine's total_usage) is the cores' mean (percent of the whole machine): the
        // kernel keeps total_usage and each core's usage as separate counters, read a moment apart,
        // so they agree to a fraction of a point (0.2 seen), not to the rounding.
        assertThat(s.getDouble("cpu_total")).isCloseTo(sum / cores.size(), org.assertj.core.api.Assertions.within(1.0));
      }
      busiest = Math.max(busiest, s.getDouble("cpu_total"));
    }
    // One thread kept busy: clearly above an idle container's fraction of a percent, even on a machine
    // whose other work leaves the job a small share of a core.
    assertThat(busiest).as(samples.encode()).isGreaterThan(2.0);
    double after = samples.getJsonObject(0).getDouble("ts");
    JsonArray later = get("/atelier/api/training-jobs/" + name + "/debugger/profiler?after=" + after)
        .getJsonArray("samples");
    assertThat(later.size()).isEqualTo(samples.size() - 1);
  }

  @Test
  void badDebuggerFieldsAreRefusedNamingTheField() throws Exception {
    String name = "dbg-it-bad-" + Long.toHexString(System.nanoTime());
    JsonObject unknown = job(name, 1).put("DebugRuleConfigurations", new JsonArray().add(
        new JsonObject().put("RuleConfigurationName", "VG").put("RuleEvaluatorImage", DebuggerCapability.BUILT_IN_RULE_IMAGE)
            .put("RuleParameters", new JsonObject().put("rule_to_invoke", "NoSuchRule"))));
    HttpResponse<Buffer> r = create(unknown);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("message"))
        .startsWith("DebugRuleConfigurations[0].RuleParameters.rule_to_invoke: 'NoSuchRule' is not a built-in");
    JsonObject missingImage = job(name, 1).put("DebugRuleConfigurations", new JsonArray().add(
        rule("X", Map.of("behaviour", "crash")).put("RuleEvaluatorImage", "atelier/no-such-rule-image:latest")));
    r = create(missingImage);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("message")).startsWith("DebugRuleConfigurations[0].RuleEvaluatorImage: ");
    HttpResponse<Buffer> none = await(auth(http.get("/atelier/api/training-jobs/" + name + "/debugger")).send());
    assertThat(none.statusCode()).as("nothing was stored").isEqualTo(404);
  }
}
