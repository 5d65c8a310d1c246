package dev.atelier.sagemaker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.http.LogText;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AWS JSON 1.1 front of the SageMaker-compatible API: every request is verified (SigV4) before
 * anything else, then dispatched by {@code X-Amz-Target} to an operation; answers and refusals are
 * encoded as AWS encodes them ({@code {"__type", "message"}}), so that botocore raises the
 * ClientError codes the SDK and waiters expect. Nothing here answers with Atelier's own error shape.
 */
final class AwsJsonRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(AwsJsonRoutes.class);
  static final String CONTENT_TYPE = "application/x-amz-json-1.1";
  /** Requests are JSON documents; the largest SageMaker accepts are well under this. */
  private static final long MAX_BODY = 12L << 20;

  private final Vertx vertx;
  private final SigV4.Keys keys;
  private final Clock clock;
  private final Map<String, Map<String, Operation>> services;

  /** @param services each service's operations by name ({@code sagemaker} and {@code logs}) */
  AwsJsonRoutes(Vertx vertx, SigV4.Keys keys, Clock clock, Map<String, Map<String, Operation>> services) {
    this.vertx = vertx;
    this.keys = keys;
    this.clock = clock;
    this.services = Map.copyOf(services);
  }

  /**
   * Serves {@code POST path}. At the server's root only requests that carry {@code X-Amz-Target}
   * are taken (clients given a bare {@code http://host:port} post there); others go on to the
   * server's own routes.
   */
  void mount(Router router, String path, boolean onlyWithTarget) {
    // One handler: a request it does not take goes on to the next route with its body unread.
    router.post(path).handler(ctx -> {
      if (onlyWithTarget && ctx.request().getHeader("X-Amz-Target") == null) {
        ctx.next();
        return;
      }
      handle(ctx);
    });
  }

  private void handle(RoutingContext ctx) {
    String requestId = UUID.randomUUID().toString();
    Buffer body = Buffer.buffer();
    boolean[] tooLarge = {false};
    ctx.request().handler(chunk -> {
      if (body.length() + chunk.length() > MAX_BODY) {
        tooLarge[0] = true;
      } else if (!tooLarge[0]) {
        body.appendBuffer(chunk);
      }
    });
    ctx.request().exceptionHandler(e -> LOG.info("request body of {} not read: {}", requestId, e.toString()));
    ctx.request().endHandler(v -> {
      if (tooLarge[0]) {
        send(ctx, requestId, new AwsException(413, "ValidationException",
            "The request body is larger than " + (MAX_BODY >> 20) + " MiB."));
        return;
      }
      SigV4.Request request = request(ctx, body.getBytes());
      vertx.executeBlocking(() -> answer(request), false)
          .onSuccess(out -> ctx.response().setStatusCode(200)
              .putHeader("Content-Type", CONTENT_TYPE)
              .putHeader("x-amzn-RequestId", requestId)
              .end(Buffer.buffer(Json.bytes(out))))
          .onFailure(e -> send(ctx, requestId, e));
    });
    ctx.request().resume();
  }

  /** Verifies, parses and runs one request; the output document. */
  JsonNode answer(SigV4.Request request) {
    Target target = Target.parse(request.header("x-amz-target"));
    SigV4.Verified who = SigV4.verify(request, target.signingNames(), clock.instant(), keys);
    Operation op = target.service() == null ? null : services.getOrDefault(target.service(), Map.of())
        .get(target.operation());
    if (op == null) {
      throw new AwsException(400, "UnknownOperationException", target.raw().isEmpty()
          ? "The request names no operation: send X-Amz-Target: SageMaker.<Operation>"
          : "The operation '" + SigV4.abbreviate(target.raw()) + "' is not offered by this server: it serves "
              + String.join(", ", new java.util.TreeSet<>(operations())));
    }
    return op.apply(new Operation.Caller(who.owner(), who.region()), body(request.body()));
  }

  private List<String> operations() {
    List<String> all = new ArrayList<>();
    services.get(Target.SAGEMAKER).keySet().forEach(o -> all.add("SageMaker." + o));
    services.get(Target.LOGS).keySet().forEach(o -> all.add("Logs_20140328." + o));
    return all;
  }

  /** The input document: a JSON object ({} for an empty body). */
  static JsonNode body(byte[] raw) {
    if (raw == null || raw.length == 0) {
      return Json.mapper().createObjectNode();
    }
    JsonNode body;
    try {
      body = Json.mapper().readTree(raw);
    } catch (IOException e) {
      String m = e.getMessage() == null ? "" : e.getMessage();
      int nl = m.indexOf('\n');
      throw AwsException.validation("The request body is not valid JSON: " + LogText.of(nl < 0 ? m : m.substring(0, nl)));
    }
    if (body == null || !body.isObject()) {
      throw AwsException.validation("The request body must be a JSON object (the operation's input).");
    }
    return body;
  }

  private static SigV4.Request request(RoutingContext ctx, byte[] body) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    MultiMap h = ctx.request().headers();
    for (String name : h.names()) {
      headers.put(name.toLowerCase(Locale.ROOT), h.getAll(name));
    }
    String uri = ctx.request().uri();
    int q = uri.indexOf('?');
    return new SigV4.Request(ctx.request().method().name(), q < 0 ? uri : uri.substring(0, q),
        q < 0 ? "" : uri.substring(q + 1), headers, body);
  }

  private static void send(RoutingContext ctx, String requestId, Throwable failure) {
    AwsException e = encode(failure);
    String line = ctx.request().method() + " " + LogText.of(ctx.request().path()) + " "
        + LogText.of(String.valueOf(ctx.request().getHeader("X-Amz-Target")));
    if (e.status() >= 500) {
      LOG.error("{} -> {} {}", line, e.status(), e.code(), failure);
    } else {
      LOG.info("{} -> {} {}: {}", line, e.status(), e.code(), LogText.of(e.getMessage()));
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    Map<String, String> body = new LinkedHashMap<>();
    body.put("__type", e.code());
    body.put("message", e.getMessage());
    ctx.response().setStatusCode(e.status())
        .putHeader("Content-Type", CONTENT_TYPE)
        .putHeader("x-amzn-RequestId", requestId)
        .putHeader("x-amzn-ErrorType", e.code())
        .end(Buffer.buffer(Json.bytes(body)));
  }

  /** Any failure as an AWS error: ours as they are, the services' in SageMaker's terms, the rest a 500. */
  static AwsException encode(Throwable failure) {
    Throwable f = failure;
    while ((f instanceof java.util.concurrent.CompletionException || f instanceof java.util.concurrent.ExecutionException)
        && f.getCause() != null) {
      f = f.getCause();
    }
    if (f instanceof AwsException aws) {
      return aws;
    }
    if (f instanceof ApiException api) {
      return JobOperations.translate(api);
    }
    return new AwsException(500, "InternalFailure", "The server could not answer the request: an internal error"
        + " (its log has the details); try again.");
  }
}
