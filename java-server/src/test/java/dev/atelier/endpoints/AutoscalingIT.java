package dev.atelier.endpoints;

import static dev.atelier.endpoints.Api.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.support.TestServer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Autoscaling end to end, on real atelier/sklearn containers, with the metrics' minute set to 2 s
 * ({@code endpointMinuteSeconds}, for tests and benchmarks) so that a whole cycle takes well under
 * two minutes: a steady load above the target raises the variant from 1 to its MaxCapacity of 2
 * instances, both healthy and serving; once the load ends, the 15 low minutes pass and it comes back
 * to 1; LastScalingActivity says each step, and no invocation fails throughout.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 600, timeUnit = TimeUnit.SECONDS)
class AutoscalingIT {
  private static final String SUFFIX = Long.toHexString(System.nanoTime());
  private static final String ENDPOINT = "scaled-" + SUFFIX;
  /** 10 a second: 20 in each 2-second minute, above the target of 5 per instance even on two. */
  private static final int RATE = 10;
  private static final Duration READY = Duration.ofMinutes(4);

  private static TestServer server;
  private static Api api;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of("dataDir", Files.createTempDirectory("atelier-autoscaling-it").toString(),
        "endpointMinuteSeconds", "2"));
    api = new Api(server);
    String url = "s3://atelier/autoscaling-it/" + SUFFIX + "/model.tar.gz";
    EndpointChecks.fittedModel(api, url);
    api.expect(201, HttpMethod.POST, "models", new JsonObject().put("ModelName", ENDPOINT).put("PrimaryContainer",
        new JsonObject().put("Image", EndpointsIT.IMAGE).put("ModelDataUrl", url)
            .put("Environment", new JsonObject().put("SAGEMAKER_MODEL_SERVER_WORKERS", "1"))));
    api.expect(201, HttpMethod.POST, "endpoint-configs", new JsonObject().put("EndpointConfigName", ENDPOINT)
        .put("ProductionVariants", new JsonArray().add(new JsonObject().put("VariantName", "only")
            .put("ModelName", ENDPOINT).put("InstanceType", "ml.t3.medium").put("InitialInstanceCount", 1)
            .put("InitialVariantWeight", 1))));
    api.expect(201, HttpMethod.POST, "endpoints", new JsonObject().put("EndpointName", ENDPOINT)
        .put("EndpointConfigName", ENDPOINT));
    JsonObject d = api.waitFor(ENDPOINT, status("InService").or(status("Failed")), READY, "InService");
    assertThat(d.getString("EndpointStatus")).as(d.encode()).isEqualTo("InService");
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (api != null) {
        api.call(HttpMethod.DELETE, "endpoints/" + ENDPOINT, null);
        api.awaitGone(ENDPOINT, Duration.ofSeconds(90));
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  private static JsonObject variant(JsonObject d) {
    return d.getJsonArray("ProductionVariants").getJsonObject(0);
  }

  /** InService on {@code count} instances, all of them healthy. */
  private static Predicate<JsonObject> servingOn(int count) {
    return d -> "InService".equals(d.getString("EndpointStatus"))
        && variant(d).getInteger("DesiredInstanceCount") == count && variant(d).getInteger("CurrentInstanceCount") == count
        && variant(d).getJsonArray("Instances").stream().allMatch(i -> ((JsonObject) i).getBoolean("Healthy"));
  }

  @Test
  void loadRaisesTheInstanceCountAndItsEndLowersIt() throws Exception {
    String path = "endpoints/" + ENDPOINT + "/variants/only/scaling";
    api.expect(200, HttpMethod.PUT, path, new JsonObject().put("MinCapacity", 1).put("MaxCapacity", 2)
        .put("TargetTrackingScalingPolicyConfiguration", new JsonObject().put("TargetValue", 5)
            .put("ScaleOutCooldown", 0).put("ScaleInCooldown", 0)));
    JsonObject metrics = api.expect(200, HttpMethod.GET, "endpoints/" + ENDPOINT + "/metrics?minutes=3", null);
    assertThat(metrics.getInteger("Period")).as("the metrics' minute").isEqualTo(2);

    SteadyLoad load = new SteadyLoad(server, ENDPOINT, EndpointChecks.ROW.encode(), RATE, Duration.ofMinutes(5));
    JsonObject out;
    try {
      out = api.waitFor(ENDPOINT, servingOn(2), READY, "scaled out to 2 healthy instances under load");
      long both = System.nanoTime();
      load.awaitAnswers(a -> a.status() == 200 && a.sentNanos() >= both, 2 * RATE, Duration.ofSeconds(60),
          "answered on two instances");
    } finally {
      load.close();
    }
    JsonObject activity = api.expect(200, HttpMethod.GET, path, null).getJsonObject("LastScalingActivity");
    assertThat(activity.getInteger("From")).as(activity.encode()).isEqualTo(1);
    assertThat(activity.getInteger("To")).isEqualTo(2);
    assertThat(activity.getString("Reason")).contains("above the target 5");
    assertThat(variant(out).getJsonArray("Instances")).hasSize(2);

    // No load: after 15 low minutes (30 s here) the autoscaler takes the variant back to MinCapacity.
    JsonObject in = api.waitFor(ENDPOINT, servingOn(1), Duration.ofMinutes(3), "scaled back in to 1 instance");
    assertThat(variant(in).getJsonArray("Instances")).hasSize(1);
    activity = api.expect(200, HttpMethod.GET, path, null).getJsonObject("LastScalingActivity");
    assertThat(activity.getInteger("From")).as(activity.encode()).isEqualTo(2);
    assertThat(activity.getInteger("To")).isEqualTo(1);
    assertThat(activity.getString("Reason")).contains("below the target 5");
    assertThat(load.failures()).as("failed invocations while scaling (sent at ns, status, error)").isEmpty();
    assertThat(load.answers()).isNotEmpty();
  }
}
