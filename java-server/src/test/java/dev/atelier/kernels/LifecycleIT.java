package dev.atelier.kernels;

import static dev.atelier.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Culling, and that no kernel process outlives the server however it ends. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class LifecycleIT {

  @Test
  void idleKernelsAreCulledWhenCullingIsOn(Vertx vertx) throws Exception {
    try (TestServer server = TestServer.start(Map.of("cullIdleTimeoutSeconds", "2", "cullIntervalSeconds", "1"))) {
      WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(server.port()));
      var r = await(http.post("/api/kernels").putHeader("Authorization", "token " + TestServer.TOKEN)
          .sendJsonObject(new JsonObject().put("name", "python3")));
      String id = r.bodyAsJsonObject().getString("id");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      int status;
      do {
        Thread.onSpinWait();
        status = await(http.get("/api/kernels/" + id).putHeader("Authorization", "token " + TestServer.TOKEN).send()).statusCode();
      } while (status == 200 && System.nanoTime() < deadline && pause(200));
      assertThat(status).as("kernel culled").isEqualTo(404);
    }
  }

  @Test
  void kernelsStayWhenCullingIsOff(Vertx vertx) throws Exception {
    try (TestServer server = TestServer.start()) {
      assertThat(server.running().kernels().list()).isEmpty();
      WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(server.port()));
      var r = await(http.post("/api/kernels").putHeader("Authorization", "token " + TestServer.TOKEN)
          .sendJsonObject(new JsonObject().put("name", "python3")));
      String id = r.bodyAsJsonObject().getString("id");
      // Culling off: asking the service to cull far in the future changes nothing.
      server.running().idleRules().cull(java.time.Instant.now().plusSeconds(86_400));
      // Still there and alive (a late start-up kernel_info may still show it busy for a moment).
      assertThat(server.running().kernels().list()).extracting(Kernel::id).containsExactly(id);
      assertThat(server.running().kernels().get(id).executionState()).isIn("idle", "busy");
    }
  }

  @Test
  void noKernelOutlivesAServerThatIsKilled() throws Exception {
    assertNoOrphansAfter(true);
  }

  @Test
  void noKernelOutlivesAServerThatIsStopped() throws Exception {
    assertNoOrphansAfter(false);
  }

  private static void assertNoOrphansAfter(boolean kill) throws Exception {
    Path jar = Path.of(System.getProperty("atelier.projectRoot", ".."), "java-server", "target", "atelier-server.jar");
    assertThat(jar).as("the packaged server (mvn package)").exists();
    Path dir = Files.createTempDirectory("atelier-orphans");
    Path ready = dir.resolve("ready.json");
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder builder = new ProcessBuilder(java, "-jar", jar.toString(), "--port", "0", "--token", TestServer.TOKEN,
        "--python", TestServer.python(), "--root-dir", dir.toString(), "--data-dir", dir.resolve("data").toString(),
        "--ready-file", ready.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile());
    // The kernels are the server's own processes here: local instances, whatever the default image.
    builder.environment().put("ATELIER_DEFAULT_IMAGE", "local");
    Process server = builder.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.exists(ready)) {
        assertThat(server.isAlive()).as("server running; log: " + dir.resolve("server.log")).isTrue();
        assertThat(System.nanoTime()).as("server ready in time").isLessThan(deadline);
        pause(100);
      }
      int port = new com.fasterxml.jackson.databind.ObjectMapper().readTree(ready.toFile()).path("port").asInt();
      HttpClient client = HttpClient.newHttpClient();
      for (int i = 0; i < 2; i++) {
        var res = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/kernels"))
            .header("Authorization", "token " + TestServer.TOKEN)
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"python3\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
      }
      List<ProcessHandle> kernels = new ArrayList<>();
      server.toHandle().descendants().filter(p -> p.info().commandLine().orElse("").contains("ipykernel"))
          .forEach(kernels::add);
      assertThat(kernels).hasSize(2);
      if (kill) {
        server.destroyForcibly();
      } else {
        server.destroy();
      }
      server.waitFor(20, TimeUnit.SECONDS);
      long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (kernels.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < gone) {
        pause(100);
      }
      assertThat(kernels).noneMatch(ProcessHandle::isAlive);
    } finally {
      server.destroyForcibly();
    }
  }

  private static boolean pause(long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return true;
  }
}
