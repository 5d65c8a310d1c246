package dev.atelier.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.runtime.RuntimeFailure;
import dev.atelier.runtime.ServiceRuntime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a starting server does with the endpoints an earlier one left: takes over the replicas of
 * those in service (starting the ended ones again), finishes their deletes, ends a blue/green
 * update that a restart cut short (its new fleet stopped; the endpoint InService on its previous
 * config, saying so), and stops services no endpoint owns.
 */
final class Adoption {
  private static final Logger LOG = LoggerFactory.getLogger(Adoption.class);
  /** SageMaker's: a container has 4 minutes to answer its first ping. */
  private static final Duration SETTLE = Duration.ofMinutes(4);

  private final EndpointStore store;
  private final Map<String, ServiceRuntime> runtimes;
  private final Rollout rollout;
  private final Clock clock;

  Adoption(EndpointStore store, Map<String, ServiceRuntime> runtimes, Rollout rollout, Clock clock) {
    this.store = store;
    this.runtimes = runtimes;
    this.rollout = rollout;
    this.clock = clock;
  }

  /** Loads every stored endpoint into {@code live}; a Deleting one is handed to {@code finishDelete} on its own thread. */
  void adopt(Map<String, Deployment> live, Consumer<Deployment> finishDelete) {
    Set<String> owned = new HashSet<>();
    for (EndpointStore.Endpoint row : store.endpoints()) {
      Deployment dep = Deployment.of(row, runtimes);
      live.put(dep.name, dep);
      dep.variants.forEach(v -> owned.add(v.plan.service()));
      String status = dep.status();
      if ("Failed".equals(status)) {
        continue;
      }
      String cutShort = dep.interruptedUpdate == null ? null : endInterruptedUpdate(dep);
      try {
        rollout.adopt(dep);
      } catch (RuntimeException e) {
        LOG.warn("endpoint {}: its instances could not be adopted: {}", dep.name, RuntimeFailure.rootMessage(e));
      }
      LOG.info("endpoint {} ({}) was running when the server stopped: picked up again", dep.name, status);
      if ("Deleting".equals(status)) {
        dep.deleting = true;
        Thread.ofVirtual().name("endpoint-delete-" + dep.name).start(() -> finishDelete.accept(dep));
      } else {
        if (!"Creating".equals(status)) {
          dep.status("Updating", null, clock.instant());
        }
        Thread.ofVirtual().name("endpoint-adopt-" + dep.name).start(() -> settle(dep, cutShort));
      }
    }
    for (ServiceRuntime rt : new HashSet<>(runtimes.values())) {
      try {
        rollout.stopOrphans(rt, owned);
      } catch (RuntimeException e) {
        LOG.warn("the {} runtime's services could not be listed: {}", rt.name(), RuntimeFailure.rootMessage(e));
      }
    }
  }

  /**
   * A blue/green update the last server did not finish: its new fleet is stopped (the old one never
   * stopped before the swap, which would have ended the update), and its policy becomes the
   * endpoint's LastDeploymentConfig, as after a rollback. The FailureReason the endpoint is to
   * show once it is in service again.
   */
  private String endInterruptedUpdate(Deployment dep) {
    ObjectNode u = dep.interruptedUpdate;
    dep.interruptedUpdate = null;
    String config = u.path("EndpointConfigName").asText("another config");
    List<Deployment.Variant> next = new ArrayList<>();
    for (JsonNode p : u.path("Variants")) {
      VariantPlan plan = VariantPlan.fromJson(p);
      Deployment.Variant v = new Deployment.Variant(plan, runtimes.get(plan.runtime()));
      if (v.runtime != null) {
        try {
          v.service = v.runtime.adopt(rollout.spec(dep, v, plan.instanceCount()));
        } catch (RuntimeException e) {
          LOG.warn("endpoint {}: the new fleet of the update to {} could not be listed: {}", dep.name, config,
              RuntimeFailure.rootMessage(e));
        }
      }
      next.add(v);
    }
    LOG.warn("endpoint {}: the server stopped during the update to {}: stopping its new fleet; the endpoint serves"
        + " on {}", dep.name, config, dep.configName);
    rollout.stop(next, Duration.ZERO, dep.name);
    if (u.path("DeploymentConfig").isObject()) {
      dep.lastDeploymentConfig = (ObjectNode) u.get("DeploymentConfig");
    }
    String rollback = u.path("RollbackReason").asText(null);
    if (rollback != null) {
      return rollback;
    }
    return "the update to " + config + " (started " + u.path("StartTime").asText("earlier") + ") was cut short by a"
        + " server restart: the endpoint serves on its previous config " + dep.configName + "; its new fleet was"
        + " stopped. Call UpdateEndpoint again to retry it";
  }

  /**
   * After adoption: InService once every replica answers again ({@code reason}, or null, its
   * FailureReason), else Failed naming what it saw.
   */
  private void settle(Deployment dep, String reason) {
    dep.lock.lock();
    try {
      String problem = null;
      Instant deadline = clock.instant().plus(SETTLE);
      for (Deployment.Variant v : dep.variants) {
        if (v.runtime == null) {
          problem = "variant " + v.plan.variant() + ": the " + v.plan.runtime() + " runtime is not available";
        } else if (v.service != null) {
          problem = rollout.awaitHealthy(dep, v, Rollout.indexes(0, v.plan.instanceCount()), deadline);
        }
        if (problem != null) {
          break;
        }
      }
      if (dep.deleting) {
        return;
      }
      dep.status(problem == null ? "InService" : "Failed", problem == null ? reason : problem, clock.instant());
      if (problem != null) {
        rollout.stopAll(dep, Duration.ZERO);
      }
      rollout.save(dep);
    } finally {
      dep.lock.unlock();
    }
  }
}
