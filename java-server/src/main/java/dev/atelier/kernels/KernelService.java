package dev.atelier.kernels;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.config.AtelierConfig;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.instances.IdlePolicies;
import dev.atelier.catalog.ImageCatalog;
import dev.atelier.catalog.InstanceCatalog;
import dev.atelier.instances.InstancePool;
import dev.atelier.instances.InstanceRoutes;
import dev.atelier.catalog.InstanceType;
import dev.atelier.instances.NotebookMetadata;
import dev.atelier.runtime.AgentClient;
import dev.atelier.runtime.AgentException;
import dev.atelier.runtime.InstanceRuntime;
import dev.atelier.runtime.InstanceSpec;
import dev.atelier.runtime.ZmqLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;

/**
 * Starts, watches and stops kernels through an instance's agent, and keeps their models: the
 * Kernel Gateway API and Atelier's panels both read from here.
 */
public final class KernelService implements AutoCloseable, InstanceRoutes.Kernels {
  private static final Logger LOG = LoggerFactory.getLogger(KernelService.class);
  private static final Duration AGENT_TIMEOUT = Duration.ofSeconds(15);

  private final AtelierConfig config;
  private final ZContext zmq;
  private final InstanceRuntime runtime;
  private final InstancePool pool;
  private final InstanceCatalog types;
  private ImageCatalog images;
  private final Kernelspecs kernelspecs;
  private final Map<String, Kernel> kernels = new ConcurrentHashMap<>();
  private final Map<String, ZmqLoop> loops = new ConcurrentHashMap<>();
  private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
  private final SecureRandom random = new SecureRandom();
  private final Set<AgentClient> watchedAgents = ConcurrentHashMap.newKeySet();
  private final List<java.util.function.Consumer<ObjectNode>> eventListeners = new CopyOnWriteArrayList<>();
  private final KernelRecovery recovery;
  private final KernelIdleRules idleRules;
  private volatile CompletableFuture<InstanceRuntime.Instance> instance;

  /**
   * @param runtime runs the local agent that tells the kernelspecs of the project's environment
   * @param pool the instances kernels run on
   * @param types the instance type catalog
   */
  public KernelService(AtelierConfig config, ZContext zmq, InstanceRuntime runtime, InstancePool pool,
      InstanceCatalog types) {
    this.config = config;
    this.zmq = zmq;
    this.runtime = runtime;
    this.pool = pool;
    this.types = types;
    this.kernelspecs = new Kernelspecs(this::agent);
    this.recovery = new KernelRecovery(this, config.kernelRestartLimit());
    this.idleRules = new KernelIdleRules(this, config, pool);
    pool.onLost((p, why) -> p.kernels().forEach(id -> {
      Kernel k = kernels.get(id);
      if (k != null) {
        recovery.deadForGood(k, "its instance " + p.id() + " (" + p.type().name() + " on " + p.key().image()
            + ") ended: " + why + "; restart the kernel to start it on a new instance");
      }
    }));
  }

  /** The image catalog, once the kernelspecs it needs for {@code local} are known. */
  public void images(ImageCatalog images) {
    this.images = images;
  }

  public InstancePool pool() {
    return pool;
  }

  public InstanceCatalog instanceTypes() {
    return types;
  }

  public ImageCatalog images() {
    return images;
  }

  /** Starts the local agent and learns its kernelspecs; fails if it cannot. */
  public CompletableFuture<Void> startup() {
    instance = runtime.start(InstanceSpec.local(config.rootDir()));
    return instance.thenCompose(i -> kernelspecs.all().thenApply(specs -> null));
  }

  /** Names of the project environment's kernelspecs (known after {@link #startup}). */
  public List<String> localKernelspecNames() {
    try {
      List<String> names = new ArrayList<>();
      kernelspecs.all().get(15, TimeUnit.SECONDS).path("kernelspecs").fieldNames().forEachRemaining(names::add);
      return names;
    } catch (Exception e) {
      return List.of();
    }
  }

  /** The instance type and image a kernel runs on: explicit, else the notebook's metadata, else the defaults. */
  record Target(InstanceType type, ImageCatalog.Image image) {}

