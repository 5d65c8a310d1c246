package dev.atelier.http;

import io.vertx.ext.web.Router;
import java.util.Map;

/**
 * One part of the product behind Atelier's API: kernels, instances, objects, jobs, and the ones to
 * come. {@code Main} builds the list from the configuration; the server mounts each on the API
 * listener and on the front door, asks each for its part of the health answer, and closes them in
 * reverse order. A new capability is a package with its routes, service and store, and one entry in
 * that list.
 */
public interface Capability extends AutoCloseable {
  /** A short name for logs ("jobs"). */
  String name();

  /**
   * Mounts the capability's routes under {@code baseUrl} (which ends with {@code /}): {@code /} on the
   * API listener, jupyter_server's base URL on the front door. Called once per router.
   */
  void mount(Router router, String baseUrl);

  /**
   * Routes that authenticate every request themselves (AWS-signed APIs) and carry no server token:
   * mounted on the API listener before the token check, so each must end or pass on every request
   * it matches. Called once.
   */
  default void mountSigned(Router router) {}

  /** Routes only the API listener serves, at its root (the Jupyter kernel gateway API). */
  default void mountRoot(Router router) {}

  /** Called once before the first mount, on the server's context: timers, event subscriptions. */
  default void start() {}

  /** Adds this capability's fields to {@code /atelier/api/health}; may block (runs off the event loop). */
  default void health(Map<String, Object> body) {}

  /** Releases what the capability holds; never throws for a resource already gone. */
  @Override
  default void close() {}
}
