package dev.atelier.kernels;

import static dev.atelier.support.KernelSocket.type;
import static dev.atelier.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.http.Json;
import dev.atelier.support.KernelSocket;
import dev.atelier.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.core.buffer.Buffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A kernel that dies comes back as in stock jupyter_server, run against real ipykernel on each
 * runtime by a short subclass: the cell {@code os.kill(os.getpid(), SIGKILL)} gives iopub
 * {@code restarting}, then the restarted kernel answers on the same WebSocket (requests sent
 * meanwhile included) and on a new one; the restart limit ends in {@code dead} with the reason;
 * Restart Kernel brings a dead kernel back; a dead kernel no longer holds its instance up; a
 * stopped instance tells its notebooks why and a restart brings them back on a new instance.
 * The server runs with a restart limit of 1 and a 1 s instance grace, so that the limit and the
 * countdown are reached quickly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
abstract class KernelRecoveryContract {
  static final String KILL = "import os, signal; os.kill(os.getpid(), signal.SIGKILL)";

  private TestServer server;
  private Vertx vertx;
  private WebClient http;
  private String kernelId;

  /** Server settings of the runtime under test (such as its default image). */
  protected abstract Map<String, String> runtimeConfig();

  /** The runtime instances of this test run on: {@code process} or {@code docker}. */
  protected abstract String runtime();

