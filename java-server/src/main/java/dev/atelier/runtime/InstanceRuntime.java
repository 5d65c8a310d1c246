package dev.atelier.runtime;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Where kernels run. An instance is one environment with a kernel agent in it: a local process
 * group ({@link dev.atelier.runtime.process.ProcessRuntime}) or a container with CPU and memory
 * limits ({@link dev.atelier.runtime.docker.DockerRuntime}). The server always dials the agent;
 * it never needs a route from the instance back to itself.
 */
public interface InstanceRuntime extends AutoCloseable {

  /**
   * The agents' kernel ports ({@code --kernel-port-range}), on the host's network in both
   * runtimes: below the ephemeral range (32768-60999 on Linux, 49152+ elsewhere), because a port
   * picked there and left free until the kernel binds it can be taken meanwhile as the source
   * port of an outgoing connection (20 kernels started at once lost one to "Address already in
   * use" in about one burst in ten).
   */
  String KERNEL_PORTS = "20000-32767";

  /** This runtime's name: {@code process} or {@code docker}. */
  String name();

  /** Starts a new instance for the spec and completes once its agent answers. */
  CompletableFuture<Instance> start(InstanceSpec spec);

  /**
   * Stops every instance this runtime started, and their kernels, unless
   * {@link #instancesOutliveClose()}: then they keep running for the next server to adopt.
   */
  @Override
  void close();

  /**
   * Whether the instances outlive {@link #close()} (and a server that stops), for the next
   * server to find in {@link #survivors()} and {@link #adopt} with their kernels. By default
   * they do not, and there is nothing to adopt.
   */
  default boolean instancesOutliveClose() {
    return false;
  }

  /**
   * The instances of this runtime's owner that an earlier server left running, for a restarted
   * one to adopt or discard. Empty when instances do not outlive their server.
   */
  default List<Survivor> survivors() {
    return List.of();
  }

  /** Takes over a survivor: its agent must answer within a few seconds, else this fails. */
  default Instance adopt(Survivor survivor, InstanceSpec spec) {
    throw new AgentException("the " + name() + " runtime's instances end with their server; there is no instance "
        + survivor.id() + " to adopt");
  }

  /** Ends and removes a survivor that cannot be adopted. */
  default void discard(Survivor survivor) {}

  /**
   * An instance an earlier server left running.
   *
   * @param id as {@link Instance#id()} was
   * @param type its instance type's name, or null when it cannot be read (discard it)
   * @param image the image it runs, or null when it cannot be read
   * @param labels the labels its spec carried ({@link InstanceSpec#labels()}), such as who it is for
   */
  record Survivor(String id, String type, String image, Instant startedAt, Map<String, String> labels) {
    public Survivor {
      labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
  }

  /**
   * Whether this runtime's instances get their type's CPU and memory limits on this host, and if
   * not why: a container engine always applies them; local processes only where the host lets
   * the server make cgroups.
   */
  default HostLimits hostLimits() {
    return new HostLimits(true, null, null, null);
  }

  /**
   * Whether a runtime's instances get their type's limits on this host.
   *
   * @param enforced the limits are applied
   * @param version the version of what applies them (such as the cgroup version), or null
   * @param where where they are applied (such as the parent cgroups), or null
   * @param problem why they are not enforced, for a person, or null
   */
  record HostLimits(boolean enforced, String version, String where, String problem) {}

  /**
   * Whether an instance runs under its type's CPU and memory limits.
   *
   * @param enforced the limits apply to the agent and every kernel it starts
   * @param problem why they do not, for a person (null when they do)
   * @param where how they are applied: the container, or the instance's cgroup directories
   */
  record Limits(boolean enforced, String problem, String where) {}

  /** A running instance: its agent, a way to learn that it died, and a way to stop it. */
  interface Instance {
    /** Unique id (a container id, or the agent's pid). */
    String id();

    InstanceSpec spec();

    AgentClient agent();

    /** Completes with a reason a person can read when the instance ends. */
    CompletableFuture<String> terminated();

    /** Whether its type's limits are enforced (a container's always are). */
    default Limits limits() {
      return new Limits(true, null, "container");
    }

    /** Stops the instance: its agent stops its kernels gracefully, then it is forced. */
    CompletableFuture<Void> stop();
  }
}
