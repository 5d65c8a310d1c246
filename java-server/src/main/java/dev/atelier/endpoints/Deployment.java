package dev.atelier.endpoints;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.endpoints.router.FleetWindow;
import dev.atelier.endpoints.router.Routes;
import dev.atelier.http.Json;
import dev.atelier.runtime.ServiceRuntime;
import dev.atelier.runtime.ServiceRuntime.Replica;
import dev.atelier.runtime.ServiceRuntime.Service;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One endpoint as it is now: its status and description, and per variant its plan, its running
 * service and which replicas answer their health check. Read from any thread (the router on every
 * invocation, the API, the monitor); changed by whoever holds {@link #lock} (the rollout, an
 * update, the monitor, a delete), which also writes it to the store.
 */
final class Deployment {
  /** One variant: what should run, what runs, and which replicas get traffic. */
  static final class Variant {
    volatile VariantPlan plan;
    final ServiceRuntime runtime;
    /** Null until it has started (and after it has stopped). */
    volatile Service service;
    final Set<String> healthy = ConcurrentHashMap.newKeySet();
    /** Failed health checks in a row, per replica that has had one since it last answered. */
    final Map<String, Integer> misses = new ConcurrentHashMap<>();

    Variant(VariantPlan plan, ServiceRuntime runtime) {
      this.plan = plan;
      this.runtime = runtime;
    }

    List<Replica> replicas() {
      Service s = service;
      return s == null ? List.of() : s.replicas();
    }
  }

  final String name;
  final String arn;
  volatile String configName;
  final String createdBy;
  final Instant createdAt;
  /** The config's DataCaptureConfig as stored, or null; replaced by an update to another config. */
  volatile ObjectNode dataCapture;
  final ReentrantLock lock = new ReentrantLock();
  /** Variants in the config's order; replaced whole (an update to another config), never changed in place. */
  volatile List<Variant> variants = List.of();
  private volatile String status;
  private volatile String failureReason;
  private volatile Instant modifiedAt;
  /** The blue/green update under way, or null. */
  volatile TrafficShift shift;
  /** The DeploymentConfig the last update used (defaults filled in), or null before one. */
  volatile ObjectNode lastDeploymentConfig;
  /** Set by a delete: a rollout under way gives up at its next look. */
  volatile boolean deleting;
  /** The thread of the blue/green update under way, or null: a delete waits for it to let go. */
  volatile Thread update;
  /**
   * What a server stored of a blue/green update it did not finish (its config, start, policy and
   * new fleet's plans), as read back by a restarted server; null otherwise.
   */
  volatile ObjectNode interruptedUpdate;
  /** What the router reads, rebuilt at every change (see {@link #refresh}). */
  private volatile Routes.Route route;

  Deployment(String name, String arn, String configName, String status, String createdBy, Instant createdAt,
      Instant modifiedAt, ObjectNode dataCapture) {
    this.name = name;
    this.arn = arn;
    this.configName = configName;
    this.status = status;
    this.createdBy = createdBy;
    this.createdAt = createdAt;
    this.modifiedAt = modifiedAt;
    this.dataCapture = dataCapture;
  }

  String status() {
    return status;
  }

  String failureReason() {
    return failureReason;
  }

  void status(String s, String reason, Instant now) {
    status = s;
    failureReason = reason;
    modifiedAt = now;
    refresh();
  }

  void touched(Instant now) {
    modifiedAt = now;
  }

  Variant variant(String variant) {
    return variants.stream().filter(v -> v.plan.variant().equals(variant)).findFirst().orElse(null);
  }

  /**
   * What the router reads: current weights and the healthy replicas only; during a blue/green
   * update, once the new fleet is up, its variants and its share of the traffic too. A snapshot,
   * read without a lock on every invocation; {@link #refresh} makes a new one.
   */
  Routes.Route route() {
    Routes.Route r = route;
    return r != null ? r : refresh();
  }

  /**
   * Rebuilds the routing snapshot from the endpoint as it is now. Whoever changes what the router
   * reads (a replica's health, a weight, the fleet, the shift, the status) calls it, through
   * {@link #status} or the change listeners; synchronized, so that a later snapshot is never
   * replaced by one built before it.
   */
  synchronized Routes.Route refresh() {
    List<Routes.Variant> serving = routes(variants, null);
    TrafficShift t = shift;
    Routes.Route r = t == null || !t.routed ? new Routes.Route(name, status, serving)
        : new Routes.Route(name, status, serving, routes(t.next, t.window), t.share);
    route = r;
    return r;
  }

  private static List<Routes.Variant> routes(List<Variant> variants, FleetWindow window) {
    List<Routes.Variant> out = new ArrayList<>(variants.size());
    for (Variant v : variants) {
      List<Routes.Instance> up = new ArrayList<>();
      for (Replica r : v.replicas()) {
        if (v.healthy.contains(r.id())) {
          up.add(new Routes.Instance(r.id(), r.port()));
        }
      }
      out.add(new Routes.Variant(v.plan.variant(), v.plan.weight(), List.copyOf(up), window));
    }
    return List.copyOf(out);
  }

