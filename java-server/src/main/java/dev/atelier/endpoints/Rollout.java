package dev.atelier.endpoints;

import dev.atelier.endpoints.Deployment.Variant;
import dev.atelier.runtime.RuntimeFailure;
import dev.atelier.runtime.ServiceRuntime;
import dev.atelier.runtime.ServiceRuntime.Health;
import dev.atelier.runtime.ServiceRuntime.Replica;
import dev.atelier.runtime.ServiceRuntime.Service;
import dev.atelier.runtime.ServiceRuntime.ServiceSpec;
import dev.atelier.storage.ObjectStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings an endpoint's variants up, resizes them in place and takes them down, on the caller's
 * (virtual) thread: stages each model, starts one service of InitialInstanceCount replicas per
 * variant, and waits until every replica answers {@code GET /ping} (SageMaker gives a container 4
 * minutes, each ping 2 seconds); a variant that does not make it fails the endpoint with a reason
 * naming the variant and what its health check saw.
 */
final class Rollout {
  private static final Logger LOG = LoggerFactory.getLogger(Rollout.class);
  static final Duration PING_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration POLL = Duration.ofMillis(500);

  private final EndpointStore store;
  private final ObjectStore objects;
  private final String python;
  private final Clock clock;
  private final Duration readyTimeout;
  private final Duration stopGrace;
  private final Consumer<Deployment> changed;

  Rollout(EndpointStore store, ObjectStore objects, String python, Clock clock, Duration readyTimeout,
      Duration stopGrace, Consumer<Deployment> changed) {
    this.store = store;
    this.objects = objects;
    this.python = python;
    this.clock = clock;
    this.readyTimeout = readyTimeout;
    this.stopGrace = stopGrace;
    this.changed = changed;
  }

  Duration stopGrace() {
    return stopGrace;
  }

  ServiceSpec spec(Deployment dep, Variant v, int replicas) {
    return v.plan.spec(dep.name, replicas, python);
  }

  /** Creating to InService or Failed; a delete meanwhile ends it early, leaving the rest to the delete. */
  void create(Deployment dep) {
    dep.lock.lock();
    try {
      String problem = null;
      for (Variant v : dep.variants) {
        problem = start(dep, v);
        if (problem != null || dep.deleting) {
          break;
        }
      }
      if (problem == null && !dep.deleting) {
        Instant deadline = clock.instant().plus(readyTimeout);
        for (Variant v : dep.variants) {
          problem = awaitHealthy(dep, v, indexes(0, v.plan.instanceCount()), deadline);
          if (problem != null || dep.deleting) {
            break;
          }
        }
      }
      if (dep.deleting) {
        return;
      }
      if (problem == null) {
        dep.status("InService", null, clock.instant());
        LOG.info("endpoint {} is in service", dep.name);
      } else {
        LOG.warn("endpoint {} failed: {}", dep.name, problem);
        stopAll(dep, Duration.ZERO);
        dep.status("Failed", problem, clock.instant());
      }
      save(dep);
    } finally {
      dep.lock.unlock();
    }
  }

  /** Stages the variant's model and starts its service; the problem, or null. */
  private String start(Deployment dep, Variant v) {
    VariantPlan p = v.plan;
    if (v.runtime == null) {
      return "variant " + p.variant() + ": its image " + p.image() + " runs on the " + p.runtime()
          + " runtime, which this server does not have";
    }
    try {
      ModelStaging.stage(objects, p.modelDataUrl(), p.modelDir());
      if (p.codeDir() != null) {
        ModelStaging.stage(objects, p.environment().get("SAGEMAKER_SUBMIT_DIRECTORY"), p.codeDir());
      }
    } catch (IOException | RuntimeException e) {
      return "variant " + p.variant() + ": the model " + p.model() + " could not be staged from "
          + p.modelDataUrl() + ": " + RuntimeFailure.rootMessage(e);
    }
    try {
      v.service = v.runtime.start(spec(dep, v, p.instanceCount()));
      changed.accept(dep);
      return null;
    } catch (RuntimeException e) {
      return "variant " + p.variant() + ": its instances could not start: " + RuntimeFailure.rootMessage(e);
    }
  }

