package dev.atelier.instances;

import dev.atelier.catalog.ImageCatalog;
import dev.atelier.catalog.InstanceType;
import dev.atelier.runtime.AgentException;
import dev.atelier.runtime.InstanceRuntime;
import dev.atelier.runtime.InstanceSpec;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One instance per (instance type, image), shared by every kernel of that pair: the first kernel
 * starts it, later ones join it, and once its last kernel has ended it stops after a grace period.
 * Its life is metered from start to stop. Each instance is a {@link PooledInstance}.
 */
public final class InstancePool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InstancePool.class);
  /** The container label that names the instance, read back when a restarted server adopts it. */
  public static final String LABEL_INSTANCE_ID = "dev.atelier.instance-id";
  private static final Duration SEEN_EVERY = Duration.ofSeconds(30);

  /** The pair instances are shared by. */
  public record Key(String instanceType, String image) {}

  private final Map<String, InstanceRuntime> runtimes;
  private final UsageMeter meter;
  private final Duration grace;
  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
      Thread.ofPlatform().name("instance-timers").daemon().factory());
  private final Map<Key, PooledInstance> byKey = new LinkedHashMap<>();
  private final Map<String, PooledInstance> byId = new LinkedHashMap<>();
  private final Map<String, PooledInstance> byKernel = new LinkedHashMap<>();
  private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
  private final List<BiConsumer<PooledInstance, String>> lostListeners = new CopyOnWriteArrayList<>();
  private final SecureRandom random = new SecureRandom();
  /** The runtime of each image run here, from its catalog entry (or the runtime it was adopted from). */
  private final Map<String, String> runtimeOfImage = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param runtimes by name ({@code process}, {@code docker}); an image's runtime is its catalog
   *     entry's ({@link ImageCatalog.Image#runtime()})
   * @param grace how long an instance with no kernels keeps running
   */
  public InstancePool(Map<String, InstanceRuntime> runtimes, UsageMeter meter, Duration grace) {
    this.runtimes = runtimes;
    this.meter = meter;
    this.grace = grace;
    timers.scheduleAtFixedRate(this::markSeen, SEEN_EVERY.toSeconds(), SEEN_EVERY.toSeconds(), TimeUnit.SECONDS);
  }

  /** Whether the named runtime's instances get their type's limits on this host, and if not why (null: no such runtime). */
  public InstanceRuntime.HostLimits hostLimits(String runtime) {
    InstanceRuntime r = runtimes.get(runtime);
    return r == null ? null : r.hostLimits();
  }

  /** Runs when an instance is added, changes state, gains or loses a kernel, or goes. */
  public void onChange(Runnable listener) {
    changeListeners.add(listener);
  }

  /** Runs when an instance ends without being asked to (killed, out of memory, engine gone). */
  public void onLost(BiConsumer<PooledInstance, String> listener) {
    lostListeners.add(listener);
  }

  private void changed() {
    changeListeners.forEach(Runnable::run);
  }

  public synchronized List<PooledInstance> list() {
    return new ArrayList<>(byId.values());
  }

  public synchronized PooledInstance get(String instanceId) {
    return byId.get(instanceId);
  }

  public synchronized PooledInstance ofKernel(String kernelId) {
    return byKernel.get(kernelId);
  }

  /**
   * The instance of (type, image) for a new kernel: the running one, or a new one. The kernel
   * counts as on it from now on, until {@link #release}.
   */
  public CompletableFuture<PooledInstance> acquire(InstanceType type, ImageCatalog.Image image, String kernelId,
      Path workDir) {
    runtimeOfImage.put(image.name(), image.runtime());
    return acquire(type, image.name(), kernelId, workDir);
  }

  /** As above, for an image this pool has run before (a kernel moving to a new instance of its image). */
  public CompletableFuture<PooledInstance> acquire(InstanceType type, String image, String kernelId, Path workDir) {
    PooledInstance p;
    synchronized (this) {
      Key key = new Key(type.name(), image);
      p = byKey.get(key);
      if (p == null) {
        p = launch(key, type, workDir);
      }
      synchronized (p) {
        p.kernels.add(kernelId);
        p.dormant.remove(kernelId);
        cancelStop(p);
      }
      byKernel.put(kernelId, p);
    }
    changed();
    PooledInstance pooled = p;
    return p.instance().thenApply(i -> pooled);
  }

  private PooledInstance launch(Key key, InstanceType type, Path workDir) {
    String runtimeName = runtimeOfImage.get(key.image());
    InstanceRuntime runtime = runtimes.get(runtimeName);
    byte[] b = new byte[8];
    random.nextBytes(b);
    String id = "i-" + HexFormat.of().formatHex(b);
    CompletableFuture<InstanceRuntime.Instance> started = runtime == null
        ? CompletableFuture.failedFuture(new AgentException(runtimeName == null
            ? "no runtime is known for image " + key.image() : "no " + runtimeName + " runtime is configured"))
        : runtime.start(new InstanceSpec(type.name(), key.image(), type.vcpus(), type.memoryBytes(), workDir,
            Map.of(LABEL_INSTANCE_ID, id)));
    PooledInstance p = new PooledInstance(id, key, type, runtimeName, started);
    byKey.put(key, p);
    byId.put(id, p);
    LOG.info("instance {}: starting {} on {} ({} runtime)", id, type.name(), key.image(), runtimeName);
    started.whenComplete((instance, err) -> {
      if (err != null) {
        LOG.warn("instance {} ({} on {}) failed to start: {}", id, type.name(), key.image(), err.getMessage());
        forget(p);
        changed();
        return;
      }
      p.startedAt = meter.clock().instant();
      p.state = "running";
      meter.started(id, type.name(), key.image(), runtimeName);
      instance.terminated().thenAccept(why -> lost(p, why));
      changed();
    });
    return p;
  }

  /**
   * Takes over an instance a previous server left running (its meter row stays open). Its kernels
   * join with {@link #adoptKernel}; with none it stops after the grace period.
   */
  public PooledInstance adopt(String instanceId, InstanceType type, String image, String runtime,
      InstanceRuntime.Instance instance, Instant startedAt) {
    runtimeOfImage.put(image, runtime);
    PooledInstance p = new PooledInstance(instanceId, new Key(type.name(), image), type, runtime,
        CompletableFuture.completedFuture(instance));
    p.startedAt = startedAt;
    p.state = "running";
    synchronized (this) {
      byKey.put(p.key(), p);
      byId.put(p.id(), p);
    }
    instance.terminated().thenAccept(why -> lost(p, why));
    LOG.info("instance {} ({} on {}): adopted", instanceId, type.name(), image);
    changed();
    return p;
  }

  /** An adopted kernel runs on the adopted instance. */
  public void adoptKernel(String kernelId, PooledInstance p) {
    synchronized (this) {
      byKernel.put(kernelId, p);
    }
    synchronized (p) {
      p.kernels.add(kernelId);
    }
  }

  /** After adoption: an adopted instance without kernels starts its grace period. */
  public void settleAdopted(PooledInstance p) {
    stopLaterIfEmpty(p);
  }

  /**
   * A kernel on the instance died for good ({@code dead} true) and no longer holds it up, or is
   * running again (false). An instance whose kernels are all dead stops after the grace period,
   * as an empty one does; their models stay, and a restart starts them on a new instance.
   */
  public void dormant(String kernelId, boolean dead) {
    PooledInstance p = ofKernel(kernelId);
    if (p == null) {
      return;
    }
    synchronized (p) {
      if (!p.kernels.contains(kernelId) || (dead ? !p.dormant.add(kernelId) : !p.dormant.remove(kernelId))) {
        return;
      }
      if (!dead) {
        cancelStop(p);
      }
    }
    if (dead) {
      stopLaterIfEmpty(p);
    }
    changed();
  }

  private static void cancelStop(PooledInstance p) {
    if (p.stopTimer != null) {
      p.stopTimer.cancel(false);
      p.stopTimer = null;
    }
    p.stopsAt = null;
  }

  /** An instance with no kernel left alive stops after the grace period (at once without one). */
  private void stopLaterIfEmpty(PooledInstance p) {
    boolean empty;
    synchronized (p) {
      empty = p.idleOfKernels() && !"stopping".equals(p.state) && p.stopTimer == null;
      if (empty && !grace.isZero()) {
        p.stopsAt = meter.clock().instant().plus(grace);
        p.stopTimer = timers.schedule(() -> stopIfEmpty(p), grace.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
    if (empty && grace.isZero()) {
      stopIfEmpty(p);
    }
  }

  private synchronized void forget(PooledInstance p) {
    byKey.remove(p.key(), p);
    byId.remove(p.id());
    byKernel.values().removeIf(x -> x == p);
  }

  /** The kernel left its instance (shut down, or failed to start); an empty instance stops after the grace period. */
  public void release(String kernelId) {
    PooledInstance p;
    synchronized (this) {
      p = byKernel.remove(kernelId);
    }
    if (p == null) {
      return;
    }
    synchronized (p) {
      p.kernels.remove(kernelId);
      p.dormant.remove(kernelId);
    }
    stopLaterIfEmpty(p);
    changed();
  }

  private void stopIfEmpty(PooledInstance p) {
    boolean none;
    synchronized (p) {
      p.stopTimer = null;
      if (!p.idleOfKernels()) {
        return;
      }
      none = p.kernels.isEmpty();
    }
    stop(p, (none ? "its last kernel ended " : "its last live kernel died ")
        + (grace.isZero() ? "" : grace.toSeconds() + " s ") + "before");
  }

  /** Stops an instance and whatever runs on it; 404-worthy null when there is no such instance. */
  public CompletableFuture<Void> stop(String instanceId, String reason) {
    PooledInstance p = get(instanceId);
    return p == null ? null : stop(p, reason);
  }

  private CompletableFuture<Void> stop(PooledInstance p, String reason) {
    synchronized (p) {
      if ("stopping".equals(p.state)) {
        return p.instance().thenCompose(InstanceRuntime.Instance::terminated).thenApply(w -> null);
      }
      p.state = "stopping";
      if (p.stopTimer != null) {
        p.stopTimer.cancel(false);
      }
    }
    synchronized (this) {
      byKey.remove(p.key(), p);
    }
    LOG.info("instance {} ({} on {}): stopping, {}", p.id(), p.type().name(), p.key().image(), reason);
    if (p.startedAt != null) {
      meter.stopped(p.id(), reason);
    }
    changed();
    return p.instance()
        .thenCompose(InstanceRuntime.Instance::stop)
        .handle((v, err) -> {
          forget(p);
          changed();
          return null;
        });
  }

  private void lost(PooledInstance p, String why) {
    if ("stopping".equals(p.state)) {
      return;
    }
    LOG.warn("instance {} ({} on {}) ended: {}", p.id(), p.type().name(), p.key().image(), why);
    p.state = "stopping";
    meter.stopped(p.id(), why);
    forget(p);
    lostListeners.forEach(l -> l.accept(p, why));
    changed();
  }

  private void markSeen() {
    try {
      List<String> ids = list().stream().filter(p -> "running".equals(p.state)).map(PooledInstance::id).toList();
      meter.seen(ids);
    } catch (RuntimeException e) {
      LOG.warn("could not record running instances: {}", e.getMessage());
    }
  }

  /** Stops every instance (the server is stopping). */
  @Override
  public void close() {
    close(false);
  }

  /**
   * Stops every instance, or with {@code keepContainers} every one but the Docker instances, which
   * keep running (and metered) for the next server to adopt.
   */
  public void close(boolean keepContainers) {
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    for (PooledInstance p : list()) {
      if (keepContainers && "docker".equals(p.runtime())) {
        LOG.info("instance {} ({} on {}): left running for the next server", p.id(), p.type().name(), p.key().image());
        continue;
      }
      stops.add(stop(p, "the server stopped"));
    }
    try {
      CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("not every instance stopped cleanly: {}", e.getMessage());
    }
    timers.shutdownNow();
  }
}
