package dev.atelier.frontdoor;

import static dev.atelier.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.support.KernelSocket;
import dev.atelier.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The front door when things go wrong: jupyter_server down, a client that stops reading. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class FrontDoorFaultsIT {

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void jupyterServerDownGivesA502NamingIt(Vertx vertx) throws Exception {
    int nobody = closedPort();
    try (TestServer server = TestServer.start(Map.of("frontDoorPort", "0", "jupyterUrl", "http://127.0.0.1:" + nobody))) {
      int front = server.running().frontDoorPort();
      WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(front));
      var page = await(http.get("/lab").putHeader("Accept", "text/html").send());
      assertThat(page.statusCode()).isEqualTo(502);
      assertThat(page.getHeader("Content-Type")).startsWith("text/html");
      assertThat(page.bodyAsString()).contains("not answering").contains(String.valueOf(nobody));
      var api = await(http.get("/api/contents").send());
      assertThat(api.statusCode()).isEqualTo(502);
      assertThat(api.bodyAsJsonObject().getString("message")).contains("jupyter_server");
      // Kernel channels cannot be authorised without jupyter_server: a clear 502, not a hang.
      var channels = await(http.get("/api/kernels/00000000-0000-0000-0000-000000000000/channels")
          .putHeader("Authorization", "token x").send());
      assertThat(channels.statusCode()).isEqualTo(502);
      // The front door keeps trying: the next request goes out again and fails the same way.
      assertThat(await(http.get("/lab").send()).statusCode()).isEqualTo(502);
    }
  }

  @Test
  void aClientThatStopsReadingIsClosedAndOthersKeepFlowing(Vertx vertx) throws Exception {
    // An 8 MiB limit for the backlog one client may leave unread, and 1 s to read some of it before
    // it is closed; 30 MB of output in 100 KB messages.
    try (TestServer server = TestServer.start(Map.of("clientBufferMib", "8", "clientDrainSeconds", "1"))) {
      WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(server.port()));
      String id = await(http.post("/api/kernels").putHeader("Authorization", "token " + TestServer.TOKEN)
          .sendJsonObject(new JsonObject().put("name", "python3"))).bodyAsJsonObject().getString("id");
      CompletableFuture<Integer> closedWith = new CompletableFuture<>();
      // This client reads its first message and then nothing more.
      WebSocket stuck = HttpClient.newHttpClient().newWebSocketBuilder()
          .header("Authorization", "token " + TestServer.TOKEN)
          .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/api/kernels/" + id + "/channels?session_id=stuck"),
              new WebSocket.Listener() {
                @Override
                public void onOpen(WebSocket ws) {
                  ws.request(1);
                }

                @Override
                public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                  return null;
                }

                @Override
                public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                  closedWith.complete(code);
                  return null;
                }
              }).get(30, TimeUnit.SECONDS);
      try (KernelSocket healthy = KernelSocket.open(vertx, server.port(), id, "healthy")) {
        String big = healthy.send("shell", "execute_request", Map.of("code",
            "import sys\nfor i in range(300_000):\n    sys.stdout.write('%09d' % i + 'z' * 90 + '\\n')\n"
            + "    if i % 1000 == 999: sys.stdout.flush()", "silent", false));
        var out = healthy.collectUntilIdle(big, 120_000);
        long received = out.stream().filter(KernelSocket.type("stream"))
            .mapToLong(m -> m.path("content").path("text").asText().length()).sum();
        assertThat(received).isEqualTo(300_000L * 100);
        // More output after the stuck client has made no progress for a while closes it
        // (1013: reconnect to replay) rather than buffering for it forever. The stuck client sees
        // the close only once it reads again; the kernel counts it gone at once, leaving the
        // healthy client alone.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!closedWith.isDone() && connections(http, id) > 1 && System.nanoTime() < deadline) {
          healthy.collectUntilIdle(healthy.send("shell", "execute_request",
              Map.of("code", "import time; time.sleep(1); print('more')", "silent", false)), 30_000);
        }
      }
      stuck.request(Long.MAX_VALUE);
      assertThat(closedWith.get(60, TimeUnit.SECONDS)).isEqualTo(1013);
    }
  }

  /** The kernel's open connections, as its model reports them. */
  private static int connections(WebClient http, String kernelId) throws Exception {
    return await(http.get("/api/kernels/" + kernelId).putHeader("Authorization", "token " + TestServer.TOKEN).send())
        .bodyAsJsonObject().getInteger("connections");
  }
}
