package dev.atelier.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import dev.atelier.runtime.AgentException;
import dev.atelier.runtime.InstanceRuntime;
import dev.atelier.runtime.InstanceRuntime.Survivor;
import dev.atelier.runtime.InstanceSpec;
import dev.atelier.runtime.RuntimeFailure;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How an instance is laid out as a container, and read back from one: the labels that let a
 * restarted server find its owner's instances, the type's limits, the notebook root mounted at the
 * same path, the server's user, the host's network and the agent's entrypoint with its key. What
 * {@link DockerRuntime} writes here at start is what {@link #survivors} and {@link #agentKey} read
 * after a restart.
 */
final class InstanceContainers {
  private static final Logger LOG = LoggerFactory.getLogger(InstanceContainers.class);
  /** Labels every instance container carries, so a restarted server can find (and adopt or clean) them. */
  static final String LABEL_OWNER = "dev.atelier.owner";
  static final String LABEL_TYPE = "dev.atelier.instance-type";
  static final String LABEL_IMAGE = "dev.atelier.instance-image";
  static final String LABEL_CONTROL_PORT = "dev.atelier.control-port";
  private static final String KEY_VARIABLE = "ATELIER_AGENT_KEY";

  private final DockerEngine engine;
  private final DockerClient docker;
  private final String owner;

  /** @param owner who the containers belong to (a label), such as the server's user */
  InstanceContainers(DockerEngine engine, String owner) {
    this.engine = engine;
    this.docker = engine.client();
    this.owner = owner;
  }

  /**
   * Creates and starts the container of an instance whose agent listens on {@code port} with
   * {@code key}; returns its id.
   *
   * @param suffix makes the container's name unique (the type's name goes before it)
   */
  String start(InstanceSpec spec, String key, int port, String suffix) {
    Map<String, String> labels = new LinkedHashMap<>(spec.labels());
    labels.put(LABEL_OWNER, owner);
    labels.put(LABEL_TYPE, spec.instanceType());
    labels.put(LABEL_IMAGE, spec.image());
    labels.put(LABEL_CONTROL_PORT, Integer.toString(port));
    String workDir = spec.workDir().toString();
    HostConfig host = DockerEngine.limit(HostConfig.newHostConfig()
        .withNetworkMode("host")
        .withInit(true)
        .withBinds(new Bind(workDir, new Volume(workDir))), spec.cpus(), spec.memoryBytes());
    String id = docker.createContainerCmd(spec.image())
        .withName("atelier-" + spec.instanceType().replaceAll("[^A-Za-z0-9_.-]", "-") + "-" + suffix)
        .withLabels(labels)
        .withUser(HostUser.uidGid())
        .withWorkingDir(workDir)
        .withEnv(KEY_VARIABLE + "=" + key, "HOME=/tmp", "PYTHONUNBUFFERED=1")
        .withEntrypoint("python", "-m", "atelier.agent", "--ip", "127.0.0.1", "--control-port", Integer.toString(port),
            "--kernel-port-range", InstanceRuntime.KERNEL_PORTS)
        .withHostConfig(host)
        .exec()
        .getId();
    docker.startContainerCmd(id).exec();
    LOG.info("instance {} ({} on {}) started as container {}", spec.instanceType(), spec.image(), host.getNetworkMode(),
        id.substring(0, 12));
    return id;
  }

  /** The container's state now. */
  InspectContainerResponse.ContainerState state(String id) {
    return docker.inspectContainerCmd(id).exec().getState();
  }

  /** Running instance containers of this owner, by their labels. */
  List<Survivor> survivors() {
    List<Survivor> out = new ArrayList<>();
    for (var c : docker.listContainersCmd().withLabelFilter(Map.of(LABEL_OWNER, owner)).exec()) {
      Map<String, String> labels = c.getLabels() == null ? Map.of() : c.getLabels();
      Instant started;
      try {
        started = Instant.parse(state(c.getId()).getStartedAt());
      } catch (RuntimeException e) {
        LOG.warn("container {} cannot be inspected: {}", c.getId().substring(0, 12), RuntimeFailure.rootMessage(e));
        started = Instant.now();
      }
      out.add(new Survivor(c.getId(), labels.get(LABEL_TYPE), labels.get(LABEL_IMAGE), started, labels));
    }
    return out;
  }

  /** The port a survivor's agent listens on, from its labels; 0 when they do not say. */
  static int controlPort(Survivor survivor) {
    return Integer.parseInt(survivor.labels().getOrDefault(LABEL_CONTROL_PORT, "0"));
  }

  /** The key the container's agent was started with, or null when it has none. */
  String agentKey(String id) {
    String key = null;
    try {
      InspectContainerResponse info = docker.inspectContainerCmd(id).exec();
      for (String e : info.getConfig().getEnv() == null ? new String[0] : info.getConfig().getEnv()) {
        if (e.startsWith(KEY_VARIABLE + "=")) {
          key = e.substring(KEY_VARIABLE.length() + 1);
        }
      }
    } catch (RuntimeException e) {
      throw new AgentException("container " + id.substring(0, 12) + " cannot be inspected: " + RuntimeFailure.rootMessage(e));
    }
    return key;
  }

  /** Containers this owner's servers started, running or not (for adoption or clean-up). */
  List<String> owned() {
    List<String> ids = new ArrayList<>();
    docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(LABEL_OWNER, owner)).exec()
        .forEach(c -> ids.add(c.getId()));
    return ids;
  }

  /** The container's last lines of output, for a failure's message; empty when they cannot be read. */
  String lastLogLines(String id, int lines) {
    StringBuilder out = new StringBuilder();
    try {
      docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withTail(lines)
          .exec(new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
              out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
            }
          }).awaitCompletion(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      return "";
    }
    return out.toString().strip();
  }

  /** {@code "; the container's last lines:\n..."}, or empty when it wrote nothing. */
  String lastLinesSuffix(String id) {
    String logs = lastLogLines(id, 20);
    return logs.isBlank() ? "" : "; the container's last lines:\n" + logs;
  }

  /** Removes the container, saying so in the log when it cannot. */
  void remove(String id) {
    try {
      engine.remove(id);
    } catch (RuntimeException e) {
      LOG.warn("could not remove container {}: {}", id, RuntimeFailure.rootMessage(e));
    }
  }
}