  /** The list entry: {EndpointName, EndpointArn, EndpointStatus, CreationTime, LastModifiedTime}. */
  ObjectNode summary() {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("EndpointName", name);
    n.put("EndpointArn", arn);
    n.put("EndpointStatus", status);
    n.put("CreationTime", createdAt.toString());
    n.put("LastModifiedTime", modifiedAt.toString());
    return n;
  }

  /** DescribeEndpoint, with each variant's instances (Atelier's addition, for the panel). */
  ObjectNode describe() {
    ObjectNode n = summary();
    n.put("EndpointConfigName", configName);
    if (failureReason != null) {
      n.put("FailureReason", failureReason);
    }
    n.putObject("CreatedBy").put("UserProfileName", createdBy);
    ArrayNode list = n.putArray("ProductionVariants");
    for (Variant v : variants) {
      VariantPlan p = v.plan;
      ObjectNode o = list.addObject();
      o.put("VariantName", p.variant());
      o.put("ModelName", p.model());
      o.put("InstanceType", p.instanceType());
      o.put("CurrentWeight", p.weight());
      o.put("DesiredWeight", p.weight());
      o.put("CurrentInstanceCount", v.replicas().size());
      o.put("DesiredInstanceCount", p.instanceCount());
      o.putArray("DeployedImages").addObject().put("SpecifiedImage", p.image());
      ArrayNode instances = o.putArray("Instances");
      for (Replica r : v.replicas()) {
        ObjectNode i = instances.addObject().put("Id", r.id()).put("Healthy", v.healthy.contains(r.id()))
            .put("StartedAt", r.startedAt().toString());
        if (v.runtime != null) {
          ServiceRuntime.Limits limits = v.runtime.limits(r);
          i.put("LimitsEnforced", limits.enforced());
          if (!limits.enforced()) {
            i.put("LimitsProblem", limits.problem());
          }
        }
      }
    }
    if (dataCapture != null) {
      n.set("DataCaptureConfig", dataCapture);
    }
    TrafficShift t = shift;
    if (t != null) {
      t.describeInto(n);
    }
    if (lastDeploymentConfig != null) {
      n.set("LastDeploymentConfig", lastDeploymentConfig);
    }
    return n;
  }

  /** In the stored description only: the blue/green update under way, for a restarted server to end. */
  static final String UPDATE_UNDER_WAY = "UpdateUnderWay";

  /** The stored description: what a restarted server shows before it looks at the replicas. */
  ObjectNode stored() {
    ObjectNode n = summary();
    n.put("EndpointConfigName", configName);
    n.put("FailureReason", failureReason);
    n.put("CreatedBy", createdBy);
    if (dataCapture != null) {
      n.set("DataCaptureConfig", dataCapture);
    }
    if (lastDeploymentConfig != null) {
      n.set("LastDeploymentConfig", lastDeploymentConfig);
    }
    TrafficShift t = shift;
    if (t != null) {
      n.set(UPDATE_UNDER_WAY, t.stored());
    }
    return n;
  }

  ObjectNode plan() {
    ObjectNode n = Json.mapper().createObjectNode();
    ArrayNode list = n.putArray("Variants");
    variants.forEach(v -> list.add(v.plan.toJson()));
    return n;
  }

  /** Rebuilds the endpoint a server stored, its variants on the runtimes by name (missing ones: null). */
  static Deployment of(EndpointStore.Endpoint row, Map<String, ServiceRuntime> runtimes) {
    ObjectNode d = row.description();
    Deployment dep = new Deployment(row.name(), d.path("EndpointArn").asText(), row.configName(), row.status(),
        row.createdBy(), Instant.ofEpochMilli(row.createdAt()), Instant.ofEpochMilli(row.updatedAt()),
        d.path("DataCaptureConfig").isObject() ? (ObjectNode) d.get("DataCaptureConfig") : null);
    dep.failureReason = d.path("FailureReason").asText(null);
    dep.lastDeploymentConfig = d.path("LastDeploymentConfig").isObject() ? (ObjectNode) d.get("LastDeploymentConfig")
        : null;
    dep.interruptedUpdate = d.path(UPDATE_UNDER_WAY).isObject() ? (ObjectNode) d.get(UPDATE_UNDER_WAY) : null;
    List<Variant> variants = new ArrayList<>();
    for (var v : row.plan().path("Variants")) {
      VariantPlan p = VariantPlan.fromJson(v);
      variants.add(new Variant(p, runtimes.get(p.runtime())));
    }
    dep.variants = List.copyOf(variants);
    return dep;
  }
}
