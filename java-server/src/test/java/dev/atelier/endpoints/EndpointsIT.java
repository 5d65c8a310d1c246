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
 * Endpoints through the API of a real server: bad requests refused naming the field; an endpoint
 * whose model cannot be staged Failed with a reason naming its variant; and an endpoint of real
 * Docker containers (an inference image of the test's own that answers {@code /ping} only once it
 * reads its model from a read-only {@code /opt/ml/model}) brought InService, resized in place, its
 * killed container replaced, adopted by a restarted server, and deleted. One server (restarted
 * once, on the same data directory) for the whole class; the tests run in order on what the
 * earlier ones made.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 600, timeUnit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndpointsIT {
  /** A bring-your-own inference image: the image's entrypoint gets {@code serve}, as SageMaker's do. */
  static final String IMAGE = "atelier-test/echo-serve:latest";
  private static final String SERVE = String.join("\n",
      "import http.server, json, os, sys",
      "if sys.argv[1:] != ['serve']:",
      "    sys.exit('usage: serve')",
      "MODEL = os.environ.get('SM_MODEL_DIR', '/opt/ml/model')",
      "def problem():",
      "    if not os.path.isfile(os.path.join(MODEL, 'marker.txt')):",
      "        return 'no marker.txt in ' + MODEL",
      "    if os.access(MODEL, os.W_OK):",
      "        return MODEL + ' is writable'",
      "    return None",
      "class H(http.server.BaseHTTPRequestHandler):",
      "    def do_GET(self):",
      "        p = problem() if self.path == '/ping' else 'not found'",
      "        self.answer(200 if p is None else 500, (p or '').encode())",
      "    def do_POST(self):",
      "        body = self.rfile.read(int(self.headers.get('Content-Length', '0')))",
      "        marker = open(os.path.join(MODEL, 'marker.txt')).read()",
      "        self.answer(200, json.dumps({'marker': marker, 'echo': body.decode(),",
      "                                     'greeting': os.environ.get('GREETING')}).encode())",
      "    def answer(self, code, body):",
      "        self.send_response(code)",
      "        self.send_header('Content-Length', str(len(body)))",
      "        self.end_headers()",
      "        self.wfile.write(body)",
      "    def log_message(self, *args):",
      "        pass",
      "addr = (os.environ.get('BIND_ADDRESS', '0.0.0.0'), int(os.environ.get('PORT', '8080')))",
      "http.server.ThreadingHTTPServer(addr, H).serve_forever()",
      "");
  private static final Duration READY = Duration.ofMinutes(4);

  private static Path data;
  private static TestServer server;
  private static Api api;
  private static final String SUFFIX = Long.toHexString(System.nanoTime());
  private static final String DOCKER_ENDPOINT = "echo-" + SUFFIX;

  @BeforeAll
  static void start() throws Exception {
    buildImage();
    data = Files.createTempDirectory("atelier-endpoints-it");
    server = TestServer.start(Map.of("dataDir", data.toString()));
    api = new Api(server);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** Builds {@link #IMAGE} on atelier/base (which images/build.sh builds); fails saying what is missing. */
  static void buildImage() throws Exception {
    Path ctx = Files.createTempDirectory("atelier-echo-serve");
    Files.writeString(ctx.resolve("serve.py"), SERVE);
    Files.writeString(ctx.resolve("Dockerfile"), String.join("\n",
        "FROM atelier/base:latest",
        "COPY serve.py /opt/test/serve.py",
        "ENTRYPOINT [\"/opt/atelier/venv/bin/python\", \"/opt/test/serve.py\"]",
        "CMD []", ""));
    String out = docker("build", "-q", "-t", IMAGE, ctx.toString());
    assertThat(out).as("docker build of %s (needs dockerd and atelier/base: bash images/build.sh)", IMAGE)
        .doesNotContain("ERROR");
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
    api.expect(201, HttpMethod.POST, "endpoint-configs", config(c, variant("a", m, "ml.t3.medium", 1, 1)));
    api.refused(409, HttpMethod.POST, "endpoint-configs", config(c, variant("a", m, "ml.t3.medium", 1, 1)),
        "an endpoint config named '" + c + "' already");

    api.refused(404, HttpMethod.POST, "endpoints", endpoint("bad-e-" + SUFFIX, "no-config"), "EndpointConfigName:");
    api.refused(400, HttpMethod.POST, "endpoints", new JsonObject().put("EndpointName", "x"), "EndpointConfigName:");
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
  void aDockerEndpointComesInServiceAndIsResizedInPlace() throws Exception {
    BlockingQueue<JsonObject> frames = api.listen(server.clientVertx());
    String m = DOCKER_ENDPOINT;
    String url = "s3://atelier/endpoints-it/" + m + "/model.tar.gz";
    api.put(url, ModelStagingTest.tarGz("marker.txt", "model of " + m));
    api.expect(201, HttpMethod.POST, "models", model(m, IMAGE, url, new JsonObject().put("GREETING", "hi")));
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
  @Order(4)
  void aKilledContainerIsReplacedARestartedServerAdoptsTheRestAndAnUpdateMovesItToAnotherConfig() throws Exception {
    String m = DOCKER_ENDPOINT;
    JsonObject d = api.describe(m);
    Set<String> before = instanceIds(variantOf(d, "blue"));
    String victim = before.iterator().next();
    docker("kill", victim);
    d = api.waitFor(m, x -> !instanceIds(variantOf(x, "blue")).contains(victim) && allHealthy(x, "blue", 2), READY,
        "the killed instance replaced");
    Set<String> replaced = instanceIds(variantOf(d, "blue"));

    server.close();
    server = TestServer.start(Map.of("dataDir", data.toString()));
    api = new Api(server);
    d = api.waitFor(m, status("InService").and(x -> allHealthy(x, "blue", 2)), Duration.ofSeconds(60),
        "InService after the restart");
    assertThat(instanceIds(variantOf(d, "blue"))).as("the same containers, adopted").isEqualTo(replaced);

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
}
