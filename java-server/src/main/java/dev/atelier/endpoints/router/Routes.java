package dev.atelier.endpoints.router;
/** What the router reads on every invocation: the live routing of endpoints. Thread-safe, cheap. */
public interface Routes {
  /** The endpoint's routing now, or null when there is no endpoint of that name. */
  Route route(String endpoint);
  record Route(String endpoint, String status, java.util.List<Variant> variants) {}
  /** instances: the healthy ones only (a dead or starting one gets no traffic). */
  record Variant(String name, double weight, java.util.List<Instance> instances) {}
  record Instance(String id, int port) {}
}
