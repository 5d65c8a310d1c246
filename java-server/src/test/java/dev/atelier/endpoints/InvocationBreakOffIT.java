package dev.atelier.endpoints;

import static dev.atelier.endpoints.Api.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.support.TestServer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An invocation broken off mid-answer, through a real server and a real model container whose
 * answer streams on for a minute (test resource {@code endpoints/streaming-model}): a caller that
 * resets its connection while the answer streams counts as abandoned, not as a 5XX error; a
 * container killed while its answer streams to a caller still reading is a 5XX error, and the
 * caller's answer ends short (its connection reset), never as if complete. The caller is a plain
 * socket, so that it can go away exactly when the test says.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 600, timeUnit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InvocationBreakOffIT {
  private static final String SUFFIX = Long.toHexString(System.nanoTime());
  private static final String IMAGE = "atelier-test/streaming-model:" + SUFFIX;
  private static final String ENDPOINT = "stream-" + SUFFIX;
  /** Bytes of the answer read before the exchange is broken off: several of the container's chunks. */
  private static final int READ_FIRST = 64 * 1024;

  private static TestServer server;
  private static Api api;

  @BeforeAll
  static void start() throws Exception {
    Path context = Files.createTempDirectory("atelier-streaming-model");
    for (String f : new String[] {"Dockerfile", "stream_model.py"}) {
      try (InputStream in = InvocationBreakOffIT.class.getResourceAsStream("/endpoints/streaming-model/" + f)) {
        assertThat(in).as("test resource " + f).isNotNull();
        Files.write(context.resolve(f), in.readAllBytes());
      }
    }
    EndpointsIT.docker("build", "-q", "-t", IMAGE, context.toString());
    server = TestServer.start(Map.of("dataDir", Files.createTempDirectory("atelier-break-off-it").toString()));
    api = new Api(server);
    String url = "s3://atelier/break-off-it/" + SUFFIX + "/model.tar.gz";
    api.put(url, ModelStagingTest.tarGz("weights", "none"));
    api.expect(201, HttpMethod.POST, "models", new JsonObject().put("ModelName", ENDPOINT).put("PrimaryContainer",
        new JsonObject().put("Image", IMAGE).put("ModelDataUrl", url)));
    api.expect(201, HttpMethod.POST, "endpoint-configs", new JsonObject().put("EndpointConfigName", ENDPOINT)
        .put("ProductionVariants", new JsonArray().add(new JsonObject().put("VariantName", "only")
            .put("ModelName", ENDPOINT).put("InstanceType", "ml.t3.medium").put("InitialInstanceCount", 1)
            .put("InitialVariantWeight", 1))));
    api.expect(201, HttpMethod.POST, "endpoints", new JsonObject().put("EndpointName", ENDPOINT)
        .put("EndpointConfigName", ENDPOINT));
    JsonObject d = api.waitFor(ENDPOINT, status("InService").or(status("Failed")), Duration.ofMinutes(4), "InService");
    assertThat(d.getString("EndpointStatus")).as(d.encode()).isEqualTo("InService");
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (api != null) {
        api.call(HttpMethod.DELETE, "endpoints/" + ENDPOINT, null);
        api.awaitGone(ENDPOINT, Duration.ofSeconds(90));
      }
    } finally {
      if (server != null) {
        server.close();
      }
      EndpointsIT.docker("rmi", "-f", IMAGE);
    }
  }

  @Test
  @Order(1)
  void aCallerThatLeavesMidAnswerCountsAsAbandonedNotAsAServerError() throws Exception {
    try (Socket caller = invoke()) {
      InputStream in = caller.getInputStream();
      assertThat(head(in)).startsWith("HTTP/1.1 200").containsIgnoringCase("X-Amzn-Invoked-Production-Variant: only");
      in.readNBytes(READ_FIRST); // the answer is streaming: the router is writing to us now
      caller.setSoLinger(true, 0); // then a reset, as a client killed mid-read sends
    }
    JsonObject minute = awaitTotals(m -> m.getLong("InvocationsAbandoned") >= 1, "the abandoned invocation counted");
    assertThat(minute.getLong("InvocationsAbandoned")).isEqualTo(1);
    assertThat(minute.getLong("Invocation5XXErrors")).as("5XX errors").isZero();
    assertThat(minute.getLong("Invocations")).isEqualTo(1);
    String prometheus = api.call(HttpMethod.GET, "endpoints/metrics", null).bodyAsString();
    assertThat(prometheus).contains("atelier_endpoint_invocations_abandoned_total{endpoint=\"" + ENDPOINT
        + "\",variant=\"only\"} 1").contains("atelier_endpoint_invocation_5xx_errors_total{endpoint=\"" + ENDPOINT
        + "\",variant=\"only\"} 0");
  }

  @Test
  @Order(2)
  void aContainerKilledMidAnswerIsAServerErrorAndTheAnswerEndsShort() throws Exception {
    JsonObject d = api.describe(ENDPOINT);
    String container = d.getJsonArray("ProductionVariants").getJsonObject(0).getJsonArray("Instances")
        .getJsonObject(0).getString("Id");
    long read;
    boolean ended;
    try (Socket caller = invoke()) {
      InputStream in = caller.getInputStream();
      assertThat(head(in)).startsWith("HTTP/1.1 200");
      in.readNBytes(READ_FIRST);
      EndpointsIT.docker("kill", container);
      // The caller keeps reading: the answer must end short, by a reset or an end of stream before
      // the last chunk, since the container never sent it.
      byte[] rest = new byte[64 * 1024];
      read = READ_FIRST;
      ended = false;
      String tail = "";
      try {
        for (int n; (n = in.read(rest)) > 0;) {
          read += n;
          tail = new String(rest, Math.max(0, n - 7), Math.min(n, 7), StandardCharsets.ISO_8859_1);
        }
        ended = tail.endsWith("\r\n0\r\n\r\n");
      } catch (IOException reset) {
        // the router reset the caller's stream: what a broken-off answer must look like
      }
    }
    assertThat(ended).as("the answer ended as complete after %d bytes", read).isFalse();
    JsonObject minute = awaitTotals(m -> m.getLong("Invocation5XXErrors") >= 1, "the broken-off invocation counted");
    assertThat(minute.getLong("Invocation5XXErrors")).isEqualTo(1);
    assertThat(minute.getLong("InvocationsAbandoned")).as("still only the first test's").isEqualTo(1);
  }

  /** Sends an invocation on a socket of its own; the answer is the caller's to read. */
  private static Socket invoke() throws IOException {
    Socket s = new Socket("127.0.0.1", server.port());
    s.setSoTimeout(120_000);
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    String request = "POST " + Api.API + "endpoints/" + ENDPOINT + "/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Authorization: token " + TestServer.TOKEN + "\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length + "\r\n\r\n";
    OutputStream out = s.getOutputStream();
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
    return s;
  }

  /** The answer's head, up to its blank line. */
  private static String head(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      assertThat(c).as("the answer's head: %s", head).isNotNegative();
      head.append((char) c);
    }
    return head.toString();
  }

  /** The variant's counts summed over the last minutes, once they match. */
  private static JsonObject awaitTotals(Predicate<JsonObject> match, String what) throws Exception {
    Instant deadline = Instant.now().plusSeconds(30);
    while (true) {
      JsonArray points = api.expect(200, HttpMethod.GET, "endpoints/" + ENDPOINT + "/metrics?minutes=10", null)
          .getJsonObject("Variants").getJsonArray("only", new JsonArray());
      JsonObject sum = new JsonObject().put("Invocations", 0L).put("Invocation5XXErrors", 0L)
          .put("InvocationsAbandoned", 0L);
      for (Object p : points) {
        JsonObject point = (JsonObject) p;
        for (String f : java.util.List.copyOf(sum.fieldNames())) {
          sum.put(f, sum.getLong(f) + point.getLong(f, 0L));
        }
      }
      if (match.test(sum)) {
        return sum;
      }
      assertThat(Instant.now()).as("%s: %s", what, sum.encode()).isBefore(deadline);
      Thread.sleep(200);
    }
  }
}
