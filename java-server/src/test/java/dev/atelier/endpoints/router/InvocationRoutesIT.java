package dev.atelier.endpoints.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.endpoints.router.Routes.Instance;
import dev.atelier.endpoints.router.Routes.Route;
import dev.atelier.endpoints.router.Routes.Variant;
import dev.atelier.http.FailureHandler;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * InvokeEndpoint on a real Vert.x server in front of real HTTP model stand-ins on 127.0.0.1: the
 * headers passed to the container and back, refusals, ModelError, the 6 MB limit, a dead instance
 * retried on another, a 50 MB answer streamed, connections kept alive, the timeout, the metrics.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InvocationRoutesIT {
  private static final String CUSTOM = "X-Amzn-SageMaker-Custom-Attributes";
  private static final String INVOKED = "X-Amzn-Invoked-Production-Variant";
  private static Vertx vertx;
  private static ModelStandIn model;
  private static ModelStandIn other;
  private static ModelStandIn counting;
  private static InvocationRoutes invocations;
  private static VariantMetrics metrics;
  private static HttpServer server;
  private static WebClient web;
  private static HttpClient raw;
  private static final Map<String, Route> ROUTES = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    model = new ModelStandIn(vertx);
    other = new ModelStandIn(vertx);
    counting = new ModelStandIn(vertx);
    int deadPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      deadPort = s.getLocalPort(); // nothing listens there once it is closed
    }
    Instance live = new Instance("i-live", model.port());
    Instance dead = new Instance("i-dead", deadPort);
    add(new Route("ep", "InService", List.of(new Variant("AllTraffic", 1, List.of(live)))));
    add(new Route("ab", "Updating", List.of(new Variant("blue", 1, List.of(live)),
        new Variant("green", 0, List.of(new Instance("i-green", other.port()))))));
    add(new Route("creating", "Creating", List.of(new Variant("AllTraffic", 1, List.of()))));
    add(new Route("flaky", "InService", List.of(new Variant("v", 1, List.of(dead, live)))));
    add(new Route("down", "InService", List.of(new Variant("v", 1, List.of(dead)))));
    add(new Route("counted", "InService", List.of(new Variant("v", 1, List.of(new Instance("i-c", counting.port()))))));
    add(new Route("metered", "InService", List.of(new Variant("v", 1, List.of(live)))));
    add(new Route("left", "InService", List.of(new Variant("v", 1, List.of(new Instance("i-left", other.port()))))));
    metrics = new VariantMetrics();
    invocations = new InvocationRoutes(vertx, ROUTES::get, metrics);
    InvocationRoutes impatient = new InvocationRoutes(vertx, ROUTES::get, metrics, Duration.ofMillis(500));
    Router router = Router.router(vertx);
    invocations.mountRoot(router);
    invocations.mount(router, "/");
    impatient.mount(router, "/impatient/");
    router.route().failureHandler(new FailureHandler());
    // As AtelierServer's listener: compression on.
    server = await(vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true).setCompressionSupported(true))
        .requestHandler(router)
        .listen(0, "127.0.0.1"));
    web = WebClient.create(vertx);
    raw = vertx.createHttpClient();
  }

  private static void add(Route route) {
    ROUTES.put(route.endpoint(), route);
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      await(vertx.close());
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static HttpRequest<Buffer> post(String uri) {
    return web.post(server.actualPort(), "127.0.0.1", uri);
  }

  private static HttpResponse<Buffer> invoke(String endpoint, String attributes) throws Exception {
    HttpRequest<Buffer> r = post("/endpoints/" + endpoint + "/invocations").putHeader("Content-Type", "text/csv");
    if (attributes != null) {
      r.putHeader(CUSTOM, attributes);
    }
    return await(r.sendBuffer(Buffer.buffer("1,2\n")));
  }

  /** Polls the condition for up to 10 s. */
  private static boolean eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }

  private static long sum(JsonNode minutes, String field) {
    long total = 0;
    for (JsonNode p : minutes.path("Variants").path("v")) {
      total += p.get(field).asLong();
    }
    return total;
  }

  @Test
  void theSageMakerHeadersArePassedToTheContainerAndBack() throws Exception {
    for (String path : List.of("/endpoints/ep/invocations", "/atelier/api/endpoints/ep/invocations")) {
      HttpResponse<Buffer> r = await(post(path).putHeader("Content-Type", "text/csv").putHeader("Accept", "application/json")
          .putHeader(CUSTOM, "trace=1").putHeader("X-Amzn-SageMaker-Inference-Id", "req-7")
          .putHeader("Accept-Encoding", "gzip")
          .sendBuffer(Buffer.buffer("1,2,3\n")));
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      assertThat(r.getHeader(INVOKED)).isEqualTo("AllTraffic");
      assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
      assertThat(r.getHeader(CUSTOM)).isEqualTo("seen=trace=1");
      assertThat(r.getHeader("Content-Encoding")).as("the answer as the container wrote it").isNull();
      JsonObject seen = r.bodyAsJsonObject();
      assertThat(seen.getString("contentType")).isEqualTo("text/csv");
      assertThat(seen.getString("accept")).isEqualTo("application/json");
      assertThat(seen.getString("customAttributes")).isEqualTo("trace=1");
      assertThat(seen.getString("inferenceId")).isEqualTo("req-7");
      assertThat(seen.getString("contentLength")).isEqualTo("6");
      assertThat(seen.getInteger("bytes")).isEqualTo(6);
    }
  }

  @Test
  void theTargetVariantHeaderPicksEvenAZeroWeightVariantAndStaysWithTheRouter() throws Exception {
    HttpResponse<Buffer> green = await(post("/endpoints/ab/invocations").putHeader("X-Amzn-SageMaker-Target-Variant", "green")
        .sendBuffer(Buffer.buffer("x")));
    assertThat(green.statusCode()).isEqualTo(200);
    assertThat(green.getHeader(INVOKED)).isEqualTo("green");
    assertThat(green.bodyAsJsonObject().getString("targetVariant")).isNull();
    for (int i = 0; i < 20; i++) {
      assertThat(invoke("ab", null).getHeader(INVOKED)).isEqualTo("blue");
    }
  }

  @Test
  void refusalsNameWhatIsWrongWithTheCodeBotocoreReads() throws Exception {
    HttpResponse<Buffer> unknown = invoke("nope", null);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.bodyAsJsonObject().getString("message")).contains("'nope'");
    assertThat(unknown.getHeader("x-amzn-ErrorType")).isEqualTo("ValidationError");
    HttpResponse<Buffer> creating = invoke("creating", null);
    assertThat(creating.statusCode()).isEqualTo(400);
    assertThat(creating.bodyAsJsonObject().getString("message")).contains("Creating", "InService");
    HttpResponse<Buffer> purple = await(post("/endpoints/ab/invocations")
        .putHeader("X-Amzn-SageMaker-Target-Variant", "purple").sendBuffer(Buffer.buffer("x")));
    assertThat(purple.statusCode()).isEqualTo(400);
    assertThat(purple.bodyAsJsonObject().getString("message")).contains("'purple'", "'blue'", "'green'");
  }

  @Test
  void aContainersErrorIsModelError424WithItsOriginalStatusAndMessage() throws Exception {
    for (int status : new int[] {500, 400}) {
      HttpResponse<Buffer> r = invoke("ep", "mode=status:" + status);
      assertThat(r.statusCode()).isEqualTo(424);
      assertThat(r.getHeader("x-amzn-ErrorType")).isEqualTo("ModelError");
      JsonObject error = r.bodyAsJsonObject();
      assertThat(error.getString("ErrorCode")).isEqualTo("ModelError");
      assertThat(error.getInteger("OriginalStatusCode")).isEqualTo(status);
      assertThat(error.getString("OriginalMessage")).isEqualTo("boom " + status);
      assertThat(error.getString("message")).contains("(" + status + ")", "AllTraffic", "boom " + status);
    }
  }

  @Test
  void aBodyOverSixMegabytesIs413WhetherItsLengthIsSentOrNot() throws Exception {
    int max = 6 * 1024 * 1024;
    HttpResponse<Buffer> exact = await(post("/endpoints/ep/invocations").sendBuffer(Buffer.buffer(new byte[max])));
    assertThat(exact.statusCode()).isEqualTo(200);
    assertThat(exact.bodyAsJsonObject().getInteger("bytes")).isEqualTo(max);
    HttpResponse<Buffer> over = await(post("/endpoints/ep/invocations").sendBuffer(Buffer.buffer(new byte[max + 1])));
    assertThat(over.statusCode()).isEqualTo(413);
    assertThat(over.bodyAsJsonObject().getString("message")).contains("6 MB");
    // Chunked: no length up front, the bytes are counted. The last chunk crosses the limit.
    int before = model.invocations.get();
    HttpClientResponse chunked = await(raw.request(new RequestOptions().setMethod(HttpMethod.POST)
        .setHost("127.0.0.1").setPort(server.actualPort()).setURI("/endpoints/ep/invocations")).compose(req -> {
          req.setChunked(true);
          for (int i = 0; i < 6; i++) {
            req.write(Buffer.buffer(new byte[1024 * 1024]));
          }
          req.end(Buffer.buffer(new byte[1024]));
          return req.response();
        }));
    assertThat(chunked.statusCode()).isEqualTo(413);
    assertThat(model.invocations.get()).isEqualTo(before);
  }

  @Test
  void aCallerThatWaitsFor100ContinueIsToldToSend() throws Exception {
    // curl sends Expect: 100-continue before a body over 1 MB and waits for the go-ahead.
    Buffer body = Buffer.buffer(new byte[2 * 1024 * 1024]);
    java.util.concurrent.atomic.AtomicInteger status = new java.util.concurrent.atomic.AtomicInteger();
    Buffer answer = await(raw.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
        .setPort(server.actualPort()).setURI("/endpoints/ep/invocations")).compose(req -> {
          req.putHeader("Expect", "100-continue").putHeader("Content-Length", String.valueOf(body.length()));
          req.continueHandler(v -> req.end(body));
          return req.sendHead().compose(v -> req.response());
        }).compose(response -> {
          status.set(response.statusCode());
          return response.body();
        }));
    assertThat(status.get()).isEqualTo(200);
    assertThat(answer.toJsonObject().getInteger("bytes")).isEqualTo(body.length());
  }

  @Test
  void aDeadInstanceIsRetriedOnAnotherInstanceOfTheVariant() throws Exception {
    for (int i = 0; i < 20; i++) {
      HttpResponse<Buffer> r = invoke("flaky", null);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.getHeader(INVOKED)).isEqualTo("v");
    }
    HttpResponse<Buffer> down = invoke("down", null);
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(down.getHeader("x-amzn-ErrorType")).isEqualTo("ServiceUnavailable");
    assertThat(down.bodyAsJsonObject().getString("message")).contains("could not be reached", "i-dead");
  }

  @Test
  void aLargeAnswerIsStreamedToTheCallerAsItArrives() throws Exception {
    long size = 50L * 1024 * 1024;
    model.firstChunkSeen = Promise.promise();
    AtomicLong received = new AtomicLong();
    Promise<Void> done = Promise.promise();
    // The stand-in sends the rest only once the caller has its first bytes: a router that waited for
    // the whole answer would time this test out. Handlers are set on the event loop, before any byte.
    HttpClientResponse r = await(raw.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
        .setPort(server.actualPort()).setURI("/endpoints/ep/invocations").putHeader(CUSTOM, "mode=large:" + size))
        .compose(req -> req.send(Buffer.buffer("x")))
        .onSuccess(response -> {
          response.handler(chunk -> {
            received.addAndGet(chunk.length());
            model.firstChunkSeen.tryComplete();
          });
          response.endHandler(v -> done.tryComplete());
          response.exceptionHandler(done::tryFail);
        }));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader(INVOKED)).isEqualTo("AllTraffic");
    assertThat(r.getHeader("Content-Type")).isEqualTo("application/octet-stream");
    await(done.future());
    assertThat(received.get()).isEqualTo(size);
  }

  @Test
  void aCallerThatGoesAwayMidAnswerIsAnExpectedEventNotAnError() throws Exception {
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    java.io.PrintStream err = System.err;
    System.setErr(new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      other.firstChunkSeen = Promise.promise();
      AtomicLong received = new AtomicLong();
      Promise<Void> some = Promise.promise();
      HttpClientResponse r = await(raw.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
          .setPort(server.actualPort()).setURI("/endpoints/left/invocations")
          .putHeader(CUSTOM, "mode=large:" + (200L * 1024 * 1024)))
          .compose(req -> req.send(Buffer.buffer("x")))
          .onSuccess(response -> {
            response.exceptionHandler(e -> {});
            response.handler(chunk -> {
              other.firstChunkSeen.tryComplete();
              if (received.addAndGet(chunk.length()) > 1024 * 1024) {
                some.tryComplete();
              }
            });
          }));
      assertThat(r.statusCode()).isEqualTo(200);
      await(some.future());
      await(r.request().connection().close());
      assertThat(eventually(() -> invocations.balancer().tracked() == 0)).as("nothing left in flight").isTrue();
    } finally {
      System.setErr(err);
    }
    assertThat(log.toString(java.nio.charset.StandardCharsets.UTF_8)).as("the server's log")
        .doesNotContain("ERROR").doesNotContain("Stream reset");
  }

  @Test
  void connectionsToAnInstanceAreKeptAliveAcrossInvocations() throws Exception {
    for (int i = 0; i < 30; i++) {
      assertThat(invoke("counted", null).statusCode()).isEqualTo(200);
    }
    assertThat(counting.invocations.get()).isEqualTo(30);
    // One connection, two at most if an answer's connection went back to the pool a moment after
    // the caller had it and sent the next request.
    assertThat(counting.connections.get()).isBetween(1, 2);
    assertThat(eventually(() -> invocations.balancer().tracked() == 0)).isTrue();
  }

  @Test
  void aModelSlowerThanTheTimeoutIsAModelErrorSayingSo() throws Exception {
    HttpResponse<Buffer> r = await(post("/impatient/atelier/api/endpoints/ep/invocations").putHeader(CUSTOM, "mode=sleep:3000")
        .sendBuffer(Buffer.buffer("x")));
    assertThat(r.statusCode()).isEqualTo(408);
    assertThat(r.getHeader("x-amzn-ErrorType")).isEqualTo("ModelError");
    assertThat(r.bodyAsJsonObject().getString("ErrorCode")).isEqualTo("ModelError");
    assertThat(r.bodyAsJsonObject().getString("message")).contains("timed out", "0.5 s", "i-live");
  }

  @Test
  void everyInvocationIsCountedWithItsLatencies() throws Exception {
    for (int i = 0; i < 5; i++) {
      assertThat(invoke("metered", null).statusCode()).isEqualTo(200);
    }
    assertThat(invoke("metered", "mode=status:503").statusCode()).isEqualTo(424);
    assertThat(invoke("metered", "mode=status:404").statusCode()).isEqualTo(424);
    // Counted once the answer is written, which may be a moment after the caller read it.
    assertThat(eventually(() -> sum(metrics.minutes("metered", 2), "Invocations") == 7)).isTrue();
    // Two minutes: the invocations may straddle a minute's end.
    JsonNode points = metrics.minutes("metered", 2).get("Variants").get("v");
    long total = 0;
    long e4 = 0;
    long e5 = 0;
    for (JsonNode p : points) {
      total += p.get("Invocations").asLong();
      e4 += p.get("Invocation4XXErrors").asLong();
      e5 += p.get("Invocation5XXErrors").asLong();
      if (p.get("Invocations").asLong() > 0) {
        assertThat(p.get("ModelLatency").asLong()).isPositive();
        assertThat(p.get("OverheadLatency").asLong()).isNotNegative();
      }
    }
    assertThat(total).isEqualTo(7);
    assertThat(e4).isEqualTo(1);
    assertThat(e5).isEqualTo(1);
    assertThat(metrics.prometheus()).contains("atelier_endpoint_invocations_total{endpoint=\"metered\",variant=\"v\"} 7\n");
  }
}
