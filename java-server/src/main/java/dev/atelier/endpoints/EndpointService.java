package dev.atelier.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.endpoints.EndpointRequests.Desired;
import dev.atelier.endpoints.EndpointRequests.EndpointRequest;
import dev.atelier.endpoints.EndpointStore.Kind;
import dev.atelier.endpoints.bluegreen.DeploymentPolicy;
import dev.atelier.endpoints.bluegreen.Drain;
import dev.atelier.endpoints.router.Routes;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.jobs.Fields;
import dev.atelier.runtime.RuntimeFailure;
import dev.atelier.runtime.ServiceRuntime;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Endpoints: created from a config, brought up by a {@link Rollout} on a virtual thread, watched
 * by the {@link HealthMonitor}, resized in place, deleted, and adopted again after a restart
 * (their replicas outlive the server). Every endpoint, whatever its status, is held here, so the
 * router's {@link #route} never reads the database.
 */
public final class EndpointService implements Routes, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EndpointService.class);
  /** How long a delete waits for the blue/green update under way to stop its new fleet. */
  private static final Duration UPDATE_LETS_GO = Duration.ofMinutes(2);

  private final EndpointStore store;
  private final ModelsAndConfigs definitions;
  private final Map<String, ServiceRuntime> runtimes;
  private final VariantPlanner planner;
  private final Clock clock;
  private final String user;
  private final Rollout rollout;
  private final BlueGreenUpdate blueGreen;
  private final HealthMonitor monitor;
  private final Adoption adoption;
  /** The router's requests in flight to an instance; none until {@link #countInFlight} is told the router's. */
  private volatile ToIntFunction<Routes.Instance> inFlight = i -> 0;
  private final Map<String, Deployment> live = new ConcurrentHashMap<>();
  private final List<Consumer<ObjectNode>> listeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<String>> deletions = new CopyOnWriteArrayList<>();

  EndpointService(EndpointStore store, ModelsAndConfigs definitions, Map<String, ServiceRuntime> runtimes,
      dev.atelier.storage.ObjectStore objects, Path stageDir, String python, String user, Clock clock,
      Duration readyTimeout, Duration stopGrace, Duration monitorInterval) {
    this.store = store;
    this.definitions = definitions;
    this.runtimes = Map.copyOf(runtimes);
    this.planner = new VariantPlanner(definitions, this.runtimes, stageDir);
    this.clock = clock;
    this.user = user;
    this.rollout = new Rollout(store, objects, python, clock, readyTimeout, stopGrace, this::changed);
    this.blueGreen = new BlueGreenUpdate(rollout, clock, i -> inFlight.applyAsInt(i), Drain.standard());
    this.monitor = new HealthMonitor(live::values, monitorInterval, this::changed);
    this.adoption = new Adoption(store, this.runtimes, rollout, clock);
  }

  /** Where a fleet leaving the routing learns the router's requests in flight to its instances. */
  void countInFlight(ToIntFunction<Routes.Instance> counts) {
    this.inFlight = counts;
  }

  ModelsAndConfigs definitions() {
    return definitions;
  }

  /** Told the endpoint's description at every change; {@code "deleted": true} once it is gone. */
  void onChange(Consumer<ObjectNode> listener) {
    listeners.add(listener);
  }

  /** Told an endpoint's name once it is deleted (the router forgets its metrics). */
  void onDeleted(Consumer<String> listener) {
    deletions.add(listener);
  }

  private void changed(Deployment dep) {
    dep.refresh();
    ObjectNode d = dep.describe();
    listeners.forEach(l -> l.accept(d));
  }

  /** Every endpoint held, whatever its status (the usage sampler's round). */
  java.util.Collection<Deployment> deployments() {
    return live.values();
  }

  @Override
  public Route route(String endpoint) {
    Deployment dep = endpoint == null ? null : live.get(endpoint);
    return dep == null ? null : dep.route();
  }

  /**
   * Loads every stored endpoint and takes over what an earlier server left running (see {@link
   * Adoption}), then starts the health monitor.
   */
  void adopt() {
    adoption.adopt(live, this::finishDelete);
    monitor.start();
  }

  /** CreateEndpoint: stores it Creating and starts bringing it up; returns its ARN. */
  public String create(EndpointRequest r) {
    JsonNode config;
    try {
      config = definitions.describe(Kind.CONFIG, r.configName());
    } catch (ApiException e) {
      throw ApiException.notFound("EndpointConfigName: " + e.getMessage());
    }
    if (store.endpoint(r.name()) != null || live.containsKey(r.name())) {
      throw ApiException.conflict("an endpoint named '" + r.name() + "' already exists; endpoint names are unique");
    }
    Instant now = clock.instant();
    ObjectNode capture = config.path("DataCaptureConfig").isObject() ? (ObjectNode) config.get("DataCaptureConfig")
        : null;
    Deployment dep = new Deployment(r.name(), definitions.arn("endpoint", r.name()), r.configName(), "Creating", user,
        now, now, capture);
    dep.variants = planner.plans(r.name(), config, now.toEpochMilli());
    store.insert(new EndpointStore.Endpoint(dep.name, dep.configName, dep.status(), user, now.toEpochMilli(),
        now.toEpochMilli(), dep.stored(), dep.plan()));
    live.put(dep.name, dep);
    changed(dep);
    Thread.ofVirtual().name("endpoint-create-" + dep.name).start(() -> rollout.create(dep));
    return dep.arn;
  }

  private Deployment require(String name) {
    Deployment dep = live.get(name);
    if (dep == null) {
      throw ApiException.notFound("no endpoint named '" + name + "'");
    }
    return dep;
  }

  public ObjectNode describe(String name) {
    return require(name).describe();
  }

  /** {@code {Endpoints: [...]}}, newest first. */
  public ObjectNode list() {
    ObjectNode body = Json.mapper().createObjectNode();
    ArrayNode list = body.putArray("Endpoints");
    live.values().stream().sorted(java.util.Comparator.comparing((Deployment d) -> d.createdAt).reversed()
        .thenComparing(d -> d.name)).forEach(d -> list.add(d.summary()));
    return body;
  }

  /** DeleteEndpoint: Deleting at once (its description so), the replicas stopped with the grace period, then gone. */
  public ObjectNode delete(String name) {
    Deployment dep = require(name);
    synchronized (dep) {
      if (dep.deleting) {
        return dep.describe();
      }
      dep.deleting = true;
    }
    dep.status("Deleting", null, clock.instant());
    store.update(dep.name, dep.status(), dep.stored(), dep.plan(), clock.millis());
    ObjectNode deleting = dep.describe();
    changed(dep);
    Thread.ofVirtual().name("endpoint-delete-" + dep.name).start(() -> finishDelete(dep));
    return deleting;
  }

  private void finishDelete(Deployment dep) {
    Thread update = dep.update;
    if (update != null) {
      // A blue/green update sees the delete at its next look and stops its new fleet.
      try {
        if (!update.join(UPDATE_LETS_GO)) {
          LOG.warn("endpoint {}: the update under way did not end within {} s of the delete", dep.name,
              UPDATE_LETS_GO.toSeconds());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    dep.lock.lock();
    try {
      TrafficShift shift = dep.shift;
      if (shift != null) {
        shift.routed = false;
        dep.shift = null;
        rollout.stop(shift.next, Duration.ZERO, dep.name);
      }
      rollout.stopAll(dep, rollout.stopGrace());
      store.deleteEndpoint(dep.name);
      live.remove(dep.name, dep);
    } finally {
      dep.lock.unlock();
    }
    ObjectNode gone = dep.summary();
    gone.put("deleted", true);
    listeners.forEach(l -> l.accept(gone));
    deletions.forEach(l -> l.accept(dep.name));
    LOG.info("endpoint {} is deleted", dep.name);
  }

  /**
   * UpdateEndpointWeightsAndCapacities: the weights change at once; instance counts change in place
   * (Updating until the new replicas answer, then InService).
   */
  public void updateWeightsAndCapacities(String name, List<Desired> desired) {
    Deployment dep = require(name);
    Map<String, Double> weights = new LinkedHashMap<>();
    dep.variants.forEach(v -> weights.put(v.plan.variant(), v.plan.weight()));
    for (int i = 0; i < desired.size(); i++) {
      Desired d = desired.get(i);
      if (dep.variant(d.variant()) == null) {
        throw Fields.bad("DesiredWeightsAndCapacities[" + i + "].VariantName", "the endpoint '" + name
            + "' has no variant '" + d.variant() + "' (its variants: " + String.join(", ", weights.keySet()) + ")");
      }
      if (d.weight() != null) {
        weights.put(d.variant(), d.weight());
      }
    }
    if (weights.values().stream().allMatch(w -> w == 0)) {
      throw Fields.bad("DesiredWeightsAndCapacities", "every variant's weight would be 0; at least one needs traffic");
    }
    // The monitor holds the lock for a round of health checks; a rollout or an update for longer.
    if (!tryLock(dep, Duration.ofSeconds(15))) {
      throw ApiException.conflict("the endpoint '" + name + "' is " + dep.status() + "; it can be updated once"
          + " it is InService");
    }
    try {
      if (!"InService".equals(dep.status()) || dep.deleting) {
        throw ApiException.conflict("the endpoint '" + name + "' is " + dep.status()
            + "; only an InService endpoint can be updated");
      }
      for (Desired d : desired) {
        Deployment.Variant v = dep.variant(d.variant());
        if (d.weight() != null) {
          v.plan = v.plan.withWeight(d.weight());
        }
      }
      dep.status("Updating", null, clock.instant());
      rollout.save(dep);
    } finally {
      dep.lock.unlock();
    }
    Thread.ofVirtual().name("endpoint-update-" + dep.name).start(() -> resize(dep, desired));
  }

  private static boolean tryLock(Deployment dep, Duration wait) {
    try {
      return dep.lock.tryLock(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void resize(Deployment dep, List<Desired> desired) {
    dep.lock.lock();
    try {
      List<String> problems = new ArrayList<>();
      for (Desired d : desired) {
        Deployment.Variant v = dep.variant(d.variant());
        if (d.instanceCount() != null && !dep.deleting) {
          String p = rollout.resize(dep, v, d.instanceCount());
          if (p != null) {
            problems.add(p);
          }
        }
      }
      if (dep.deleting) {
        return;
      }
      // As SageMaker, a failed update leaves the endpoint in service on what it had, saying why.
      dep.status("InService", problems.isEmpty() ? null : "the update did not complete: "
          + String.join("; ", problems), clock.instant());
      rollout.save(dep);
    } finally {
      dep.lock.unlock();
    }
  }

  /**
   * UpdateEndpoint, blue/green: the new config's variants start beside the old ones and take the
   * traffic as {@code policy} says once every new replica answers (a {@link BlueGreenUpdate}); the
   * old ones then stop. If the new ones do not make it, or an alarm rolls the update back, they stop
   * and the old ones keep serving (InService, saying why).
   */
  public void updateEndpoint(String name, String configName, DeploymentPolicy policy) {
    Deployment dep = require(name);
    JsonNode config;
    try {
      config = definitions.describe(Kind.CONFIG, configName);
    } catch (ApiException e) {
      throw ApiException.notFound("EndpointConfigName: " + e.getMessage());
    }
    List<Deployment.Variant> next = planner.plans(name, config, clock.millis());
    policy.checkAgainst(next.stream().mapToInt(v -> v.plan.instanceCount()).sum());
    ObjectNode capture = config.path("DataCaptureConfig").isObject() ? (ObjectNode) config.get("DataCaptureConfig")
        : null;
    if (!tryLock(dep, Duration.ofSeconds(15))) {
      throw ApiException.conflict("the endpoint '" + name + "' is " + dep.status() + "; it can be updated once"
          + " it is InService");
    }
    try {
      if (!"InService".equals(dep.status()) || dep.deleting) {
        throw ApiException.conflict("the endpoint '" + name + "' is " + dep.status()
            + "; only an InService endpoint can be updated");
      }
      dep.status("Updating", null, clock.instant());
      rollout.save(dep);
    } finally {
      dep.lock.unlock();
    }
    Thread update = Thread.ofVirtual().name("endpoint-update-" + dep.name).unstarted(() -> {
      String reason;
      try {
        reason = blueGreen.run(dep, next, configName, capture, policy);
      } catch (RuntimeException e) {
        LOG.warn("endpoint {}: the update to {} failed", dep.name, configName, e);
        dep.shift = null;
        rollout.stop(next, Duration.ZERO, dep.name);
        reason = "the update to " + configName + " did not complete: " + RuntimeFailure.rootMessage(e);
      }
      dep.lock.lock();
      try {
        if (!dep.deleting) {
          dep.status("InService", reason, clock.instant());
          rollout.save(dep);
        }
      } finally {
        dep.update = null;
        dep.lock.unlock();
      }
    });
    dep.update = update;
    update.start();
  }

  /** Stops the monitor; the replicas keep running for the next server to adopt. */
  @Override
  public void close() {
    monitor.close();
  }
}
