package dev.atelier.experiments;

import static dev.atelier.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.support.SharedServer;
import dev.atelier.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Atelier's own experiment routes on the real server: the metric summaries the panel shows for a
 * run and for a comparison, computed by the server from what MLflow's log-batch stored, and the
 * 4xx that bad requests get.
 */
@ExtendWith(VertxExtension.class)
@ExtendWith(SharedServer.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class ExperimentApiRoutesIT {
  private static final String MLFLOW = "/atelier/mlflow/api/2.0/mlflow/";
  private static final String SUMMARIES = "/atelier/api/experiments/metric-summaries";
  private static Vertx vertx;
  private static WebClient http;

  @BeforeAll
  static void start(TestServer server) {
    vertx = Vertx.vertx();
    http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(server.port()));
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  private static HttpResponse<Buffer> post(String path, Buffer body) throws Exception {
    return await(http.post(path).putHeader("Authorization", "Bearer " + TestServer.TOKEN)
        .putHeader("Content-Type", "application/json").sendBuffer(body));
  }

  private static JsonObject ok(String path, JsonObject body) throws Exception {
    HttpResponse<Buffer> r = post(path, body.toBuffer());
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  private static String run(String experimentId) throws Exception {
    return ok(MLFLOW + "runs/create", new JsonObject().put("experiment_id", experimentId))
        .getJsonObject("run").getJsonObject("info").getString("run_id");
  }

  private static JsonObject metric(String key, Object value, long step) {
    return new JsonObject().put("key", key).put("value", value).put("timestamp", 1_700_000_000_000L + step)
        .put("step", step);
  }

  @Test
  void summariesOfRunsAreComputedByTheServerInTheOrderAsked() throws Exception {
    String exp = ok(MLFLOW + "experiments/create", new JsonObject().put("name", "summaries-" + UUID.randomUUID()))
        .getString("experiment_id");
    String a = run(exp);
    String b = run(exp);
    ok(MLFLOW + "runs/log-batch", new JsonObject().put("run_id", a).put("metrics", new JsonArray()
        .add(metric("loss", 3, 0)).add(metric("loss", 1, 1)).add(metric("loss", 2, 2)).add(metric("loss", "NaN", 3))
        .add(metric("acc", "Infinity", 0))));
    ok(MLFLOW + "runs/log-batch", new JsonObject().put("run_id", b).put("metrics", new JsonArray()
        .add(metric("loss", 4, 0))));

    JsonArray runs = ok(SUMMARIES, new JsonObject().put("run_ids", new JsonArray().add(b).add(a))).getJsonArray("runs");
    assertThat(runs.stream().map(r -> ((JsonObject) r).getString("run_id"))).containsExactly(b, a);
    JsonArray ofA = runs.getJsonObject(1).getJsonArray("metrics");
    assertThat(ofA.stream().map(m -> ((JsonObject) m).getString("key"))).containsExactly("acc", "loss");
    JsonObject acc = ofA.getJsonObject(0);
    assertThat(acc.getValue("last")).isEqualTo("Infinity");
    assertThat(acc.getValue("max")).isEqualTo("Infinity");
    JsonObject loss = ofA.getJsonObject(1);
    // The latest point is NaN (step 3); the aggregates are over the three numbers.
    assertThat(loss.getValue("last")).isEqualTo("NaN");
    assertThat(loss.getLong("last_step")).isEqualTo(3);
    assertThat(loss.getDouble("min")).isEqualTo(1.0);
    assertThat(loss.getDouble("max")).isEqualTo(3.0);
    assertThat(loss.getLong("count")).isEqualTo(3);
    assertThat(loss.getDouble("avg")).isEqualTo(2.0);
    assertThat(loss.getDouble("stddev")).isCloseTo(Math.sqrt(2.0 / 3), org.assertj.core.data.Offset.offset(1e-9));
    JsonObject ofB = runs.getJsonObject(0).getJsonArray("metrics").getJsonObject(0);
    assertThat(ofB.getDouble("stddev")).isEqualTo(0.0);

    JsonArray onlyAcc = ok(SUMMARIES, new JsonObject().put("run_ids", new JsonArray().add(a).add(b))
        .put("metric_keys", new JsonArray().add("acc"))).getJsonArray("runs");
    assertThat(onlyAcc.getJsonObject(0).getJsonArray("metrics")).hasSize(1);
    assertThat(onlyAcc.getJsonObject(1).getJsonArray("metrics")).isEmpty();
  }

  @Test
  void badRequestsAreA4xxNamingTheField() throws Exception {
    String a = run("0");
    assertBad(new JsonObject().toBuffer(), 400, "run_ids");
    assertBad(new JsonObject().put("run_ids", a).toBuffer(), 400, "run_ids");
    assertBad(new JsonObject().put("run_ids", new JsonArray().add(7)).toBuffer(), 400, "run_ids");
    assertBad(new JsonObject().put("run_ids", new JsonArray().add(a)).put("metric_keys", new JsonArray().add(""))
        .toBuffer(), 400, "metric_keys");
    JsonArray many = new JsonArray();
    IntStream.range(0, ExperimentApiRoutes.MAX_RUNS + 1).forEach(i -> many.add(a));
    assertBad(new JsonObject().put("run_ids", many).toBuffer(), 400, "at most");
    assertBad(Buffer.buffer("{\"run_ids\": ["), 400, "JSON");
    assertBad(new JsonObject().put("run_ids", new JsonArray().add(a).add("no-such-run")).toBuffer(), 404,
        "no-such-run");
  }

  private static void assertBad(Buffer body, int status, String named) throws Exception {
    HttpResponse<Buffer> r = post(SUMMARIES, body);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.bodyAsJsonObject().getString("message")).contains(named);
  }
}
