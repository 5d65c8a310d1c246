package dev.atelier.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The event stream on a real Vert.x server and WebSocket: a new socket gets each capability's
 * current state first, then every frame any thread publishes, with the fields in the order the
 * publisher built them; a frame published for an owner reaches that owner's sockets only; a socket
 * that goes away stops being a subscriber.
 */
class EventStreamIT {
  private Vertx vertx;
  private EventStream events;
  private HttpServer server;
  /** Held: a Vert.x client nothing references is closed with its connections. */
  private WebSocketClient client;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    // Who a socket is from: named in the request here, where no token check runs.
    events = new EventStream(vertx, ctx -> ctx.request().getParam("as", "alice"));
    events.greet("kernels", () -> {
      ObjectNode state = Json.mapper().createObjectNode();
      state.putArray("kernels").addObject().put("id", "k1").put("execution_state", "idle");
      return state;
    });
    Router router = Router.router(vertx);
    events.mount(router, "/base/");
    router.route().failureHandler(new FailureHandler());
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    client = vertx.createWebSocketClient();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private WebSocket connect(BlockingQueue<String> frames) throws Exception {
    return connect(frames, "alice");
  }

  private WebSocket connect(BlockingQueue<String> frames, String caller) throws Exception {
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.actualPort())
        .setURI("/base/atelier/api/events?as=" + caller);
    return client.connect(o).onSuccess(ws -> ws.textMessageHandler(frames::add))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void greetsThenCarriesWhatAnyThreadPublishes() throws Exception {
    BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    WebSocket ws = connect(frames);
    // The greeting's own fields first, then its type, as the kernel list has always been sent.
    assertThat(frames.poll(30, TimeUnit.SECONDS))
        .isEqualTo("{\"kernels\":[{\"id\":\"k1\",\"execution_state\":\"idle\"}],\"type\":\"kernels\"}");
    assertThat(events.hasSubscribers()).isTrue();
    ObjectNode job = Json.mapper().createObjectNode();
    job.put("type", "job");
    job.putObject("job").put("TrainingJobName", "j");
    Thread publisher = Thread.ofPlatform().start(() -> events.publish("job", job));
    publisher.join();
    assertThat(frames.poll(30, TimeUnit.SECONDS)).isEqualTo("{\"type\":\"job\",\"job\":{\"TrainingJobName\":\"j\"}}");

    ws.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (events.hasSubscribers() && Instant.now().isBefore(deadline)) {
      Thread.onSpinWait();
    }
    assertThat(events.hasSubscribers()).isFalse();
  }

  @Test
  void everySocketGetsEveryFrame() throws Exception {
    BlockingQueue<String> a = new LinkedBlockingQueue<>();
    BlockingQueue<String> b = new LinkedBlockingQueue<>();
    connect(a);
    connect(b);
    assertThat(a.poll(30, TimeUnit.SECONDS)).contains("\"type\":\"kernels\"");
    assertThat(b.poll(30, TimeUnit.SECONDS)).contains("\"type\":\"kernels\"");
    events.publish("kernel_death", Json.mapper().createObjectNode().put("type", "kernel_death").put("action", "dead"));
    assertThat(a.poll(30, TimeUnit.SECONDS)).isEqualTo("{\"type\":\"kernel_death\",\"action\":\"dead\"}");
    assertThat(b.poll(30, TimeUnit.SECONDS)).isEqualTo("{\"type\":\"kernel_death\",\"action\":\"dead\"}");
  }

  @Test
  void aFrameForAnOwnerReachesOnlyThatOwnersSockets() throws Exception {
    BlockingQueue<String> alice = new LinkedBlockingQueue<>();
    BlockingQueue<String> bob = new LinkedBlockingQueue<>();
    connect(alice, "alice");
    connect(bob, "bob");
    assertThat(alice.poll(30, TimeUnit.SECONDS)).contains("\"type\":\"kernels\"");
    assertThat(bob.poll(30, TimeUnit.SECONDS)).contains("\"type\":\"kernels\"");
    events.publish("run", Json.mapper().createObjectNode().put("id", "r-alice"), "alice");
    events.publish("run", Json.mapper().createObjectNode().put("id", "r-bob"), "bob");
    // Frames of one publisher arrive in order: each socket's next frame after the owned ones is this one.
    events.publish("job", Json.mapper().createObjectNode().put("id", "shared"));
    assertThat(alice.poll(30, TimeUnit.SECONDS)).isEqualTo("{\"id\":\"r-alice\",\"type\":\"run\"}");
    assertThat(alice.poll(30, TimeUnit.SECONDS)).isEqualTo("{\"id\":\"shared\",\"type\":\"job\"}");
    assertThat(bob.poll(30, TimeUnit.SECONDS)).isEqualTo("{\"id\":\"r-bob\",\"type\":\"run\"}");
    assertThat(bob.poll(30, TimeUnit.SECONDS)).isEqualTo("{\"id\":\"shared\",\"type\":\"job\"}");
  }
}
