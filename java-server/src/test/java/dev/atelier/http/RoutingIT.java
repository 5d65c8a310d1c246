package dev.atelier.http;

import static dev.atelier.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.support.SharedServer;
import dev.atelier.support.TestServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What every route answers before its own work: a wrong method is a 405 naming the methods the
 * path serves (as tornado answers on jupyter_server's and Kernel Gateway's paths), an empty query
 * value is a 400 naming the parameter, and an idle rule is taken for every listed type.
 */
@ExtendWith(VertxExtension.class)
@ExtendWith(SharedServer.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class RoutingIT {
  private static final String KERNEL = "/api/kernels/0b7a6f0e-2d4b-4c1e-9d7e-3f1a2b3c4d5e";
  /** Every path the server serves (with sample parameters), and the methods it serves it with. */
  private static final Map<String, List<String>> PATHS = Map.ofEntries(
      Map.entry("/api", List.of("GET")),
      Map.entry("/api/kernelspecs", List.of("GET")),
      Map.entry("/api/kernelspecs/python3", List.of("GET")),
      Map.entry("/kernelspecs/python3/logo-64x64.png", List.of("GET")),
      Map.entry("/api/kernels", List.of("GET", "POST")),
      Map.entry(KERNEL, List.of("DELETE", "GET")),
      Map.entry(KERNEL + "/interrupt", List.of("POST")),
      Map.entry(KERNEL + "/restart", List.of("POST")),
      Map.entry(KERNEL + "/channels", List.of("GET")),
      Map.entry("/atelier/api/health", List.of("GET")),
      Map.entry("/atelier/api/kernels", List.of("GET")),
      Map.entry("/atelier/api/events", List.of("GET")),
      Map.entry("/atelier/api/experiments/run-counts", List.of("GET")),
      Map.entry("/atelier/api/experiments/metric-summaries", List.of("POST")),
      Map.entry("/atelier/api/instance-types", List.of("GET")),
      Map.entry("/atelier/api/images", List.of("GET")),
      Map.entry("/atelier/api/instances", List.of("GET")),
      Map.entry("/atelier/api/instances/i-0123456789abcdef", List.of("DELETE")),
      Map.entry("/atelier/api/usage", List.of("GET")),
      Map.entry("/atelier/api/openapi.yaml", List.of("GET")),
      Map.entry("/atelier/api/idle-policy", List.of("GET")),
      Map.entry("/atelier/api/idle-policy/ml.t3.medium", List.of("PUT")),
      Map.entry("/atelier/api/objects", List.of("GET", "PUT")),
      Map.entry("/atelier/api/objects/list", List.of("GET")),
      Map.entry("/atelier/api/training-jobs", List.of("GET", "POST")),
      Map.entry("/atelier/api/training-jobs/job-1", List.of("GET")),
      Map.entry("/atelier/api/training-jobs/job-1/stop", List.of("POST")),
      Map.entry("/atelier/api/training-jobs/job-1/logs", List.of("GET")),
      Map.entry("/atelier/api/training-jobs/job-1/metrics", List.of("GET")),
      Map.entry("/atelier/api/processing-jobs", List.of("GET", "POST")),
      Map.entry("/atelier/api/processing-jobs/job-1", List.of("GET")),
      Map.entry("/atelier/api/processing-jobs/job-1/stop", List.of("POST")),
      Map.entry("/atelier/api/processing-jobs/job-1/logs", List.of("GET")),
      Map.entry("/atelier/api/jobs", List.of("GET")),
      Map.entry("/atelier/api/models", List.of("GET", "POST")),
      Map.entry("/atelier/api/models/model-1", List.of("DELETE", "GET")),
      Map.entry("/atelier/api/endpoint-configs", List.of("GET", "POST")),
      Map.entry("/atelier/api/endpoint-configs/config-1", List.of("DELETE", "GET")),
      Map.entry("/atelier/api/endpoints", List.of("GET", "POST")),
      Map.entry("/atelier/api/endpoints/metrics", List.of("DELETE", "GET")),
      Map.entry("/atelier/api/endpoints/endpoint-1", List.of("DELETE", "GET")),
      Map.entry("/atelier/api/endpoints/endpoint-1/weights-and-capacities", List.of("POST")),
      Map.entry("/atelier/api/endpoints/endpoint-1/update", List.of("POST")),
      Map.entry("/atelier/api/endpoints/endpoint-1/metrics", List.of("GET")),
      Map.entry("/atelier/api/endpoints/endpoint-1/invocations", List.of("POST")),
      Map.entry("/atelier/api/endpoints/endpoint-1/capture", List.of("GET")),
      Map.entry("/atelier/api/endpoints/endpoint-1/variants/variant-1/scaling", List.of("DELETE", "GET", "PUT")),
      Map.entry("/endpoints/endpoint-1/invocations", List.of("POST")),
      Map.entry("/atelier/mlflow/api/2.0/mlflow/runs/log-batch", List.of("POST")),
      Map.entry("/atelier/mlflow/api/2.0/mlflow/runs/get", List.of("GET", "POST")),
      Map.entry("/atelier/mlflow/ajax-api/2.0/mlflow/experiments/create", List.of("POST")));
  private static final List<HttpMethod> METHODS = List.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT,
      HttpMethod.DELETE, HttpMethod.PATCH, HttpMethod.OPTIONS);

  private static WebClient http;

  @BeforeAll
  static void start(TestServer shared) {
    http = shared.http();
  }

  private static HttpResponse<Buffer> call(HttpMethod method, String uri) throws Exception {
    return await(http.request(method, uri).putHeader("Authorization", "token " + TestServer.TOKEN).send());
  }

  @Test
  void aWrongMethodIs405WithTheAllowedMethodsOnEveryPath() throws Exception {
    for (Map.Entry<String, List<String>> e : PATHS.entrySet()) {
      for (HttpMethod m : METHODS) {
        if (e.getValue().contains(m.name())) {
          continue;
        }
        HttpResponse<Buffer> r = call(m, e.getKey());
        assertThat(r.statusCode()).as(m + " " + e.getKey() + ": " + r.bodyAsString()).isEqualTo(405);
        assertThat(r.getHeader("Allow")).as(m + " " + e.getKey()).isEqualTo(String.join(", ", e.getValue()));
        JsonObject body = r.bodyAsJsonObject();
        assertThat(body.getString("reason")).isEqualTo("Method Not Allowed");
        assertThat(body.getString("message")).contains(m.name()).contains(String.join(", ", e.getValue()));
      }
    }
  }

  @Test
  void aPathServedByNoMethodIsStill404() throws Exception {
    for (String path : List.of("/atelier/api/nothing", "/api/kernels/" + "x/y/z", "/atelier/api/training-jobs/a/b/c")) {
      HttpResponse<Buffer> r = call(HttpMethod.PUT, path);
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      assertThat(r.getHeader("Allow")).as(path).isNull();
    }
  }

  @Test
  void anEmptyQueryValueIs400NamingTheParameter() throws Exception {
    for (String[] c : new String[][] {
        {"/atelier/api/usage?from=", "from"}, {"/atelier/api/usage?to=", "to"},
        {"/atelier/api/training-jobs?status=", "status"}, {"/atelier/api/training-jobs?name_contains=", "name_contains"},
        {"/atelier/api/training-jobs?instance_type=", "instance_type"},
        {"/atelier/api/training-jobs?created_by=", "created_by"},
        {"/atelier/api/training-jobs?max_results=", "max_results"},
        {"/atelier/api/processing-jobs?status=", "status"}, {"/atelier/api/jobs?kind=", "kind"},
        {"/atelier/api/jobs?name_contains=", "name_contains"},
        {"/atelier/api/training-jobs/job-1/logs?nextToken=", "nextToken"},
        {"/atelier/api/training-jobs/job-1/logs?limit=", "limit"},
        {"/atelier/api/objects?uri=", "uri"}, {"/atelier/api/objects/list?prefix=", "prefix"}}) {
      HttpResponse<Buffer> r = call(HttpMethod.GET, c[0]);
      assertThat(r.statusCode()).as(c[0] + ": " + r.bodyAsString()).isEqualTo(400);
      assertThat(r.bodyAsJsonObject().getString("message")).as(c[0]).startsWith(c[1] + ":");
    }
  }

  @Test
  void anIdleRuleIsTakenForAListedTypeThisHostCannotRun() throws Exception {
    JsonObject types = call(HttpMethod.GET, "/atelier/api/instance-types").bodyAsJsonObject();
    JsonObject gpu = types.getJsonArray("instance_types").stream().map(JsonObject.class::cast)
        .filter(t -> t.getString("name").equals("ml.g4dn.xlarge")).findFirst().orElseThrow();
    assertThat(gpu.getBoolean("available")).as("this test needs a host without a GPU").isFalse();
    HttpResponse<Buffer> r = await(http.request(HttpMethod.PUT, "/atelier/api/idle-policy/ml.g4dn.xlarge")
        .putHeader("Authorization", "token " + TestServer.TOKEN)
        .sendJsonObject(new JsonObject().put("kernel_idle_minutes", 30)));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getInteger("kernel_idle_minutes")).isEqualTo(30);
  }
}
