package dev.atelier.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.HostConfig;
import dev.atelier.runtime.RuntimeFailure;
import java.io.IOException;
import java.time.Duration;

/**
 * One Docker engine and the one client that every Docker-backed runtime on it shares (instances,
 * job containers, services), with what they all need: the image check, CPU and memory limits,
 * stop and removal. The client's responses may take as long as a job runs, because following a
 * job's output and waiting for its end are single long responses. Calls block: run them on
 * virtual threads. Whoever creates the engine closes it, after the runtimes built on it.
 */
public final class DockerEngine implements AutoCloseable {
  /** Longer than any job's maximum runtime: a follow or a wait is one response. */
  private static final Duration LONGEST_RESPONSE = Duration.ofDays(30);

  private final String host;
  private final DockerClient client;

  /** @param dockerHost such as {@code unix:///var/run/docker.sock} */
  public DockerEngine(String dockerHost) {
    this.host = dockerHost;
    this.client = DockerClients.unversioned(dockerHost, LONGEST_RESPONSE);
  }

  public String host() {
    return host;
  }

  /** The shared client, for the runtimes in this package. */
  DockerClient client() {
    return client;
  }

  /** The engine's version; a 503 saying why when it does not answer. */
  public String version() {
    try {
      return client.versionCmd().exec().getVersion();
    } catch (RuntimeException e) {
      throw unreachable(e);
    }
  }

  /** Fails with a missing image (400, saying how to build it) when the engine does not have it. */
  public void requireImage(String image) {
    try {
      client.inspectImageCmd(image).exec();
    } catch (NotFoundException e) {
      throw RuntimeFailure.imageMissing(image);
    } catch (RuntimeException e) {
      throw unreachable(e);
    }
  }

  RuntimeFailure unreachable(Throwable e) {
    return RuntimeFailure.engineUnreachable("Docker engine", e);
  }

  /** A workload's CPU and memory limits (0: none); swap is not allowed beyond the memory limit. */
  static HostConfig limit(HostConfig host, double cpus, long memoryBytes) {
    if (memoryBytes > 0) {
      host.withMemory(memoryBytes).withMemorySwap(memoryBytes);
    }
    if (cpus > 0) {
      host.withNanoCPUs((long) (cpus * 1_000_000_000L));
    }
    return host;
  }

  /** SIGTERM, then SIGKILL after {@code grace}; returns once the container has ended. */
  void stop(String id, Duration grace) {
    try {
      client.stopContainerCmd(id).withTimeout((int) Math.max(0, grace.toSeconds())).exec();
    } catch (NotFoundException | NotModifiedException e) {
      // already gone, or already stopped
    }
  }

  /** Removes the container, running or not; one that is already gone is not an error. */
  void remove(String id) {
    try {
      client.removeContainerCmd(id).withForce(true).exec();
    } catch (NotFoundException e) {
      // already gone
    }
  }

  @Override
  public void close() {
    try {
      client.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
