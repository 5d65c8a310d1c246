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
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An endpoint of two real atelier/sklearn containers under a steady load from a plain Java client
 * (30 invocations a second) while one container is killed through the engine: the other keeps
 * answering, the only failures are among the requests that were in flight to the killed one (none
 * once the router has taken it out), the killed one is replaced and gets healthy, and the endpoint
 * stays InService throughout.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 600, timeUnit = TimeUnit.SECONDS)
class EndpointFaultIT {
  private static final int RATE = 30;
  /** Requests in flight to a container that is killed: with answers in milliseconds, a few at most. */
  private static final int IN_FLIGHT_LOSSES = 5;
  private static final Duration READY = Duration.ofMinutes(4);
  private static final String SUFFIX = Long.toHexString(System.nanoTime());

  private static TestServer server;
  private static Api api;
  private static String modelUrl;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of("dataDir", Files.createTempDirectory("atelier-endpoint-fault-it").toString()));
    api = new Api(server);
    modelUrl = "s3://atelier/endpoint-fault-it/" + SUFFIX + "/model.tar.gz";
    EndpointChecks.fittedModel(api, modelUrl);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static Set<String> healthyIds(JsonObject d) {
    return instances(d).stream().filter(i -> i.getBoolean("Healthy")).map(i -> i.getString("Id"))
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  private static List<JsonObject> instances(JsonObject d) {
    return d.getJsonArray("ProductionVariants").getJsonObject(0).getJsonArray("Instances").stream()
        .map(JsonObject.class::cast).toList();
  }

  @Test
  void aContainerKilledUnderLoadCostsOnlyItsRequestsInFlightAndIsReplaced() throws Exception {
    String m = "fault-" + SUFFIX;
    api.expect(201, HttpMethod.POST, "models", new JsonObject().put("ModelName", m).put("PrimaryContainer",
        new JsonObject().put("Image", EndpointsIT.IMAGE).put("ModelDataUrl", modelUrl)
            .put("Environment", new JsonObject().put("SAGEMAKER_MODEL_SERVER_WORKERS", "1"))));
    api.expect(201, HttpMethod.POST, "endpoint-configs", new JsonObject().put("EndpointConfigName", m)
        .put("ProductionVariants", new JsonArray().add(new JsonObject().put("VariantName", "only").put("ModelName", m)
            .put("InstanceType", "ml.t3.medium").put("InitialInstanceCount", 2).put("InitialVariantWeight", 1))));
    api.expect(201, HttpMethod.POST, "endpoints", new JsonObject().put("EndpointName", m).put("EndpointConfigName", m));
    JsonObject d = api.waitFor(m, status("Failed").or(status("InService").and(x -> healthyIds(x).size() == 2)), READY,
        "InService on two healthy containers");
    assertThat(d.getString("EndpointStatus")).as(d.encode()).isEqualTo("InService");
    List<String> before = new ArrayList<>(healthyIds(d));
    String victim = before.get(0);

    Set<String> statuses = new LinkedHashSet<>();
    long killedAt;
    long outAt = 0;
    long replacedAt;
    SteadyLoad load = new SteadyLoad(server, m, EndpointChecks.ROW.encode(), RATE, Duration.ofMinutes(6));
    try {
      load.awaitAnswers(a -> a.status() == 200, RATE, Duration.ofSeconds(60), "answered before the fault");
      killedAt = System.nanoTime();
      EndpointsIT.docker("kill", victim);
      Instant deadline = Instant.now().plus(READY);
      while (true) {
        statuses.add(d.getString("EndpointStatus"));
        Set<String> healthy = healthyIds(d);
        if (outAt == 0 && !healthy.contains(victim)) {
          outAt = System.nanoTime(); // the router routes to healthy instances only, from here on at the latest
        }
        if (healthy.size() == 2 && !healthy.contains(victim) && instances(d).size() == 2) {
          break;
        }
        assertThat(Instant.now()).as("the killed container replaced by a healthy one: %s", d.encode())
            .isBefore(deadline);
        Thread.sleep(100);
        d = api.describe(m);
      }
      replacedAt = System.nanoTime();
      long replaced = replacedAt;
      load.awaitAnswers(a -> a.status() == 200 && a.sentNanos() >= replaced, 2 * RATE, Duration.ofSeconds(60),
          "answered after the replacement");
    } finally {
      load.close();
    }

    assertThat(statuses).as("the endpoint's status while one container was down").containsExactly("InService");
    List<SteadyLoad.Answer> failures = load.failures();
    assertThat(failures).as("failed invocations (sent at ns, status, error)").hasSizeLessThanOrEqualTo(
        IN_FLIGHT_LOSSES);
    long out = outAt;
    assertThat(failures).as("invocations failed after the router had taken the killed container out")
        .allMatch(f -> f.sentNanos() < out);
    assertThat(failures).as("invocations failed before the container was killed")
        .allMatch(f -> f.sentNanos() >= killedAt - Duration.ofSeconds(30).toNanos());
    assertThat(load.answeredBetween(killedAt, replacedAt)).as("answers by the other container while one was down")
        .isPositive();
    assertThat(load.skipped.get()).as("ticks skipped for too many requests in flight").isZero();

    api.expect(202, HttpMethod.DELETE, "endpoints/" + m, null);
    api.awaitGone(m, Duration.ofSeconds(60));
    assertThat(EndpointsIT.docker("ps", "-aq", "--filter", "label=" + VariantPlan.LABEL_ENDPOINT + "=" + m)).isEmpty();
  }
}