  @BeforeAll
  void start() throws Exception {
    Map<String, String> config = new HashMap<>(runtimeConfig());
    config.put("kernelRestartLimit", "1");
    config.put("instanceStopGraceSeconds", "1");
    server = TestServer.start(config);
    vertx = Vertx.vertx();
    http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(server.port()));
  }

  @AfterAll
  void stop() throws Exception {
    if (vertx != null) {
      await(vertx.close());
    }
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void newKernel() throws Exception {
    var r = await(http.post("/api/kernels").putHeader("Authorization", auth())
        .sendJsonObject(new JsonObject().put("name", "python3")));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    kernelId = r.bodyAsJsonObject().getString("id");
    assertThat(atelierModel().path("image").asText()).isEqualTo(runtimeConfig().getOrDefault("defaultImage", "local"));
  }

  @AfterEach
  void deleteKernel() throws Exception {
    await(http.delete("/api/kernels/" + kernelId).putHeader("Authorization", auth()).send());
  }

  private static String auth() {
    return "token " + TestServer.TOKEN;
  }

  private KernelSocket socket() throws Exception {
    return KernelSocket.open(vertx, server.port(), kernelId, UUID.randomUUID().toString());
  }

  private static Map<String, Object> code(String source) {
    return Map.of("code", source, "silent", false, "store_history", true, "allow_stdin", false, "stop_on_error", true);
  }

  private static Predicate<JsonNode> status(String state) {
    return m -> type("status").test(m) && "iopub".equals(m.path("channel").asText())
        && state.equals(m.path("content").path("execution_state").asText());
  }

  /** Runs {@code expr} and returns its text/plain result. */
  private static String eval(KernelSocket ws, String expr) throws Exception {
    return result(ws, ws.send("shell", "execute_request", code(expr)));
  }

  private static String result(KernelSocket ws, String msgId) throws Exception {
    List<JsonNode> msgs = ws.collectUntilIdle(msgId, 90_000);
    return msgs.stream().filter(type("execute_result").or(type("error"))).findFirst()
        .map(m -> m.path("content").has("ename") ? "error: " + m.path("content").path("ename").asText()
            : m.path("content").path("data").path("text/plain").asText())
        .orElseThrow(() -> new AssertionError("no result among " + msgs));
  }

  private JsonNode gatewayModel() throws Exception {
    HttpResponse<Buffer> r = await(http.get("/api/kernels/" + kernelId).putHeader("Authorization", auth()).send());
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return Json.mapper().readTree(r.bodyAsString());
  }

  private JsonNode atelierModel() throws Exception {
    HttpResponse<Buffer> r = await(http.get("/atelier/api/kernels").putHeader("Authorization", auth()).send());
    for (JsonNode k : Json.mapper().readTree(r.bodyAsString()).path("kernels")) {
      if (kernelId.equals(k.path("id").asText())) {
        return k;
      }
    }
    throw new AssertionError("kernel " + kernelId + " is not in /atelier/api/kernels");
  }

  private JsonNode instance(String id) throws Exception {
    HttpResponse<Buffer> r = await(http.get("/atelier/api/instances").putHeader("Authorization", auth()).send());
    for (JsonNode i : Json.mapper().readTree(r.bodyAsString()).path("instances")) {
      if (id.equals(i.path("id").asText())) {
        return i;
      }
    }
    return null;
  }

  /** Polls the model until it matches (the state settles a moment after the messages). */
  private JsonNode awaitModel(Predicate<JsonNode> match, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    JsonNode m = gatewayModel();
    while (!match.test(m)) {
      assertThat(System.nanoTime()).as(what + "; last model " + m).isLessThan(deadline);
      TimeUnit.MILLISECONDS.sleep(100);
      m = gatewayModel();
    }
    return m;
  }

  @Test
  void aKernelThatKillsItselfIsRestartedAndAnswersOnTheSameSocketAndOnANewOne() throws Exception {
    try (KernelSocket ws = socket()) {
      assertThat(eval(ws, "gone = 1; gone")).isEqualTo("1");
      ws.send("shell", "execute_request", code(KILL));
      ws.next(status("restarting"), 15_000);
      // Sent while the kernel is being started again: the new kernel answers it.
      String afterDeath = ws.send("shell", "execute_request", code("6*7"));
      assertThat(result(ws, afterDeath)).isEqualTo("42");
      assertThat(eval(ws, "gone")).as("a new kernel process").isEqualTo("error: NameError");
      try (KernelSocket fresh = socket()) {
        assertThat(eval(fresh, "'fresh'")).isEqualTo("'fresh'");
        awaitModel(k -> "idle".equals(k.path("execution_state").asText())
            && k.path("connections").asInt() == 2, "idle with two connections");
        JsonNode m = atelierModel();
        assertThat(m.path("execution_state").asText()).isEqualTo("idle");
        assertThat(m.path("restart_count").asInt()).isEqualTo(1);
        assertThat(m.path("restart_limit").asInt()).isEqualTo(1);
        assertThat(m.path("reason").isNull()).isTrue();
        JsonNode death = m.path("last_death");
        assertThat(death.path("signal").asInt()).isEqualTo(9);
        assertThat(death.path("reason").asText()).contains("signal 9 (SIGKILL)");
        assertThat(death.path("restarted").asBoolean()).isTrue();
        assertThat(death.path("oom_killed").asBoolean()).isFalse();
      }
    }
  }

  @Test
  void aKernelThatKeepsDyingIsLeftDeadWithTheReasonAndRestartBringsItBack() throws Exception {
    try (KernelSocket ws = socket()) {
      ws.send("shell", "execute_request", code(KILL));
      ws.next(status("restarting"), 15_000);
      assertThat(eval(ws, "1+1")).isEqualTo("2");
      ws.send("shell", "execute_request", code(KILL));
      JsonNode dead = ws.next(status("dead"), 15_000);
      assertThat(dead.path("metadata").path("reason").asText()).contains("SIGKILL").contains("restarted once");
      awaitModel(k -> "dead".equals(k.path("execution_state").asText()), "dead");
      JsonNode m = atelierModel();
      assertThat(m.path("reason").asText()).contains("signal 9 (SIGKILL)").contains("left dead");
      assertThat(m.path("last_death").path("restarted").asBoolean()).isFalse();
      assertThat(dead.path("metadata").path("reason").asText()).isEqualTo(m.path("reason").asText());
      // A client that joins a dead kernel learns it is dead.
      try (KernelSocket late = socket()) {
        late.next(status("dead"), 10_000);
      }
      var r = await(http.post("/api/kernels/" + kernelId + "/restart").putHeader("Authorization", auth())
          .sendJsonObject(new JsonObject()));
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
      assertThat(r.bodyAsJsonObject().getString("execution_state")).isEqualTo("idle");
      assertThat(eval(ws, "'back'")).isEqualTo("'back'");
      try (KernelSocket fresh = socket()) {
        assertThat(eval(fresh, "3*3")).isEqualTo("9");
      }
      JsonNode after = atelierModel();
      assertThat(after.path("execution_state").asText()).isEqualTo("idle");
      assertThat(after.path("reason").isNull()).isTrue();
      assertThat(after.path("restart_count").asInt()).isZero();
    }
  }

  @Test
  void aDeadKernelNoLongerHoldsItsInstanceUpAndRestartStartsANewOne() throws Exception {
    JsonNode before = atelierModel();
    String instanceId = before.path("instance_id").asText();
    try (KernelSocket ws = socket()) {
      for (int i = 0; i < 2; i++) {
        if (i > 0) {
          assertThat(eval(ws, "0")).isEqualTo("0");
        }
        ws.send("shell", "execute_request", code(KILL));
        ws.next(status(i == 0 ? "restarting" : "dead"), 15_000);
      }
      // Its only kernel is dead: the grace countdown runs, then the instance stops.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (instance(instanceId) != null) {
        assertThat(System.nanoTime()).as("instance %s stops once its only kernel is dead", instanceId).isLessThan(deadline);
        TimeUnit.MILLISECONDS.sleep(200);
      }
      assertThat(atelierModel().path("execution_state").asText()).isEqualTo("dead");
      var r = await(http.post("/api/kernels/" + kernelId + "/restart").putHeader("Authorization", auth())
          .sendJsonObject(new JsonObject()));
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
      assertThat(eval(ws, "'on a new instance'")).isEqualTo("'on a new instance'");
      JsonNode after = atelierModel();
      assertThat(after.path("instance_id").asText()).isNotEqualTo(instanceId);
      assertThat(after.path("instance_type").asText()).isEqualTo(before.path("instance_type").asText());
      assertThat(after.path("image").asText()).isEqualTo(before.path("image").asText());
      assertThat(instance(after.path("instance_id").asText()).path("runtime").asText()).isEqualTo(runtime());
    }
  }

  @Test
  void stoppingAnInstanceTellsItsNotebooksWhyAndRestartBringsThemBackOnANewInstance() throws Exception {
    JsonNode before = atelierModel();
    String instanceId = before.path("instance_id").asText();
    try (KernelSocket ws = socket()) {
      assertThat(eval(ws, "1")).isEqualTo("1");
      var stop = await(http.delete("/atelier/api/instances/" + instanceId).putHeader("Authorization", auth()).send());
      assertThat(stop.statusCode()).as(stop.bodyAsString()).isEqualTo(204);
      JsonNode dead = ws.next(status("dead"), 15_000);
      assertThat(dead.path("metadata").path("reason").asText()).contains(instanceId).contains("stopped by a user");
      JsonNode m = atelierModel();
      assertThat(m.path("execution_state").asText()).isEqualTo("dead");
      assertThat(m.path("reason").asText()).contains("stopped by a user").contains("restart the kernel");
      var r = await(http.post("/api/kernels/" + kernelId + "/restart").putHeader("Authorization", auth())
          .sendJsonObject(new JsonObject()));
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
      assertThat(eval(ws, "'same socket'")).isEqualTo("'same socket'");
      try (KernelSocket fresh = socket()) {
        assertThat(eval(fresh, "'new socket'")).isEqualTo("'new socket'");
      }
      JsonNode after = atelierModel();
      assertThat(after.path("instance_id").asText()).isNotEqualTo(instanceId);
      assertThat(after.path("instance_type").asText()).isEqualTo(before.path("instance_type").asText());
      assertThat(after.path("image").asText()).isEqualTo(before.path("image").asText());
    }
  }

  /**
   * A kernel whose process exits on launch: {@code sitecustomize} in a directory on its
   * PYTHONPATH (relative, so it resolves in the kernel's working directory on every runtime) ends
   * the process with code 3, on its first launch only or on every one.
   */
  private String exitingOnLaunch(boolean everyTime) throws Exception {
    String dir = ".exits-on-launch-" + UUID.randomUUID();
    java.nio.file.Path d = java.nio.file.Files.createDirectories(server.rootDir().resolve(dir));
    java.nio.file.Files.writeString(d.resolve("sitecustomize.py"), everyTime ? "import os\nos._exit(3)\n"
        : "import os\nmarker = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'exited')\n"
          + "if not os.path.exists(marker):\n    open(marker, 'w').close()\n    os._exit(3)\n");
    return dir;
  }

  private HttpResponse<Buffer> startWithPythonPath(String dir) throws Exception {
    return await(http.post("/api/kernels").putHeader("Authorization", auth()).sendJsonObject(new JsonObject()
        .put("name", "python3").put("env", new JsonObject().put("PYTHONPATH", dir)
            // Far beyond the test's own timeout: a start must end on the deaths, not by timing out.
            .put("KERNEL_LAUNCH_TIMEOUT", "3600"))));
  }

  @Test
  void aKernelThatExitsOnItsFirstLaunchIsRestartedAndCountsTowardTheLimit() throws Exception {
    var r = startWithPythonPath(exitingOnLaunch(false));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    String first = kernelId;
    kernelId = r.bodyAsJsonObject().getString("id");
    try (KernelSocket ws = socket()) {
      assertThat(eval(ws, "6*7")).isEqualTo("42");
      JsonNode m = atelierModel();
      assertThat(m.path("execution_state").asText()).isEqualTo("idle");
      assertThat(m.path("restart_count").asInt()).isEqualTo(1);
      assertThat(m.path("last_death").path("exit_code").asInt()).isEqualTo(3);
      assertThat(m.path("last_death").path("reason").asText()).contains("exited with code 3");
      assertThat(m.path("last_death").path("restarted").asBoolean()).isTrue();
    } finally {
      await(http.delete("/api/kernels/" + kernelId).putHeader("Authorization", auth()).send());
      kernelId = first;
    }
  }

  @Test
  void aKernelThatCanNeverStartFailsWithTheReasonAfterTheRestartLimit() throws Exception {
    var r = startWithPythonPath(exitingOnLaunch(true));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(500);
    String message = r.bodyAsJsonObject().getString("message");
    assertThat(message).contains("exited with code 3").contains("restarted once");
    var list = await(http.get("/api/kernels").putHeader("Authorization", auth()).send());
    for (Object k : list.bodyAsJsonArray()) {
      assertThat(((JsonObject) k).getString("id")).isEqualTo(kernelId);
    }
  }
}
