package dev.atelier.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.CompletionStage;

/** Small helpers shared by the capabilities' route classes. */
public final class Routes {
  private Routes() {}

  /** Adapts a service's future to the routing context's event loop. */
  public static <T> Future<T> onContext(Vertx vertx, CompletionStage<T> stage) {
    return Future.fromCompletionStage(stage, vertx.getOrCreateContext());
  }

  /** Ends with a JSON body. */
  public static void json(RoutingContext ctx, int status, Object body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .end(body instanceof String s ? s : Json.encode(body));
  }
}
