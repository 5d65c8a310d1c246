package dev.atelier.endpoints.router;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * SageMaker's ModelError, the answer to an invocation whose container failed it: the container's
 * own status and message (what botocore shows as OriginalStatusCode and OriginalMessage), with
 * {@code x-amzn-ErrorType: ModelError}.
 */
final class ModelError {
  /** How much of a failing container's answer is kept for OriginalMessage. */
  static final int MESSAGE_LIMIT = 64 * 1024;

  private ModelError() {}

  /**
   * Reads the failing container's answer, its first {@value #MESSAGE_LIMIT} bytes kept, and hands
   * them to {@code complete} once it has ended; a container that breaks off its answer: what it
   * said so far.
   */
  static void read(HttpClientResponse response, Consumer<String> complete) {
    Buffer message = Buffer.buffer();
    boolean[] ended = {false};
    Runnable end = () -> {
      if (!ended[0]) {
        ended[0] = true;
        complete.accept(message.toString(StandardCharsets.UTF_8));
      }
    };
    response.handler(chunk -> {
      int room = MESSAGE_LIMIT - message.length();
      if (room > 0) {
        message.appendBuffer(chunk, 0, Math.min(room, chunk.length()));
      }
    });
    response.exceptionHandler(e -> end.run());
    response.endHandler(v -> end.run());
  }

  /** Answers {@code status} (424, or 408 for a timeout) with the ModelError body. */
  static void answer(RoutingContext ctx, int status, String variant, int originalStatus, String originalMessage,
      String message) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("ErrorCode", "ModelError");
    error.put("OriginalStatusCode", originalStatus);
    error.put("OriginalMessage", originalMessage);
    error.put("message", message);
    ctx.response().putHeader(InvocationRoutes.ERROR_TYPE, "ModelError").putHeader(Invocation.INVOKED_VARIANT, variant);
    dev.atelier.http.Routes.json(ctx, status, error);
  }
}
