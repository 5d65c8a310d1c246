package dev.atelier.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.WaitResponse;
import dev.atelier.runtime.AgentClient;
import dev.atelier.runtime.AgentException;
import dev.atelier.runtime.ImageSource;
import dev.atelier.runtime.InstanceRuntime;
import dev.atelier.runtime.InstanceSpec;
import dev.atelier.runtime.RuntimeFailure;
import dev.atelier.runtime.ZmqLoop;
import java.io.IOException;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Instances as containers on a Docker engine, reached only on 127.0.0.1: the container shares
 * the host's network namespace and its agent and kernels bind the loopback interface only, so
 * nothing is published beyond this machine and no bridge address is ever dialled. CPU and memory
 * limits are the instance type's; the notebook root is mounted at the same path; the container
 * runs as the server's user so files it writes belong to that user (the container's layout and
 * labels are {@link InstanceContainers}'). This class is the instances' lifecycle: start until the
 * agent answers, adoption after a restart, exit, stop. No Docker API version is pinned (see
 * {@link DockerClients}): requests are answered in the engine's own version.
 */
public final class DockerRuntime implements InstanceRuntime, ImageSource {
  private static final Logger LOG = LoggerFactory.getLogger(DockerRuntime.class);
  /** How long an instance's agent has to stop its kernels before the container is killed. */
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private final DockerEngine engine;
  /** Whether {@link #close} closes the engine: only when this runtime created it. */
  private final boolean ownsEngine;
  private final DockerClient docker;
  private final ZmqLoop loop;
  private final Duration startTimeout;
  private final InstanceContainers containers;
  private final Set<ContainerInstance> running = ConcurrentHashMap.newKeySet();

  /**
   * On its own client for the engine at {@code dockerHost}, closed with this runtime.
   *
   * @param dockerHost such as {@code unix:///var/run/docker.sock}
   * @param owner who the containers belong to (a label), such as the server's user
   */
  public DockerRuntime(String dockerHost, ZmqLoop loop, Duration startTimeout, String owner) {
    this(new DockerEngine(dockerHost), true, loop, startTimeout, owner);
  }

  /**
   * On the engine's client shared with the other Docker runtimes; the engine is left open on close.
   *
   * @param owner who the containers belong to (a label), such as the server's user
   */
  public DockerRuntime(DockerEngine engine, ZmqLoop loop, Duration startTimeout, String owner) {
    this(engine, false, loop, startTimeout, owner);
  }

  private DockerRuntime(DockerEngine engine, boolean ownsEngine, ZmqLoop loop, Duration startTimeout, String owner) {
    this.engine = engine;
    this.ownsEngine = ownsEngine;
    this.docker = engine.client();
    this.loop = loop;
    this.startTimeout = startTimeout;
    this.containers = new InstanceContainers(engine, owner);
  }

  @Override
  public String name() {
    return "docker";
  }

  /** The engine's version, or a failure saying why it cannot be reached. */
  public String engineVersion() {
    try {
      return docker.versionCmd().exec().getVersion();
    } catch (RuntimeException e) {
      throw new AgentException("the Docker engine is not reachable: " + rootMessage(e));
    }
  }

  @Override
  public CompletableFuture<Instance> start(InstanceSpec spec) {
    return CompletableFuture.supplyAsync(() -> launch(spec), Thread.ofVirtual().name("container-start")::start);
  }

  /**
   * Fails with a missing image (a {@link RuntimeFailure}, 400, saying how to build it) when the
   * engine does not have it, or a 503 when the engine does not answer.
   */
  public void requireImage(String image) {
    engine.requireImage(image);
  }

  private Instance launch(InstanceSpec spec) {
    requireImage(spec.image());
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    String key = HexFormat.of().formatHex(k);
    int port = freePort();
    String id = containers.start(spec, key, port, HexFormat.of().formatHex(k, 0, 4));
    AgentClient agent = new AgentClient(loop, "127.0.0.1", port, key);
    try {
      handshakeWhileRunning(id, agent);
    } catch (AgentException e) {
      agent.close();
      String logs = containers.lastLinesSuffix(id);
      containers.remove(id);
      throw new AgentException(e.getMessage() + logs);
    }
    ContainerInstance instance = new ContainerInstance(id, spec, agent);
    running.add(instance);
    return instance;
  }

  /** Asks the agent for hello until it answers, failing early if the container exits. */
  private void handshakeWhileRunning(String id, AgentClient agent) {
    long deadline = System.nanoTime() + startTimeout.toNanos();
    while (System.nanoTime() < deadline) {
      InspectContainerResponse.ContainerState state = containers.state(id);
      if (!Boolean.TRUE.equals(state.getRunning())) {
        throw new AgentException("the instance's container exited with code " + state.getExitCodeLong()
            + (Boolean.TRUE.equals(state.getOOMKilled()) ? " (out of memory)" : "") + " before its agent answered");
      }
      try {
        agent.handshake(Duration.ofSeconds(1));
        return;
      } catch (AgentException e) {
        agent.reconnect(); // not up yet, or a connection JeroMQ left stuck: try a fresh one
      }
    }
    throw new AgentException("the instance's agent did not answer within " + startTimeout.toSeconds() + " s");
  }