  private Target target(Map<String, String> env) {
    NotebookMetadata.Placement saved = NotebookMetadata.read(notebookFile(sessionNotebook(env)));
    String typeName = firstNonBlank(env.get("KERNEL_INSTANCE_TYPE"), saved.instanceType(), types.defaultType().name());
    String imageName = firstNonBlank(env.get("KERNEL_IMAGE"), saved.image(), images.defaultImage());
    return new Target(types.require(typeName), images.require(imageName));
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    return null;
  }

  /**
   * The notebook a kernel start is for. JPY_SESSION_NAME joins the session's folder and its name:
   * the notebook for JupyterLab, which names the session after the file (and starts it under a
   * provisional path it renames afterwards), but the folder alone when a client sends an empty
   * name, or a file that is not there for a label. Then the session's path (ATELIER_NOTEBOOK_PATH,
   * relative to the root, from Atelier's session manager) names the notebook.
   */
  static String sessionNotebook(Map<String, String> env, Path root) {
    String named = env.get("JPY_SESSION_NAME");
    if (isFile(notebookFile(named, root))) {
      return named;
    }
    String path = env.get("ATELIER_NOTEBOOK_PATH");
    if (path != null && !path.isBlank() && isFile(notebookFile(path.replaceFirst("^/+", ""), root))) {
      return path.replaceFirst("^/+", "");
    }
    return named;
  }

  private static boolean isFile(Path p) {
    return p != null && java.nio.file.Files.isRegularFile(p);
  }

  private String sessionNotebook(Map<String, String> env) {
    return sessionNotebook(env, config.rootDir());
  }

  private Path notebookFile(String sessionName) {
    return notebookFile(sessionName, config.rootDir());
  }

  private static Path notebookFile(String sessionName, Path root) {
    if (sessionName == null || sessionName.isBlank()) {
      return null;
    }
    Path p = Path.of(sessionName);
    Path abs = (p.isAbsolute() ? p : root.resolve(p)).normalize();
    return abs.startsWith(root) ? abs : null;
  }

  CompletableFuture<AgentClient> agentOf(Kernel kernel) {
    InstancePool.Pooled p = pool.get(kernel.instanceId());
    if (p == null) {
      return CompletableFuture.failedFuture(new AgentException("the kernel's instance " + kernel.instanceId() + " is gone"));
    }
    return p.instance().thenApply(InstanceRuntime.Instance::agent);
  }

  public Kernelspecs kernelspecs() {
    return kernelspecs;
  }

  private CompletableFuture<AgentClient> agent() {
    CompletableFuture<InstanceRuntime.Instance> i = instance;
    if (i == null) {
      return CompletableFuture.failedFuture(new AgentException("the server has not started its instance yet"));
    }
    return i.thenApply(InstanceRuntime.Instance::agent);
  }

  /** Runs when any kernel's model changes (state, activity, connections, added, removed). */
  public void onChange(Runnable listener) {
    changeListeners.add(listener);
  }

  void changed() {
    changeListeners.forEach(Runnable::run);
  }

  /**
   * Runs on every kernel death: {@code {"type": "kernel_death", "action": "restarting"|"dead",
   * "kernel": {panel model}}}, for the event stream.
   */
  public void onKernelEvent(java.util.function.Consumer<ObjectNode> listener) {
    eventListeners.add(listener);
  }

