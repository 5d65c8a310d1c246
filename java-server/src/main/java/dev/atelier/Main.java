package dev.atelier;

import dev.atelier.config.AtelierConfig;
import dev.atelier.config.ConfigException;
import dev.atelier.config.ConfigLoader;
import dev.atelier.experiments.ExperimentsCapability;
import dev.atelier.http.Capability;
import dev.atelier.http.EventStream;
import dev.atelier.http.ScopedTokens;
import dev.atelier.experiments.ExperimentsCapability;
import dev.atelier.instances.InstancesCapability;
import dev.atelier.endpoints.EndpointsCapability;
import dev.atelier.debugger.DebuggerCapability;
import dev.atelier.jobs.JobsCapability;
import dev.atelier.kernels.IdleEnforcement;
import dev.atelier.kernels.KernelsCapability;
import dev.atelier.storage.ObjectsCapability;
import dev.atelier.kernels.InstanceAdoption;
import dev.atelier.kernels.KernelPlacement;
import dev.atelier.kernels.KernelService;
import dev.atelier.kernels.LocalEnvironment;
import dev.atelier.instances.IdlePolicies;
import dev.atelier.catalog.ImageCatalog;
import dev.atelier.catalog.InstanceCatalog;
import dev.atelier.instances.InstancePool;
import dev.atelier.instances.UsageMeter;
import dev.atelier.runtime.process.Cgroups;
import dev.atelier.sagemaker.SageMakerCapability;
import dev.atelier.runtime.BatchRuntime;
import dev.atelier.runtime.docker.DockerEngine;
import dev.atelier.runtime.docker.DockerRuntime;
import dev.atelier.runtime.InstanceRuntime;
import dev.atelier.runtime.process.ProcessRuntime;
import dev.atelier.storage.Database;
import dev.atelier.jobs.JobService;
import dev.atelier.jobs.JobStore;
import dev.atelier.runtime.docker.JobContainers;
import dev.atelier.storage.ObjectStore;
import dev.atelier.storage.ObjectStores;
import java.time.Clock;
import java.time.Duration;
import dev.atelier.runtime.ZmqLoop;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.zeromq.ZContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Starts the Atelier server: configuration, the local runtime, the kernel service, HTTP. */
@Command(name = "atelier-server", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
    description = "The Atelier server: the Jupyter kernel gateway and Atelier's API.")
