package dev.atelier.kernels;

import dev.atelier.config.AtelierConfig;
import dev.atelier.http.ApiException;
import dev.atelier.catalog.InstanceCatalog;
import dev.atelier.instances.InstancePool;
import dev.atelier.instances.PooledInstance;
import dev.atelier.runtime.AgentClient;
import dev.atelier.runtime.AgentException;
import dev.atelier.runtime.InstanceRuntime;
import dev.atelier.runtime.ZmqLoop;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;

/**
 * Starts, watches and stops kernels through an instance's agent, and keeps their models: the
 * Kernel Gateway API and Atelier's panels both read from here.
 */
public final class KernelService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KernelService.class);
  private static final Duration AGENT_TIMEOUT = Duration.ofSeconds(15);

  private final AtelierConfig config;
  private final ZContext zmq;
  private final LocalEnvironment local;
  private final InstancePool pool;
  private final KernelPlacement placement;
  private final Supplier<String> apiUrl;
  private final Map<String, Kernel> kernels = new ConcurrentHashMap<>();
  private final Map<String, ZmqLoop> loops = new ConcurrentHashMap<>();
  private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
  private final SecureRandom random = new SecureRandom();
  private final Set<AgentClient> watchedAgents = ConcurrentHashMap.newKeySet();
  private final List<BiConsumer<Kernel, String>> eventListeners = new CopyOnWriteArrayList<>();
  private final KernelRecovery recovery;

  /**
   * @param local the project's environment: its kernelspecs, and its runtime, closed with this
   * @param pool the instances kernels run on
   * @param types the instance type catalog (a dead kernel restarts on a new instance of its type)
   * @param placement where a start request's kernel runs
   * @param apiUrl where kernels reach Atelier's API, such as {@code http://127.0.0.1:8890/atelier/api/};
   *     known once the server listens (null before: kernels then get no API address)
   */
  public KernelService(AtelierConfig config, ZContext zmq, LocalEnvironment local, InstancePool pool,
      InstanceCatalog types, KernelPlacement placement, Supplier<String> apiUrl) {
    this.config = config;
    this.zmq = zmq;
    this.local = local;
    this.pool = pool;
    this.placement = placement;
    this.apiUrl = apiUrl;
    this.recovery = new KernelRecovery(this, pool, types, config.kernelRestartLimit());
    pool.onLost((p, why) -> p.kernels().forEach(id -> {
      Kernel k = kernels.get(id);
      if (k != null) {
        recovery.deadForGood(k, "its instance " + p.id() + " (" + p.type().name() + " on " + p.key().image()
            + ") ended: " + why + "; restart the kernel to start it on a new instance");
      }
    }));
  }

  /** Starts the local agent and learns its kernelspecs; fails if it cannot. */
  public CompletableFuture<Void> startup() {
    return local.startup();
  }

  CompletableFuture<AgentClient> agentOf(Kernel kernel) {
    PooledInstance p = pool.get(kernel.instanceId());
    if (p == null) {
      return CompletableFuture.failedFuture(new AgentException("the kernel's instance " + kernel.instanceId() + " is gone"));
    }
    return p.instance().thenApply(InstanceRuntime.Instance::agent);
  }

  public Kernelspecs kernelspecs() {
    return local.kernelspecs();
  }

  /** Runs when any kernel's model changes (state, activity, connections, added, removed). */
  public void onChange(Runnable listener) {
    changeListeners.add(listener);
  }

  void changed() {
    changeListeners.forEach(Runnable::run);
  }

  /** Runs on every kernel death with the kernel and what became of it: {@code restarting} or {@code dead}. */
  public void onKernelEvent(BiConsumer<Kernel, String> listener) {
    eventListeners.add(listener);
  }

  void announce(Kernel k, String action) {
    eventListeners.forEach(l -> l.accept(k, action));
  }

  /** The kernel, or null. */
  Kernel find(String id) {
    return kernels.get(id);
  }

  Duration launchTimeout() {
    return config.kernelLaunchTimeout();
  }

  Path rootDir() {
    return config.rootDir();
  }

  /** Hears the agent's events (kernel exits) from now on. */
  void watch(AgentClient agent) {
    if (watchedAgents.add(agent)) {
      agent.onEvent(recovery::onAgentEvent);
    }
  }

  public List<Kernel> list() {
    List<Kernel> all = new ArrayList<>(kernels.values());
    all.sort(Comparator.comparing(Kernel::id));
    return all;
  }

  /** The kernel, or a 404 naming the id. */
  public Kernel get(String id) {
    Kernel k = kernels.get(id);
    if (k == null) {
      throw ApiException.notFound("kernel " + id + " not found");
    }
    return k;
  }

  /**
   * Starts a kernel of the given spec; completes once it answers {@code kernel_info_request}.
   *
   * @param env the start request's environment (KERNEL_* and the variables jupyter_server forwards)
   */
  public CompletableFuture<Kernel> start(String specName, Map<String, String> env) {
    // Placement reads the notebook file and may ask the Docker engine: off the caller's event loop.
    return CompletableFuture.supplyAsync(() -> placement.target(env), Thread.ofVirtual().name("kernel-placement")::start)
        .thenCompose(target -> start(specName, env, target));
  }

  private CompletableFuture<Kernel> start(String specName, Map<String, String> env, KernelPlacement.Target target) {
    return kernelspecs().require(specName).thenCompose(spec -> {
      if (!target.image().kernelspecs().contains(spec.name())) {
        throw new CompletionException(ApiException.badRequest("image " + target.image().name() + " has no kernelspec '"
            + spec.name() + "'; it offers: " + String.join(", ", target.image().kernelspecs())));
      }
      String id = UUID.randomUUID().toString();
      return pool.acquire(target.type(), target.image(), id, config.rootDir())
          .exceptionally(err -> {
            pool.release(id);
            Throwable cause = unwrap(err);
            throw new CompletionException(new ApiException(500, "Kernel Start Failed", "kernel " + spec.name()
                + " could not start: instance " + target.type().name() + " on " + target.image().name()
                + " did not start: " + cause.getMessage()));
          })
          .thenCompose(pooled -> pooled.instance().thenCompose(inst -> launch(id, spec, env, pooled, inst.agent())));
    });
  }

  private CompletableFuture<Kernel> launch(String id, Kernelspecs.Spec spec, Map<String, String> env,
      PooledInstance pooled, AgentClient agent) {
    watch(agent);
    String path = placement.notebookPath(placement.notebook(env));
    StartRequest req = StartRequest.of(id, env, path, pooled.type().name(), apiUrl.get(), config.token(),
        config.rootDir(), config.kernelLaunchTimeout(), random);
    Kernel kernel = new Kernel(id, spec.name(), spec.displayName(), spec.language(), path, Instant.now());
    kernel.placement(pooled.id(), pooled.type().name(), pooled.key().image());
    kernel.launch(new Kernel.Launch(spec.name(), Map.copyOf(req.env()), req.cwd(), req.key()));
    recovery.track(kernel);
    kernels.put(id, kernel);
    changed();
    Duration timeout = req.timeout();
    Map<String, Object> request = req.agentRequest(id, spec.name());
    return agent.request("start", request, timeout)
        .thenCompose(reply -> {
          connect(kernel, ConnectionInfo.fromJson(reply.path("connection")));
          return recovery.firstStart(kernel, kernel.connection().awaitReady())
              .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        })
        .handle((ok, err) -> {
          if (err == null) {
            if (!kernel.isDead()) {
              kernel.executionState("idle");
            }
            changed();
            LOG.info("kernel {} ({}) started for {}", id, spec.name(), dev.atelier.http.LogText.of(kernel.path()));
            return kernel;
          }
          Throwable cause = unwrap(err);
          discard(kernel, agent);
          String why = cause instanceof TimeoutException
              ? "kernel " + spec.name() + " did not become ready within " + timeout.toSeconds() + " s"
              : "kernel " + spec.name() + " failed to start: " + cause.getMessage();
          throw new CompletionException(new ApiException(500, "Kernel Start Failed", why));
        });
  }

  /** Opens the server's sockets to a kernel, on an I/O thread of its own. */
  private void connect(Kernel kernel, ConnectionInfo info) {
    ZmqLoop loop = new ZmqLoop(zmq, "kernel-" + kernel.id().substring(0, 8));
    loops.put(kernel.id(), loop);
    kernel.connection(new KernelConnection(kernel.id(), loop, info, listenerFor(kernel), config.replayBufferBytes()));
  }

  private void discard(Kernel kernel, AgentClient agent) {
    kernels.remove(kernel.id());
    recovery.forget(kernel.id());
    closeConnection(kernel, "kernel failed to start");
    agent.request("shutdown", Map.of("kernel_id", kernel.id(), "now", true), AGENT_TIMEOUT)
        .whenComplete((r, e) -> pool.release(kernel.id()));
    changed();
  }

  private KernelConnection.Listener listenerFor(Kernel kernel) {
    return new KernelConnection.Listener() {
      @Override
      public void onExecutionState(String state) {
        if (!kernel.isDead() && !"restarting".equals(kernel.executionState())) {
          kernel.executionState(state);
          changed();
        }
      }

      @Override
      public void onActivity(Instant when) {
        kernel.touch(when);
      }

      @Override
      public void onConnections(int attached) {
        kernel.connections(attached);
        changed();
      }

      @Override
      public void onHeartbeatLost() {
        recovery.heartbeatLost(kernel);
      }
    };
  }

  /** Interrupts per the spec's interrupt_mode (the agent knows it). */
  public CompletableFuture<Void> interrupt(String id) {
    Kernel kernel = get(id);
    kernel.touch(Instant.now());
    return agentOf(kernel).thenCompose(a -> a.request("interrupt", Map.of("kernel_id", kernel.id()), AGENT_TIMEOUT))
        .thenApply(r -> (Void) null)
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(agentFailure("interrupt", e)));
  }

  /**
   * Restarts and completes after the new kernel's kernel_info_reply: in place (same ports and key)
   * when it runs, and a dead kernel too, on a new instance of its type and image if its own stopped.
   */
  public CompletableFuture<Kernel> restart(String id) {
    return recovery.restart(get(id));
  }

  /** Shuts a kernel down: gracefully, then forced by the agent after a few seconds. */
  public CompletableFuture<Void> shutdown(String id) {
    Kernel kernel = get(id);
    return shutdown(kernel, false);
  }

  CompletableFuture<Void> shutdown(Kernel kernel, boolean now) {
    return agentOf(kernel)
        .thenCompose(a -> a.request("shutdown", Map.of("kernel_id", kernel.id(), "now", now), AGENT_TIMEOUT))
        .handle((r, err) -> {
          if (err != null) {
            LOG.warn("kernel {}: the agent could not shut it down: {}", kernel.id(), unwrap(err).getMessage());
          }
          kernels.remove(kernel.id());
          recovery.forget(kernel.id());
          pool.release(kernel.id());
          closeConnection(kernel, "kernel shut down");
          changed();
          LOG.info("kernel {} shut down", kernel.id());
          return null;
        });
  }

  private void closeConnection(Kernel kernel, String why) {
    KernelConnection c = kernel.connection();
    if (c != null) {
      c.close(why);
    }
    ZmqLoop loop = loops.remove(kernel.id());
    if (loop != null) {
      // Let the close task run before the loop stops.
      loop.execute(() -> Thread.ofVirtual().start(loop::close));
    }
  }

  static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  private static Throwable agentFailure(String what, Throwable e) {
    Throwable cause = unwrap(e);
    if (cause instanceof ApiException) {
      return cause;
    }
    if (cause instanceof AgentException) {
      return new ApiException(500, "Kernel " + what + " failed", cause.getMessage());
    }
    return cause;
  }

  /** An instance's kernel left by an earlier server: known again, and connected to. */
  void adopt(PooledInstance p, InstanceAdoption.Found found) {
    Kernelspecs.Spec spec;
    try {
      spec = kernelspecs().require(found.specName()).get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      spec = new Kernelspecs.Spec(found.specName(), found.specName(), "python");
    }
    String id = found.id();
    Kernel kernel = new Kernel(id, spec.name(), spec.displayName(), spec.language(),
        placement.notebookPath(found.sessionName()), Instant.now());
    kernel.placement(p.id(), p.type().name(), p.key().image());
    ConnectionInfo info = found.connection();
    Map<String, String> env = found.sessionName() != null ? Map.of("JPY_SESSION_NAME", found.sessionName()) : Map.of();
    kernel.launch(new Kernel.Launch(spec.name(), env, config.rootDir().toString(), info.key()));
    recovery.track(kernel);
    kernels.put(id, kernel);
    pool.adoptKernel(id, p);
    connect(kernel, info);
    kernel.connection().awaitReady().orTimeout(30, TimeUnit.SECONDS).whenComplete((ok, err) -> {
      if (err == null) {
        if (!kernel.isDead()) {
          kernel.executionState("idle");
        }
      } else {
        recovery.deadForGood(kernel, "the adopted kernel did not answer: " + unwrap(err).getMessage());
      }
      changed();
    });
    LOG.info("kernel {} ({}) adopted on instance {} for {}", id, spec.name(), p.id(), dev.atelier.http.LogText.of(kernel.path()));
  }

  /** Its instance is gone or stopping: the kernel is dead with that reason until restarted. */
  void deadForGood(Kernel kernel, String why) {
    recovery.deadForGood(kernel, why);
  }

  /** Stops every kernel (the runtime's close stops the agent, which stops the rest). */
  @Override
  public void close() {
    for (Kernel k : list()) {
      closeConnection(k, "server shutting down");
    }
    kernels.clear();
    pool.close(config.keepInstancesOnStop());
    local.close();
  }
}