  @Override
  public String runtime() {
    return name();
  }

  @Override
  public String problem() {
    try {
      engineVersion();
      return null;
    } catch (AgentException e) {
      return e.getMessage();
    }
  }

  @Override
  public List<Entry> images() {
    return DockerImages.list(docker);
  }

  @Override
  public java.util.Optional<Entry> image(String name) {
    return DockerImages.find(docker, name);
  }

  /** Running instance containers of this owner, by their labels. */
  @Override
  public List<Survivor> survivors() {
    return containers.survivors();
  }

  /** Takes over a running instance container: its agent must answer within a few seconds. */
  @Override
  public Instance adopt(Survivor survivor, InstanceSpec spec) {
    String id = survivor.id();
    int port = InstanceContainers.controlPort(survivor);
    String key = containers.agentKey(id);
    if (key == null || port <= 0) {
      throw new AgentException("container " + id.substring(0, 12) + " has no agent key or control port");
    }
    AgentClient agent = new AgentClient(loop, "127.0.0.1", port, key);
    try {
      agent.handshake(Duration.ofSeconds(15));
    } catch (AgentException e) {
      agent.close();
      throw new AgentException(e.getMessage() + " (control port " + port + ")" + containers.lastLinesSuffix(id));
    }
    ContainerInstance instance = new ContainerInstance(id, spec, agent);
    running.add(instance);
    return instance;
  }

  /** Removes a container that cannot be adopted. */
  @Override
  public void discard(Survivor survivor) {
    containers.remove(survivor.id());
  }

  /** Containers this owner's servers started, running or not (for adoption or clean-up). */
  public List<String> ownedContainers() {
    return containers.owned();
  }

  private volatile boolean keepOnClose;

  /** Whether {@link #close} leaves the containers running for the next server to adopt. */
  public void keepContainersOnClose(boolean keep) {
    this.keepOnClose = keep;
  }

  @Override
  public boolean instancesOutliveClose() {
    return keepOnClose;
  }

  @Override
  public void close() {
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    for (ContainerInstance i : List.copyOf(running)) {
      if (keepOnClose) {
        i.agent().close();
      } else {
        stops.add(i.stop());
      }
    }
    try {
      CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("not every instance stopped cleanly: {}", rootMessage(e));
    }
    if (ownsEngine) {
      engine.close();
    }
  }

  private final class ContainerInstance implements Instance {
    private final String id;
    private final InstanceSpec spec;
    private final AgentClient agent;
    private final CompletableFuture<String> terminated = new CompletableFuture<>();

    ContainerInstance(String id, InstanceSpec spec, AgentClient agent) {
      this.id = id;
      this.spec = spec;
      this.agent = agent;
      docker.waitContainerCmd(id).exec(new ResultCallback.Adapter<WaitResponse>() {
        @Override
        public void onNext(WaitResponse response) {
          terminated.complete(describeExit(response.getStatusCode()));
        }

        @Override
        public void onError(Throwable e) {
          terminated.complete("the instance's container could not be watched: " + rootMessage(e));
        }
      });
      terminated.whenComplete((why, e) -> running.remove(this));
    }

    private String describeExit(Integer code) {
      try {
        InspectContainerResponse.ContainerState s = containers.state(id);
        if (Boolean.TRUE.equals(s.getOOMKilled())) {
          return spec.outOfMemory();
        }
        return "the instance's container exited with code " + s.getExitCodeLong();
      } catch (RuntimeException e) {
        return "the instance's container exited with code " + code;
      }
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public InstanceSpec spec() {
      return spec;
    }

    @Override
    public AgentClient agent() {
      return agent;
    }

    @Override
    public CompletableFuture<String> terminated() {
      return terminated;
    }

    @Override
    public CompletableFuture<Void> stop() {
      return CompletableFuture.runAsync(() -> {
        try {
          // SIGTERM: the agent stops its kernels gracefully; SIGKILL after the grace period.
          engine.stop(id, STOP_GRACE);
        } catch (RuntimeException e) {
          LOG.warn("stopping container {}: {}", id, rootMessage(e));
        }
        agent.close();
        containers.remove(id);
        running.remove(this);
      }, Thread.ofVirtual()::start);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new AgentException("no free port on 127.0.0.1: " + e.getMessage());
    }
  }

  /** {@code uid:gid} of the server's user: containers run as it, so what they write belongs to it. */
  public static String hostUser() {
    return HostUser.uidGid();
  }

  static String rootMessage(Throwable e) {
    return RuntimeFailure.rootMessage(e);
  }
}
