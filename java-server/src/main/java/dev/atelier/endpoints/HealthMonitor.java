package dev.atelier.endpoints;

import dev.atelier.endpoints.Deployment.Variant;
import dev.atelier.runtime.RuntimeFailure;
import dev.atelier.runtime.ServiceRuntime.Health;
import dev.atelier.runtime.ServiceRuntime.Replica;
import dev.atelier.runtime.ServiceRuntime.Service;
import java.time.Duration;
import java.util.Collection;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the replicas of every endpoint in service, on its own virtual thread (never an event
 * loop): a replica that fails {@value #UNHEALTHY_AFTER} checks of {@code GET /ping} in a row leaves
 * the routing until it answers again (one busy enough to answer a ping late is not cut off, which
 * would only pile its share onto the others), and one whose container or process has ended is replaced on its index
 * ({@link dev.atelier.runtime.ServiceRuntime#replace}) and joins once healthy. An endpoint that is
 * being changed (its lock held) is looked at next round.
 */
final class HealthMonitor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);
  /** Failed checks in a row that take a replica out of the routing (a load balancer's unhealthy threshold). */
  static final int UNHEALTHY_AFTER = 3;

  private final Supplier<Collection<Deployment>> deployments;
  private final Duration interval;
  private final Consumer<Deployment> changed;
  private final Thread thread;
  private volatile boolean closed;

  HealthMonitor(Supplier<Collection<Deployment>> deployments, Duration interval, Consumer<Deployment> changed) {
    this.deployments = deployments;
    this.interval = interval;
    this.changed = changed;
    this.thread = Thread.ofVirtual().name("endpoint-health").unstarted(this::loop);
  }

  void start() {
    thread.start();
  }

  private void loop() {
    while (!closed) {
      try {
        Thread.sleep(interval);
      } catch (InterruptedException e) {
        return;
      }
      for (Deployment dep : deployments.get()) {
        if (closed) {
          return;
        }
        String s = dep.status();
        if ((!"InService".equals(s) && !"Updating".equals(s)) || dep.deleting || !dep.lock.tryLock()) {
          continue;
        }
        try {
          check(dep);
        } catch (RuntimeException e) {
          LOG.warn("endpoint {}: the health check failed: {}", dep.name, RuntimeFailure.rootMessage(e));
        } finally {
          dep.lock.unlock();
        }
      }
    }
  }

  /** One round over the endpoint's replicas; tells the listeners when anything changed. */
  void check(Deployment dep) {
    boolean change = false;
    for (Variant v : dep.variants) {
      Service s = v.service;
      if (s == null || v.runtime == null) {
        continue;
      }
      for (int missing : s.missing()) {
        change |= replace(dep, v, missing, "was missing");
      }
      for (Replica r : v.service.replicas()) {
        if (!v.runtime.running(r)) {
          v.healthy.remove(r.id());
          change |= replace(dep, v, r.index(), "had ended");
          continue;
        }
        Health h = v.runtime.health(v.service, r, Rollout.PING_TIMEOUT);
        if (h.healthy()) {
          v.misses.remove(r.id());
          change |= v.healthy.add(r.id());
        } else if (v.misses.merge(r.id(), 1, Integer::sum) >= UNHEALTHY_AFTER && v.healthy.remove(r.id())) {
          change = true;
          LOG.warn("endpoint {} variant {}: instance {} is out of the routing after {} failed checks: {}", dep.name,
              v.plan.variant(), r.index(), UNHEALTHY_AFTER, h.problem());
        }
      }
    }
    if (change) {
      changed.accept(dep);
    }
  }

  private boolean replace(Deployment dep, Variant v, int index, String why) {
    LOG.warn("endpoint {} variant {}: instance {} {}; starting a new one", dep.name, v.plan.variant(), index, why);
    try {
      v.service = v.runtime.replace(v.service, index);
      return true;
    } catch (RuntimeException e) {
      LOG.warn("endpoint {} variant {}: instance {} could not be replaced: {}", dep.name, v.plan.variant(), index,
          RuntimeFailure.rootMessage(e));
      return false;
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
