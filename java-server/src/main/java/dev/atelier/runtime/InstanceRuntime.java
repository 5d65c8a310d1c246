package dev.atelier.runtime;

import java.util.concurrent.CompletableFuture;

/**
 * Where kernels run: an instance is one environment with a kernel agent in it (a local process
 * group today; a container per instance type and image with the docker runtime).
 */
public interface InstanceRuntime extends AutoCloseable {

  /** Starts (or returns the running) instance and connects to its agent. */
  CompletableFuture<Instance> start();

  /** Stops every instance and its kernels. */
  @Override
  void close();

  /** A running instance: its agent, and a way to learn that it died. */
  interface Instance {
    AgentClient agent();

    /** Completes with a reason when the instance ends unexpectedly. */
    CompletableFuture<String> terminated();
  }
}
