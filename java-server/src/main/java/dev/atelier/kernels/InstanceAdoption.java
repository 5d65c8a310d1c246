package dev.atelier.kernels;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.instances.InstanceCatalog;
import dev.atelier.instances.InstancePool;
import dev.atelier.instances.PooledInstance;
import dev.atelier.instances.InstanceType;
import dev.atelier.runtime.AgentException;
import dev.atelier.runtime.DockerRuntime;
import dev.atelier.runtime.InstanceRuntime;
import dev.atelier.runtime.InstanceSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes over the instances a previous server of this data directory left running, with their
 * kernels: open notebooks reconnect and keep their state. What cannot be taken over is removed.
 */
public final class InstanceAdoption {
  private static final Logger LOG = LoggerFactory.getLogger(InstanceAdoption.class);
  private static final Duration AGENT_TIMEOUT = Duration.ofSeconds(15);

  /**
   * An instance an earlier server left running, as its runtime reports it.
   *
   * @param runtimeId the runtime's own id (a container id)
   * @param instanceId, instanceType, image what the earlier server recorded on it; null when missing
   * @param labels what the instance carries, kept on its spec
   */
  record Survivor(String runtimeId, String instanceId, String instanceType, String image, Map<String, String> labels,
      Instant startedAt) {}

  /** The runtime's side of adoption: what survived, taking one over, removing one. */
  interface Survivors {
    List<Survivor> found();

    InstanceRuntime.Instance takeOver(Survivor s, InstanceSpec spec);

    void remove(Survivor s);
  }

  /** A kernel the adopted instance's agent still runs, with what it takes to connect to it again. */
  record Found(String id, String specName, String sessionName, ConnectionInfo connection) {}

  private final KernelService kernels;
  private final InstancePool pool;
  private final InstanceCatalog types;
  private final Path root;

  public InstanceAdoption(KernelService kernels, InstancePool pool, InstanceCatalog types, Path root) {
    this.kernels = kernels;
    this.pool = pool;
    this.types = types;
    this.root = root;
  }

  /** Adopts what the Docker runtime (null: none) finds of an earlier server; returns the adopted instance ids. */
  public Set<String> adopt(DockerRuntime docker) {
    if (docker == null) {
      return new HashSet<>();
    }
    Set<String> adopted = adopt(survivorsOf(docker));
    kernels.changed();
    return adopted;
  }

  /** The one place adoption knows a concrete runtime: Docker's containers, by their labels. */
  private static Survivors survivorsOf(DockerRuntime docker) {
    Map<String, DockerRuntime.Adoptable> byId = new ConcurrentHashMap<>();
    return new Survivors() {
      @Override
      public List<Survivor> found() {
        List<Survivor> out = new ArrayList<>();
        for (var a : docker.adoptable()) {
          byId.put(a.containerId(), a);
          out.add(new Survivor(a.containerId(), a.labels().get(InstancePool.LABEL_INSTANCE_ID),
              a.labels().get(DockerRuntime.LABEL_TYPE), a.labels().get(DockerRuntime.LABEL_IMAGE), a.labels(),
              a.startedAt()));
        }
        return out;
      }

      @Override
      public InstanceRuntime.Instance takeOver(Survivor s, InstanceSpec spec) {
        return docker.adopt(byId.get(s.runtimeId()), spec);
      }

      @Override
      public void remove(Survivor s) {
        docker.discard(s.runtimeId());
      }
    };
  }

  /** Takes over each survivor, or removes it; returns the adopted instance ids. */
  Set<String> adopt(Survivors survivors) {
    Set<String> adopted = new HashSet<>();
    List<Survivor> found;
    try {
      found = survivors.found();
    } catch (RuntimeException e) {
      LOG.warn("no instances adopted: {}", KernelService.unwrap(e).getMessage());
      return adopted;
    }
    for (Survivor s : found) {
      try {
        takeOver(survivors, s);
        adopted.add(s.instanceId());
      } catch (Exception e) {
        LOG.warn("container {} ({} on {}) not adopted, removing it: {}",
            s.runtimeId().substring(0, Math.min(12, s.runtimeId().length())), s.instanceType(), s.image(),
            KernelService.unwrap(e).getMessage());
        survivors.remove(s);
      }
    }
    return adopted;
  }

  /** The type an instance was started with, or why it cannot be taken over (no labels, or a type no longer offered). */
  InstanceType typeOf(Survivor s) {
    if (s.instanceId() == null || s.instanceType() == null || s.image() == null) {
      throw new AgentException("it carries no instance labels");
    }
    return types.require(s.instanceType());
  }

  private void takeOver(Survivors survivors, Survivor s) throws Exception {
    InstanceType t = typeOf(s);
    InstanceRuntime.Instance inst = survivors.takeOver(s,
        new InstanceSpec(s.instanceType(), s.image(), t.vcpus(), t.memoryBytes(), root, s.labels()));
    JsonNode reply = inst.agent().request("list", Map.of("details", true), AGENT_TIMEOUT)
        .get(AGENT_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
    PooledInstance p = pool.adopt(s.instanceId(), t, s.image(), inst, s.startedAt());
    kernels.watch(inst.agent());
    for (Found k : kernelsIn(reply)) {
      kernels.adopt(p, k);
    }
    pool.settleAdopted(p);
  }

  /** The live kernels of an agent's {@code list} reply (with details) that can be connected to again. */
  static List<Found> kernelsIn(JsonNode listReply) {
    List<Found> out = new ArrayList<>();
    for (JsonNode k : listReply.path("kernels")) {
      if (k.path("alive").asBoolean() && k.has("connection")) {
        out.add(new Found(k.path("kernel_id").asText(), k.path("kernelspec").asText("python3"),
            k.path("session_name").isTextual() ? k.path("session_name").asText() : null,
            ConnectionInfo.fromJson(k.path("connection"))));
      }
    }
    return out;
  }
}
