package dev.atelier.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.concurrent.CompletionStage;

/** Small helpers shared by the capabilities' route classes. */
public final class Routes {
  private Routes() {}

  /** Adapts a service's future to the routing context's event loop. */
  public static <T> Future<T> onContext(Vertx vertx, CompletionStage<T> stage) {
    return Future.fromCompletionStage(stage, vertx.getOrCreateContext());
  }

  /** Ends with a JSON body: a value to encode, or JSON already encoded (a String or a Buffer). */
  public static void json(RoutingContext ctx, int status, Object body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .end(body instanceof String s ? Buffer.buffer(s)
            : body instanceof Buffer b ? b : Buffer.buffer(Json.bytes(body)));
  }

  /** The request body as a JSON object (an empty body is an empty object), or a 400 saying why not. */
  public static JsonNode objectBody(RoutingContext ctx) {
    Buffer raw = ctx.body().buffer();
    if (raw == null || raw.length() == 0) {
      return Json.mapper().createObjectNode();
    }
    JsonNode body;
    try {
      body = Json.mapper().readTree(raw.getBytes());
    } catch (IOException e) {
      String m = e.getMessage() == null ? "" : e.getMessage();
      int nl = m.indexOf('\n');
      throw ApiException.badRequest("request body is not valid JSON: " + (nl < 0 ? m : m.substring(0, nl)));
    }
    if (body == null || !body.isObject()) {
      throw ApiException.badRequest("request body must be a JSON object");
    }
    return body;
  }
}
