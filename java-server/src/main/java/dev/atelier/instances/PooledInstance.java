package dev.atelier.instances;

import dev.atelier.catalog.InstanceType;
import dev.atelier.runtime.InstanceRuntime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * An instance of the pool: what it runs (its type and image), its kernels, its state, and when it
 * stops for lack of kernels; {@link #instance} completes once its agent answers. The pool changes it.
 */
public final class PooledInstance {
  private final String id;
  private final InstancePool.Key key;
  private final InstanceType type;
  private final String runtime;
  private final CompletableFuture<InstanceRuntime.Instance> instance;
  final Set<String> kernels = new LinkedHashSet<>();
  /** Kernels still listed on the instance but dead: they do not hold it up. */
  final Set<String> dormant = new LinkedHashSet<>();
  volatile Instant startedAt;
  volatile String state = "starting";
  volatile Instant stopsAt;
  ScheduledFuture<?> stopTimer;

  PooledInstance(String id, InstancePool.Key key, InstanceType type, String runtime,
      CompletableFuture<InstanceRuntime.Instance> instance) {
    this.id = id;
    this.key = key;
    this.type = type;
    this.runtime = runtime;
    this.instance = instance;
  }

  public String id() {
    return id;
  }

  public InstancePool.Key key() {
    return key;
  }

  public InstanceType type() {
    return type;
  }

  public String runtime() {
    return runtime;
  }

  public CompletableFuture<InstanceRuntime.Instance> instance() {
    return instance;
  }

  /** When it started running (null while starting). */
  public Instant startedAt() {
    return startedAt;
  }

  /** {@code starting}, {@code running} or {@code stopping}. */
  public String state() {
    return state;
  }

  /** When it stops because no kernel is left on it (null while kernels run on it). */
  public Instant stopsAt() {
    return stopsAt;
  }

  public synchronized List<String> kernels() {
    return new ArrayList<>(kernels);
  }

  /** Whether its type's limits are enforced; null while it starts. */
  public InstanceRuntime.Limits limits() {
    return instance.isDone() && !instance.isCompletedExceptionally() ? instance.join().limits() : null;
  }

  /** Whether no kernel on it is alive (none at all, or only dead ones). */
  synchronized boolean idleOfKernels() {
    return dormant.containsAll(kernels);
  }
}
