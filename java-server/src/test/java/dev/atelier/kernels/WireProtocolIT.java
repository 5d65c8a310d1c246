package dev.atelier.kernels;

import static dev.atelier.support.KernelSocket.streamText;
import static dev.atelier.support.KernelSocket.type;
import static dev.atelier.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.support.KernelSocket;
import dev.atelier.support.SharedServer;
import dev.atelier.support.TestServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The relay against real ipykernel: channels, stdin identity, control, buffers, replay, death. */
@ExtendWith(VertxExtension.class)
@ExtendWith(SharedServer.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class WireProtocolIT {
  private static TestServer server;
  private static WebClient http;
  private String kernelId;

  @BeforeAll
  static void start(TestServer shared) {
    server = shared;
    http = shared.http();
  }

  @BeforeEach
  void newKernel() throws Exception {
    var r = await(http.post("/api/kernels").putHeader("Authorization", "token " + TestServer.TOKEN)
        .sendJsonObject(new JsonObject().put("name", "python3")));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    kernelId = r.bodyAsJsonObject().getString("id");
  }

  @AfterEach
  void deleteKernel() throws Exception {
    await(http.delete("/api/kernels/" + kernelId).putHeader("Authorization", "token " + TestServer.TOKEN).send());
  }

  private static Map<String, Object> code(String source) {
    return Map.of("code", source, "silent", false, "store_history", true, "allow_stdin", true, "stop_on_error", true);
  }

  private KernelSocket socket(String session) throws Exception {
    return KernelSocket.open(server.clientVertx(), server.port(), kernelId, session);
  }

  @Test
  void executeRelaysStreamResultAndReply() throws Exception {
    try (KernelSocket ws = socket("s1")) {
      String id = ws.send("shell", "execute_request", code("print('hello'); 6*7"));
      List<JsonNode> msgs = ws.collectUntilIdle(id, 30_000);
      // In one stream message or several: a kernel may split a print.
      assertThat(streamText(msgs, "stdout")).isEqualTo("hello\n");
      assertThat(msgs).filteredOn(type("stream")).isNotEmpty()
          .allSatisfy(m -> assertThat(m.path("channel").asText()).isEqualTo("iopub"));
      assertThat(msgs).anySatisfy(m -> assertThat(m.path("content").path("data").path("text/plain").asText()).isEqualTo("42"));
      JsonNode reply = msgs.stream().filter(type("execute_reply")).findFirst()
          .orElseGet(() -> next(ws, type("execute_reply")));
      assertThat(reply.path("channel").asText()).isEqualTo("shell");
      assertThat(reply.path("content").path("status").asText()).isEqualTo("ok");
    }
  }

  @Test
  void inputIsAnsweredOverStdinWithTheShellIdentity() throws Exception {
    try (KernelSocket ws = socket("s2")) {
      String id = ws.send("shell", "execute_request", code("name = input('name? '); print('hi', name)"));
      JsonNode request = ws.next(type("input_request"), 30_000);
      assertThat(request.path("channel").asText()).isEqualTo("stdin");
      assertThat(request.path("content").path("prompt").asText()).isEqualTo("name? ");
      ws.send("stdin", "input_reply", Map.of("value", "ada"));
      assertThat(streamText(ws.collectUntilIdle(id, 30_000), "stdout")).isEqualTo("hi ada\n");
    }
  }

  @Test
  void interruptStopsALoopAndTheKernelKeepsItsState() throws Exception {
    try (KernelSocket ws = socket("s3")) {
      ws.collectUntilIdle(ws.send("shell", "execute_request", code("kept = 'yes'")), 30_000);
      // The interrupt goes once the cell's own output shows the loop running: a SIGINT that lands
      // while ipykernel is still setting the cell up (busy, execute_input) ends it with no error.
      String loop = ws.send("shell", "execute_request", code("print('looping', flush=True)\nwhile True: pass"));
      ws.next(m -> type("stream").test(m) && loop.equals(m.path("parent_header").path("msg_id").asText()), 30_000);
      var r = await(http.post("/api/kernels/" + kernelId + "/interrupt").putHeader("Authorization", "token " + TestServer.TOKEN).send());
      assertThat(r.statusCode()).isEqualTo(204);
      List<JsonNode> msgs = ws.collectUntilIdle(loop, 30_000);
      assertThat(msgs).anySatisfy(m -> assertThat(m.path("content").path("ename").asText()).isEqualTo("KeyboardInterrupt"));
      String check = ws.send("shell", "execute_request", code("kept"));
      assertThat(ws.collectUntilIdle(check, 30_000))
          .anySatisfy(m -> assertThat(m.path("content").path("data").path("text/plain").asText()).isEqualTo("'yes'"));
    }
  }

  @Test
  void controlIsAnsweredWhileShellIsBusy() throws Exception {
    try (KernelSocket ws = socket("s4")) {
      String sleep = ws.send("shell", "execute_request", code("import time; time.sleep(4)"));
      ws.next(m -> type("status").test(m) && "busy".equals(m.path("content").path("execution_state").asText())
          && sleep.equals(m.path("parent_header").path("msg_id").asText()), 30_000);
      String info = ws.send("control", "kernel_info_request", Map.of());
      JsonNode first = ws.next(m -> type("kernel_info_reply").test(m) || type("execute_reply").test(m), 30_000);
      assertThat(first.path("msg_type").asText()).isEqualTo("kernel_info_reply");
      assertThat(first.path("channel").asText()).isEqualTo("control");
      assertThat(first.path("parent_header").path("msg_id").asText()).isEqualTo(info);
    }
  }

  @Test
  void debugRequestsAreAnsweredOnControl() throws Exception {
    try (KernelSocket ws = socket("s5")) {
      ws.send("control", "debug_request", Map.of("type", "request", "seq", 1, "command", "initialize",
          "arguments", Map.of("clientID", "test", "adapterID", "python", "pathFormat", "path")));
      JsonNode init = ws.next(type("debug_reply"), 30_000);
      assertThat(init.path("channel").asText()).isEqualTo("control");
      assertThat(init.path("content").path("success").asBoolean()).isTrue();
      ws.send("control", "debug_request", Map.of("type", "request", "seq", 2, "command", "debugInfo"));
      JsonNode info = ws.next(type("debug_reply"), 30_000);
      assertThat(info.path("content").path("success").asBoolean()).isTrue();
    }
  }

  @Test
  void binaryBuffersSurviveBothWays() throws Exception {
    try (KernelSocket ws = socket("s6")) {
      String setup = """
          def _echo(comm, open_msg):
              @comm.on_msg
              def _(msg):
                  comm.send({'n': len(msg['buffers'][0])}, buffers=[bytes(msg['buffers'][0])])
          get_ipython().kernel.comm_manager.register_target('echo', _echo)
          """;
      ws.collectUntilIdle(ws.send("shell", "execute_request", code(setup)), 30_000);
      ws.send("shell", "comm_open", Map.of("comm_id", "c1", "target_name", "echo", "data", Map.of()));
      byte[] payload = new byte[1 << 20];
      new java.util.Random(7).nextBytes(payload);
      ws.sendBinary("shell", "comm_msg", Map.of("comm_id", "c1", "data", Map.of()), payload);
      JsonNode echo = ws.next(type("comm_msg"), 30_000);
      assertThat(echo.path("content").path("data").path("n").asInt()).isEqualTo(payload.length);
      assertThat(echo.path("buffers").get(0).binaryValue()).isEqualTo(payload);
    }
  }

  @Test
  void aReconnectingClientGetsWhatItMissedInOrder() throws Exception {
    KernelSocket first = socket("replay");
    String id = first.send("shell", "execute_request",
        code("import time\nfor i in range(30):\n    print(i, flush=True)\n    time.sleep(0.1)"));
    first.next(m -> type("stream").test(m), 30_000);
    first.close();
    try (KernelSocket again = socket("replay")) {
      List<JsonNode> rest = again.collectUntilIdle(id, 30_000);
      StringBuilder text = new StringBuilder();
      rest.stream().filter(type("stream")).forEach(m -> text.append(m.path("content").path("text").asText()));
      assertThat(text.toString()).endsWith("27\n28\n29\n");
      String[] lines = text.toString().trim().split("\n");
      for (int i = 1; i < lines.length; i++) {
        assertThat(Integer.parseInt(lines[i])).isEqualTo(Integer.parseInt(lines[i - 1]) + 1);
      }
      assertThat(rest.stream().anyMatch(type("execute_reply")) || next(again, type("execute_reply")) != null).isTrue();
    }
  }

  @Test
  void largeOutputArrivesCompleteAndInOrder() throws Exception {
    try (KernelSocket ws = socket("s7")) {
      String id = ws.send("shell", "execute_request",
          code("import sys\nfor i in range(200_000):\n    sys.stdout.write('%09d' % i + 'x' * 90 + '\\n')"));
      List<JsonNode> msgs = ws.collectUntilIdle(id, 90_000);
      StringBuilder all = new StringBuilder();
      msgs.stream().filter(type("stream")).forEach(m -> all.append(m.path("content").path("text").asText()));
      assertThat(all.length()).isEqualTo(200_000 * 100);
      assertThat(all.substring(0, 9)).isEqualTo("000000000");
      assertThat(all.substring(all.length() - 100, all.length() - 91)).isEqualTo("000199999");
    }
  }

  @Test
  void oneLargeNonAsciiOutputArrivesAsOneIntactTextMessage() throws Exception {
    try (KernelSocket ws = socket("s7b")) {
      String id = ws.send("shell", "execute_request", code("print('é€😀' * 100_000, end='')"));
      String text = ws.collectUntilIdle(id, 60_000).stream().filter(type("stream"))
          .map(m -> m.path("content").path("text").asText()).reduce("", String::concat);
      assertThat(text).isEqualTo("é€😀".repeat(100_000));
    }
  }

  @Test
  void aKernelKilledFromOutsideIsReportedRestartingWithAReason() throws Exception {
    try (KernelSocket ws = socket("s8")) {
      String id = ws.send("shell", "execute_request", code("import os; os.getpid()"));
      long pid = ws.collectUntilIdle(id, 30_000).stream()
          .filter(type("execute_result")).findFirst().orElseThrow()
          .path("content").path("data").path("text/plain").asLong();
      ProcessHandle.of(pid).orElseThrow().destroyForcibly();
      JsonNode restarting = ws.next(m -> type("status").test(m)
          && "restarting".equals(m.path("content").path("execution_state").asText()), 3_000);
      assertThat(restarting.path("channel").asText()).isEqualTo("iopub");
      assertThat(restarting.path("metadata").path("last_death").path("reason").asText()).contains("signal 9");
      var r = await(http.get("/atelier/api/kernels").putHeader("Authorization", "token " + TestServer.TOKEN).send());
      JsonObject k = r.bodyAsJsonObject().getJsonArray("kernels").stream().map(o -> (JsonObject) o)
          .filter(o -> kernelId.equals(o.getString("id"))).findFirst().orElseThrow();
      assertThat(k.getString("execution_state")).isIn("restarting", "idle");
      assertThat(k.getJsonObject("last_death").getString("reason")).contains("signal 9");
      assertThat(k.getJsonObject("last_death").getInteger("signal")).isEqualTo(9);
    }
  }

  @Test
  void twoClientsOnOneKernelBothSeeIopub() throws Exception {
    try (KernelSocket a = socket("a"); KernelSocket b = socket("b")) {
      String id = a.send("shell", "execute_request", code("print('shared')"));
      a.collectUntilIdle(id, 30_000);
      List<JsonNode> seenByB = b.collectUntilIdle(id, 30_000);
      assertThat(seenByB).anySatisfy(m -> assertThat(m.path("content").path("text").asText()).isEqualTo("shared\n"));
      var model = await(http.get("/api/kernels/" + kernelId).putHeader("Authorization", "token " + TestServer.TOKEN).send());
      assertThat(model.bodyAsJsonObject().getInteger("connections")).isEqualTo(2);
    }
  }

  private static JsonNode next(KernelSocket ws, java.util.function.Predicate<JsonNode> match) {
    try {
      return ws.next(match, 10_000);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
