package dev.atelier.endpoints;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import io.vertx.ext.web.Router;

/**
 * The invocation side of endpoints as the capability sees it: the routes that pass requests to a
 * variant's replicas ({@code dev.atelier.endpoints.router}, which reads only {@link
 * dev.atelier.endpoints.router.Routes}), and the per-minute metrics they keep. {@link #none()}
 * serves no invocations and counts nothing.
 */
interface Invocations {
  /** Mounts {@code {baseUrl}atelier/api/endpoints/:name/invocations}. */
  void mount(Router router, String baseUrl);

  /** Mounts {@code /endpoints/:name/invocations} (SageMaker's runtime path) at the API listener's root. */
  void mountRoot(Router router);

  /** {@code {Period: 60, Variants: {<variant>: [...]}}} over the last {@code minutes}. */
  ObjectNode minutes(String endpoint, int minutes);

  /** Every endpoint's counters in Prometheus' text format. */
  String prometheus();

  /** Drops what is kept about a deleted endpoint. */
  void forget(String endpoint);

  /** The router's requests in flight to the instance now. */
  int inFlight(dev.atelier.endpoints.router.Routes.Instance instance);

  /**
   * Invocations passed by the router to the live routing of {@code routes}, counted per minute in
   * {@code metrics}, each offered to {@code capture}.
   */
  static Invocations routed(io.vertx.core.Vertx vertx, dev.atelier.endpoints.router.Routes routes,
      dev.atelier.endpoints.router.VariantMetrics metrics, dev.atelier.endpoints.router.InvocationCapture capture) {
    dev.atelier.endpoints.router.InvocationRoutes router =
        new dev.atelier.endpoints.router.InvocationRoutes(vertx, routes, metrics, capture);
    return new Invocations() {
      @Override
      public void mount(Router r, String baseUrl) {
        router.mount(r, baseUrl);
      }

      @Override
      public void mountRoot(Router r) {
        router.mountRoot(r);
      }

      @Override
      public ObjectNode minutes(String endpoint, int minutes) {
        return metrics.minutes(endpoint, minutes);
      }

      @Override
      public String prometheus() {
        return metrics.prometheus();
      }

      @Override
      public void forget(String endpoint) {
        metrics.forget(endpoint);
      }

      @Override
      public int inFlight(dev.atelier.endpoints.router.Routes.Instance instance) {
        return router.inFlight(instance);
      }
    };
  }

  static Invocations none() {
    return new Invocations() {
      @Override
      public void mount(Router router, String baseUrl) {}

      @Override
      public void mountRoot(Router router) {}

      @Override
      public ObjectNode minutes(String endpoint, int minutes) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("Period", 60);
        n.putObject("Variants");
        return n;
      }

      @Override
      public String prometheus() {
        return "";
      }

      @Override
      public void forget(String endpoint) {}

      @Override
      public int inFlight(dev.atelier.endpoints.router.Routes.Instance instance) {
        return 0;
      }
    };
  }
}
