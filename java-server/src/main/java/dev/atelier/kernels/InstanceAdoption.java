package dev.atelier.kernels;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.catalog.InstanceCatalog;
import dev.atelier.instances.InstancePool;
import dev.atelier.instances.PooledInstance;
import dev.atelier.catalog.InstanceType;
import dev.atelier.runtime.AgentException;
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

    /** The name of the runtime the survivors run on ({@code docker}). */
    default String runtimeName() {
      return null;
    }
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

  /**
   * Adopts what a runtime (null: none) finds of an earlier server; returns the adopted instance ids.
   * Runtimes whose instances end with their server find nothing. An earlier server may have kept
   * its instances when this one would not, so what survived is looked for whatever this runtime's
   * own setting.
   */
  public Set<String> adopt(InstanceRuntime runtime) {
    if (runtime == null) {
      return new HashSet<>();
    }
    Set<String> adopted = adopt(survivorsOf(runtime));
    kernels.changed();
    return adopted;
  }

  /** The runtime's survivors, with the instance id the earlier server recorded on each. */
  private static Survivors survivorsOf(InstanceRuntime runtime) {
    Map<String, InstanceRuntime.Survivor> byId = new ConcurrentHashMap<>();
    return new Survivors() {
      @Override
      public List<Survivor> found() {
        List<Survivor> out = new ArrayList<>();
        for (InstanceRuntime.Survivor a : runtime.survivors()) {
          byId.put(a.id(), a);
          out.add(new Survivor(a.id(), a.labels().get(InstancePool.LABEL_INSTANCE_ID), a.type(), a.image(),
              a.labels(), a.startedAt()));
        }
        return out;
      }

      @Override
      public InstanceRuntime.Instance takeOver(Survivor s, InstanceSpec spec) {
        return runtime.adopt(byId.get(s.runtimeId()), spec);
      }

      @Override
      public void remove(Survivor s) {
        runtime.discard(byId.get(s.runtimeId()));
      }

      @Override
      public String runtimeName() {
        return runtime.name();
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
    PooledInstance p = pool.adopt(s.instanceId(), t, s.image(), survivors.runtimeName(), inst, s.startedAt());
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
