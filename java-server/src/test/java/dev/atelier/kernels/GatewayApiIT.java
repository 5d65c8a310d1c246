package dev.atelier.kernels;

import static dev.atelier.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.support.KernelSocket;
import dev.atelier.support.SharedServer;
import dev.atelier.support.TestServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every Kernel Gateway route against a real server with real ipykernel, including bad input. */
@ExtendWith(VertxExtension.class)
@ExtendWith(SharedServer.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class GatewayApiIT {
  private static final String TIME = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z";
  private static TestServer server;
  private static WebClient http;

  @BeforeAll
  static void start(TestServer shared) {
    server = shared;
    http = shared.http();
  }

  private static HttpResponse<Buffer> call(HttpMethod method, String path, String body) throws Exception {
    var req = http.request(method, path).putHeader("Authorization", "token " + TestServer.TOKEN);
    return await(body == null ? req.send() : req.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body)));
  }

  private static String startKernel() throws Exception {
    HttpResponse<Buffer> r = call(HttpMethod.POST, "/api/kernels", "{\"name\":\"python3\",\"env\":{\"KERNEL_USERNAME\":\"me\"}}");
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    return r.bodyAsJsonObject().getString("id");
  }

  @Test
  void everyRouteRefusesMissingOrWrongToken() throws Exception {
    for (String path : new String[] {"/api/kernelspecs", "/api/kernels", "/atelier/api/kernels", "/kernelspecs/python3/logo-64x64.png"}) {
      HttpResponse<Buffer> none = await(http.get(path).send());
      assertThat(none.statusCode()).as(path).isEqualTo(401);
      assertThat(none.bodyAsJsonObject().getString("message")).contains("token");
      HttpResponse<Buffer> wrong = await(http.get(path).putHeader("Authorization", "token nope").send());
      assertThat(wrong.statusCode()).as(path).isEqualTo(401);
      HttpResponse<Buffer> query = await(http.get(path + "?token=" + TestServer.TOKEN).send());
      assertThat(query.statusCode()).as(path).isIn(200);
    }
    HttpResponse<Buffer> post = await(http.post("/api/kernels").sendJsonObject(new JsonObject()));
    assertThat(post.statusCode()).isEqualTo(401);
  }

  @Test
  void kernelspecsListPython3WithDebuggerAndLogos() throws Exception {
    JsonObject all = call(HttpMethod.GET, "/api/kernelspecs", null).bodyAsJsonObject();
    assertThat(all.getString("default")).isEqualTo("python3");
    JsonObject py = all.getJsonObject("kernelspecs").getJsonObject("python3");
    assertThat(py.getString("name")).isEqualTo("python3");
    JsonObject spec = py.getJsonObject("spec");
    assertThat(spec.getJsonArray("argv")).isNotEmpty();
    assertThat(spec.getString("language")).isEqualTo("python");
    assertThat(spec.getString("display_name")).isNotBlank();
    assertThat(spec.getJsonObject("metadata").getBoolean("debugger")).isTrue();
    String logo = py.getJsonObject("resources").getString("logo-64x64");
    assertThat(logo).isEqualTo("/kernelspecs/python3/logo-64x64.png");
    HttpResponse<Buffer> png = call(HttpMethod.GET, logo, null);
    assertThat(png.statusCode()).isEqualTo(200);
    assertThat(png.getHeader("Content-Type")).isEqualTo("image/png");
    assertThat(png.body().getBytes(0, 4)).containsExactly(0x89, 'P', 'N', 'G');
    assertThat(call(HttpMethod.GET, "/api/kernelspecs/python3", null).bodyAsJsonObject().getString("name")).isEqualTo("python3");
  }

  @Test
  void unknownKernelspecsAndResourcesAre404AndTraversalIsRefused() throws Exception {
    HttpResponse<Buffer> spec = call(HttpMethod.GET, "/api/kernelspecs/nope", null);
    assertThat(spec.statusCode()).isEqualTo(404);
    assertThat(spec.bodyAsJsonObject().getString("message")).contains("nope");
    HttpResponse<Buffer> start = call(HttpMethod.POST, "/api/kernels", "{\"name\":\"nope\"}");
    assertThat(start.statusCode()).isEqualTo(404);
    assertThat(start.bodyAsJsonObject().getString("message")).contains("nope").contains("python3");
    assertThat(call(HttpMethod.GET, "/kernelspecs/python3/missing.png", null).statusCode()).isEqualTo(404);
    assertThat(call(HttpMethod.GET, "/kernelspecs/python3/..%2Fkernel.json", null).statusCode()).isIn(400, 404);
    assertThat(call(HttpMethod.GET, "/kernelspecs/python3/..", null).statusCode()).isIn(400, 404);
  }

  @Test
  void badStartBodiesAre400NamingTheField() throws Exception {
    HttpResponse<Buffer> malformed = call(HttpMethod.POST, "/api/kernels", "{\"name\": ");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(malformed.bodyAsJsonObject().getString("message")).contains("not valid JSON");
    assertThat(malformed.bodyAsJsonObject().getString("reason")).isEqualTo("Bad Request");
    assertThat(call(HttpMethod.POST, "/api/kernels", "[1]").bodyAsJsonObject().getString("message")).contains("JSON object");
    HttpResponse<Buffer> name = call(HttpMethod.POST, "/api/kernels", "{\"name\": 5}");
    assertThat(name.statusCode()).isEqualTo(400);
    assertThat(name.bodyAsJsonObject().getString("message")).contains("'name'");
    HttpResponse<Buffer> env = call(HttpMethod.POST, "/api/kernels", "{\"env\": [\"A=1\"]}");
    assertThat(env.statusCode()).isEqualTo(400);
    assertThat(env.bodyAsJsonObject().getString("message")).contains("'env'");
    HttpResponse<Buffer> envValue = call(HttpMethod.POST, "/api/kernels", "{\"env\": {\"KERNEL_X\": 1}}");
    assertThat(envValue.statusCode()).isEqualTo(400);
    assertThat(envValue.bodyAsJsonObject().getString("message")).contains("'env.KERNEL_X'");
  }

  @Test
  void oversizedBodiesAre413() throws Exception {
    String huge = "{\"env\":{\"X\":\"" + "a".repeat(2 << 20) + "\"}}";
    HttpResponse<Buffer> r = call(HttpMethod.POST, "/api/kernels", huge);
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.bodyAsJsonObject().getString("message")).isNotBlank();
  }

  @Test
  void unknownKernelsAre404OnEveryRoute() throws Exception {
    String id = "00000000-0000-0000-0000-000000000000";
    assertThat(call(HttpMethod.GET, "/api/kernels/" + id, null).statusCode()).isEqualTo(404);
    assertThat(call(HttpMethod.DELETE, "/api/kernels/" + id, null).statusCode()).isEqualTo(404);
    assertThat(call(HttpMethod.POST, "/api/kernels/" + id + "/interrupt", null).statusCode()).isEqualTo(404);
    assertThat(call(HttpMethod.POST, "/api/kernels/" + id + "/restart", null).statusCode()).isEqualTo(404);
    assertThat(call(HttpMethod.GET, "/api/kernels/" + id + "/channels", null).statusCode()).isEqualTo(404);
    assertThat(call(HttpMethod.GET, "/api/kernels/not-a-uuid", null).statusCode()).isEqualTo(404);
    assertThat(call(HttpMethod.GET, "/api/nothing-here", null).statusCode()).isEqualTo(404);
  }

  @Test
  void kernelLifecycleModelsMatchTheGatewayContract() throws Exception {
    String id = startKernel();
    assertThat(id).matches("\\w+-\\w+-\\w+-\\w+-\\w+");
    JsonObject model = call(HttpMethod.GET, "/api/kernels/" + id, null).bodyAsJsonObject();
    assertThat(model.fieldNames()).containsExactlyInAnyOrder("id", "name", "last_activity", "execution_state", "connections");
    assertThat(model.getString("last_activity")).matches(TIME);
    assertThat(model.getString("execution_state")).isEqualTo("idle");
    assertThat(model.getInteger("connections")).isZero();
    JsonArray list = call(HttpMethod.GET, "/api/kernels", null).bodyAsJsonArray();
    assertThat(list.stream().map(o -> ((JsonObject) o).getString("id"))).contains(id);
    assertThat(call(HttpMethod.POST, "/api/kernels/" + id + "/interrupt", null).statusCode()).isEqualTo(204);
    assertThat(call(HttpMethod.DELETE, "/api/kernels/" + id, null).statusCode()).isEqualTo(204);
    assertThat(call(HttpMethod.GET, "/api/kernels/" + id, null).statusCode()).isEqualTo(404);
  }

  @Test
  void restartReturnsOnlyAfterKernelInfoReplyAndForgetsState() throws Exception {
    String id = startKernel();
    try (KernelSocket ws = KernelSocket.open(server.clientVertx(), server.port(), id, "s-restart")) {
      String set = ws.send("shell", "execute_request", java.util.Map.of("code", "x = 41", "silent", false));
      ws.collectUntilIdle(set, 30_000);
      HttpResponse<Buffer> r = call(HttpMethod.POST, "/api/kernels/" + id + "/restart", null);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.bodyAsJsonObject().getString("execution_state")).isEqualTo("idle");
      ws.clear();
      String use = ws.send("shell", "execute_request", java.util.Map.of("code", "x + 1", "silent", false));
      var reply = ws.next(m -> KernelSocket.type("execute_reply").test(m)
          && use.equals(m.path("parent_header").path("msg_id").asText()), 30_000);
      assertThat(reply.path("content").path("ename").asText()).isEqualTo("NameError");
    } finally {
      call(HttpMethod.DELETE, "/api/kernels/" + id, null);
    }
  }

  @Test
  void atelierApiAddsNotebookPathAndLiveState() throws Exception {
    String body = "{\"name\":\"python3\",\"env\":{\"JPY_SESSION_NAME\":\"" + server.rootDir().resolve("work/a.ipynb") + "\"}}";
    String id = call(HttpMethod.POST, "/api/kernels", body).bodyAsJsonObject().getString("id");
    try {
      JsonArray kernels = call(HttpMethod.GET, "/atelier/api/kernels", null).bodyAsJsonObject().getJsonArray("kernels");
      JsonObject k = kernels.stream().map(o -> (JsonObject) o).filter(o -> id.equals(o.getString("id"))).findFirst().orElseThrow();
      assertThat(k.getString("path")).isEqualTo("work/a.ipynb");
      assertThat(k.getString("display_name")).isNotBlank();
      assertThat(k.getString("started")).matches(TIME);
      assertThat(k.getString("execution_state")).isEqualTo("idle");
    } finally {
      call(HttpMethod.DELETE, "/api/kernels/" + id, null);
    }
  }
}