  /**
   * Waits until the replicas at {@code indexes} answer their health check, marking each healthy
   * as it does; the problem (naming the variant and what the check saw), or null.
   */
  String awaitHealthy(Deployment dep, Variant v, List<Integer> indexes, Instant deadline) {
    long within = Math.max(0, (Duration.between(clock.instant(), deadline).toMillis() + 999) / 1000);
    List<Integer> waiting = new ArrayList<>(indexes);
    Map<Integer, String> seen = new java.util.HashMap<>();
    while (!waiting.isEmpty()) {
      if (dep.deleting) {
        return "the endpoint is being deleted";
      }
      for (var it = waiting.iterator(); it.hasNext();) {
        int i = it.next();
        Service s = v.service;
        Replica r = s == null ? null : s.replica(i);
        if (r == null) {
          return "variant " + v.plan.variant() + ": instance " + i + " is gone";
        }
        if (!v.runtime.running(r)) {
          return "variant " + v.plan.variant() + ": instance " + i + " (" + shortId(r.id())
              + ") exited before it answered GET " + VariantPlan.HEALTH_PATH
              + (seen.containsKey(i) ? "; the last check: " + seen.get(i) : "");
        }
        Health h = v.runtime.health(s, r, PING_TIMEOUT);
        if (h.healthy()) {
          v.healthy.add(r.id());
          it.remove();
          changed.accept(dep);
        } else {
          seen.put(i, h.problem());
        }
      }
      if (waiting.isEmpty()) {
        break;
      }
      if (clock.instant().isAfter(deadline)) {
        int i = waiting.get(0);
        return "variant " + v.plan.variant() + ": instance " + i + " did not pass the health check within "
            + within + " s: " + seen.getOrDefault(i, "no answer");
      }
      sleep(POLL);
    }
    return null;
  }

  /**
   * Sets each variant's instance count in place: new replicas start and join the routing once
   * healthy; extra ones leave the routing first, then stop with the grace period. The problem, or null.
   */
  String resize(Deployment dep, Variant v, int count) {
    VariantPlan p = v.plan;
    Service s = v.service;
    int now = p.instanceCount();
    if (s == null || count == now) {
      v.plan = p.withCount(count);
      return null;
    }
    ServiceSpec spec = spec(dep, v, count);
    if (count > now) {
      Service grown = new Service(spec, s.replicas());
      try {
        for (int i = now; i < count; i++) {
          grown = v.runtime.replace(grown, i);
          v.service = grown;
        }
      } catch (RuntimeException e) {
        return "variant " + p.variant() + ": a new instance could not start: " + RuntimeFailure.rootMessage(e);
      } finally {
        v.plan = p.withCount(count);
      }
      changed.accept(dep);
      return awaitHealthy(dep, v, indexes(now, count), clock.instant().plus(readyTimeout));
    }
    List<Replica> keep = s.replicas().stream().filter(r -> r.index() < count).toList();
    List<Replica> extra = s.replicas().stream().filter(r -> r.index() >= count).toList();
    extra.forEach(r -> v.healthy.remove(r.id()));
    v.plan = p.withCount(count);
    v.service = new Service(spec, keep);
    changed.accept(dep);
    v.runtime.stop(new Service(s.spec(), extra), stopGrace);
    return null;
  }

  /** Stops every variant's replicas; what could not be stopped is logged. */
  void stopAll(Deployment dep, Duration grace) {
    stop(dep.variants, grace, dep.name);
  }

