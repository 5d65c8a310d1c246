package dev.atelier.experiments;

import static dev.atelier.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.support.SharedServer;
import dev.atelier.support.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The experiments' frames on the real server's event stream: a run's creation, what it logs, its
 * status and its deletion each reach an open socket as a {@code run} frame with the run as
 * {@code runs/get} shows it, a burst of logging is coalesced, and the experiment's frames carry its
 * run count, which {@code atelier/api/experiments/run-counts} gives as well.
 */
@ExtendWith(VertxExtension.class)
@ExtendWith(SharedServer.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class ExperimentFramesIT {
  private static final String API = "/atelier/mlflow/api/2.0/mlflow/";
  private static Vertx vertx;
  private static WebClient http;
  private static WebSocketClient sockets;
  private static int port;

  @BeforeAll
  static void start(TestServer server) {
    vertx = Vertx.vertx();
    port = server.port();
    http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
    sockets = vertx.createWebSocketClient();
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  private static JsonObject post(String path, JsonObject body) throws Exception {
    HttpResponse<Buffer> r = await(http.post(API + path).putHeader("Authorization", "Bearer " + TestServer.TOKEN)
        .sendJsonObject(body));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  /** The frames of the events socket, parsed, from now on. */
  private static BlockingQueue<JsonObject> listen() throws Exception {
    BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/atelier/api/events").addHeader("Authorization", "token " + TestServer.TOKEN);
    await(sockets.connect(o).onSuccess(ws -> ws.textMessageHandler(t -> frames.add(new JsonObject(t)))));
    return frames;
  }

  /** The next frame that matches, skipping others (other tests' and other capabilities' frames). */
  private static JsonObject next(BlockingQueue<JsonObject> frames, Predicate<JsonObject> match, String what)
      throws Exception {
    while (true) {
      JsonObject f = frames.poll(60, TimeUnit.SECONDS);
      assertThat(f).as("a frame: " + what).isNotNull();
      if (match.test(f)) {
        return f;
      }
    }
  }

  private static Predicate<JsonObject> run(String runId) {
    return f -> "run".equals(f.getString("type"))
        && runId.equals(f.getJsonObject("run").getJsonObject("info").getString("run_id"));
  }

  private static Predicate<JsonObject> experiment(String id) {
    return f -> "experiment".equals(f.getString("type"))
        && id.equals(f.getJsonObject("experiment").getString("experiment_id"));
  }

  private static double metric(JsonObject runFrame, String key) {
    var metrics = runFrame.getJsonObject("run").getJsonObject("data", new JsonObject()).getJsonArray("metrics");
    for (int i = 0; metrics != null && i < metrics.size(); i++) {
      if (key.equals(metrics.getJsonObject(i).getString("key"))) {
        return metrics.getJsonObject(i).getDouble("value");
      }
    }
    return Double.NaN;
  }

  @Test
  void runsAndExperimentsChangeLive() throws Exception {
    BlockingQueue<JsonObject> frames = listen();
    String name = "frames-" + UUID.randomUUID();
    String exp = post("experiments/create", new JsonObject().put("name", name)).getString("experiment_id");
    JsonObject created = next(frames, experiment(exp), "the new experiment");
    assertThat(created.getJsonObject("experiment").getString("name")).isEqualTo(name);
    assertThat(created.getLong("run_count")).isZero();

    String runId = post("runs/create", new JsonObject().put("experiment_id", exp).put("run_name", "live"))
        .getJsonObject("run").getJsonObject("info").getString("run_id");
    JsonObject first = next(frames, run(runId), "the new run");
    assertThat(first.getJsonObject("run").getJsonObject("info").getString("status")).isEqualTo("RUNNING");
    assertThat(first.getJsonObject("run").getJsonObject("info").getString("run_name")).isEqualTo("live");
    assertThat(next(frames, f -> experiment(exp).test(f) && f.getLong("run_count") == 1, "a count of 1"))
        .isNotNull();

    // A burst of single-point logs: coalesced, and the last frame shows the last value.
    int calls = 200;
    long t0 = System.nanoTime();
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      sent.add(http.post(API + "runs/log-metric").putHeader("Authorization", "Bearer " + TestServer.TOKEN)
          .sendJsonObject(new JsonObject().put("run_id", runId).put("key", "loss").put("value", i)
              .put("timestamp", 1_700_000_000_000L + i).put("step", i)));
    }
    for (Future<HttpResponse<Buffer>> f : sent) {
      assertThat(await(f).statusCode()).isEqualTo(200);
    }
    long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
    int runFrames = 0;
    JsonObject latest;
    do {
      latest = next(frames, run(runId), "a frame with the last point");
      runFrames++;
    } while (metric(latest, "loss") != calls - 1);
    // At most one frame per period while the burst lasted, and the one after it.
    assertThat(runFrames).isLessThanOrEqualTo((int) (elapsedMs / ExperimentFrames.PERIOD_MS) + 2)
        .isLessThan(calls);

    post("runs/update", new JsonObject().put("run_id", runId).put("status", "FINISHED").put("end_time", 1_700_000_999_000L));
    JsonObject finished = next(frames, f -> run(runId).test(f)
        && "FINISHED".equals(f.getJsonObject("run").getJsonObject("info").getString("status")), "FINISHED");
    assertThat(finished.getJsonObject("run").getJsonObject("info").getLong("end_time")).isEqualTo(1_700_000_999_000L);
    assertThat(metric(finished, "loss")).isEqualTo(calls - 1);

    HttpResponse<Buffer> counts = await(http.get("/atelier/api/experiments/run-counts")
        .putHeader("Authorization", "Bearer " + TestServer.TOKEN).send());
    assertThat(counts.statusCode()).isEqualTo(200);
    assertThat(counts.bodyAsJsonObject().getJsonObject("run_counts").getLong(exp)).isEqualTo(1L);

    post("runs/delete", new JsonObject().put("run_id", runId));
    next(frames, f -> run(runId).test(f)
        && "deleted".equals(f.getJsonObject("run").getJsonObject("info").getString("lifecycle_stage")), "deleted");
    next(frames, f -> experiment(exp).test(f) && f.getLong("run_count") == 0, "a count of 0");
    counts = await(http.get("/atelier/api/experiments/run-counts")
        .putHeader("Authorization", "Bearer " + TestServer.TOKEN).send());
    assertThat(counts.bodyAsJsonObject().getJsonObject("run_counts").containsKey(exp)).isFalse();

    post("experiments/update", new JsonObject().put("experiment_id", exp).put("new_name", name + "-renamed"));
    assertThat(next(frames, f -> experiment(exp).test(f)
        && (name + "-renamed").equals(f.getJsonObject("experiment").getString("name")), "renamed")).isNotNull();
  }
}
