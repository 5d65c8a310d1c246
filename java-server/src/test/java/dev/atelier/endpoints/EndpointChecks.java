package dev.atelier.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.support.TestServer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What the endpoint integration tests share: the fitted model, and the checks run on a live endpoint. */
final class EndpointChecks {
  /** Fits a small classifier with the project's environment and writes it as model.joblib into argv[1]. */
  private static final String FIT = String.join("\n",
      "import sys, joblib",
      "from sklearn.datasets import load_iris",
      "from sklearn.linear_model import LogisticRegression",
      "x, y = load_iris(return_X_y=True)",
      "joblib.dump(LogisticRegression(max_iter=500).fit(x, y), sys.argv[1] + '/model.joblib')",
      "");
  /** One iris row, as the model server reads JSON. */
  static final JsonObject ROW = new JsonObject().put("instances", new JsonArray().add(new JsonArray().add(5.1).add(3.5)
      .add(1.4).add(0.2)));

  private EndpointChecks() {}

  /** Fits the model and stores it as model.tar.gz at {@code url}, as atelier/sklearn's training writes it. */
  static void fittedModel(Api api, String url) throws Exception {
    api.put(url, ModelStagingTest.tarGz(Map.of("model.joblib", fit())));
  }

  /** Fits the model; its model.joblib. */
  static byte[] fit() throws Exception {
    Path dir = Files.createTempDirectory("atelier-endpoints-model");
    Process fit = new ProcessBuilder(TestServer.python(), "-c", FIT, dir.toString()).redirectErrorStream(true).start();
    String out = new String(fit.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(fit.waitFor(120, TimeUnit.SECONDS) && fit.exitValue() == 0).as("fitting the model: %s", out).isTrue();
    return Files.readAllBytes(dir.resolve("model.joblib"));
  }

  /**
   * Three invocations, captured at 100%: their records under {@code <dest>/<endpoint>/<variant>/yyyy/mm/dd/hh/},
   * and the newest read back from {@code capture/records}.
   */
  static void captured(Api api, String m, String dest) throws Exception {
    api.refused(404, HttpMethod.GET, "endpoints/no-endpoint/capture", null, "no endpoint named");
    for (int i = 0; i < 3; i++) {
      api.expect(200, HttpMethod.POST, "endpoints/" + m + "/invocations", ROW);
    }
    Instant deadline = Instant.now().plusSeconds(30);
    JsonObject status = api.expect(200, HttpMethod.GET, "endpoints/" + m + "/capture", null);
    while (status.getLong("Uploaded") < 3) {
      assertThat(Instant.now()).as("3 records uploaded: %s", status.encode()).isBefore(deadline);
      Thread.sleep(250);
      status = api.expect(200, HttpMethod.GET, "endpoints/" + m + "/capture", null);
    }
    assertThat(status.getString("CaptureStatus")).isEqualTo("Started");
    assertThat(status.getLong("Dropped")).isZero();
    JsonArray objects = api.expect(200, HttpMethod.GET, "objects/list?prefix=" + dest + "/" + m + "/only/", null)
        .getJsonArray("objects");
    assertThat(objects).as("the uploaded files").isNotEmpty();
    String key = objects.getJsonObject(0).getString("key");
    assertThat(key).matches(".*/capture/" + m + "/only/\\d{4}/\\d{2}/\\d{2}/\\d{2}/[^/]+\\.jsonl");
    String text = api.call(HttpMethod.GET, "objects?uri=" + objects.getJsonObject(0).getString("uri"), null)
        .bodyAsString();
    JsonObject record = new JsonObject(text.lines().findFirst().orElseThrow());
    assertThat(record.getJsonObject("captureData").getJsonObject("endpointInput").getString("data"))
        .contains("5.1");
    assertThat(record.getJsonObject("captureData").getJsonObject("endpointOutput").getString("data"))
        .contains("predictions");

    JsonArray records = api.expect(200, HttpMethod.GET, "endpoints/" + m + "/capture/records?limit=2", null)
        .getJsonArray("Records");
    assertThat(records).hasSize(2);
    JsonObject newest = records.getJsonObject(0);
    assertThat(newest.getString("Variant")).isEqualTo("only");
    assertThat(newest.getString("eventVersion")).isEqualTo("0");
    assertThat(newest.getJsonObject("captureData").getJsonObject("endpointInput").getString("data")).contains("5.1");
    assertThat(newest.getJsonObject("eventMetadata").getString("inferenceTime"))
        .isGreaterThanOrEqualTo(records.getJsonObject(1).getJsonObject("eventMetadata").getString("inferenceTime"));
    assertThat(api.expect(200, HttpMethod.GET, "endpoints/" + m + "/capture/records", null).getJsonArray("Records"))
        .as("all three, within the default of 20").hasSize(3);
    api.refused(400, HttpMethod.GET, "endpoints/" + m + "/capture/records?limit=0", null, "limit: '0' must be");
    api.refused(400, HttpMethod.GET, "endpoints/" + m + "/capture/records?limit=x", null, "limit: 'x' must be");
    api.refused(404, HttpMethod.GET, "endpoints/no-endpoint/capture/records", null, "no endpoint named");
  }

  static void scalingPolicy(Api api, String m) throws Exception {
    String path = "endpoints/" + m + "/variants/only/scaling";
    api.refused(404, HttpMethod.GET, path, null, "the variant 'only' of the endpoint '" + m + "' has no scaling");
    api.refused(404, HttpMethod.PUT, "endpoints/" + m + "/variants/none/scaling", new JsonObject(),
        "the endpoint '" + m + "' has no variant 'none'");
    api.refused(400, HttpMethod.PUT, path, new JsonObject().put("MinCapacity", 1).put("MaxCapacity", 0),
        "MaxCapacity:");
    JsonObject policy = new JsonObject().put("MinCapacity", 1).put("MaxCapacity", 2)
        .put("TargetTrackingScalingPolicyConfiguration", new JsonObject().put("TargetValue", 1000));
    assertThat(api.expect(200, HttpMethod.PUT, path, policy).getInteger("MaxCapacity")).isEqualTo(2);
    JsonObject got = api.expect(200, HttpMethod.GET, path, null);
    assertThat(got.getJsonObject("TargetTrackingScalingPolicyConfiguration").getDouble("TargetValue"))
        .isEqualTo(1000.0);
    assertThat(got.getValue("LastScalingActivity")).isNull();
    api.expect(204, HttpMethod.DELETE, path, null);
    api.refused(404, HttpMethod.DELETE, path, null, "the variant 'only'");
  }

  /**
   * Every instance of the variant reports its usage in DescribeEndpoint within a minute (the
   * sampler's rounds are 10 s apart): a CPUUtilization number and MemoryUsedBytes above 0; the
   * metrics answer lists them under Instances, and Prometheus has their gauges.
   */
  static void reportsUsage(Api api, String m, String variant) throws Exception {
    JsonObject d = api.waitFor(m, x -> instances(x, variant).stream().map(JsonObject.class::cast).allMatch(i ->
        i.getValue("CPUUtilization") instanceof Number && i.getLong("MemoryUsedBytes", 0L) > 0), Duration.ofSeconds(60),
        "every " + variant + " instance's CPU and memory");
    JsonObject instance = instances(d, variant).getJsonObject(0);
    assertThat(instance.getDouble("CPUUtilization")).isNotNegative();
    assertThat(instance.getDouble("MemoryUtilization")).isBetween(0.0, 100.0).isPositive();
    JsonObject metrics = api.expect(200, HttpMethod.GET, "endpoints/" + m + "/metrics?minutes=5", null);
    JsonArray latest = metrics.getJsonObject("Instances").getJsonArray(variant);
    assertThat(latest).as(metrics.encode()).isNotEmpty();
    assertThat(latest.getJsonObject(0).getLong("MemoryUsedBytes")).isPositive();
    assertThat(latest.getJsonObject(0).getString("At")).isNotBlank();
    JsonArray points = metrics.getJsonObject("Variants").getJsonArray(variant);
    assertThat(points).hasSize(5);
    assertThat(points.stream().map(JsonObject.class::cast).anyMatch(p -> p.getValue("CPUUtilization") instanceof Number
        && p.getValue("MemoryUtilization") instanceof Number)).as("a minute with samples: %s", points.encode()).isTrue();
    String prometheus = api.call(HttpMethod.GET, "endpoints/metrics", null).bodyAsString();
    assertThat(prometheus).contains("# TYPE atelier_endpoint_instance_cpu_utilization gauge")
        .contains("atelier_endpoint_instance_memory_bytes{endpoint=\"" + m + "\",variant=\"" + variant
            + "\",instance=\"" + instance.getString("Id") + "\"} ");
  }

  private static JsonArray instances(JsonObject d, String variant) {
    return d.getJsonArray("ProductionVariants").stream().map(JsonObject.class::cast)
        .filter(v -> variant.equals(v.getString("VariantName"))).findFirst().orElseThrow().getJsonArray("Instances");
  }
}