  /** Stops the variants' replicas at once and removes their staged models. */
  void stop(List<Variant> variants, Duration grace, String endpoint) {
    List<Thread> stops = new ArrayList<>();
    for (Variant v : variants) {
      Service s = v.service;
      v.healthy.clear();
      v.misses.clear();
      v.service = null;
      if (s == null || v.runtime == null) {
        continue;
      }
      stops.add(Thread.ofVirtual().name("endpoint-stop-" + endpoint).start(() -> {
        try {
          v.runtime.stop(s, grace);
        } catch (RuntimeException e) {
          LOG.warn("endpoint {} variant {}: could not stop its instances: {}", endpoint, v.plan.variant(),
              RuntimeFailure.rootMessage(e));
        }
      }));
    }
    for (Thread t : stops) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    for (Variant v : variants) {
      try {
        ModelStaging.clear(v.plan.modelDir().getParent());
      } catch (IOException e) {
        LOG.warn("endpoint {}: could not remove the staged model {}: {}", endpoint, v.plan.modelDir(), e.toString());
      }
    }
  }

  /** Writes the endpoint's status, description and plan, and tells the listeners. */
  void save(Deployment dep) {
    store.update(dep.name, dep.status(), dep.stored(), dep.plan(), clock.millis());
    changed.accept(dep);
  }

  /** Takes over the replicas of each variant that an earlier server started, replacing the ended ones. */
  void adopt(Deployment dep) {
    for (Variant v : dep.variants) {
      if (v.runtime == null) {
        continue;
      }
      ServiceRuntime rt = v.runtime;
      Service s = rt.adopt(spec(dep, v, v.plan.instanceCount()));
      v.service = s;
      for (int i : s.missing()) {
        try {
          s = rt.replace(s, i);
          v.service = s;
        } catch (RuntimeException e) {
          LOG.warn("endpoint {} variant {}: instance {} could not be started again: {}", dep.name,
              v.plan.variant(), i, RuntimeFailure.rootMessage(e));
        }
      }
    }
  }

  /** Stops the services of this runtime that look like an endpoint's and belong to none of {@code owned}. */
  void stopOrphans(ServiceRuntime rt, Set<String> owned) {
    Map<String, List<ServiceRuntime.Replica>> orphans = new LinkedHashMap<>();
    for (ServiceRuntime.Found f : rt.list()) {
      if (f.service().startsWith(VariantPlan.SERVICE_PREFIX) && !owned.contains(f.service())) {
        orphans.computeIfAbsent(f.service(), k -> new ArrayList<>()).add(f.replica());
      }
    }
    orphans.forEach((name, replicas) -> {
      LOG.info("service {} belongs to no endpoint: stopping it", name);
      ServiceRuntime.ServiceSpec spec = new ServiceRuntime.ServiceSpec(name, "none", List.of("none"), List.of(), null,
          null, null, replicas.size(), 0, 0, VariantPlan.HEALTH_PATH, 0);
      rt.stop(new ServiceRuntime.Service(spec, replicas), Duration.ZERO);
    });
  }

  /**
   * Starts {@code next} beside the endpoint's variants and waits until every new replica answers,
   * for the ready timeout but not past {@code by} (the update's deadline). The problem, or null; on
   * a problem (or a delete meanwhile) the new ones are stopped.
   */
  String provision(Deployment dep, List<Variant> next, Instant by) {
    String problem = null;
    for (Variant v : next) {
      problem = start(dep, v);
      if (problem != null || dep.deleting) {
        break;
      }
    }
    Instant ready = clock.instant().plus(readyTimeout);
    Instant deadline = by != null && by.isBefore(ready) ? by : ready;
    for (Variant v : next) {
      if (problem != null || dep.deleting) {
        break;
      }
      problem = awaitHealthy(dep, v, indexes(0, v.plan.instanceCount()), deadline);
    }
    if (problem != null || dep.deleting) {
      stop(next, Duration.ZERO, dep.name);
    }
    return problem;
  }

  /** Tells the listeners the endpoint changed, without writing it. */
  void changed(Deployment dep) {
    changed.accept(dep);
  }

  static List<Integer> indexes(int from, int to) {
    return java.util.stream.IntStream.range(from, to).boxed().toList();
  }

  static String shortId(String id) {
    return id.startsWith("pid-") || id.length() <= 12 ? id : id.substring(0, 12);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
