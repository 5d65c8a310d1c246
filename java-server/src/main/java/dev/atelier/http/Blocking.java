package dev.atelier.http;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;

/** Blocking work (a store, a database) off the event loop, answered back on the caller's context. */
public final class Blocking {
  private Blocking() {}

  /**
   * Runs {@code work} on a new virtual thread named {@code name}; the future completes (or fails
   * with what the work threw) on the context that called, so a route handler may write its
   * response from the callback.
   */
  public static <T> Future<T> run(Vertx vertx, String name, Callable<T> work) {
    Context context = vertx.getOrCreateContext();
    Promise<T> promise = Promise.promise();
    Thread.ofVirtual().name(name).start(() -> {
      try {
        T result = work.call();
        context.runOnContext(v -> promise.complete(result));
      } catch (Throwable t) {
        context.runOnContext(v -> promise.fail(t));
      }
    });
    return promise.future();
  }
}