  void announce(Kernel k, String action) {
    ObjectNode msg = Json.mapper().createObjectNode();
    msg.put("type", "kernel_death");
    msg.put("action", action);
    msg.set("kernel", panelModel(k));
    eventListeners.forEach(l -> l.accept(msg));
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

  private volatile String apiUrl;

  /** Where kernels reach Atelier's API (set once the server listens), such as {@code http://127.0.0.1:8890/atelier/api/}. */
  public void apiUrl(String url) {
    this.apiUrl = url;
  }

  /**
   * Starts a kernel of the given spec; completes once it answers {@code kernel_info_request}.
   *
   * @param env the start request's environment (KERNEL_* and the variables jupyter_server forwards)
   */
  public CompletableFuture<Kernel> start(String specName, Map<String, String> env) {
    // Placement reads the notebook file and may ask the Docker engine: off the caller's event loop.
    return CompletableFuture.supplyAsync(() -> target(env), Thread.ofVirtual().name("kernel-placement")::start)
        .thenCompose(target -> start(specName, env, target));
  }

  private CompletableFuture<Kernel> start(String specName, Map<String, String> env, Target target) {
    return kernelspecs.require(specName).thenCompose(spec -> {
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
      InstancePool.Pooled pooled, AgentClient agent) {
    watch(agent);
    byte[] k = new byte[32];
    random.nextBytes(k);
    String key = HexFormat.of().formatHex(k);
    Map<String, String> kernelEnv = new LinkedHashMap<>(env);
    kernelEnv.put("KERNEL_ID", id);
    // How notebook code (the atelier package) reaches this server; set here, never taken from the client.
    String api = apiUrl;
    if (api != null) {
      kernelEnv.put("ATELIER_API_URL", api);
      kernelEnv.put("ATELIER_TOKEN", config.token());
    }
    kernelEnv.put("ATELIER_ROOT_DIR", config.rootDir().toString());
    kernelEnv.put("ATELIER_DEFAULT_INSTANCE_TYPE", pooled.type().name());
    Kernel kernel = new Kernel(id, spec.name(), spec.displayName(), spec.language(),
        notebookPath(sessionNotebook(env)), Instant.now());
    if (kernel.path() != null) {
      // The notebook as decided here: the agent keeps it for a later server's adoption.
      kernelEnv.put("ATELIER_NOTEBOOK_PATH", kernel.path());
    }
    kernel.placement(pooled.id(), pooled.type().name(), pooled.key().image());
    String cwd = workingDir(env.get("KERNEL_WORKING_DIR")).toString();
    kernel.launch(new Kernel.Launch(spec.name(), Map.copyOf(kernelEnv), cwd, key));
    recovery.track(kernel);
    kernels.put(id, kernel);
    changed();
    Duration timeout = launchTimeout(env);
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("kernel_id", id);
    request.put("kernelspec", spec.name());
    request.put("key", key);
    request.put("env", kernelEnv);
    request.put("cwd", cwd);
    return agent.request("start", request, timeout)
        .thenCompose(reply -> {
          connect(kernel, ConnectionInfo.fromJson(reply.path("connection")));
          return kernel.connection().awaitReady().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
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

  private Duration launchTimeout(Map<String, String> env) {
    String fromClient = env.get("KERNEL_LAUNCH_TIMEOUT");
    if (fromClient != null) {
      try {
        double s = Double.parseDouble(fromClient);
        if (s >= 1 && s <= 3600) {
          return Duration.ofMillis((long) (s * 1000));
        }
      } catch (NumberFormatException e) {
        // fall through to the configured value
      }
    }
    return config.kernelLaunchTimeout();
  }

  private Path workingDir(String requested) {
    if (requested != null && !requested.isBlank()) {
      Path p = Path.of(requested).toAbsolutePath().normalize();
      if (p.startsWith(config.rootDir()) && Files.isDirectory(p)) {
        return p;
      }
    }
    return config.rootDir();
  }

  private String notebookPath(String sessionName) {
    if (sessionName == null || sessionName.isBlank()) {
      return null;
    }
    Path p = Path.of(sessionName);
    if (p.isAbsolute()) {
      Path n = p.normalize();
      if (n.startsWith(config.rootDir())) {
        return config.rootDir().relativize(n).toString();
      }
    }
    return sessionName;
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

  /** Per type, when idle kernels are shut down and idle instances stopped. */
  public void idlePolicies(IdlePolicies policies) {
    idleRules.policies(policies);
  }

  /** Shuts down kernels idle longer than the cull timeout (per the cull_* settings). */
  public void cullIdle(Instant now) {
    idleRules.cull(now);
  }

  /** Applies the idle rules: shuts down idle kernels, stops idle instances. */
  public void enforceIdle(Instant now) {
    idleRules.enforce(now);
  }

  /** When the kernel's type's idle rule shuts it down (only while it is idle), or null. */
  public Instant kernelIdleShutdownAt(Kernel k) {
    return idleRules.kernelShutdownAt(k);
  }

  @Override
  public Instant instanceIdleShutdownAt(String instanceId) {
    return idleRules.instanceStopAt(instanceId);
  }

  /** The panel's model of a kernel: Atelier's model and when the idle rule shuts it down. */
  public ObjectNode panelModel(Kernel k) {
    var m = k.atelierModel();
    Instant at = kernelIdleShutdownAt(k);
    m.put("idle_shutdown_at", at == null ? null : at.toString());
    return m;
  }

  @Override
  public ObjectNode kernelSummary(String kernelId) {
    var n = Json.mapper().createObjectNode();
    n.put("id", kernelId);
    Kernel k = kernels.get(kernelId);
    n.put("path", k == null ? null : k.path());
    n.put("name", k == null ? null : k.specName());
    n.put("execution_state", k == null ? "starting" : k.executionState());
    return n;
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
    InstancePool.Pooled p = pool.get(instanceId);
    if (p == null) {
      return null;
    }
    List<String> on = p.kernels();
    CompletableFuture<Void> s = pool.stop(instanceId, why);
    for (String id : on) {
      Kernel k = kernels.get(id);
      if (k != null) {
        recovery.deadForGood(k, "its instance " + p.id() + " (" + p.type().name() + " on " + p.key().image()
            + ") was " + why + "; restart the kernel to start it on a new instance");
      }
    }
    return s == null ? CompletableFuture.completedFuture(null) : s;
  }

  /**
   * Takes over the instances a previous server of this data directory left running, with
   * their kernels (open notebooks reconnect and keep their state); removes the containers it
   * cannot take over. Returns the adopted instance ids.
   */
  public Set<String> adoptInstances(InstanceRuntime runtime) {
    Set<String> adopted = new HashSet<>();
    if (runtime == null) {
      return adopted;
    }
    List<InstanceRuntime.Survivor> found;
    try {
      found = runtime.survivors();
    } catch (RuntimeException e) {
      LOG.warn("no instances adopted: {}", unwrap(e).getMessage());
      return adopted;
    }
    for (var a : found) {
      String iid = a.labels().get(InstancePool.LABEL_INSTANCE_ID);
      String typeName = a.type();
      String image = a.image();
      try {
        if (iid == null || typeName == null || image == null) {
          throw new AgentException("it carries no instance labels");
        }
        InstanceType t = types.require(typeName);
        InstanceRuntime.Instance inst = runtime.adopt(a,
            new InstanceSpec(typeName, image, t.vcpus(), t.memoryBytes(), config.rootDir(), a.labels()));
        JsonNode reply = inst.agent().request("list", Map.of("details", true), AGENT_TIMEOUT)
            .get(AGENT_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
        InstancePool.Pooled p = pool.adopt(iid, t, image, runtime.name(), inst, a.startedAt());
        watch(inst.agent());
        for (JsonNode k : reply.path("kernels")) {
          if (k.path("alive").asBoolean() && k.has("connection")) {
            adoptKernel(p, k);
          }
        }
        pool.settleAdopted(p);
        adopted.add(iid);
      } catch (Exception e) {
        LOG.warn("instance {} ({} on {}) not adopted, removing it: {}", a.id(), typeName,
            image, unwrap(e).getMessage());
        runtime.discard(a);
      }
    }
    changed();
    return adopted;
  }

  private void adoptKernel(InstancePool.Pooled p, JsonNode k) throws Exception {
    String id = k.path("kernel_id").asText();
    String specName = k.path("kernelspec").asText("python3");
    Kernelspecs.Spec spec;
    try {
      spec = kernelspecs.require(specName).get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      spec = new Kernelspecs.Spec(specName, specName, "python");
    }
    Kernel kernel = new Kernel(id, spec.name(), spec.displayName(), spec.language(),
        notebookPath(k.path("session_name").isTextual() ? k.path("session_name").asText() : null), Instant.now());
    kernel.placement(p.id(), p.type().name(), p.key().image());
    ConnectionInfo info = ConnectionInfo.fromJson(k.path("connection"));
    Map<String, String> env = k.path("session_name").isTextual()
        ? Map.of("JPY_SESSION_NAME", k.path("session_name").asText()) : Map.of();
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

  /** Stops every kernel (the runtime's close stops the agent, which stops the rest). */
  @Override
  public void close() {
    for (Kernel k : list()) {
      closeConnection(k, "server shutting down");
    }
    kernels.clear();
    pool.close(config.keepInstancesOnStop());
    runtime.close();
  }
}
