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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * MLflow's API on a real server, fed what a careless or hostile client sends: each refusal carries
 * MLflow's error code and HTTP status, names what was wrong, and changes nothing stored.
 */
@ExtendWith(VertxExtension.class)
@ExtendWith(SharedServer.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class MlflowRoutesIT {
  private static final String API = "/atelier/mlflow/api/2.0/mlflow/";
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

  private static HttpResponse<Buffer> post(String path, String body) throws Exception {
    return await(http.post(API + path).putHeader("Authorization", "Bearer " + TestServer.TOKEN)
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body)));
  }

  private static HttpResponse<Buffer> post(String path, JsonObject body) throws Exception {
    return post(path, body.encode());
  }

  private static HttpResponse<Buffer> get(String pathAndQuery) throws Exception {
    return await(http.get(API + pathAndQuery).putHeader("Authorization", "Bearer " + TestServer.TOKEN).send());
  }

  private static JsonObject ok(HttpResponse<Buffer> r) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  private static JsonObject refused(HttpResponse<Buffer> r, int status, String code, String inMessage) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    JsonObject b = r.bodyAsJsonObject();
    assertThat(b.getString("error_code")).isEqualTo(code);
    assertThat(b.getString("message")).contains(inMessage);
    return b;
  }

  private static String newRun() throws Exception {
    String name = "it-" + UUID.randomUUID();
    String exp = ok(post("experiments/create", new JsonObject().put("name", name))).getString("experiment_id");
    return ok(post("runs/create", new JsonObject().put("experiment_id", exp).put("start_time", 1)))
        .getJsonObject("run").getJsonObject("info").getString("run_id");
  }

  private static JsonObject data(String runId) throws Exception {
    return ok(get("runs/get?run_id=" + runId)).getJsonObject("run").getJsonObject("data");
  }

  @Test
  void aMalformedFilterSaysWhere() throws Exception {
    JsonObject b = refused(post("runs/search", new JsonObject().put("experiment_ids", new JsonArray().add("0"))
        .put("filter", "metrics.rmse < 'low'")), 400, "INVALID_PARAMETER_VALUE", "position 15");
    assertThat(b.getString("message")).contains("expected a number");
    refused(post("runs/search", new JsonObject().put("experiment_ids", new JsonArray().add("0"))
        .put("order_by", new JsonArray().add("metrics.a sideways"))), 400, "INVALID_PARAMETER_VALUE", "ASC or DESC");
    refused(post("experiments/search", new JsonObject().put("filter", "name = ")), 400, "INVALID_PARAMETER_VALUE",
        "ends too early");
  }

  @Test
  void unknownExperimentsAndRunsAreResourceDoesNotExist() throws Exception {
    refused(get("experiments/get?experiment_id=987654"), 404, "RESOURCE_DOES_NOT_EXIST", "987654");
    refused(get("experiments/get-by-name?experiment_name=no-such-" + UUID.randomUUID()), 404,
        "RESOURCE_DOES_NOT_EXIST", "Could not find experiment");
    String missing = UUID.randomUUID().toString().replace("-", "");
    refused(get("runs/get?run_id=" + missing), 404, "RESOURCE_DOES_NOT_EXIST", missing);
    refused(post("runs/log-metric", new JsonObject().put("run_id", missing).put("key", "m").put("value", 1)
        .put("timestamp", 1)), 404, "RESOURCE_DOES_NOT_EXIST", missing);
    refused(post("runs/create", new JsonObject().put("experiment_id", "987654")), 404, "RESOURCE_DOES_NOT_EXIST",
        "987654");
    refused(post("experiments/create", new JsonObject().put("name", "Default")), 400, "RESOURCE_ALREADY_EXISTS",
        "Default");
  }

  @Test
  void anOversizedBatchIsRefusedWhole() throws Exception {
    String run = newRun();
    JsonArray metrics = new JsonArray();
    for (int i = 0; i <= 1000; i++) {
      metrics.add(new JsonObject().put("key", "m").put("value", i).put("timestamp", i).put("step", i));
    }
    refused(post("runs/log-batch", new JsonObject().put("run_id", run).put("metrics", metrics)
        .put("params", new JsonArray().add(new JsonObject().put("key", "p").put("value", "1")))), 400,
        "INVALID_PARAMETER_VALUE", "at most 1000 metrics");
    JsonArray params = new JsonArray();
    for (int i = 0; i <= 100; i++) {
      params.add(new JsonObject().put("key", "p" + i).put("value", "v"));
    }
    refused(post("runs/log-batch", new JsonObject().put("run_id", run).put("params", params)), 400,
        "INVALID_PARAMETER_VALUE", "at most 100 params");
    JsonObject d = data(run);
    assertThat(d.getJsonArray("metrics")).isEmpty();
    assertThat(d.getJsonArray("params")).isEmpty();
  }

  @Test
  void wrongTypesAreRefusedNamingTheField() throws Exception {
    String run = newRun();
    refused(post("runs/log-batch", new JsonObject().put("run_id", run).put("metrics", new JsonArray()
        .add(new JsonObject().put("key", "m").put("value", "high").put("timestamp", 1)))), 400,
        "INVALID_PARAMETER_VALUE", "'metrics.value'");
    refused(post("runs/log-metric", new JsonObject().put("run_id", run).put("key", "m").put("value", 1)
        .put("timestamp", "yesterday")), 400, "INVALID_PARAMETER_VALUE", "'timestamp'");
    refused(post("runs/log-parameter", new JsonObject().put("run_id", run).put("key", 7).put("value", "v")), 400,
        "INVALID_PARAMETER_VALUE", "'key'");
    refused(post("runs/search", new JsonObject().put("experiment_ids", new JsonArray().add("0"))
        .put("max_results", "many")), 400, "INVALID_PARAMETER_VALUE", "'max_results'");
    refused(post("runs/search", new JsonObject().put("experiment_ids", new JsonArray().add("0"))
        .put("max_results", 50_001)), 400, "INVALID_PARAMETER_VALUE", "50000");
    refused(post("runs/log-metric", "{\"run_id\": \"" + run + "\", \"key\": "), 400, "INVALID_PARAMETER_VALUE",
        "not valid JSON");
    refused(post("runs/log-metric", new JsonObject().put("run_id", run).put("key", "../up").put("value", 1)
        .put("timestamp", 1)), 400, "INVALID_PARAMETER_VALUE", "Invalid metric name");
    refused(post("runs/log-metric", new JsonObject().put("run_id", run).put("value", 1).put("timestamp", 1)), 400,
        "INVALID_PARAMETER_VALUE", "'key'");
    assertThat(data(run).getJsonArray("metrics")).isEmpty();
  }

  @Test
  void aParamKeepsItsFirstValueAndADeletedRunTakesNoLogging() throws Exception {
    String run = newRun();
    ok(post("runs/log-parameter", new JsonObject().put("run_id", run).put("key", "lr").put("value", "0.1")));
    refused(post("runs/log-batch", new JsonObject().put("run_id", run)
        .put("metrics", new JsonArray().add(new JsonObject().put("key", "m").put("value", 1).put("timestamp", 1)))
        .put("params", new JsonArray().add(new JsonObject().put("key", "lr").put("value", "0.2")))), 400,
        "INVALID_PARAMETER_VALUE", "Changing param values is not allowed");
    JsonObject d = data(run);
    assertThat(d.getJsonArray("params")).containsExactly(new JsonObject().put("key", "lr").put("value", "0.1"));
    assertThat(d.getJsonArray("metrics")).isEmpty();
    ok(post("runs/delete", new JsonObject().put("run_id", run)));
    refused(post("runs/set-tag", new JsonObject().put("run_id", run).put("key", "t").put("value", "v")), 400,
        "INVALID_PARAMETER_VALUE", "must be in the 'active' state");
    ok(post("runs/restore", new JsonObject().put("run_id", run)));
    ok(post("runs/set-tag", new JsonObject().put("run_id", run).put("key", "t").put("value", "v")));
  }

  @Test
  void nanAndInfinitiesAreValuesAsInMlflow() throws Exception {
    String run = newRun();
    ok(post("runs/log-metric", "{\"run_id\": \"" + run + "\", \"key\": \"m\", \"value\": NaN, \"timestamp\": 1,"
        + " \"step\": 0}"));
    ok(post("runs/log-metric", new JsonObject().put("run_id", run).put("key", "m").put("value", "Infinity")
        .put("timestamp", 2).put("step", 1)));
    ok(post("runs/log-metric", new JsonObject().put("run_id", run).put("key", "m").put("value", "-Infinity")
        .put("timestamp", 3).put("step", 2)));
    JsonArray history = ok(get("metrics/get-history?run_id=" + run + "&metric_key=m")).getJsonArray("metrics");
    assertThat(history.stream().map(o -> ((JsonObject) o).getValue("value")).toList())
        .containsExactly("NaN", "Infinity", "-Infinity");
  }

  @Test
  void aRequestWithoutTheTokenIsRefused() throws Exception {
    HttpResponse<Buffer> r = await(http.get(API + "experiments/get?experiment_id=0").send());
    assertThat(r.statusCode()).isEqualTo(401);
    HttpResponse<Buffer> ajax = await(http.get("/atelier/mlflow/ajax-api/2.0/mlflow/experiments/get?experiment_id=0")
        .putHeader("Authorization", "Bearer " + TestServer.TOKEN).send());
    assertThat(ajax.bodyAsJsonObject().getJsonObject("experiment").getString("name")).isEqualTo("Default");
  }
}
