package dev.atelier.endpoints;

import static dev.atelier.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** The endpoints API of a test server, called as a client does, with the checks the tests share. */
final class Api {
  static final String API = "/atelier/api/";
  private final TestServer server;
  private final WebClient http;
  /** Held: a Vert.x client nothing references is closed with its connections. */
  private WebSocketClient sockets;

  Api(TestServer server) {
    this.server = server;
    this.http = server.http();
  }

  HttpResponse<Buffer> call(HttpMethod method, String path, JsonObject body) throws Exception {
    var req = http.request(method, API + path).putHeader("Authorization", "token " + TestServer.TOKEN);
    return await(body == null ? req.send() : req.sendJsonObject(body));
  }

  /** The answer's JSON body, once its status is {@code expect}. */
  JsonObject expect(int expect, HttpMethod method, String path, JsonObject body) throws Exception {
    HttpResponse<Buffer> r = call(method, path, body);
    assertThat(r.statusCode()).as("%s %s: %s", method, path, r.bodyAsString()).isEqualTo(expect);
    return r.body() == null || r.body().length() == 0 ? new JsonObject() : r.bodyAsJsonObject();
  }

  /** A refusal: its status, and its message starting with the field at fault. */
  void refused(int status, HttpMethod method, String path, JsonObject body, String messageStart) throws Exception {
    JsonObject r = expect(status, method, path, body);
    assertThat(r.getString("message")).as(r.encode()).startsWith(messageStart);
  }

  JsonObject describe(String endpoint) throws Exception {
    return expect(200, HttpMethod.GET, "endpoints/" + endpoint, null);
  }

  /** Polls DescribeEndpoint until it matches, for at most {@code within}. */
  JsonObject waitFor(String endpoint, Predicate<JsonObject> match, Duration within, String what) throws Exception {
    Instant deadline = Instant.now().plus(within);
    JsonObject d = describe(endpoint);
    while (!match.test(d)) {
      assertThat(Instant.now()).as("%s within %s; the endpoint: %s", what, within, d.encode()).isBefore(deadline);
      Thread.sleep(250);
      d = describe(endpoint);
    }
    return d;
  }

  /** Polls until DescribeEndpoint is a 404. */
  void awaitGone(String endpoint, Duration within) throws Exception {
    Instant deadline = Instant.now().plus(within);
    while (call(HttpMethod.GET, "endpoints/" + endpoint, null).statusCode() != 404) {
      assertThat(Instant.now()).as("%s deleted within %s", endpoint, within).isBefore(deadline);
      Thread.sleep(250);
    }
  }

  static Predicate<JsonObject> status(String s) {
    return d -> s.equals(d.getString("EndpointStatus"));
  }

  /** Stores bytes in the server's object store. */
  void put(String uri, byte[] bytes) throws Exception {
    HttpResponse<Buffer> r = await(http.request(HttpMethod.PUT, API + "objects?uri=" + uri)
        .putHeader("Authorization", "token " + TestServer.TOKEN).sendBuffer(Buffer.buffer(bytes)));
    assertThat(r.statusCode()).as(r.bodyAsString()).isBetween(200, 201);
  }

  /** The event stream's frames from now on. */
  BlockingQueue<JsonObject> listen(Vertx vertx) throws Exception {
    BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    if (sockets == null) {
      sockets = vertx.createWebSocketClient();
    }
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.port())
        .setURI(API + "events").addHeader("Authorization", "token " + TestServer.TOKEN);
    TestServer.await(sockets.connect(o).onSuccess(ws -> ws.textMessageHandler(t -> frames.add(new JsonObject(t)))));
    return frames;
  }

  /** The next endpoint frame that matches, skipping others. */
  static JsonObject next(BlockingQueue<JsonObject> frames, Predicate<JsonObject> match, String what) throws Exception {
    while (true) {
      JsonObject f = frames.poll(240, TimeUnit.SECONDS);
      assertThat(f).as("a frame: " + what).isNotNull();
      if ("endpoint".equals(f.getString("type")) && match.test(f)) {
        return f;
      }
    }
  }
}
