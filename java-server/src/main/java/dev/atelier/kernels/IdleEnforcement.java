package dev.atelier.kernels;

import dev.atelier.config.AtelierConfig;
import dev.atelier.instances.IdlePolicies;
import dev.atelier.instances.InstanceKernels;
import dev.atelier.instances.InstancePool;
import dev.atelier.instances.PooledInstance;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When kernels and instances end without a kernel request: jupyter_server's culling (the
 * {@code cull_*} settings), SageMaker's two idle rules per instance type (a kernel idle too long is
 * shut down; an instance none of whose kernels has been busy for long enough is stopped with its
 * kernels), and an instance stopped by a user. Each stop tells the kernels' notebooks why.
 */
public final class IdleEnforcement implements InstanceKernels {
  private static final Logger LOG = LoggerFactory.getLogger(IdleEnforcement.class);

  private final KernelService kernels;
  private final AtelierConfig config;
  private final InstancePool pool;
  private final IdlePolicies idle;
  private final List<Consumer<IdleStop>> stopListeners = new CopyOnWriteArrayList<>();

  /** An instance its idle rule stopped, with the notebooks whose kernels went with it. */
  public record IdleStop(String instanceId, String instanceType, String image, List<String> notebooks) {}

  public IdleEnforcement(KernelService kernels, AtelierConfig config, InstancePool pool, IdlePolicies idle) {
    this.kernels = kernels;
    this.config = config;
    this.pool = pool;
    this.idle = idle;
  }

  /** Hears every instance an idle rule stops, once it is stopped; any thread. */
  public void onIdleStop(Consumer<IdleStop> listener) {
    stopListeners.add(listener);
  }

  /** Shuts down kernels idle longer than the cull timeout (per the cull_* settings). */
  public void cull(Instant now) {
    if (!config.cullingEnabled()) {
      return;
    }
    for (Kernel k : kernels.list()) {
      if (cullable(k, now, config.cullIdleTimeout(), config.cullBusy(), config.cullConnected())) {
        LOG.info("culling kernel {}: idle since {} ({} connections)", k.id(), k.lastActivity(), k.connections());
        kernels.shutdown(k, false);
      }
    }
  }

  /** Whether culling shuts the kernel down now, as jupyter_server's cull_* settings decide it. */
  static boolean cullable(Kernel k, Instant now, Duration timeout, boolean cullBusy, boolean cullConnected) {
    boolean idleEnough = Duration.between(k.lastActivity(), now).compareTo(timeout) > 0;
    boolean stateAllows = "idle".equals(k.executionState()) || "dead".equals(k.executionState())
        || (cullBusy && "busy".equals(k.executionState()));
    boolean connectionsAllow = cullConnected || k.connections() == 0;
    return idleEnough && stateAllows && connectionsAllow;
  }

  /** When the kernel's type's idle rule shuts it down (only while it is idle), or null. */
  public Instant kernelShutdownAt(Kernel k) {
    return kernelShutdownAt(k, idle::get);
  }

  static Instant kernelShutdownAt(Kernel k, Function<String, IdlePolicies.Policy> policyOf) {
    if (k.instanceType() == null || !"idle".equals(k.executionState())) {
      return null;
    }
    var policy = policyOf.apply(k.instanceType());
    return policy.kernelIdleMinutes() == 0 ? null : k.lastActivity().plus(policy.kernelIdle());
  }

  @Override
  public Instant instanceIdleShutdownAt(String instanceId) {
    PooledInstance p = pool.get(instanceId);
    if (p == null) {
      return null;
    }
    List<Kernel> on = new ArrayList<>();
    for (String id : p.kernels()) {
      Kernel k = kernels.find(id);
      if (k != null) {
        on.add(k);
      }
    }
    return instanceStopAt(p.state(), p.startedAt(), idle.get(p.type().name()), on);
  }

  /**
   * When an instance's idle rule stops it: its policy's time after it started or its kernels' last
   * activity, whichever is later; never while one of them is busy, starting or restarting.
   */
  static Instant instanceStopAt(String state, Instant startedAt, IdlePolicies.Policy policy, List<Kernel> on) {
    if (!"running".equals(state) || startedAt == null || policy.instanceIdleMinutes() == 0) {
      return null;
    }
    Instant last = startedAt;
    for (Kernel k : on) {
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
  public void enforce(Instant now) {
    for (Kernel k : kernels.list()) {
      Instant at = kernelShutdownAt(k);
      if (at != null && !now.isBefore(at)) {
        LOG.info("kernel {}: idle since {}, shut down by the idle rule of {}", k.id(), k.lastActivity(), k.instanceType());
        kernels.shutdown(k, false);
      }
    }
    for (PooledInstance p : pool.list()) {
      Instant at = instanceIdleShutdownAt(p.id());
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
  private void stopIdleInstance(PooledInstance p) {
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    List<String> notebooks = new ArrayList<>();
    for (String id : p.kernels()) {
      Kernel k = kernels.find(id);
      if (k != null && k.path() != null) {
        notebooks.add(k.path());
      }
      if (k != null && k.connection() != null) {
        k.dead("its instance " + p.id() + " (" + p.type().name() + ") was stopped with its kernels by the idle rule of "
            + p.type().name());
        k.connection().publishStatus("dead", KernelRecovery.statusMetadata(k));
        stops.add(kernels.shutdown(k, true));
      }
    }
    IdleStop stop = new IdleStop(p.id(), p.type().name(), p.key().image(), List.copyOf(notebooks));
    CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new))
        .thenCompose(v -> pool.stop(p.id(), "stopped by its idle rule"))
        .whenComplete((v, e) -> stopListeners.forEach(l -> l.accept(stop)));
  }

  @Override
  public CompletableFuture<Void> stopInstance(String instanceId) {
    return stopInstance(instanceId, "stopped by a user");
  }

  /**
   * Stops an instance; each of its kernels is dead with the reason (its notebooks are told) and
   * comes back on a new instance of the same type and image when restarted.
   */
  public CompletableFuture<Void> stopInstance(String instanceId, String why) {
    PooledInstance p = pool.get(instanceId);
    if (p == null) {
      return null;
    }
    List<String> on = p.kernels();
    CompletableFuture<Void> s = pool.stop(instanceId, why);
    for (String id : on) {
      Kernel k = kernels.find(id);
      if (k != null) {
        kernels.deadForGood(k, "its instance " + p.id() + " (" + p.type().name() + " on " + p.key().image()
            + ") was " + why + "; restart the kernel to start it on a new instance");
      }
    }
    return s == null ? CompletableFuture.completedFuture(null) : s;
  }

  @Override
  public Summary summary(String kernelId) {
    Kernel k = kernels.find(kernelId);
    return k == null ? null : new Summary(k.path(), k.specName(), k.executionState());
  }
}
