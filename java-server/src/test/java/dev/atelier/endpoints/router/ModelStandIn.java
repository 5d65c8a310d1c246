package dev.atelier.endpoints.router;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model container's HTTP side for the router's tests, on 127.0.0.1: {@code POST /invocations}
 * answers by the {@code mode=} the caller put in {@code X-Amzn-SageMaker-Custom-Attributes}:
 * {@code echo} (default: the request's headers and size as JSON, Content-Type from Accept, the
 * attributes sent back), {@code status:<code>} (that status with body {@code boom <code>}), {@code
 * sleep:<ms>}, {@code large:<bytes>} (chunked, the first 64 KiB, then the rest only once {@link
 * #firstChunkSeen} completes: an answer held whole by the router never gets there).
 */
final class ModelStandIn implements AutoCloseable {
  final AtomicInteger connections = new AtomicInteger();
  final AtomicInteger invocations = new AtomicInteger();
  volatile Promise<Void> firstChunkSeen = Promise.promise();
  private final Vertx vertx;
  private final HttpServer server;

  ModelStandIn(Vertx vertx) throws Exception {
    this.vertx = vertx;
    this.server = vertx.createHttpServer()
        .connectionHandler(c -> connections.incrementAndGet())
        .requestHandler(this::handle)
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  int port() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest request) {
    if (!request.path().equals("/invocations")) {
      request.response().setStatusCode(404).end();
      return;
    }
    invocations.incrementAndGet();
    request.body().onSuccess(body -> {
      String attributes = request.getHeader("X-Amzn-SageMaker-Custom-Attributes");
      String mode = attributes != null && attributes.startsWith("mode=") ? attributes.substring(5) : "echo";
      HttpServerResponse response = request.response();
      if (mode.startsWith("status:")) {
        int status = Integer.parseInt(mode.substring(7));
        response.setStatusCode(status).putHeader("Content-Type", "text/plain").end("boom " + status);
      } else if (mode.startsWith("sleep:")) {
        vertx.setTimer(Long.parseLong(mode.substring(6)), id -> echo(request, body));
      } else if (mode.startsWith("large:")) {
        large(response, Long.parseLong(mode.substring(6)));
      } else {
        echo(request, body);
      }
    });
  }

  private static void echo(HttpServerRequest request, Buffer body) {
    JsonObject seen = new JsonObject()
        .put("contentType", request.getHeader("Content-Type"))
        .put("accept", request.getHeader("Accept"))
        .put("customAttributes", request.getHeader("X-Amzn-SageMaker-Custom-Attributes"))
        .put("inferenceId", request.getHeader("X-Amzn-SageMaker-Inference-Id"))
        .put("targetVariant", request.getHeader("X-Amzn-SageMaker-Target-Variant"))
        .put("contentLength", request.getHeader("Content-Length"))
        .put("bytes", body.length());
    HttpServerResponse response = request.response()
        .putHeader("Content-Type", request.getHeader("Accept") == null ? "application/json" : request.getHeader("Accept"));
    String attributes = request.getHeader("X-Amzn-SageMaker-Custom-Attributes");
    if (attributes != null) {
      response.putHeader("X-Amzn-SageMaker-Custom-Attributes", "seen=" + attributes);
    }
    response.end(seen.encode());
  }

  private void large(HttpServerResponse response, long total) {
    response.setChunked(true).putHeader("Content-Type", "application/octet-stream");
    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
    response.write(chunk);
    io.vertx.core.Context here = vertx.getOrCreateContext();
    firstChunkSeen.future().onSuccess(v -> here.runOnContext(x -> writeRest(response, chunk, total - chunk.length())));
  }

  /** Writes with back-pressure, as a real server does. */
  private void writeRest(HttpServerResponse response, Buffer chunk, long left) {
    long remaining = left;
    while (remaining > 0 && !response.writeQueueFull()) {
      int n = (int) Math.min(chunk.length(), remaining);
      response.write(n == chunk.length() ? chunk : chunk.slice(0, n));
      remaining -= n;
    }
    if (remaining <= 0) {
      response.end();
      return;
    }
    long rest = remaining;
    response.drainHandler(v -> writeRest(response, chunk, rest));
  }

  Future<Void> stop() {
    return server.close();
  }

  @Override
  public void close() throws Exception {
    stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
