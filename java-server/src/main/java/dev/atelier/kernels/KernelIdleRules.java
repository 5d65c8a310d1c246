package dev.atelier.kernels;

import dev.atelier.config.AtelierConfig;
import dev.atelier.instances.IdlePolicies;
import dev.atelier.instances.InstancePool;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When idle kernels end: jupyter_server's culling (the {@code cull_*} settings) and SageMaker's
 * two idle rules per instance type (a kernel idle too long is shut down; an instance none of whose
 * kernels has been busy for long enough is stopped with its kernels).
 */
final class KernelIdleRules {
  private static final Logger LOG = LoggerFactory.getLogger(KernelIdleRules.class);

  private final KernelService kernels;
  private final AtelierConfig config;
  private final InstancePool pool;
  private volatile IdlePolicies idle;

  KernelIdleRules(KernelService kernels, AtelierConfig config, InstancePool pool) {
    this.kernels = kernels;
    this.config = config;
    this.pool = pool;
  }

  void policies(IdlePolicies policies) {
    this.idle = policies;
  }

  /** Shuts down kernels idle longer than the cull timeout (per the cull_* settings). */
  void cull(Instant now) {
    if (!config.cullingEnabled()) {
      return;
    }
    for (Kernel k : kernels.list()) {
      boolean idleEnough = Duration.between(k.lastActivity(), now).compareTo(config.cullIdleTimeout()) > 0;
      boolean stateAllows = "idle".equals(k.executionState()) || "dead".equals(k.executionState())
          || (config.cullBusy() && "busy".equals(k.executionState()));
      boolean connectionsAllow = config.cullConnected() || k.connections() == 0;
      if (idleEnough && stateAllows && connectionsAllow) {
        LOG.info("culling kernel {}: idle since {} ({} connections)", k.id(), k.lastActivity(), k.connections());
        kernels.shutdown(k, false);
      }
    }
  }

  /** When the kernel's type's idle rule shuts it down (only while it is idle), or null. */
  Instant kernelShutdownAt(Kernel k) {
    IdlePolicies policies = idle;
    if (policies == null || k.instanceType() == null || !"idle".equals(k.executionState())) {
      return null;
    }
    var policy = policies.get(k.instanceType());
    return policy.kernelIdleMinutes() == 0 ? null : k.lastActivity().plus(policy.kernelIdle());
  }

  /** When the instance's type's idle rule stops it, or null. */
  Instant instanceStopAt(String instanceId) {
    IdlePolicies policies = idle;
    InstancePool.Pooled p = pool.get(instanceId);
    if (policies == null || p == null || !"running".equals(p.state()) || p.startedAt() == null) {
      return null;
    }
    var policy = policies.get(p.type().name());
    if (policy.instanceIdleMinutes() == 0) {
      return null;
    }
    Instant last = p.startedAt();
    for (String id : p.kernels()) {
      Kernel k = kernels.find(id);
      if (k == null) {
        continue;
      }
      if ("busy".equals(k.executionState()) || "starting".equals(k.executionState())
          || "restarting".equals(k.executionState())) {
        return null;
      }
      if (k.lastActivity().isAfter(last)) {
        last = k.lastActivity();
      }
    }
    return last.plus(policy.instanceIdle());
  }

  /** Applies the idle rules: shuts down idle kernels, stops idle instances. */
  void enforce(Instant now) {
    for (Kernel k : kernels.list()) {
      Instant at = kernelShutdownAt(k);
      if (at != null && !now.isBefore(at)) {
        LOG.info("kernel {}: idle since {}, shut down by the idle rule of {}", k.id(), k.lastActivity(), k.instanceType());
        kernels.shutdown(k, false);
      }
    }
    for (InstancePool.Pooled p : pool.list()) {
      Instant at = instanceStopAt(p.id());
      if (at != null && !now.isBefore(at)) {
        LOG.info("instance {} ({}): no busy kernel since {}, stopped by its idle rule", p.id(), p.type().name(),
            at.minus(idle.get(p.type().name()).instanceIdle()));
        stopIdleInstance(p);
      }
    }
  }

  /**
   * The idle rule stops an instance with its kernels, as SageMaker's does: they are shut down
   * (gone from the lists), each notebook first told why with a {@code dead} status.
   */
  private void stopIdleInstance(InstancePool.Pooled p) {
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    for (String id : p.kernels()) {
      Kernel k = kernels.find(id);
      if (k != null && k.connection() != null) {
        k.dead("its instance " + p.id() + " (" + p.type().name() + ") was stopped with its kernels by the idle rule of "
            + p.type().name());
        k.connection().publishStatus("dead", KernelRecovery.statusMetadata(k));
        stops.add(kernels.shutdown(k, true));
      }
    }
    CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new))
        .thenRun(() -> pool.stop(p.id(), "stopped by its idle rule"));
  }
}
