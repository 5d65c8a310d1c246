package dev.atelier.endpoints.router;

import java.util.List;

/** What the router reads on every invocation: the live routing of endpoints. Thread-safe, cheap. */
public interface Routes {
  /** The endpoint's routing now, or null when there is no endpoint of that name. */
  Route route(String endpoint);

  /**
   * An endpoint's routing: its serving fleet's variants and, during a blue/green update, the new
   * fleet's ({@code pending}) with the share of the traffic it gets (0 to 1).
   */
  record Route(String endpoint, String status, List<Variant> variants, List<Variant> pending, double pendingShare) {
    public Route(String endpoint, String status, List<Variant> variants) {
      this(endpoint, status, variants, List.of(), 0);
    }
  }

  /**
   * instances: the healthy ones only (a dead or starting one gets no traffic). window: where the
   * invocations of a new fleet are also counted, for its alarms; null for a serving fleet.
   */
  record Variant(String name, double weight, List<Instance> instances, FleetWindow window) {
    public Variant(String name, double weight, List<Instance> instances) {
      this(name, weight, instances, null);
    }
  }

  record Instance(String id, int port) {}
}
