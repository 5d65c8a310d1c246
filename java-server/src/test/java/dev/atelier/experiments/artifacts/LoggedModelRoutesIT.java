package dev.atelier.experiments.artifacts;

import static dev.atelier.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** MLflow 3's logged models against a real server and its database, bad input included. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class LoggedModelRoutesIT {
  private static final String API = "/atelier/mlflow/api/2.0/mlflow/";
  private static TestServer server;
  private static Vertx vertx;
  private static WebClient http;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of());
    vertx = Vertx.vertx();
    http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(server.port()));
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
    server.close();
  }

  private static HttpResponse<Buffer> call(HttpMethod method, String path, JsonObject body) throws Exception {
    var r = http.request(method, API + path).putHeader("Authorization", "Bearer " + TestServer.TOKEN);
    return await(body == null ? r.send() : r.sendJsonObject(body));
  }

  private static String experiment(String name) throws Exception {
    HttpResponse<Buffer> r = call(HttpMethod.POST, "experiments/create", new JsonObject().put("name", name));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject().getString("experiment_id");
  }

  private static JsonObject create(String experiment, String name) throws Exception {
    HttpResponse<Buffer> r = call(HttpMethod.POST, "logged-models", new JsonObject().put("experiment_id", experiment)
        .put("name", name).put("source_run_id", "run-1").put("model_type", "sklearn")
        .put("tags", new JsonArray().add(new JsonObject().put("key", "flavor").put("value", "sklearn")))
        .put("params", new JsonArray().add(new JsonObject().put("key", "C").put("value", "1.0"))));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject().getJsonObject("model");
  }

  private static void assertError(HttpResponse<Buffer> r, int status, String code) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.bodyAsJsonObject().getString("error_code")).isEqualTo(code);
  }

  @Test
  void aModelIsCreatedFinalizedAndFoundByNameWithItsFilesBelowItsExperiment() throws Exception {
    String exp = experiment("models-a");
    JsonObject model = create(exp, "model");
    JsonObject info = model.getJsonObject("info");
    String id = info.getString("model_id");
    assertThat(id).startsWith("m-");
    assertThat(info.getString("experiment_id")).isEqualTo(exp);
    assertThat(info.getString("artifact_uri")).isEqualTo("mlflow-artifacts:/" + exp + "/models/" + id + "/artifacts");
    assertThat(info.getString("status")).isEqualTo("LOGGED_MODEL_PENDING");
    assertThat(info.getJsonArray("tags")).containsExactly(new JsonObject().put("key", "flavor").put("value", "sklearn"));
    assertThat(model.getJsonObject("data").getJsonArray("params"))
        .containsExactly(new JsonObject().put("key", "C").put("value", "1.0"));

    HttpResponse<Buffer> done = call(HttpMethod.PATCH, "logged-models/" + id,
        new JsonObject().put("model_id", id).put("status", "LOGGED_MODEL_READY"));
    assertThat(done.statusCode()).as(done.bodyAsString()).isEqualTo(200);
    assertThat(call(HttpMethod.GET, "logged-models/" + id, null).bodyAsJsonObject()
        .getJsonObject("model").getJsonObject("info").getString("status")).isEqualTo("LOGGED_MODEL_READY");

    JsonObject found = call(HttpMethod.POST, "logged-models/search", new JsonObject()
        .put("experiment_ids", new JsonArray().add(exp)).put("filter", "name = 'model'")).bodyAsJsonObject();
    assertThat(found.getJsonArray("models")).hasSize(1);
    assertThat(call(HttpMethod.POST, "logged-models/search", new JsonObject()
        .put("experiment_ids", new JsonArray().add(exp)).put("filter", "name = \"other\"")).bodyAsJsonObject()
        .getJsonArray("models")).isEmpty();
    assertThat(call(HttpMethod.POST, "runs/outputs", new JsonObject().put("run_id", "run-1")
        .put("models", new JsonArray().add(new JsonObject().put("model_id", id).put("step", 0)))).statusCode())
        .isEqualTo(200);
  }

  @Test
  void searchPagesThroughEveryModelOnce() throws Exception {
    String exp = experiment("models-pages");
    for (int i = 0; i < 3; i++) {
      create(exp, "m" + i);
    }
    JsonObject first = call(HttpMethod.POST, "logged-models/search", new JsonObject()
        .put("experiment_ids", new JsonArray().add(exp)).put("max_results", 2)).bodyAsJsonObject();
    assertThat(first.getJsonArray("models")).hasSize(2);
    JsonObject second = call(HttpMethod.POST, "logged-models/search", new JsonObject()
        .put("experiment_ids", new JsonArray().add(exp)).put("max_results", 2)
        .put("page_token", first.getString("next_page_token"))).bodyAsJsonObject();
    assertThat(second.getJsonArray("models")).hasSize(1);
    assertThat(second.containsKey("next_page_token")).isFalse();
  }

  @Test
  void badInputIsMlflowsErrorAndChangesNothing() throws Exception {
    String exp = experiment("models-bad");
    assertError(call(HttpMethod.GET, "logged-models/m-nope", null), 404, "RESOURCE_DOES_NOT_EXIST");
    assertError(call(HttpMethod.POST, "logged-models", new JsonObject().put("experiment_id", "999999")), 404,
        "RESOURCE_DOES_NOT_EXIST");
    assertError(call(HttpMethod.POST, "logged-models", new JsonObject().put("name", "x")), 400, "INVALID_PARAMETER_VALUE");
    assertError(call(HttpMethod.POST, "logged-models", new JsonObject().put("experiment_id", "one")), 400,
        "INVALID_PARAMETER_VALUE");
    String id = create(exp, "model").getJsonObject("info").getString("model_id");
    assertError(call(HttpMethod.PATCH, "logged-models/" + id, new JsonObject().put("status", "DONE")), 400,
        "INVALID_PARAMETER_VALUE");
    assertThat(call(HttpMethod.GET, "logged-models/" + id, null).bodyAsJsonObject().getJsonObject("model")
        .getJsonObject("info").getString("status")).isEqualTo("LOGGED_MODEL_PENDING");
    assertError(call(HttpMethod.POST, "logged-models/search", new JsonObject()
        .put("experiment_ids", new JsonArray().add(exp)).put("filter", "metrics.acc > 0.5")), 400, "INVALID_PARAMETER_VALUE");
    assertError(call(HttpMethod.POST, "logged-models/search", new JsonObject()), 400, "INVALID_PARAMETER_VALUE");
    assertError(call(HttpMethod.POST, "runs/outputs", new JsonObject().put("run_id", "r")
        .put("models", new JsonArray().add(new JsonObject().put("model_id", "m-nope")))), 404, "RESOURCE_DOES_NOT_EXIST");
  }
}
