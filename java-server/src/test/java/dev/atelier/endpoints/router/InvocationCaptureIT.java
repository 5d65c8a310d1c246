package dev.atelier.endpoints.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.config.AtelierConfig;
import dev.atelier.config.ConfigLoader;
import dev.atelier.endpoints.capture.CaptureSink;
import dev.atelier.endpoints.capture.DataCaptureConfig;
import dev.atelier.endpoints.router.Routes.Instance;
import dev.atelier.endpoints.router.Routes.Route;
import dev.atelier.endpoints.router.Routes.Variant;
import dev.atelier.http.FailureHandler;
import dev.atelier.http.Json;
import dev.atelier.storage.EmbeddedS3;
import dev.atelier.storage.KeyPolicy;
import dev.atelier.storage.MinioObjectStore;
import dev.atelier.storage.ObjectStore;
import dev.atelier.storage.ObjectStore.ObjectInfo;
import dev.atelier.storage.ObjectStore.S3Uri;
import dev.atelier.storage.ObjectStores;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Data capture behind the real router, to the embedded S3 server: sampled invocations land as
 * SageMaker's JSON Lines at {@code <dest>/<endpoint>/<variant>/yyyy/mm/dd/hh/}; with the store
 * unreachable the invocations are unaffected, the records stay spooled and are uploaded once it is back;
 * a spool at its cap refuses new records, counted, and takes them again once uploads free room.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InvocationCaptureIT {
  private static final String CAPTURE = "{\"EnableCapture\": true, \"InitialSamplingPercentage\": 100,"
      + " \"DestinationS3Uri\": \"s3://capture-bucket/dc\", \"CaptureOptions\": [{\"CaptureMode\": \"Input\"},"
      + " {\"CaptureMode\": \"Output\"}]}";
  private final List<AutoCloseable> closing = new ArrayList<>();
  private Vertx vertx;
  private HttpServer server;
  private WebClient web;
  private ModelStandIn model;

  @AfterEach
  void stop() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  /** Starts the router with the sink in front of a stand-in model for endpoints "cap" and "plain". */
  private void serve(CaptureSink sink) throws Exception {
    vertx = Vertx.vertx();
    model = new ModelStandIn(vertx);
    closing.add(model);
    List<Variant> variants = List.of(new Variant("AllTraffic", 1, List.of(new Instance("i-1", model.port()))));
    Map<String, Route> routes = Map.of("cap", new Route("cap", "InService", variants),
        "plain", new Route("plain", "InService", variants));
    InvocationRoutes invocations = new InvocationRoutes(vertx, routes::get, new VariantMetrics(), sink);
    Router router = Router.router(vertx);
    invocations.mountRoot(router);
    router.route().failureHandler(new FailureHandler());
    server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    web = WebClient.create(vertx);
    sink.configure("cap", DataCaptureConfig.parse(Json.mapper().readTree(CAPTURE), "DataCaptureConfig"));
  }

  private HttpResponse<Buffer> invoke(String endpoint, String inferenceId, String attributes) throws Exception {
    var r = web.post(server.actualPort(), "127.0.0.1", "/endpoints/" + endpoint + "/invocations")
        .putHeader("Content-Type", "text/csv").putHeader("X-Amzn-SageMaker-Inference-Id", inferenceId);
    if (attributes != null) {
      r.putHeader("X-Amzn-SageMaker-Custom-Attributes", attributes);
    }
    return await(r.sendBuffer(Buffer.buffer("1,2\n")));
  }

  private static AtelierConfig config(Path dataDir) {
    return ConfigLoader.load(null, Map.of(), Map.of(), Map.of("dataDir", dataDir.toString(), "token", "t"));
  }

  @Test
  void sampledInvocationsLandInSageMakersLayout() throws Exception {
    Path dataDir = Files.createTempDirectory("atelier-capture-it");
    ObjectStore store = ObjectStores.open(config(dataDir));
    closing.add(store);
    CaptureSink sink = new CaptureSink(store, dataDir.resolve("capture"),
        new CaptureSink.Options(1000, 1 << 26, Duration.ofMillis(500), 5, Duration.ofMillis(500)), () -> 0).start();
    closing.add(sink);
    serve(sink);
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 12; i++) {
      ids.add("req-" + i);
      assertThat(invoke("cap", "req-" + i, null).statusCode()).isEqualTo(200);
    }
    assertThat(invoke("plain", "not-captured", null).statusCode()).isEqualTo(200);
    // an answer over 6 MB streams whole but is not captured
    model.firstChunkSeen.tryComplete();
    HttpResponse<Buffer> large = invoke("cap", "large", "mode=large:" + (7 * 1024 * 1024));
    assertThat(large.statusCode()).isEqualTo(200);
    assertThat(large.body().length()).isEqualTo(7 * 1024 * 1024);
    waitFor(() -> sink.status("cap").path("Uploaded").asLong() == 12, "12 records uploaded: " + sink.status("cap"));
    JsonNode status = sink.status("cap");
    assertThat(status.path("Pending").asLong()).isZero();
    assertThat(status.path("Dropped").asLong()).isZero();
    assertThat(status.path("UploadedFiles").asLong()).isGreaterThanOrEqualTo(3); // at most 5 records a file
    assertThat(sink.status("plain").path("Captured").asLong()).isZero();

    List<ObjectInfo> objects = store.list(new S3Uri("capture-bucket", "dc/"));
    assertThat(objects).isNotEmpty().allSatisfy(o -> assertThat(o.key())
        .matches("dc/cap/AllTraffic/\\d{4}/\\d{2}/\\d{2}/\\d{2}/\\d{2}-\\d{2}-\\d{3}-[0-9a-f-]{36}\\.jsonl"));
    Set<String> seen = new HashSet<>();
    for (ObjectInfo o : objects) {
      String text = new String(store.get(new S3Uri("capture-bucket", o.key())).readAllBytes(), StandardCharsets.UTF_8);
      for (String line : text.split("\n")) {
        JsonNode r = Json.mapper().readTree(line);
        seen.add(r.at("/eventMetadata/inferenceId").asText());
        assertThat(r.at("/captureData/endpointInput/data").asText()).isEqualTo("1,2\n");
        assertThat(r.at("/captureData/endpointInput/encoding").asText()).isEqualTo("CSV");
        assertThat(r.at("/captureData/endpointOutput/observedContentType").asText()).isEqualTo("application/json");
        assertThat(r.at("/captureData/endpointOutput/encoding").asText()).isEqualTo("JSON");
        assertThat(Json.mapper().readTree(r.at("/captureData/endpointOutput/data").asText()).path("inferenceId").asText())
            .isEqualTo(r.at("/eventMetadata/inferenceId").asText());
        assertThat(r.path("eventVersion").asText()).isEqualTo("0");
      }
    }
    assertThat(seen).isEqualTo(ids);
    try (Stream<Path> left = Files.walk(dataDir.resolve("capture"))) {
      assertThat(left.filter(Files::isRegularFile).toList()).isEmpty();
    }
  }

  @Test
  void anUnreachableStoreNeitherSlowsNorFailsInvocations() throws Exception {
    Path dataDir = Files.createTempDirectory("atelier-capture-down");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path s3 = dataDir.resolve("s3");
    Path credentialsFile = dataDir.resolve("creds.json");
    EmbeddedS3 first = EmbeddedS3.start(s3, credentialsFile, port);
    EmbeddedS3.Credentials credentials = first.credentials();
    first.close(); // the store is down from now on
    ObjectStore store = new MinioObjectStore(URI.create("http://127.0.0.1:" + port), "us-east-1",
        credentials.accessKey(), credentials.secretKey(), true, "atelier", KeyPolicy.FILESYSTEM, null);
    closing.add(store);
    CaptureSink sink = new CaptureSink(store, dataDir.resolve("capture"),
        new CaptureSink.Options(1000, 1 << 26, Duration.ofMillis(300), 100, Duration.ofMillis(500)), () -> 0).start();
    closing.add(sink);
    serve(sink);
    assertThat(invoke("plain", "warm-up", null).statusCode()).isEqualTo(200);
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      assertThat(invoke("cap", "down-" + i, null).statusCode()).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
    }
    waitFor(() -> !sink.status("cap").path("LastError").isNull(), "an upload failed: " + sink.status("cap"));
    JsonNode status = sink.status("cap");
    assertThat(status.path("Captured").asLong()).isEqualTo(5);
    assertThat(status.path("Pending").asLong()).isEqualTo(5);
    assertThat(status.path("Uploaded").asLong()).isZero();
    try (Stream<Path> spooled = Files.walk(dataDir.resolve("capture/capture-bucket/dc/cap/AllTraffic"))) {
      assertThat(spooled.filter(p -> p.toString().endsWith(".jsonl")).toList()).isNotEmpty();
    }

    EmbeddedS3 back = EmbeddedS3.start(s3, credentialsFile, port);
    closing.add(back);
    waitFor(() -> sink.status("cap").path("Uploaded").asLong() == 5, "uploaded once the store is back: "
        + sink.status("cap"));
    assertThat(sink.status("cap").path("Pending").asLong()).isZero();
    assertThat(sink.status("cap").path("LastError").isNull()).isTrue();
    long records = 0;
    for (ObjectInfo o : store.list(new S3Uri("capture-bucket", "dc/cap/AllTraffic/"))) {
      records += new String(store.get(new S3Uri("capture-bucket", o.key())).readAllBytes(), StandardCharsets.UTF_8)
          .lines().count();
    }
    assertThat(records).isEqualTo(5);
  }

  @Test
  void aFullSpoolRefusesNewRecordsCountsThemAndSpoolsAgainOnceUploadsFreeRoom() throws Exception {
    Path dataDir = Files.createTempDirectory("atelier-capture-cap");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path s3 = dataDir.resolve("s3");
    Path credentialsFile = dataDir.resolve("creds.json");
    EmbeddedS3 first = EmbeddedS3.start(s3, credentialsFile, port);
    EmbeddedS3.Credentials credentials = first.credentials();
    first.close(); // the store is down from now on
    ObjectStore store = new MinioObjectStore(URI.create("http://127.0.0.1:" + port), "us-east-1",
        credentials.accessKey(), credentials.secretKey(), true, "atelier", KeyPolicy.FILESYSTEM, null);
    closing.add(store);
    long cap = 2000; // a few records of about 500 bytes
    CaptureSink sink = new CaptureSink(store, dataDir.resolve("capture"),
        new CaptureSink.Options(1000, 1 << 26, Duration.ofMillis(300), 100, Duration.ofMillis(500), cap), () -> 0)
        .start();
    closing.add(sink);
    serve(sink);
    int sent = 20;
    for (int i = 0; i < sent; i++) {
      assertThat(invoke("cap", "full-" + i, null).statusCode()).isEqualTo(200);
    }
    Path spool = dataDir.resolve("capture/capture-bucket/dc/cap/AllTraffic");
    // Every record is either on disk (in closed files, as the upload keeps failing) or dropped.
    waitFor(() -> spooledLines(spool) + sink.status("cap").path("Dropped").asLong() == sent,
        "each record spooled or dropped: " + sink.status("cap"));
    JsonNode status = sink.status("cap");
    long dropped = status.path("Dropped").asLong();
    assertThat(status.path("DroppedSpoolFull").asLong()).as("%s", status).isEqualTo(dropped).isPositive();
    assertThat(dropped).isLessThan(sent);
    assertThat(status.path("Captured").asLong()).isEqualTo(sent);
    assertThat(status.path("Pending").asLong()).isEqualTo(sent - dropped);
    assertThat(status.path("SpoolMaxBytes").asLong()).isEqualTo(cap);
    assertThat(status.path("SpoolBytes").asLong()).as("the spool's own count").isEqualTo(spooledBytes(spool))
        .isLessThanOrEqualTo(cap);

    EmbeddedS3 back = EmbeddedS3.start(s3, credentialsFile, port);
    closing.add(back);
    waitFor(() -> sink.status("cap").path("Uploaded").asLong() == sent - dropped
        && sink.status("cap").path("SpoolBytes").asLong() == 0, "uploaded once the store is back: " + sink.status("cap"));
    for (int i = 0; i < 3; i++) {
      assertThat(invoke("cap", "again-" + i, null).statusCode()).isEqualTo(200);
    }
    waitFor(() -> sink.status("cap").path("Uploaded").asLong() == sent - dropped + 3,
        "records spooled and uploaded again once there is room: " + sink.status("cap"));
    assertThat(sink.status("cap").path("DroppedSpoolFull").asLong()).isEqualTo(dropped);
  }

  private static long spooledLines(Path dir) {
    return spooled(dir).stream().mapToLong(p -> {
      try (Stream<String> lines = Files.lines(p)) {
        return lines.count();
      } catch (java.io.IOException e) {
        return 0; // uploaded and deleted meanwhile
      }
    }).sum();
  }

  private static long spooledBytes(Path dir) {
    return spooled(dir).stream().mapToLong(p -> p.toFile().length()).sum();
  }

  /** The closed spool files below {@code dir}. */
  private static List<Path> spooled(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(p -> p.toString().endsWith(".jsonl")).toList();
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      return List.of();
    }
  }

  @Test
  void filesAStoppedRunLeftAreUploadedOnStart() throws Exception {
    Path dataDir = Files.createTempDirectory("atelier-capture-recover");
    ObjectStore store = ObjectStores.open(config(dataDir));
    closing.add(store);
    Path folder = dataDir.resolve("capture/capture-bucket/dc/cap/AllTraffic/2026/12/03/14");
    Files.createDirectories(folder);
    String line = "{\"captureData\":{},\"eventMetadata\":{\"eventId\":\"e\"},\"eventVersion\":\"0\"}\n";
    Files.writeString(folder.resolve("01-02-003-closed.jsonl"), line + line + line);
    // killed while writing: the broken last line is dropped
    Files.writeString(folder.resolve("04-05-006-open.jsonl.part"), line + line + "{\"captureData\":{\"endpo");
    CaptureSink sink = new CaptureSink(store, dataDir.resolve("capture"),
        new CaptureSink.Options(10, 1 << 20, Duration.ofSeconds(1), 10, Duration.ofMillis(500)), () -> 0).start();
    closing.add(sink);
    waitFor(() -> sink.status("cap").path("Uploaded").asLong() == 5, "5 recovered records uploaded");
    assertThat(sink.status("cap").path("Pending").asLong()).isZero();
    String open = new String(store.get(new S3Uri("capture-bucket", "dc/cap/AllTraffic/2026/12/03/14/04-05-006-open.jsonl"))
        .readAllBytes(), StandardCharsets.UTF_8);
    assertThat(open).isEqualTo(line + line);
  }

  private static void waitFor(BooleanSupplier condition, Object what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
