package dev.atelier.endpoints;

import static dev.atelier.endpoints.Api.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.endpoints.SteadyLoad.Answer;
import dev.atelier.runtime.ServiceRuntime;
import dev.atelier.runtime.process.ProcessServiceRuntime;
import dev.atelier.support.TestServer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Traffic moving between variants and fleets under a steady load of invocations (50 a second from
 * the test's own client), on a local endpoint (model servers in processes of the project's
 * environment) of a scikit-learn model the test fits: a weight change, then a CANARY blue/green
 * update, each without a failed invocation; then an update to a model that answers 500 on every
 * invocation, rolled back by its {@code Invocation5XXErrorRate} alarm onto the fleet it replaced.
 * Then a LINEAR update back, the old fleet idle through the termination wait; a server restart
 * during a canary, which ends the update on the old fleet saying why; and a delete during a canary,
 * which leaves nothing running. The tests run in order on one endpoint.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BlueGreenIT {
  /** An inference script whose model loads (so /ping answers) but fails on every invocation. */
  private static final String BROKEN = "def predict_fn(input_data, model):\n"
      + "    raise RuntimeError('this model fails on every invocation')\n";
  private static final String BODY = "{\"instances\": [[5.1, 3.5, 1.4, 0.2]]}";
  private static final int RATE = 50;
  private static final Duration READY = Duration.ofMinutes(4);
  private static final String SUFFIX = Long.toHexString(System.nanoTime());
  private static final String EP = "bg-" + SUFFIX;
  private static final String BLUE = "bg-blue-" + SUFFIX;
  private static final String GREEN = "bg-green-" + SUFFIX;
  private static final String RED = "bg-red-" + SUFFIX;

  private static Path data;
  private static TestServer server;
  private static Api api;

  @BeforeAll
  static void start() throws Exception {
    data = Files.createTempDirectory("atelier-bluegreen-it");
    server = TestServer.start(Map.of("dataDir", data.toString()));
    api = new Api(server);
    byte[] joblib = EndpointChecks.fit();
    String good = "s3://atelier/bluegreen-it/" + SUFFIX + "/model.tar.gz";
    String broken = "s3://atelier/bluegreen-it/" + SUFFIX + "/broken.tar.gz";
    api.put(good, ModelStagingTest.tarGz(Map.of("model.joblib", joblib)));
    api.put(broken, ModelStagingTest.tarGz(Map.of("model.joblib", joblib,
        "code/inference.py", BROKEN.getBytes(StandardCharsets.UTF_8))));
    model("bg-good-" + SUFFIX, good, new JsonObject());
    model("bg-broken-" + SUFFIX, broken, new JsonObject().put("SAGEMAKER_PROGRAM", "inference.py"));
    config(BLUE, variant("blue-a", "bg-good-" + SUFFIX), variant("blue-b", "bg-good-" + SUFFIX));
    config(GREEN, variant("green", "bg-good-" + SUFFIX));
    config(RED, variant("red", "bg-broken-" + SUFFIX));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      if (api.call(HttpMethod.GET, "endpoints/" + EP, null).statusCode() == 200) {
        api.expect(202, HttpMethod.DELETE, "endpoints/" + EP, null);
        api.awaitGone(EP, Duration.ofSeconds(60));
      }
      server.close();
    }
  }

  private static void model(String name, String url, JsonObject env) throws Exception {
    env.put("SAGEMAKER_MODEL_SERVER_WORKERS", "2");
    api.expect(201, HttpMethod.POST, "models", new JsonObject().put("ModelName", name)
        .put("PrimaryContainer", new JsonObject().put("Image", "local").put("ModelDataUrl", url).put("Environment", env)));
  }

  private static JsonObject variant(String name, String model) {
    return new JsonObject().put("VariantName", name).put("ModelName", model).put("InstanceType", "ml.t3.medium")
        .put("InitialInstanceCount", 1).put("InitialVariantWeight", 1);
  }

  private static void config(String name, JsonObject... variants) throws Exception {
    api.expect(201, HttpMethod.POST, "endpoint-configs", new JsonObject().put("EndpointConfigName", name)
        .put("ProductionVariants", new JsonArray(List.of(variants))));
  }

  private static JsonObject canary(int percent, int waitSeconds, String... alarms) {
    JsonArray list = new JsonArray();
    for (String a : alarms) {
      list.add(new JsonObject().put("AlarmName", a));
    }
    return new JsonObject().put("BlueGreenUpdatePolicy", new JsonObject()
            .put("TrafficRoutingConfiguration", new JsonObject().put("Type", "CANARY")
                .put("WaitIntervalInSeconds", waitSeconds)
                .put("CanarySize", new JsonObject().put("Type", "CAPACITY_PERCENT").put("Value", percent))))
        .put("AutoRollbackConfiguration", new JsonObject().put("Alarms", list));
  }

  private static Set<String> variants(List<Answer> answers) {
    return answers.stream().map(Answer::variant).collect(Collectors.toSet());
  }

  private static List<Answer> failed(List<Answer> answers) {
    return answers.stream().filter(a -> a.status() != 200).toList();
  }

  private static JsonObject inServiceOn(String config) throws Exception {
    JsonObject d = api.waitFor(EP, status("InService").and(x -> config.equals(x.getString("EndpointConfigName"))
        && !x.containsKey("PendingDeploymentSummary")), READY, "InService on " + config);
    assertThat(d.getString("EndpointConfigName")).isEqualTo(config);
    return d;
  }

  @Test
  @Order(1)
  void aWeightChangeUnderLoadMovesTrafficWithoutAFailedInvocation() throws Exception {
    api.expect(201, HttpMethod.POST, "endpoints", new JsonObject().put("EndpointName", EP).put("EndpointConfigName", BLUE));
    JsonObject d = api.waitFor(EP, status("InService").or(status("Failed")), READY, "InService");
    assertThat(d.getString("EndpointStatus")).as(d.encode()).isEqualTo("InService");
    try (SteadyLoad load = new SteadyLoad(server, EP, BODY, RATE, Duration.ofMinutes(3))) {
      load.awaitAnswers(a -> "blue-a".equals(a.variant()), 10, Duration.ofSeconds(60), "from blue-a");
      load.awaitAnswers(a -> "blue-b".equals(a.variant()), 10, Duration.ofSeconds(60), "from blue-b");
      api.expect(200, HttpMethod.POST, "endpoints/" + EP + "/weights-and-capacities", new JsonObject()
          .put("DesiredWeightsAndCapacities", new JsonArray().add(new JsonObject().put("VariantName", "blue-a")
              .put("DesiredWeight", 0))));
      inServiceOn(BLUE);
      long changed = System.nanoTime();
      load.awaitAnswers(a -> a.sentNanos() > changed, 60, Duration.ofSeconds(60), "after the change");
      load.close();
      assertThat(failed(load.answers())).as("failed invocations").isEmpty();
      assertThat(variants(load.sentAfter(changed))).containsExactly("blue-b");
    }
  }

  @Test
  @Order(2)
  void aCanaryUpdateUnderLoadMovesTrafficToTheNewFleetWithoutAFailedInvocation() throws Exception {
    String update = "endpoints/" + EP + "/update";
    api.refused(400, HttpMethod.POST, update, new JsonObject().put("EndpointConfigName", GREEN)
        .put("DeploymentConfig", canary(60, 2)), "DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration"
            + ".CanarySize.Value: 60 is out of range [1, 50]");
    api.refused(400, HttpMethod.POST, update, new JsonObject().put("EndpointConfigName", GREEN)
        .put("DeploymentConfig", canary(20, 2, "HighCPU")), "DeploymentConfig.AutoRollbackConfiguration.Alarms[0]"
            + ".AlarmName: 'HighCPU' is not a built-in alarm");
    assertThat(api.describe(EP).getString("EndpointStatus")).isEqualTo("InService");
    BlockingQueue<JsonObject> frames = api.listen(server.clientVertx());
    try (SteadyLoad load = new SteadyLoad(server, EP, BODY, RATE, Duration.ofMinutes(5))) {
      load.awaitAnswers(a -> a.status() == 200, 20, Duration.ofSeconds(60), "before the update");
      api.expect(200, HttpMethod.POST, update, new JsonObject()
          .put("EndpointConfigName", GREEN).put("DeploymentConfig", canary(20, 3, "Invocation5XXErrorRate > 50")));
      JsonObject shifting = api.waitFor(EP, d -> "Shifting".equals(d.getJsonObject("TrafficShift", new JsonObject())
          .getString("Phase")), READY, "the canary");
      long canaryAt = System.nanoTime();
      assertThat(shifting.getString("EndpointStatus")).isEqualTo("Updating");
      JsonObject shift = shifting.getJsonObject("TrafficShift");
      assertThat(shift.getString("Type")).isEqualTo("CANARY");
      assertThat(shift.getDouble("NewFleetTrafficPercent")).isEqualTo(20.0);
      assertThat(shift.getInteger("Step")).isEqualTo(1);
      assertThat(shift.getInteger("Steps")).isEqualTo(2);
      assertThat(shift.getString("PhaseEndsAt")).isNotNull();
      assertThat(shift.getJsonArray("Alarms").getJsonObject(0).getString("AlarmName"))
          .isEqualTo("Invocation5XXErrorRate > 50");
      JsonObject pending = shifting.getJsonObject("PendingDeploymentSummary");
      assertThat(pending.getString("EndpointConfigName")).isEqualTo(GREEN);
      JsonObject green = pending.getJsonArray("ProductionVariants").getJsonObject(0);
      assertThat(green.getString("VariantName")).isEqualTo("green");
      assertThat(green.getJsonArray("Instances").getJsonObject(0).getBoolean("Healthy")).isTrue();
      Api.next(frames, f -> f.getJsonObject("endpoint").containsKey("TrafficShift"), "a frame with the shift");
      JsonObject done = inServiceOn(GREEN);
      long doneAt = System.nanoTime();
      assertThat(done.containsKey("FailureReason")).as(done.encode()).isFalse();
      assertThat(done.containsKey("TrafficShift")).isFalse();
      assertThat(done.getJsonObject("LastDeploymentConfig").getJsonObject("BlueGreenUpdatePolicy")
          .getJsonObject("TrafficRoutingConfiguration").getString("Type")).isEqualTo("CANARY");
      load.awaitAnswers(a -> a.sentNanos() > doneAt, 60, Duration.ofSeconds(60), "after the update");
      load.close();
      assertThat(failed(load.answers())).as("failed invocations").isEmpty();
      List<Answer> canary = load.answers().stream().filter(a -> a.sentNanos() > canaryAt && a.sentNanos() < doneAt)
          .toList();
      assertThat(variants(canary)).as("during the canary").contains("blue-b", "green");
      assertThat(variants(load.sentAfter(doneAt))).as("after the update").containsExactly("green");
    }
  }

  @Test
  @Order(3)
  void anUpdateToAFailingModelIsRolledBackByItsAlarmOntoTheOldFleet() throws Exception {
    BlockingQueue<JsonObject> frames = api.listen(server.clientVertx());
    String alarm = "Invocation5XXErrorRate > 5";
    try (SteadyLoad load = new SteadyLoad(server, EP, BODY, RATE, Duration.ofMinutes(5))) {
      load.awaitAnswers(a -> a.status() == 200, 20, Duration.ofSeconds(60), "before the update");
      api.expect(200, HttpMethod.POST, "endpoints/" + EP + "/update", new JsonObject()
          .put("EndpointConfigName", RED).put("DeploymentConfig", canary(20, 300, alarm)));
      JsonObject rolling = Api.next(frames, f -> EP.equals(f.getJsonObject("endpoint").getString("EndpointName"))
          && "RollingBack".equals(f.getJsonObject("endpoint").getString("EndpointStatus")), "RollingBack");
      assertThat(rolling.getJsonObject("endpoint").getJsonObject("TrafficShift").getString("Phase"))
          .isEqualTo("RollingBack");
      JsonObject done = inServiceOn(GREEN);
      long doneAt = System.nanoTime();
      assertThat(done.getString("FailureReason"))
          .startsWith("the update to " + RED + " was rolled back: alarm '" + alarm + "' fired: ")
          .contains("of the new fleet's");
      load.awaitAnswers(a -> a.sentNanos() > doneAt, 60, Duration.ofSeconds(60), "after the rollback");
      load.close();
      List<Answer> failed = failed(load.answers());
      assertThat(failed).as("the failing model's answers").isNotEmpty()
          .allSatisfy(a -> {
            assertThat(a.status()).isEqualTo(424);
            assertThat(a.variant()).isEqualTo("red");
            assertThat(a.body()).contains("ModelError", "\"OriginalStatusCode\":500");
          });
      List<Answer> after = load.sentAfter(doneAt);
      assertThat(failed(after)).isEmpty();
      assertThat(variants(after)).containsExactly("green");
    }
  }

  @Test
  @Order(4)
  void aLinearUpdateStepsToTheNewFleetAndKeepsTheOldOneIdleThroughTheTerminationWait() throws Exception {
    JsonObject linear = new JsonObject().put("BlueGreenUpdatePolicy", new JsonObject()
        .put("TrafficRoutingConfiguration", new JsonObject().put("Type", "LINEAR").put("WaitIntervalInSeconds", 2)
            .put("LinearStepSize", new JsonObject().put("Type", "CAPACITY_PERCENT").put("Value", 50)))
        .put("TerminationWaitInSeconds", 3));
    try (SteadyLoad load = new SteadyLoad(server, EP, BODY, RATE, Duration.ofMinutes(5))) {
      load.awaitAnswers(a -> a.status() == 200, 20, Duration.ofSeconds(60), "before the update");
      api.expect(200, HttpMethod.POST, "endpoints/" + EP + "/update", new JsonObject()
          .put("EndpointConfigName", BLUE).put("DeploymentConfig", linear));
      JsonObject half = api.waitFor(EP, d -> "Shifting".equals(d.getJsonObject("TrafficShift", new JsonObject())
          .getString("Phase")), READY, "the first step");
      assertThat(half.getJsonObject("TrafficShift").getDouble("NewFleetTrafficPercent")).isEqualTo(50.0);
      assertThat(half.getJsonObject("TrafficShift").getInteger("Steps")).isEqualTo(2);
      JsonObject idle = api.waitFor(EP, d -> "TerminationWait".equals(d.getJsonObject("TrafficShift", new JsonObject())
          .getString("Phase")) || "InService".equals(d.getString("EndpointStatus")), READY, "the termination wait");
      long idleAt = System.nanoTime();
      assertThat(idle.getJsonObject("TrafficShift").getDouble("NewFleetTrafficPercent")).isEqualTo(100.0);
      assertThat(idle.getJsonObject("TrafficShift").getInteger("Step")).isEqualTo(2);
      JsonObject done = inServiceOn(BLUE);
      long doneAt = System.nanoTime();
      assertThat(done.containsKey("FailureReason")).as(done.encode()).isFalse();
      load.awaitAnswers(a -> a.sentNanos() > doneAt, 60, Duration.ofSeconds(60), "after the update");
      load.close();
      assertThat(failed(load.answers())).as("failed invocations").isEmpty();
      List<Answer> waiting = load.answers().stream().filter(a -> a.sentNanos() > idleAt && a.sentNanos() < doneAt)
          .toList();
      assertThat(waiting).as("invocations during the termination wait").isNotEmpty();
      assertThat(variants(waiting)).as("during the termination wait").doesNotContain("green");
      assertThat(variants(load.sentAfter(doneAt))).containsExactlyInAnyOrder("blue-a", "blue-b");
    }
  }

  @Test
  @Order(5)
  void aServerRestartDuringACanaryEndsTheUpdateOnTheOldFleetSayingWhy() throws Exception {
    Set<String> blue = instanceIds(api.describe(EP).getJsonArray("ProductionVariants"));
    assertThat(blue).hasSize(2);
    api.expect(200, HttpMethod.POST, "endpoints/" + EP + "/update", new JsonObject()
        .put("EndpointConfigName", GREEN).put("DeploymentConfig", canary(20, 300)));
    JsonObject shifting = api.waitFor(EP, d -> "Shifting".equals(d.getJsonObject("TrafficShift", new JsonObject())
        .getString("Phase")), READY, "the canary");
    Set<String> green = instanceIds(shifting.getJsonObject("PendingDeploymentSummary")
        .getJsonArray("ProductionVariants"));
    assertThat(green).hasSize(1);
    assertThat(running()).as("both fleets during the canary").containsAll(blue).containsAll(green);

    server.close();
    server = TestServer.start(Map.of("dataDir", data.toString()));
    api = new Api(server);
    JsonObject d = inServiceOn(BLUE);
    assertThat(d.getString("FailureReason")).as(d.encode())
        .startsWith("the update to " + GREEN + " (started ")
        .contains("was cut short by a server restart: the endpoint serves on its previous config " + BLUE);
    assertThat(d.containsKey("TrafficShift")).isFalse();
    JsonObject routing = d.getJsonObject("LastDeploymentConfig").getJsonObject("BlueGreenUpdatePolicy")
        .getJsonObject("TrafficRoutingConfiguration");
    assertThat(routing.getString("Type")).as("the interrupted update's policy").isEqualTo("CANARY");
    assertThat(routing.getInteger("WaitIntervalInSeconds")).isEqualTo(300);
    assertThat(instanceIds(d.getJsonArray("ProductionVariants"))).as("the old fleet, adopted").isEqualTo(blue);
    assertThat(running()).as("what runs: the old fleet only").isEqualTo(blue);
    var answer = api.call(HttpMethod.POST, "endpoints/" + EP + "/invocations", new JsonObject(BODY));
    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
    assertThat(answer.getHeader("X-Amzn-Invoked-Production-Variant")).isIn("blue-a", "blue-b");
  }

  @Test
  @Order(6)
  void aDeleteDuringAnUpdateStopsBothFleetsAndLeavesNothingRunning() throws Exception {
    api.expect(200, HttpMethod.POST, "endpoints/" + EP + "/update", new JsonObject()
        .put("EndpointConfigName", GREEN).put("DeploymentConfig", canary(20, 300)));
    JsonObject shifting = api.waitFor(EP, d -> "Shifting".equals(d.getJsonObject("TrafficShift", new JsonObject())
        .getString("Phase")), READY, "the canary");
    Set<String> both = new java.util.HashSet<>(instanceIds(shifting.getJsonArray("ProductionVariants")));
    both.addAll(instanceIds(shifting.getJsonObject("PendingDeploymentSummary").getJsonArray("ProductionVariants")));
    assertThat(both).hasSize(3);
    assertThat(running()).containsAll(both);
    assertThat(api.expect(202, HttpMethod.DELETE, "endpoints/" + EP, null).getString("EndpointStatus"))
        .isEqualTo("Deleting");
    api.awaitGone(EP, Duration.ofSeconds(120));
    assertThat(api.expect(200, HttpMethod.GET, "endpoints", null).getJsonArray("Endpoints")).isEmpty();
    assertThat(runtime().list()).as("the process runtime's services once the endpoint is gone").isEmpty();
  }

  private static Set<String> instanceIds(JsonArray variants) {
    return variants.stream().map(JsonObject.class::cast)
        .flatMap(v -> v.getJsonArray("Instances").stream().map(JsonObject.class::cast))
        .map(i -> i.getString("Id")).collect(Collectors.toSet());
  }

  /** The local replicas' records, as the server's process runtime keeps them in its data directory. */
  private static ProcessServiceRuntime runtime() {
    return new ProcessServiceRuntime(data.resolve("endpoints").resolve("process"));
  }

  private static Set<String> running() {
    return runtime().list().stream().filter(ServiceRuntime.Found::running).map(f -> f.replica().id())
        .collect(Collectors.toSet());
  }
}