public final class Main implements Callable<Integer> {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Main.class);
  @Option(names = "--config", description = "JSON config file (also ATELIER_CONFIG)")
  Path configFile;

  @Option(names = "--host", description = "interface to listen on (default 127.0.0.1)")
  String host;

  @Option(names = "--port", description = "port to listen on, 0 for any (default 8890)")
  String port;

  @Option(names = "--token", description = "token every request must carry (prefer --token-file)")
  String token;

  @Option(names = "--token-file", description = "file holding the token")
  String tokenFile;

  @Option(names = "--data-dir", description = "where Atelier keeps state (default .atelier)")
  String dataDir;

  @Option(names = "--python", description = "Python of the environment kernels run in (default python3)")
  String python;

  @Option(names = "--root-dir", description = "the notebook root directory (default .)")
  String rootDir;

  @Option(names = "--ready-file", description = "written with {\"port\", \"url\"} once listening")
  String readyFile;

  @Option(names = "--cull-idle-timeout", description = "seconds before idle kernels are shut down; 0 = off")
  String cullIdleTimeout;

  @Option(names = "--cull-interval", description = "seconds between idle checks")
  String cullInterval;

  @Option(names = "--cull-connected", description = "cull kernels with open connections too")
  Boolean cullConnected;

  @Option(names = "--cull-busy", description = "cull busy kernels too")
  Boolean cullBusy;

  @Option(names = "--front-door-port", description = "serve the front door (the URL users open) on this port; -1 = off")
  String frontDoorPort;

  @Option(names = "--jupyter-url", description = "jupyter_server behind the front door (default http://127.0.0.1:8889)")
  String jupyterUrl;

  @Option(names = "--base-url", description = "jupyter_server's base URL (default /)")
  String baseUrl;

  public static void main(String[] args) {
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    System.setProperty("vertx.disableDnsResolver", "true");
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    AtelierConfig config;
    try {
      Map<String, String> cli = new LinkedHashMap<>();
      cli.put("host", host);
      cli.put("port", port);
      cli.put("token", token);
      cli.put("tokenFile", tokenFile);
      cli.put("dataDir", dataDir);
      cli.put("python", python);
      cli.put("rootDir", rootDir);
      cli.put("readyFile", readyFile);
      cli.put("cullIdleTimeoutSeconds", cullIdleTimeout);
      cli.put("cullIntervalSeconds", cullInterval);
      cli.put("cullConnected", cullConnected == null ? null : cullConnected.toString());
      cli.put("cullBusy", cullBusy == null ? null : cullBusy.toString());
      cli.put("frontDoorPort", frontDoorPort);
      cli.put("jupyterUrl", jupyterUrl);
      cli.put("baseUrl", baseUrl);
      Path file = configFile != null ? configFile
          : System.getenv("ATELIER_CONFIG") != null ? Path.of(System.getenv("ATELIER_CONFIG")) : null;
      config = ConfigLoader.load(file, System.getenv(), System.getProperties(), cli);
    } catch (ConfigException e) {
      System.err.println("atelier-server: configuration error: " + e.getMessage());
      return 2;
    }
    Running running;
    try {
      running = start(config);
    } catch (dev.atelier.storage.StorageException e) {
      // its message names the database and the cause already
      System.err.println("atelier-server: cannot start: " + e.getMessage());
      return 1;
    } catch (Exception e) {
      Throwable c = e.getCause() != null ? e.getCause() : e;
      System.err.println("atelier-server: cannot start: " + c.getMessage());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(running::close, "shutdown"));
    String url = "http://" + config.host() + ":" + running.port();
    if (config.readyFile() != null) {
      Files.createDirectories(config.readyFile().toAbsolutePath().getParent());
      Path tmp = config.readyFile().resolveSibling(config.readyFile().getFileName() + ".tmp");
      Files.writeString(tmp, "{\"port\": " + running.port() + ", \"url\": \"" + url + "\", \"front_door_port\": "
          + running.frontDoorPort() + "}\n", StandardCharsets.UTF_8);
      Files.move(tmp, config.readyFile(), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    System.out.println("Atelier server listening on " + url);
    if (running.frontDoorPort() >= 0) {
      System.out.println("Atelier front door on http://" + config.host() + ":" + running.frontDoorPort()
          + config.baseUrl() + " (jupyter_server at " + config.jupyterUrl() + ")");
    }
    if (token == null && tokenFile == null && System.getenv("ATELIER_TOKEN") == null
        && System.getenv("ATELIER_TOKEN_FILE") == null) {
      System.out.println("Token (generated): " + config.token());
    }
    System.out.flush();
    Thread.currentThread().join();
    return 0;
  }

  /** A started server: what tests look at, and what it opened, closed in reverse order. */
  public record Running(KernelService kernels, IdleEnforcement idleRules, int port, int frontDoorPort,
      Resources resources) implements AutoCloseable {
    @Override
    public void close() {
      resources.close();
    }
  }

  /** Starts everything for the configuration; used by main and by the integration tests. */
  public static Running start(AtelierConfig config) throws Exception {
    Files.createDirectories(config.dataDir());
    Resources resources = new Resources();
    try {
      return start(config, resources);
    } catch (Exception | Error e) {
      resources.close();
      throw e;
    }
  }

  /**
   * Opens each part in dependency order, registering it to be closed; the capabilities are built in
   * the order they are mounted and asked for health. A new capability is one more entry here.
   */
  private static Running start(AtelierConfig config, Resources resources) throws Exception {
    Vertx vertx = resources.add("vertx", new VertxHandle(Vertx.vertx())).vertx();
    InstanceCatalog types = InstanceCatalog.load(config.instanceTypesFile(), config.defaultInstanceType(),
        InstanceCatalog.detectHostGpus());
    Database db = resources.add("database", Database.open(config));
    UsageMeter meter = new UsageMeter(db, Clock.systemUTC());
    IdlePolicies idle = new IdlePolicies(db, types, Clock.systemUTC());
    // One client for the engine, shared by the instance and the job runtimes.
    DockerEngine engine = config.dockerHost().isEmpty() ? null
        : resources.add("docker engine", new DockerEngine(config.dockerHost()));
    ZContext zmq = resources.add("zeromq", new ZContext());
    ZmqLoop agentLoop = new ZmqLoop(zmq, "agent-io");
    Cgroups cgroups = "none".equals(config.cgroupParent())
        ? Cgroups.off("cgroupParent is none: process instances run without their type's CPU and memory limits")
        : Cgroups.open(config.cgroupParent(), owner(config));
    ProcessRuntime process = new ProcessRuntime(config.python(), agentLoop, Duration.ofSeconds(60), cgroups);
    DockerRuntime docker = engine == null ? null
        : resources.add("docker runtime", new DockerRuntime(engine, agentLoop, config.kernelLaunchTimeout(), owner(config)));
    Map<String, InstanceRuntime> runtimes = new java.util.HashMap<>();
    runtimes.put("process", process);
    if (docker != null) {
      runtimes.put("docker", docker);
    }
    InstancePool pool = new InstancePool(runtimes, meter, config.instanceStopGrace());
    LocalEnvironment local = new LocalEnvironment(process, config.rootDir());
    ImageCatalog images = new ImageCatalog(docker, local::kernelspecNames, config.defaultImage());
    // Every caller the token check lets through is the server's user (its one token).
    String user = System.getProperty("user.name", "user");
    EventStream events = new EventStream(vertx, ctx -> user);
    List<Capability> capabilities = new ArrayList<>();

    // Known once the server listens; kernels started before then get no API address.
    AtomicReference<String> apiUrl = new AtomicReference<>();
    KernelService kernels = new KernelService(config, zmq, local, pool, types,
        new KernelPlacement(config.rootDir(), types, images), apiUrl::get);
    IdleEnforcement idleRules = new IdleEnforcement(kernels, config, pool, idle);
    capabilities.add(resources.add("kernels", new KernelsCapability(vertx, config, kernels, idleRules, events)));
    kernels.startup().get(90, TimeUnit.SECONDS);
    InstanceAdoption adoption = new InstanceAdoption(kernels, pool, types, config.rootDir());
    java.util.Set<String> adopted = new java.util.HashSet<>();
    runtimes.values().forEach(runtime -> adopted.addAll(adoption.adopt(runtime)));
    int closed = meter.closeLeftOpen(adopted, "the server that ran it stopped");
    if (closed > 0) {
      LOG.info("{} instance(s) an earlier server did not stop are billed up to when they were last seen", closed);
    }
    if (docker != null) {
      docker.keepContainersOnClose(config.keepInstancesOnStop());
    }

    capabilities.add(resources.add("instances",
        new InstancesCapability(vertx, pool, types, images, meter, idleRules, idle)));

    // Scoped tokens: download tickets of the objects, run tokens of the experiments.
    ScopedTokens scoped = new ScopedTokens(config.token());
    ObjectStore objects = ObjectStores.open(config);
    capabilities.add(resources.add("objects", new ObjectsCapability(vertx, config, objects, scoped)));
    // Mounted before the jobs, which record their runs through it; its check of run tokens comes
    // first under atelier/mlflow/, before the artifact routes it also serves.
    ExperimentsCapability experiments = new ExperimentsCapability(vertx, config, db, objects,
        user, events, scoped);
    capabilities.add(resources.add("experiments", experiments));

    BatchRuntime containers = engine == null ? null : new JobContainers(engine);
    java.util.function.Supplier<String> dockerProblem = () -> docker == null
        ? "no Docker engine is configured (dockerHost is empty)" : images.dockerProblem();
    JobService jobs = new JobService(config, new JobStore(db), objects, containers, types, owner(config),
        DockerRuntime.hostUser(), System.getProperty("user.name", "user"), Clock.systemUTC(), dockerProblem, apiUrl::get);
    capabilities.add(resources.add("jobs", new JobsCapability(vertx, jobs, events)));
    jobs.trackRunsWith(experiments.tracker());
    DebuggerCapability debugger = new DebuggerCapability(vertx, jobs, containers, objects, types,
        config.defaultBucket(), config.s3Region(), events);
    capabilities.add(resources.add("debugger", debugger));
    jobs.superviseTrainingWith(debugger.companion());
    jobs.adopt();
    capabilities.add(resources.add("endpoints", new EndpointsCapability(vertx, config, db, objects, images, types, jobs,
        engine, owner(config), DockerRuntime.hostUser(), System.getProperty("user.name", "user"), events)));

    capabilities.add(resources.add("sagemaker", new SageMakerCapability(vertx, config, db, objects, jobs,
        System.getProperty("user.name", "user"), apiUrl::get)));

    AtelierServer server = new AtelierServer(config, capabilities, events, apiUrl::set, scoped);
    String deployment = vertx.deployVerticle(server).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    // Stops listening first, before the capabilities close under it.
    resources.add("http", () -> vertx.undeploy(deployment).toCompletionStage().toCompletableFuture()
        .get(5, TimeUnit.SECONDS));
    return new Running(kernels, idleRules, server.actualPort(), server.frontDoorPort(), resources);
  }

  /** Closes Vert.x last, waiting a bounded time for its threads to stop. */
  private record VertxHandle(Vertx vertx) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
  }

  /** The owner label of this server's containers: its user and data directory. */
  private static String owner(AtelierConfig config) {
    String dir = config.dataDir().toString();
    return System.getProperty("user.name", "user") + "-" + Integer.toHexString(dir.hashCode());
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"atelier-server " + dev.atelier.kernels.Version.VALUE};
    }
  }
}
