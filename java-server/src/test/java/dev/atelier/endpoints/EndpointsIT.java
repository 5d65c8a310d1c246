package dev.atelier.endpoints;

import static dev.atelier.endpoints.Api.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.support.TestServer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
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
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Endpoints through the API of a real server, serving a scikit-learn model the test fits (as
 * atelier/sklearn's training writes it, model.joblib in model.tar.gz): bad requests refused naming
 * the field; an endpoint whose model cannot be staged Failed with a reason naming its variant; a
 * local endpoint (processes of the project's environment, in a cgroup with their type's limits)
 * InService, its captured records read back,
 * its instance's CPU and memory reported, and deleted; and an endpoint of
 * real atelier/sklearn containers brought InService, resized in place, its killed container
 * replaced, adopted by a restarted server, moved to another config, and deleted; and a model made
 * FromTrainingJob of a real atelier/sklearn training job, deployed. One server
 * (restarted once, on the same data directory) and one model for the whole class; the tests run in
 * order on what the earlier ones made.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 600, timeUnit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndpointsIT {
  /** SageMaker's built-in scikit-learn image: {@code serve} answers {@code /ping} once model.joblib loaded. */
  static final String IMAGE = "atelier/sklearn:latest";
  private static final Duration READY = Duration.ofMinutes(4);

  private static Path data;
  private static TestServer server;
  private static Api api;
  private static final String SUFFIX = Long.toHexString(System.nanoTime());
  private static final String DOCKER_ENDPOINT = "iris-" + SUFFIX;

  /** The fitted model's model.tar.gz, in the object store. */
  private static String modelUrl;

  @BeforeAll
  static void start() throws Exception {
    data = Files.createTempDirectory("atelier-endpoints-it");
    server = TestServer.start(Map.of("dataDir", data.toString(), "captureUploadSeconds", "1"));
    api = new Api(server);
    modelUrl = "s3://atelier/endpoints-it/" + SUFFIX + "/model.tar.gz";
    EndpointChecks.fittedModel(api, modelUrl);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** Runs the docker command; its output, or an assertion error with it when it fails. */
  static String docker(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("docker"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("docker %s", String.join(" ", args)).isTrue();
    assertThat(p.exitValue()).as("docker %s: %s", String.join(" ", args), out).isZero();
    return out.trim();
  }

  private static JsonObject model(String name, String image, String url, JsonObject env) {
    JsonObject c = new JsonObject().put("Image", image).put("Environment", env == null ? new JsonObject() : env);
    if (url != null) {
      c.put("ModelDataUrl", url);
    }
    return new JsonObject().put("ModelName", name).put("PrimaryContainer", c);
  }

  private static JsonObject variant(String name, String model, String type, int count, double weight) {
    return new JsonObject().put("VariantName", name).put("ModelName", model).put("InstanceType", type)
        .put("InitialInstanceCount", count).put("InitialVariantWeight", weight);
  }

  private static JsonObject config(String name, JsonObject... variants) {
    return new JsonObject().put("EndpointConfigName", name).put("ProductionVariants", new JsonArray(List.of(variants)));
  }

  private static JsonObject endpoint(String name, String config) {
    return new JsonObject().put("EndpointName", name).put("EndpointConfigName", config);
  }

  private static JsonObject variantOf(JsonObject d, String name) {
    return d.getJsonArray("ProductionVariants").stream().map(JsonObject.class::cast)
        .filter(v -> name.equals(v.getString("VariantName"))).findFirst().orElseThrow();
  }

  private static Set<String> instanceIds(JsonObject variant) {
    return variant.getJsonArray("Instances").stream().map(JsonObject.class::cast).map(i -> i.getString("Id"))
        .collect(Collectors.toSet());
  }

  private static boolean allHealthy(JsonObject d, String variant, int count) {
    JsonArray instances = variantOf(d, variant).getJsonArray("Instances");
    return instances.size() == count && instances.stream().map(JsonObject.class::cast)
        .allMatch(i -> i.getBoolean("Healthy"));
  }

  @Test
  @Order(1)
  void badRequestsAreRefusedNamingTheField() throws Exception {
    String m = "bad-m-" + SUFFIX;
    api.refused(400, HttpMethod.POST, "models", new JsonObject(), "ModelName: is required");
    api.refused(400, HttpMethod.POST, "models", model(m, "nosuch/image:1", null, null), "PrimaryContainer.Image:");
    api.refused(404, HttpMethod.POST, "models", new JsonObject().put("ModelName", m).put("FromTrainingJob", "no-job"),
        "FromTrainingJob: no training job named 'no-job'");
    api.expect(201, HttpMethod.POST, "models", model(m, "local", null, null));
    api.refused(409, HttpMethod.POST, "models", model(m, "local", null, null), "a model named '" + m + "' already");
    assertThat(api.expect(200, HttpMethod.GET, "models/" + m, null).getJsonObject("CreatedBy")
        .getString("UserProfileName")).isNotBlank();

    String c = "bad-c-" + SUFFIX;
    api.refused(404, HttpMethod.POST, "endpoint-configs", config(c, variant("a", "no-model", "ml.t3.medium", 1, 1)),
        "ProductionVariants[0].ModelName: no model named 'no-model'");
    api.refused(400, HttpMethod.POST, "endpoint-configs", config(c, variant("a", m, "ml.t3.medium", 1, 0)),
        "ProductionVariants: every InitialVariantWeight is 0");
    api.refused(400, HttpMethod.POST, "endpoint-configs", config(c, variant("a", m, "ml.nope.large", 1, 1)),
        "ProductionVariants[0].InstanceType: unknown instance type");
    api.refused(400, HttpMethod.POST, "endpoint-configs", new JsonObject().put("EndpointConfigName", c),
        "ProductionVariants: is required");
    api.refused(400, HttpMethod.POST, "endpoint-configs", config(c, variant("a", m, "ml.t3.medium", 1, 1))
        .put("DataCaptureConfig", new JsonObject().put("InitialSamplingPercentage", 101)
        .put("DestinationS3Uri", "s3://atelier/c")), "DataCaptureConfig.InitialSamplingPercentage:");
    api.expect(201, HttpMethod.POST, "endpoint-configs", config(c, variant("a", m, "ml.t3.medium", 1, 1)));
    api.refused(409, HttpMethod.POST, "endpoint-configs", config(c, variant("a", m, "ml.t3.medium", 1, 1)),
        "an endpoint config named '" + c + "' already");

    api.refused(404, HttpMethod.POST, "endpoints", endpoint("bad-e-" + SUFFIX, "no-config"), "EndpointConfigName:");
    api.refused(400, HttpMethod.POST, "endpoints", new JsonObject().put("EndpointName", "x"), "EndpointConfigName:");
    api.refused(400, HttpMethod.POST, "endpoints", endpoint("metrics", c), "EndpointName: 'metrics' cannot name an"
        + " endpoint: endpoints/metrics is the path of the endpoints' Prometheus metrics");
    api.refused(404, HttpMethod.GET, "endpoints/no-endpoint", null, "no endpoint named 'no-endpoint'");
    api.refused(404, HttpMethod.DELETE, "endpoints/no-endpoint", null, "no endpoint named");
    api.refused(404, HttpMethod.DELETE, "models/no-model", null, "no model named");
    api.refused(400, HttpMethod.GET, "endpoints/bad_name", null, "'bad_name' is not a name");
    api.expect(204, HttpMethod.DELETE, "endpoint-configs/" + c, null);
    api.expect(204, HttpMethod.DELETE, "models/" + m, null);
  }

  @Test
  @Order(2)
  void anEndpointWhoseModelCannotBeStagedFailsNamingTheVariant() throws Exception {
    String m = "missing-" + SUFFIX;
    api.expect(201, HttpMethod.POST, "models", model(m, "local", "s3://atelier/endpoints-it/none/model.tar.gz", null));
    api.expect(201, HttpMethod.POST, "endpoint-configs", config(m, variant("only", m, "ml.t3.medium", 1, 1)));
    api.expect(201, HttpMethod.POST, "endpoints", endpoint(m, m));
    api.refused(409, HttpMethod.POST, "endpoints", endpoint(m, m), "an endpoint named '" + m + "' already exists");
    JsonObject d = api.waitFor(m, status("Failed"), Duration.ofSeconds(60), "Failed");
    assertThat(d.getString("FailureReason")).contains("variant only").contains("could not be staged");
    api.refused(409, HttpMethod.POST, "endpoints/" + m + "/weights-and-capacities", new JsonObject()
        .put("DesiredWeightsAndCapacities", new JsonArray().add(new JsonObject().put("VariantName", "only")
            .put("DesiredWeight", 2))), "the endpoint '" + m + "' is Failed");
    api.refused(400, HttpMethod.POST, "endpoints/" + m + "/weights-and-capacities", new JsonObject()
        .put("DesiredWeightsAndCapacities", new JsonArray().add(new JsonObject().put("VariantName", "other")
            .put("DesiredWeight", 2))), "DesiredWeightsAndCapacities[0].VariantName: the endpoint");
    api.expect(202, HttpMethod.DELETE, "endpoints/" + m, null);
    api.awaitGone(m, Duration.ofSeconds(60));
  }

  @Test
  @Order(3)
  void aLocalEndpointServesTheModelCapturesItsInvocationsAndTakesAScalingPolicy() throws Exception {
    String m = "local-" + SUFFIX;
    String dest = "s3://atelier/endpoints-it/" + SUFFIX + "/capture";
    api.expect(201, HttpMethod.POST, "models", model(m, "local", modelUrl, new JsonObject()
        .put("SAGEMAKER_MODEL_SERVER_WORKERS", "1")));
    api.expect(201, HttpMethod.POST, "endpoint-configs", config(m, variant("only", m, "ml.t3.medium", 1, 1))
        .put("DataCaptureConfig", new JsonObject().put("EnableCapture", true).put("InitialSamplingPercentage", 100)
            .put("DestinationS3Uri", dest).put("CaptureOptions", new JsonArray()
                .add(new JsonObject().put("CaptureMode", "Input")).add(new JsonObject().put("CaptureMode", "Output")))));
    api.expect(201, HttpMethod.POST, "endpoints", endpoint(m, m));
    JsonObject d = api.waitFor(m, status("InService").or(status("Failed")), READY, "InService");
    assertThat(d.getString("EndpointStatus")).as(d.encode()).isEqualTo("InService");
    JsonObject instance = variantOf(d, "only").getJsonArray("Instances").getJsonObject(0);
    assertThat(instance.getString("Id")).startsWith("pid-");
    assertThat(instance.getBoolean("Healthy")).isTrue();
    long pid = Long.parseLong(instance.getString("Id").substring(4));
    // Under its type's limits, in a cgroup of its own (as process instances are; CI runs as root).
    assertThat(instance.getBoolean("LimitsEnforced")).as(instance.encode()).isTrue();
    assertThat(Files.readString(Path.of("/proc/" + pid + "/cgroup"))).as("the model server's cgroups")
        .contains("/endpoints_");
    EndpointChecks.captured(api, m, dest);
    EndpointChecks.reportsUsage(api, m, "only");
    EndpointChecks.scalingPolicy(api, m);
    api.expect(202, HttpMethod.DELETE, "endpoints/" + m, null);
    api.awaitGone(m, Duration.ofSeconds(60));
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("the model server ended").isFalse();
  }

  @Test
  @Order(4)
  void aDockerEndpointComesInServiceAndIsResizedInPlace() throws Exception {
    BlockingQueue<JsonObject> frames = api.listen(server.clientVertx());
    String m = DOCKER_ENDPOINT;
    api.expect(201, HttpMethod.POST, "models", model(m, IMAGE, modelUrl, new JsonObject()
        .put("SAGEMAKER_MODEL_SERVER_WORKERS", "1")));
    api.expect(201, HttpMethod.POST, "endpoint-configs", config(m, variant("blue", m, "ml.t3.medium", 2, 1),
        variant("green", m, "ml.t3.medium", 1, 0)));
    String arn = api.expect(201, HttpMethod.POST, "endpoints", endpoint(m, m)).getString("EndpointArn");
    assertThat(arn).endsWith(":endpoint/" + m);
    Api.next(frames, f -> m.equals(f.getJsonObject("endpoint").getString("EndpointName"))
        && "Creating".equals(f.getJsonObject("endpoint").getString("EndpointStatus")), "Creating");
    JsonObject d = api.waitFor(m, status("InService").or(status("Failed")), READY, "InService");
    assertThat(d.getString("EndpointStatus")).as(d.encode()).isEqualTo("InService");
    assertThat(allHealthy(d, "blue", 2)).as(d.encode()).isTrue();
    assertThat(allHealthy(d, "green", 1)).as(d.encode()).isTrue();
    assertThat(variantOf(d, "green").getDouble("CurrentWeight")).isEqualTo(0.0);
    EndpointChecks.reportsUsage(api, m, "blue");
    assertThat(variantOf(d, "blue").getJsonArray("DeployedImages").getJsonObject(0).getString("SpecifiedImage"))
        .isEqualTo(IMAGE);
    Api.next(frames, f -> m.equals(f.getJsonObject("endpoint").getString("EndpointName"))
        && "InService".equals(f.getJsonObject("endpoint").getString("EndpointStatus")), "InService");
    assertThat(api.expect(200, HttpMethod.GET, "endpoints", null).getJsonArray("Endpoints").stream()
        .map(JsonObject.class::cast).anyMatch(e -> m.equals(e.getString("EndpointName")))).isTrue();

    // Down to one blue instance and traffic to green, in place.
    api.expect(200, HttpMethod.POST, "endpoints/" + m + "/weights-and-capacities", new JsonObject()
        .put("DesiredWeightsAndCapacities", new JsonArray()
            .add(new JsonObject().put("VariantName", "blue").put("DesiredInstanceCount", 1))
            .add(new JsonObject().put("VariantName", "green").put("DesiredWeight", 1))));
    d = api.waitFor(m, status("InService").and(x -> variantOf(x, "blue").getJsonArray("Instances").size() == 1),
        Duration.ofSeconds(90), "one blue instance");
    assertThat(variantOf(d, "green").getDouble("CurrentWeight")).isEqualTo(1.0);
    assertThat(variantOf(d, "blue").getInteger("DesiredInstanceCount")).isEqualTo(1);
    // And up to two again.
    api.expect(200, HttpMethod.POST, "endpoints/" + m + "/weights-and-capacities", new JsonObject()
        .put("DesiredWeightsAndCapacities", new JsonArray()
            .add(new JsonObject().put("VariantName", "blue").put("DesiredInstanceCount", 2))));
    d = api.waitFor(m, status("InService").and(x -> allHealthy(x, "blue", 2)), READY, "two healthy blue instances");
    assertThat(d.getString("FailureReason")).as(d.encode()).isNull();
  }

  @Test
  @Order(5)
  void aKilledContainerIsReplacedARestartedServerAdoptsTheRestAndAnUpdateMovesItToAnotherConfig() throws Exception {
    String m = DOCKER_ENDPOINT;
    JsonObject d = api.describe(m);
    Set<String> before = instanceIds(variantOf(d, "blue"));
    String victim = before.iterator().next();
    docker("kill", victim);
    d = api.waitFor(m, x -> !instanceIds(variantOf(x, "blue")).contains(victim) && allHealthy(x, "blue", 2), READY,
        "the killed instance replaced");
    Set<String> replaced = instanceIds(variantOf(d, "blue"));
    String scaling = "endpoints/" + m + "/variants/blue/scaling";
    api.expect(200, HttpMethod.PUT, scaling, new JsonObject().put("MinCapacity", 1).put("MaxCapacity", 3)
        .put("TargetTrackingScalingPolicyConfiguration", new JsonObject().put("TargetValue", 1000)));

    server.close();
    server = TestServer.start(Map.of("dataDir", data.toString(), "captureUploadSeconds", "1"));
    api = new Api(server);
    d = api.waitFor(m, status("InService").and(x -> allHealthy(x, "blue", 2)), Duration.ofSeconds(60),
        "InService after the restart");
    assertThat(instanceIds(variantOf(d, "blue"))).as("the same containers, adopted").isEqualTo(replaced);
    assertThat(api.expect(200, HttpMethod.GET, scaling, null).getInteger("MaxCapacity")).as("the stored policy")
        .isEqualTo(3);

    // UpdateEndpoint: blue/green to a config of one new variant.
    String v2 = m + "-v2";
    api.expect(201, HttpMethod.POST, "endpoint-configs", config(v2, variant("red", m, "ml.t3.medium", 1, 1)));
    api.refused(404, HttpMethod.POST, "endpoints/" + m + "/update", new JsonObject().put("EndpointConfigName", "none"),
        "EndpointConfigName: no endpoint config named 'none'");
    api.expect(200, HttpMethod.POST, "endpoints/" + m + "/update", new JsonObject().put("EndpointConfigName", v2));
    d = api.waitFor(m, status("InService").and(x -> v2.equals(x.getString("EndpointConfigName")) || x.containsKey(
        "FailureReason")), READY, "moved to " + v2);
    assertThat(d.getString("FailureReason")).as(d.encode()).isNull();
    assertThat(d.getJsonArray("ProductionVariants")).hasSize(1);
    assertThat(allHealthy(d, "red", 1)).as(d.encode()).isTrue();
    java.time.Instant gone = java.time.Instant.now().plusSeconds(60);
    for (String id : replaced) {
      while (!docker("ps", "-q", "--filter", "id=" + id).isEmpty()) {
        assertThat(java.time.Instant.now()).as("the old blue containers stopped").isBefore(gone);
        Thread.sleep(250);
      }
    }

    assertThat(api.expect(202, HttpMethod.DELETE, "endpoints/" + m, null).getString("EndpointStatus"))
        .isEqualTo("Deleting");
    api.awaitGone(m, Duration.ofSeconds(60));
    assertThat(docker("ps", "-aq", "--filter", "label=" + VariantPlan.LABEL_ENDPOINT + "=" + m)).isEmpty();
  }

  @Test
  @Order(6)
  void aModelFromACompletedTrainingJobIsDeployed() throws Exception {
    String job = "train-" + SUFFIX;
    StringBuilder csv = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      int label = i % 2;
      csv.append(label).append(',').append(label * 3 + (i % 5) * 0.1).append(',').append(1 + (i % 7) * 0.2).append('\n');
    }
    api.put("s3://atelier/endpoints-it/" + SUFFIX + "/train/data.csv", csv.toString().getBytes(StandardCharsets.UTF_8));
    api.expect(201, HttpMethod.POST, "training-jobs", new JsonObject("""
        {"TrainingJobName": "%s",
         "AlgorithmSpecification": {"TrainingImage": "atelier/sklearn:latest", "TrainingInputMode": "File"},
         "InputDataConfig": [{"ChannelName": "train",
           "DataSource": {"S3DataSource": {"S3Uri": "s3://atelier/endpoints-it/%s/train/", "S3DataType": "S3Prefix"}}}],
         "OutputDataConfig": {"S3OutputPath": "s3://atelier/endpoints-it/jobs"},
         "ResourceConfig": {"InstanceType": "ml.t3.medium", "InstanceCount": 1, "VolumeSizeInGB": 1},
         "StoppingCondition": {"MaxRuntimeInSeconds": 300}}""".formatted(job, SUFFIX)));
    java.time.Instant deadline = java.time.Instant.now().plusSeconds(300);
    JsonObject trained = api.expect(200, HttpMethod.GET, "training-jobs/" + job, null);
    while ("InProgress".equals(trained.getString("TrainingJobStatus"))) {
      assertThat(java.time.Instant.now()).as("the training job ended").isBefore(deadline);
      Thread.sleep(500);
      trained = api.expect(200, HttpMethod.GET, "training-jobs/" + job, null);
    }
    assertThat(trained.getString("TrainingJobStatus")).as(trained.encode()).isEqualTo("Completed");

    String m = "trained-" + SUFFIX;
    api.expect(201, HttpMethod.POST, "models", new JsonObject().put("ModelName", m).put("FromTrainingJob", job));
    JsonObject container = api.expect(200, HttpMethod.GET, "models/" + m, null).getJsonObject("PrimaryContainer");
    assertThat(container.getString("Image")).isEqualTo("atelier/sklearn:latest");
    assertThat(container.getString("ModelDataUrl"))
        .isEqualTo(trained.getJsonObject("ModelArtifacts").getString("S3ModelArtifacts"));
    api.expect(201, HttpMethod.POST, "endpoint-configs", config(m, variant("only", m, "ml.t3.medium", 1, 1)));
    api.expect(201, HttpMethod.POST, "endpoints", endpoint(m, m));
    JsonObject d = api.waitFor(m, status("InService").or(status("Failed")), READY, "InService");
    assertThat(d.getString("EndpointStatus")).as(d.encode()).isEqualTo("InService");
    api.expect(202, HttpMethod.DELETE, "endpoints/" + m, null);
    api.awaitGone(m, Duration.ofSeconds(60));
  }
}
